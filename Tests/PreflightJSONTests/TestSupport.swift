import PreflightJSON
import Testing

/// The error `JSONParser` reports for `bytes`, or nil when they parse.
func parseError(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

/// The error `JSONParser` reports for `text`, or nil when it parses.
func parseError(_ text: String, maxDepth: Int = JSONParser.defaultMaxDepth) -> JSONParseError? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

/// One rejected input with the exact error expected for it.
struct Rejection: Sendable, CustomTestStringConvertible {
    let input: [UInt8]
    let offset: Int
    let message: String

    init(_ input: String, _ offset: Int, _ message: String) {
        self.input = Array(input.utf8)
        self.offset = offset
        self.message = message
    }

    init(bytes: [UInt8], _ offset: Int, _ message: String) {
        self.input = bytes
        self.offset = offset
        self.message = message
    }

    var expected: JSONParseError { JSONParseError(offset: offset, message: message) }

    var testDescription: String {
        let shown = input.map { byte in
            (0x20...0x7E).contains(byte) ? String(UnicodeScalar(byte)) : "<\(String(byte, radix: 16))>"
        }.joined()
        return "\(shown) -> \(message) at \(offset)"
    }
}
