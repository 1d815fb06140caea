/// Writes JSON values as UTF-8 text.
///
/// Strings escape only what JSON requires (`"`, `\` and control characters, using the short
/// forms \b \f \n \r \t where they exist and \u00XX otherwise); `/` and non-ASCII characters
/// are written as they are. Numbers are written from their literal text, so parsing compact
/// input and writing it back gives the same bytes.
public struct JSONWriter {
    public struct Options: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// Several lines, two spaces of indentation per level, ": " after keys.
        public static let prettyPrinted = Options(rawValue: 1 << 0)
        /// Object members ordered by key (UTF-8 byte order, which is code point order)
        /// instead of as written. Members with the same key keep their relative order.
        public static let sortKeys = Options(rawValue: 1 << 1)
    }

    /// The JSON text of `value`: compact and on one line unless `.prettyPrinted`.
    public static func serialize(_ value: JSONValue, options: Options = []) -> String {
        var bytes: [UInt8] = []
        write(value, into: &bytes, options: options)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the JSON text of `value` to `bytes`. With `.prettyPrinted`, `indent` is the
    /// nesting level the value sits at, so that a document can be written a member at a time.
    public static func write(_ value: JSONValue, into bytes: inout [UInt8], options: Options = [], indent: Int = 0) {
        var emitter = Emitter(
            bytes: bytes, pretty: options.contains(.prettyPrinted), sortKeys: options.contains(.sortKeys))
        bytes = []  // hand the buffer over without a copy
        emitter.write(value, indent: indent)
        bytes = emitter.bytes
    }

    /// Appends `text` as a JSON string literal.
    public static func writeString(_ text: String, into bytes: inout [UInt8]) {
        write(.string(text), into: &bytes)
    }
}

private struct Emitter {
    var bytes: [UInt8]
    let pretty: Bool
    let sortKeys: Bool

    mutating func write(_ value: JSONValue, indent: Int) {
        switch value {
        case .null:
            append("null")
        case .bool(let flag):
            append(flag ? "true" : "false")
        case .number(let number):
            if number.isNonFiniteMarker {
                append("null")  // JSON has no NaN or infinity
            } else {
                append(number.text)
            }
        case .string(let text):
            writeString(text)
        case .array(let elements):
            bytes.append(ASCII.openBracket)
            if !elements.isEmpty {
                for (index, element) in elements.enumerated() {
                    if index > 0 { bytes.append(ASCII.comma) }
                    newline(indent: indent + 1)
                    write(element, indent: indent + 1)
                }
                newline(indent: indent)
            }
            bytes.append(ASCII.closeBracket)
        case .object(let object):
            bytes.append(ASCII.openBrace)
            if !object.members.isEmpty {
                let members = sortKeys ? sorted(object.members) : object.members
                for (index, member) in members.enumerated() {
                    if index > 0 { bytes.append(ASCII.comma) }
                    newline(indent: indent + 1)
                    writeString(member.key)
                    bytes.append(ASCII.colon)
                    if pretty { bytes.append(ASCII.space) }
                    write(member.value, indent: indent + 1)
                }
                newline(indent: indent)
            }
            bytes.append(ASCII.closeBrace)
        }
    }

    private func sorted(_ members: [(key: String, value: JSONValue)]) -> [(key: String, value: JSONValue)] {
        // Sort positions rather than members so equal keys stay in their written order.
        members.indices
            .sorted { left, right in
                let (a, b) = (members[left].key, members[right].key)
                if a == b { return left < right }
                return a.utf8.lexicographicallyPrecedes(b.utf8)
            }
            .map { members[$0] }
    }

    private mutating func newline(indent: Int) {
        guard pretty else { return }
        bytes.append(ASCII.lineFeed)
        bytes.append(contentsOf: repeatElement(ASCII.space, count: indent * 2))
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func writeString(_ text: String) {
        var text = text
        bytes.append(ASCII.quote)
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == ASCII.quote || byte == ASCII.backslash else { continue }
                if runStart < index {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                }
                appendEscape(for: byte)
                runStart = index + 1
            }
            if runStart < utf8.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            }
        }
        bytes.append(ASCII.quote)
    }

    private mutating func appendEscape(for byte: UInt8) {
        bytes.append(ASCII.backslash)
        switch byte {
        case ASCII.quote: bytes.append(ASCII.quote)
        case ASCII.backslash: bytes.append(ASCII.backslash)
        case 0x08: bytes.append(ASCII.b)
        case 0x0C: bytes.append(ASCII.f)
        case ASCII.lineFeed: bytes.append(ASCII.n)
        case ASCII.carriageReturn: bytes.append(ASCII.r)
        case ASCII.tab: bytes.append(ASCII.t)
        default:
            // \u00XX with lowercase hex, as Python and JavaScript write it.
            func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? ASCII.zero + value : ASCII.a + value - 10 }
            bytes.append(contentsOf: [ASCII.u, ASCII.zero, ASCII.zero, hexDigit(byte >> 4), hexDigit(byte & 0xF)])
        }
    }
}
