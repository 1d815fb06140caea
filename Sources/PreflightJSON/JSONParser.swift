/// A strict RFC 8259 JSON parser working directly on UTF-8 bytes.
///
/// It accepts exactly one value with optional whitespace around it and nothing else: no
/// comments, trailing commas, single quotes, NaN/Infinity, leading zeros, '+' signs, hex
/// numbers, byte order mark or invalid UTF-8. Nesting is handled with an explicit stack,
/// so deep input fails with an error at `maxDepth`, never with a stack overflow.
public struct JSONParser {
    public static let defaultMaxDepth = 512

    public static func parse(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(offset: 0, message: "empty input")
        }
        var reader = ByteReader(
            bytes: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth)
        return try reader.readDocument()
    }

    /// Validates the whole document exactly as `parse` does, but builds only the members of
    /// the top-level object whose key `keep` accepts; every other member's value is `null`
    /// and costs no allocation. For reading one field of many large lines.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, keepingTopLevelMembers keep: (String) -> Bool,
        maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(offset: 0, message: "empty input")
        }
        var reader = ByteReader(
            bytes: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth)
        let result = withoutActuallyEscaping(keep) { keep in
            Result { () throws(JSONParseError) -> JSONValue in try reader.readDocument(keep: keep) }
        }
        return try result.get()
    }

    public static func parse(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    public static func parse(
        _ text: String, maxDepth: Int = defaultMaxDepth
    ) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
            }
        }
        return try result.get()
    }
}

// MARK: - The reader

/// One parse over one buffer. Kept internal: the public surface is `JSONParser.parse`.
struct ByteReader {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    let maxDepth: Int
    var position = 0
    /// Reused for strings that contain escapes.
    var scratch: [UInt8] = []

    init(bytes: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.bytes = bytes
        self.count = count
        self.maxDepth = maxDepth
    }

    mutating func readDocument(keep: ((String) -> Bool)? = nil) throws(JSONParseError) -> JSONValue {
        if count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF {
            throw JSONParseError(offset: 0, message: "byte order mark before the JSON value")
        }
        skipWhitespace()
        if position == count {
            throw JSONParseError(offset: position, message: "empty input")
        }
        // A lone scalar needs none of the container bookkeeping.
        let first = bytes[position]
        let value = first == ASCII.openBrace || first == ASCII.openBracket ? try readValue(keep: keep) : try readScalar()
        skipWhitespace()
        if position != count {
            throw JSONParseError(offset: position, message: "trailing characters after the JSON value")
        }
        return value
    }

    /// An array or object still being read: its items so far sit in the shared
    /// `elements` or `members` stack from `start` on. A discarded container is validated
    /// but keeps nothing, and becomes `null`.
    private struct OpenContainer {
        var isObject: Bool
        var start: Int
        var discards = false
    }

    /// Reads one complete value, in practice an array or object, keeping the open
    /// containers on explicit stacks instead of recursing. With `keep`, members of the
    /// top-level object whose key it refuses are validated but not built.
    mutating func readValue(keep: ((String) -> Bool)? = nil) throws(JSONParseError) -> JSONValue {
        var open: [OpenContainer] = []
        open.reserveCapacity(16)
        var elements = MoveStack<JSONValue>(capacity: 16)
        var members = MoveStack<(key: String, value: JSONValue)>(capacity: 16)

        nextValue: while true {
            skipWhitespace()
            guard position < count else { throw endOfInput() }
            var value: JSONValue
            switch bytes[position] {
            case ASCII.openBrace:
                guard open.count < maxDepth else { throw tooDeep() }
                position += 1
                skipWhitespace()
                let discards = discardsNext(open, members, keep)
                if position < count && bytes[position] == ASCII.closeBrace {
                    position += 1
                    value = discards ? .null : .object(JSONObject())
                } else {
                    open.append(OpenContainer(isObject: true, start: members.count, discards: discards))
                    let key = try readKeyAndColon()
                    if !discards { members.push((key: key, value: .null)) }
                    continue nextValue
                }
            case ASCII.openBracket:
                guard open.count < maxDepth else { throw tooDeep() }
                position += 1
                skipWhitespace()
                let discards = discardsNext(open, members, keep)
                if position < count && bytes[position] == ASCII.closeBracket {
                    position += 1
                    value = discards ? .null : .array([])
                } else {
                    open.append(OpenContainer(isObject: false, start: elements.count, discards: discards))
                    continue nextValue
                }
            default:
                value = try readScalar()
            }

            // The value is complete: store it in its container, and close every container
            // that ends right after it.
            while let container = open.last {
                if container.isObject {
                    if !container.discards { members.last.value = consume value }
                    skipWhitespace()
                    guard position < count else { throw endOfInput() }
                    let byte = bytes[position]
                    if byte == ASCII.comma {
                        let comma = position
                        position += 1
                        skipWhitespace()
                        if position < count && bytes[position] == ASCII.closeBrace {
                            throw JSONParseError(offset: comma, message: "trailing comma before '}'")
                        }
                        let key = try readKeyAndColon()
                        if !container.discards { members.push((key: key, value: .null)) }
                        continue nextValue
                    } else if byte == ASCII.closeBrace {
                        position += 1
                        value = container.discards ? .null : .object(JSONObject(members: members.popArray(from: container.start)))
                        open.removeLast()
                    } else {
                        throw expected("',' or '}' after an object member")
                    }
                } else {
                    if !container.discards { elements.push(consume value) }
                    skipWhitespace()
                    guard position < count else { throw endOfInput() }
                    let byte = bytes[position]
                    if byte == ASCII.comma {
                        let comma = position
                        position += 1
                        skipWhitespace()
                        if position < count && bytes[position] == ASCII.closeBracket {
                            throw JSONParseError(offset: comma, message: "trailing comma before ']'")
                        }
                        continue nextValue
                    } else if byte == ASCII.closeBracket {
                        position += 1
                        value = container.discards ? .null : .array(elements.popArray(from: container.start))
                        open.removeLast()
                    } else {
                        throw expected("',' or ']' after an array element")
                    }
                }
            }
            return value
        }
    }

    /// Whether a container opening now is to be validated only: it sits in a discarded
    /// container, or it is the value of a top-level member whose key `keep` refuses.
    @inline(__always)
    private func discardsNext(_ open: [OpenContainer], _ members: borrowing MoveStack<(key: String, value: JSONValue)>,
                              _ keep: ((String) -> Bool)?) -> Bool {
        guard let keep, let parent = open.last else { return false }
        if parent.discards { return true }
        return open.count == 1 && parent.isObject && !keep(members.last.key)
    }

    /// Reads a string, number, `true`, `false` or `null` at `position`.
    @inline(__always)
    mutating func readScalar() throws(JSONParseError) -> JSONValue {
        switch bytes[position] {
        case ASCII.quote:
            return .string(try readString())
        case ASCII.zero...ASCII.nine, ASCII.minus:
            return .number(try readNumber())
        case ASCII.t:
            try expectLiteral(0x74_72_75_65, length: 4, name: "true")
            return .bool(true)
        case ASCII.f:
            try expectLiteral(0x66_61_6C_73_65, length: 5, name: "false")
            return .bool(false)
        case ASCII.n:
            try expectLiteral(0x6E_75_6C_6C, length: 4, name: "null")
            return .null
        default:
            throw unexpectedValueStart()
        }
    }

    // MARK: Whitespace, literals, keys

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            let byte = bytes[position]
            guard byte <= ASCII.space,
                byte == ASCII.space || byte == ASCII.lineFeed || byte == ASCII.carriageReturn
                    || byte == ASCII.tab
            else { return }
            position += 1
        }
    }

    /// Matches `true`, `false` or `null`; `pattern` holds the literal's bytes, first byte
    /// most significant.
    @inline(__always)
    mutating func expectLiteral(_ pattern: UInt64, length: Int, name: StaticString) throws(JSONParseError) {
        let start = position
        if start + length <= count {
            var word: UInt64 = 0
            for index in 0..<length { word = word << 8 | UInt64(bytes[start + index]) }
            if word == pattern {
                position += length
                return
            }
        }
        throw invalidLiteral(name: name)
    }

    /// Reads `"key"` and the `:` after it; whitespace before the key is already skipped.
    @inline(__always)
    mutating func readKeyAndColon() throws(JSONParseError) -> String {
        guard position < count else { throw endOfInput() }
        guard bytes[position] == ASCII.quote else { throw expected("a string key") }
        let key = try readString()
        skipWhitespace()
        guard position < count else { throw endOfInput() }
        guard bytes[position] == ASCII.colon else { throw expected("':' after an object key") }
        position += 1
        return key
    }

    // MARK: Numbers

    mutating func readNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        var index = position
        if bytes[index] == ASCII.minus {
            index += 1
            if index < count && bytes[index] == ASCII.capitalI && matches("Infinity", at: index) {
                throw JSONParseError(offset: start, message: "-Infinity is not JSON")
            }
        }
        guard index < count, isDigit(bytes[index]) else {
            throw JSONParseError(offset: index, message: "expected a digit after '-'")
        }
        if bytes[index] == ASCII.zero {
            index += 1
            if index < count {
                if isDigit(bytes[index]) {
                    throw JSONParseError(offset: index - 1, message: "leading zeros are not allowed in numbers")
                }
                if bytes[index] | 0x20 == ASCII.x {
                    throw JSONParseError(offset: start, message: "hexadecimal numbers are not JSON")
                }
            }
        } else {
            index += 1
            while index < count && isDigit(bytes[index]) { index += 1 }
        }
        if index < count && bytes[index] == ASCII.period {
            index += 1
            guard index < count, isDigit(bytes[index]) else {
                throw JSONParseError(offset: index, message: "expected a digit after the decimal point")
            }
            index += 1
            while index < count && isDigit(bytes[index]) { index += 1 }
        }
        if index < count && bytes[index] | 0x20 == ASCII.e {
            index += 1
            if index < count && (bytes[index] == ASCII.plus || bytes[index] == ASCII.minus) { index += 1 }
            guard index < count, isDigit(bytes[index]) else {
                throw JSONParseError(offset: index, message: "expected a digit in the exponent")
            }
            index += 1
            while index < count && isDigit(bytes[index]) { index += 1 }
        }
        position = index
        let literal = UnsafeBufferPointer(start: bytes + start, count: index - start)
        return JSONNumber(uncheckedText: String(decoding: literal, as: UTF8.self))
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool { byte &- ASCII.zero < 10 }

    // MARK: Strings

    /// Reads a string starting at its opening quote. Plain strings (no escapes) become a
    /// `String` straight from the input bytes; strings with escapes go through `scratch`.
    mutating func readString() throws(JSONParseError) -> String {
        let openingQuote = position
        var index = position + 1
        while index < count {
            // Skip eight plain ASCII bytes at a time while they are available.
            while index + 8 <= count {
                let word = UnsafeRawPointer(bytes + index).loadUnaligned(as: UInt64.self)
                let special = Self.specialBytes(in: word)
                if special != 0 {
                    index += special.trailingZeroBitCount >> 3
                    break
                }
                index += 8
            }
            guard index < count else { break }
            let byte = bytes[index]
            if byte == ASCII.quote {
                position = index + 1
                let content = UnsafeBufferPointer(start: bytes + openingQuote + 1, count: index - openingQuote - 1)
                return String(decoding: content, as: UTF8.self)
            }
            if byte == ASCII.backslash {
                return try readEscapedString(openingQuote: openingQuote, firstEscape: index)
            }
            if byte < 0x20 { throw controlCharacter(at: index) }
            if byte < 0x80 {
                index += 1
            } else {
                guard let next = endOfUTF8Sequence(at: index) else { throw invalidUTF8(at: index) }
                index = next
            }
        }
        throw JSONParseError(offset: openingQuote, message: "unterminated string")
    }

    /// Sets the high bit of every byte of `word` (in memory order) that a plain string
    /// cannot pass over: '"', '\\', a control character or a non-ASCII byte. Only the
    /// lowest set bit is exact; that is the only one used.
    @inline(__always)
    static func specialBytes(in word: UInt64) -> UInt64 {
        let word = UInt64(littleEndian: word)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* UInt64(ASCII.quote))
        let backslashes = word ^ (ones &* UInt64(ASCII.backslash))
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        let isControl = word &- (ones &* 0x20)
        return (isQuote | isBackslash | isControl | word) & highs
    }

    mutating func readEscapedString(openingQuote: Int, firstEscape: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        let plainStart = openingQuote + 1
        scratch.append(contentsOf: UnsafeBufferPointer(start: bytes + plainStart, count: firstEscape - plainStart))
        var index = firstEscape
        while index < count {
            let byte = bytes[index]
            if byte == ASCII.quote {
                position = index + 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte == ASCII.backslash {
                index = try readEscape(at: index, openingQuote: openingQuote)
            } else if byte < 0x20 {
                throw controlCharacter(at: index)
            } else if byte < 0x80 {
                scratch.append(byte)
                index += 1
            } else {
                guard let next = endOfUTF8Sequence(at: index) else { throw invalidUTF8(at: index) }
                scratch.append(contentsOf: UnsafeBufferPointer(start: bytes + index, count: next - index))
                index = next
            }
        }
        throw JSONParseError(offset: openingQuote, message: "unterminated string")
    }

    /// Decodes the escape at `index` (a backslash) into `scratch`; returns the index after it.
    mutating func readEscape(at index: Int, openingQuote: Int) throws(JSONParseError) -> Int {
        guard index + 1 < count else {
            throw JSONParseError(offset: openingQuote, message: "unterminated string")
        }
        let replacement: UInt8
        switch bytes[index + 1] {
        case ASCII.quote: replacement = ASCII.quote
        case ASCII.backslash: replacement = ASCII.backslash
        case ASCII.slash: replacement = ASCII.slash
        case ASCII.b: replacement = 0x08
        case ASCII.f: replacement = 0x0C
        case ASCII.n: replacement = ASCII.lineFeed
        case ASCII.r: replacement = ASCII.carriageReturn
        case ASCII.t: replacement = ASCII.tab
        case ASCII.u:
            let unit = try readHex4(at: index + 2, escape: index, openingQuote: openingQuote)
            var scalar = unit
            var next = index + 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard next + 1 < count, bytes[next] == ASCII.backslash, bytes[next + 1] == ASCII.u else {
                    throw loneSurrogate(unit, at: index)
                }
                let low = try readHex4(at: next + 2, escape: next, openingQuote: openingQuote)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw loneSurrogate(unit, at: index) }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw loneSurrogate(unit, at: index)
            }
            appendUTF8(scalar)
            return next
        default:
            throw invalidEscape(at: index)
        }
        scratch.append(replacement)
        return index + 2
    }

    /// Four hex digits at `start`, as the code unit of the `\u` escape at `escape`.
    mutating func readHex4(at start: Int, escape: Int, openingQuote: Int) throws(JSONParseError) -> UInt32 {
        var unit: UInt32 = 0
        for index in start..<start + 4 {
            guard index < count else {
                throw JSONParseError(offset: openingQuote, message: "unterminated string")
            }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case ASCII.a...ASCII.f: digit = byte - ASCII.a + 10
            case ASCII.capitalA...ASCII.capitalF: digit = byte - ASCII.capitalA + 10
            default:
                throw JSONParseError(offset: escape, message: "invalid escape: \\u needs 4 hex digits")
            }
            unit = unit << 4 | UInt32(digit)
        }
        return unit
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// For a non-ASCII lead byte at `index`: the index just after its well-formed UTF-8
    /// sequence, or nil for an ill-formed one (stray continuation byte, overlong form,
    /// UTF-16 surrogate, value above U+10FFFF, 0xF5...0xFF, or a sequence cut short).
    func endOfUTF8Sequence(at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondLow = 0xA0        // no overlong 3-byte forms
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondHigh = 0x9F       // no UTF-16 surrogates
        case 0xF0: length = 4; secondLow = 0x90        // no overlong 4-byte forms
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondHigh = 0x8F       // nothing above U+10FFFF
        default: return nil
        }
        guard index + length <= count else { return nil }
        let second = bytes[index + 1]
        guard second >= secondLow && second <= secondHigh else { return nil }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            return nil
        }
        return index + length
    }

    // MARK: Errors (kept out of line: they only run once, on the way out)

    func matches(_ word: StaticString, at index: Int) -> Bool {
        let length = word.utf8CodeUnitCount
        guard index + length <= count else { return false }
        let pattern = word.utf8Start
        for offset in 0..<length where bytes[index + offset] != pattern[offset] {
            return false
        }
        return true
    }

    @inline(never)
    func endOfInput() -> JSONParseError {
        JSONParseError(offset: count, message: "unexpected end of input")
    }

    @inline(never)
    func tooDeep() -> JSONParseError {
        JSONParseError(offset: position, message: "nesting deeper than \(maxDepth) levels")
    }

    @inline(never)
    func invalidLiteral(name: StaticString) -> JSONParseError {
        // A literal cut off by the end of the input is an early end, not a wrong word.
        let available = count - position
        if available < name.utf8CodeUnitCount {
            let pattern = name.utf8Start
            if (0..<available).allSatisfy({ bytes[position + $0] == pattern[$0] }) {
                return endOfInput()
            }
        }
        return JSONParseError(offset: position, message: "invalid literal, expected '\(name)'")
    }

    @inline(never)
    func controlCharacter(at index: Int) -> JSONParseError {
        JSONParseError(offset: index, message: "control character \(codePoint(UInt32(bytes[index]))) in string")
    }

    @inline(never)
    func invalidUTF8(at index: Int) -> JSONParseError {
        JSONParseError(offset: index, message: "invalid UTF-8 in string")
    }

    @inline(never)
    func invalidEscape(at index: Int) -> JSONParseError {
        let byte = bytes[index + 1]
        if byte >= 0x21 && byte <= 0x7E {
            return JSONParseError(offset: index, message: "invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
        return JSONParseError(offset: index, message: "invalid escape")
    }

    @inline(never)
    func loneSurrogate(_ unit: UInt32, at index: Int) -> JSONParseError {
        JSONParseError(offset: index, message: "lone surrogate \\u\(hex(unit, digits: 4))")
    }

    /// A value was expected at `position` but something else is there.
    @inline(never)
    func unexpectedValueStart() -> JSONParseError {
        let byte = bytes[position]
        if byte == ASCII.capitalN && matches("NaN", at: position) {
            return JSONParseError(offset: position, message: "NaN is not JSON")
        }
        if byte == ASCII.capitalI && matches("Infinity", at: position) {
            return JSONParseError(offset: position, message: "Infinity is not JSON")
        }
        if byte == ASCII.plus {
            return JSONParseError(offset: position, message: "a number cannot start with '+'")
        }
        if byte == ASCII.period {
            return JSONParseError(offset: position, message: "a number cannot start with '.'")
        }
        if let special = notJSON(at: position) { return special }
        let found = describe(at: position)
        let noun = found.hasPrefix("byte") ? "" : "character "
        return JSONParseError(offset: position, message: "unexpected \(noun)\(found)")
    }

    /// Something other than `what` is at `position`.
    @inline(never)
    func expected(_ what: String) -> JSONParseError {
        if let special = notJSON(at: position) { return special }
        return JSONParseError(offset: position, message: "expected \(what), found \(describe(at: position))")
    }

    /// Messages for habits from JavaScript and JSON5 that JSON does not allow.
    func notJSON(at index: Int) -> JSONParseError? {
        let byte = bytes[index]
        if byte == ASCII.apostrophe {
            return JSONParseError(offset: index, message: "single-quoted strings are not JSON")
        }
        if byte == ASCII.slash && index + 1 < count
            && (bytes[index + 1] == ASCII.slash || bytes[index + 1] == ASCII.asterisk)
        {
            return JSONParseError(offset: index, message: "comments are not JSON")
        }
        return nil
    }

    /// "'x'" for printable ASCII, "U+000C" for other characters, "byte 0xFF" for bytes
    /// that are not UTF-8.
    func describe(at index: Int) -> String {
        let byte = bytes[index]
        if byte >= 0x21 && byte <= 0x7E { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte < 0x80 { return codePoint(UInt32(byte)) }
        guard let end = endOfUTF8Sequence(at: index) else { return "byte 0x\(hex(UInt32(byte), digits: 2))" }
        var scalar = UInt32(byte) & (0xFF >> (end - index + 1))
        for offset in index + 1..<end { scalar = scalar << 6 | UInt32(bytes[offset] & 0x3F) }
        return codePoint(scalar)
    }

    func codePoint(_ scalar: UInt32) -> String { "U+\(hex(scalar, digits: 4))" }

    func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// Byte values of the ASCII characters the grammar mentions.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote = UInt8(ascii: "\"")
    static let apostrophe = UInt8(ascii: "'")
    static let asterisk = UInt8(ascii: "*")
    static let plus = UInt8(ascii: "+")
    static let comma = UInt8(ascii: ",")
    static let minus = UInt8(ascii: "-")
    static let period = UInt8(ascii: ".")
    static let slash = UInt8(ascii: "/")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
    static let colon = UInt8(ascii: ":")
    static let capitalA = UInt8(ascii: "A")
    static let capitalF = UInt8(ascii: "F")
    static let capitalI = UInt8(ascii: "I")
    static let capitalN = UInt8(ascii: "N")
    static let openBracket = UInt8(ascii: "[")
    static let backslash = UInt8(ascii: "\\")
    static let closeBracket = UInt8(ascii: "]")
    static let a = UInt8(ascii: "a")
    static let b = UInt8(ascii: "b")
    static let e = UInt8(ascii: "e")
    static let f = UInt8(ascii: "f")
    static let n = UInt8(ascii: "n")
    static let r = UInt8(ascii: "r")
    static let t = UInt8(ascii: "t")
    static let u = UInt8(ascii: "u")
    static let x = UInt8(ascii: "x")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
}
