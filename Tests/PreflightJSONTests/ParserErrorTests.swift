import PreflightJSON
import Testing

@Suite("Parser errors: message and byte offset")
struct ParserErrorTests {
    static let structure: [Rejection] = [
        Rejection("", 0, "empty input"),
        Rejection(" \t\r\n", 4, "empty input"),
        Rejection("\u{FEFF}{}", 0, "byte order mark before the JSON value"),
        Rejection("{} x", 3, "trailing characters after the JSON value"),
        Rejection("1 2", 2, "trailing characters after the JSON value"),
        Rejection("{\"a\":1}}", 7, "trailing characters after the JSON value"),
        Rejection("[1,]", 2, "trailing comma before ']'"),
        Rejection("[1 , \n ]", 3, "trailing comma before ']'"),
        Rejection("{\"a\":1,}", 6, "trailing comma before '}'"),
        Rejection("[,1]", 1, "unexpected character ','"),
        Rejection("]", 0, "unexpected character ']'"),
        Rejection("{\"a\":}", 5, "unexpected character '}'"),
        Rejection("True", 0, "unexpected character 'T'"),
        Rejection("\u{0C}1", 0, "unexpected character U+000C"),
        Rejection("é", 0, "unexpected character U+00E9"),
        Rejection(bytes: [0x00], 0, "unexpected character U+0000"),
        Rejection(bytes: [0x31, 0x00], 1, "trailing characters after the JSON value"),
        Rejection(bytes: [0x5B, 0x31, 0x00, 0x5D], 2, "expected ',' or ']' after an array element, found U+0000"),
        Rejection(bytes: [0x5B, 0x00, 0x5D], 1, "unexpected character U+0000"),
        Rejection(bytes: [0xFF], 0, "unexpected byte 0xFF"),
        Rejection(bytes: [0x5B, 0xC3, 0x5D], 1, "unexpected byte 0xC3"),
        Rejection("[", 1, "unexpected end of input"),
        Rejection("[1", 2, "unexpected end of input"),
        Rejection("[1,", 3, "unexpected end of input"),
        Rejection("{", 1, "unexpected end of input"),
        Rejection("{\"a\"", 4, "unexpected end of input"),
        Rejection("{\"a\":", 5, "unexpected end of input"),
        Rejection("{\"a\":1", 6, "unexpected end of input"),
        Rejection("{\"a\" 1}", 5, "expected ':' after an object key, found '1'"),
        Rejection("{1:2}", 1, "expected a string key, found '1'"),
        Rejection("{\"a\":1,2:3}", 7, "expected a string key, found '2'"),
        Rejection("[1 2]", 3, "expected ',' or ']' after an array element, found '2'"),
        Rejection("{\"a\":1 \"b\":2}", 7, "expected ',' or '}' after an object member, found '\"'"),
        Rejection("tru", 3, "unexpected end of input"),
        Rejection("nul", 3, "unexpected end of input"),
        Rejection("trUe", 0, "invalid literal, expected 'true'"),
        Rejection("[fals]", 1, "invalid literal, expected 'false'"),
        Rejection("nil", 0, "invalid literal, expected 'null'"),
    ]

    static let notJSON: [Rejection] = [
        Rejection("// note\n1", 0, "comments are not JSON"),
        Rejection("[1 /* two */, 2]", 3, "comments are not JSON"),
        Rejection("{\"a\":1} // done", 8, "trailing characters after the JSON value"),
        Rejection("'a'", 0, "single-quoted strings are not JSON"),
        Rejection("{'a':1}", 1, "single-quoted strings are not JSON"),
        Rejection("NaN", 0, "NaN is not JSON"),
        Rejection("[Infinity]", 1, "Infinity is not JSON"),
        Rejection("-Infinity", 0, "-Infinity is not JSON"),
        Rejection("{\"x\": -Infinity}", 6, "-Infinity is not JSON"),
    ]

    static let numbers: [Rejection] = [
        Rejection("01", 0, "leading zeros are not allowed in numbers"),
        Rejection("-01", 1, "leading zeros are not allowed in numbers"),
        Rejection("[00]", 1, "leading zeros are not allowed in numbers"),
        Rejection("+1", 0, "a number cannot start with '+'"),
        Rejection(".5", 0, "a number cannot start with '.'"),
        Rejection("1.", 2, "expected a digit after the decimal point"),
        Rejection("1.e5", 2, "expected a digit after the decimal point"),
        Rejection("1e", 2, "expected a digit in the exponent"),
        Rejection("1e+", 3, "expected a digit in the exponent"),
        Rejection("[1E-x]", 4, "expected a digit in the exponent"),
        Rejection("-", 1, "expected a digit after '-'"),
        Rejection("- 1", 1, "expected a digit after '-'"),
        Rejection("0x1F", 0, "hexadecimal numbers are not JSON"),
        Rejection("[-0X1]", 1, "hexadecimal numbers are not JSON"),
        Rejection("1.5.2", 3, "trailing characters after the JSON value"),
    ]

    static let strings: [Rejection] = [
        Rejection("\"abc", 0, "unterminated string"),
        Rejection("[\"a\", \"b", 6, "unterminated string"),
        Rejection("\"a\\", 0, "unterminated string"),
        Rejection("\"\\u12", 0, "unterminated string"),
        Rejection("\"a\nb\"", 2, "control character U+000A in string"),
        Rejection("\"\t\"", 1, "control character U+0009 in string"),
        Rejection("\"\\n\r\"", 3, "control character U+000D in string"),
        Rejection(bytes: [0x22, 0x00, 0x22], 1, "control character U+0000 in string"),
        Rejection(bytes: [0x22, 0x1F, 0x22], 1, "control character U+001F in string"),
        Rejection("\"\\x\"", 1, "invalid escape '\\x'"),
        Rejection("\"ab\\'\"", 3, "invalid escape '\\''"),
        Rejection("\"\\U0041\"", 1, "invalid escape '\\U'"),
        Rejection("\"\\u12G4\"", 1, "invalid escape: \\u needs 4 hex digits"),
        Rejection("\"\\u12\"", 1, "invalid escape: \\u needs 4 hex digits"),
        Rejection("\"\\uD800\"", 1, "lone surrogate \\uD800"),
        Rejection("\"\\udc00\"", 1, "lone surrogate \\uDC00"),
        Rejection("\"\\uD800\\u0041\"", 1, "lone surrogate \\uD800"),
        Rejection("\"\\uD800\\n\"", 1, "lone surrogate \\uD800"),
        Rejection("\"ab\\ud83d\"", 3, "lone surrogate \\uD83D"),
        Rejection("\"\\uD83D\\uD83D\"", 1, "lone surrogate \\uD83D"),
        Rejection("\"\\uD83D\\uZZZZ\"", 7, "invalid escape: \\u needs 4 hex digits"),
    ]

    static let invalidUTF8: [Rejection] = [
        Rejection(bytes: [0x22, 0xC0, 0xAF, 0x22], 1, "invalid UTF-8 in string"),  // overlong '/'
        Rejection(bytes: [0x22, 0xC1, 0xBF, 0x22], 1, "invalid UTF-8 in string"),  // overlong 2-byte
        Rejection(bytes: [0x22, 0xE0, 0x80, 0xAF, 0x22], 1, "invalid UTF-8 in string"),  // overlong 3-byte
        Rejection(bytes: [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], 1, "invalid UTF-8 in string"),  // overlong 4-byte
        Rejection(bytes: [0x22, 0x61, 0xC3, 0x22], 2, "invalid UTF-8 in string"),  // truncated 2-byte
        Rejection(bytes: [0x22, 0xE2, 0x82, 0x22], 1, "invalid UTF-8 in string"),  // truncated 3-byte
        Rejection(bytes: [0x22, 0xF0, 0x9F, 0x98, 0x22], 1, "invalid UTF-8 in string"),  // truncated 4-byte
        Rejection(bytes: [0x22, 0xC3], 1, "invalid UTF-8 in string"),  // cut off by the end of input
        Rejection(bytes: [0x22, 0xFF, 0x22], 1, "invalid UTF-8 in string"),
        Rejection(bytes: [0x22, 0xFE, 0x22], 1, "invalid UTF-8 in string"),
        Rejection(bytes: [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, "invalid UTF-8 in string"),  // above U+10FFFF
        Rejection(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, "invalid UTF-8 in string"),  // U+110000
        Rejection(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], 1, "invalid UTF-8 in string"),  // encoded surrogate
        Rejection(bytes: [0x22, 0x80, 0x22], 1, "invalid UTF-8 in string"),  // stray continuation byte
        Rejection(bytes: [0x22, 0xC3, 0xA9, 0xA9, 0x22], 3, "invalid UTF-8 in string"),  // one too many
        Rejection(bytes: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], 2, "invalid UTF-8 in string"),  // in a key
        Rejection(bytes: [0x22, 0x5C, 0x6E, 0xFF, 0x22], 3, "invalid UTF-8 in string"),  // after an escape
    ]

    @Test("structural errors", arguments: structure)
    func structural(_ rejection: Rejection) {
        #expect(parseError(rejection.input) == rejection.expected)
    }

    @Test("habits from JavaScript and JSON5", arguments: notJSON)
    func javaScriptHabits(_ rejection: Rejection) {
        #expect(parseError(rejection.input) == rejection.expected)
    }

    @Test("malformed numbers", arguments: numbers)
    func malformedNumbers(_ rejection: Rejection) {
        #expect(parseError(rejection.input) == rejection.expected)
    }

    @Test("malformed strings", arguments: strings)
    func malformedStrings(_ rejection: Rejection) {
        #expect(parseError(rejection.input) == rejection.expected)
    }

    @Test("invalid UTF-8 inside strings", arguments: invalidUTF8)
    func invalidUTF8InStrings(_ rejection: Rejection) {
        #expect(parseError(rejection.input) == rejection.expected)
    }

    @Test("all three entry points report the same error")
    func entryPointsAgree() throws {
        let text = "{\"a\": [1, 2,]}"
        let expected = JSONParseError(offset: 11, message: "trailing comma before ']'")
        #expect(throws: expected) { try JSONParser.parse(text) }
        #expect(throws: expected) { try JSONParser.parse(Array(text.utf8)) }
        #expect(throws: expected) {
            try Array(text.utf8).withUnsafeBytes { try JSONParser.parse($0) }
        }
    }

    @Test("an empty raw buffer without a base address is empty input")
    func emptyRawBuffer() {
        #expect(throws: JSONParseError(offset: 0, message: "empty input")) {
            try JSONParser.parse(UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    @Test("the error describes itself with message and offset")
    func errorDescription() {
        let error = parseError("[1,]")
        #expect(error?.description == "trailing comma before ']' at byte 2")
    }

    @Test("a byte order mark is only special at the very start")
    func byteOrderMarkLater() {
        #expect(parseError(" \u{FEFF}1") == JSONParseError(offset: 1, message: "unexpected character U+FEFF"))
        // Inside a string it is just a character.
        #expect((try? JSONParser.parse("\"\u{FEFF}\"")) == .string("\u{FEFF}"))
    }
}

@Suite("Nesting depth")
struct NestingTests {
    @Test("100,000 levels of '[' fail at the depth limit instead of overflowing the stack")
    func hundredThousandOpenBrackets() {
        let input = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(parseError(input) == JSONParseError(offset: 512, message: "nesting deeper than 512 levels"))
    }

    @Test("100,000 balanced levels fail the same way")
    func hundredThousandBalanced() {
        let input = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
            + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        #expect(parseError(input) == JSONParseError(offset: 512, message: "nesting deeper than 512 levels"))
    }

    @Test("exactly 512 levels are accepted, 513 are not")
    func limitIsInclusive() throws {
        let accepted = String(repeating: "[", count: 512) + "7" + String(repeating: "]", count: 512)
        var value = try JSONParser.parse(accepted)
        var depth = 0
        while case .array(let elements) = value {
            depth += 1
            value = elements[0]
        }
        #expect(depth == 512)
        #expect(value == 7)

        let rejected = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(parseError(rejected) == JSONParseError(offset: 512, message: "nesting deeper than 512 levels"))
    }

    @Test("objects and arrays count alike, empty ones included")
    func mixedContainers() {
        let input = String(repeating: "{\"k\":[", count: 256) + "{}" + String(repeating: "]}", count: 256)
        // 512 open containers, then the empty object is level 513 at offset 256 * 6.
        #expect(parseError(input) == JSONParseError(offset: 1536, message: "nesting deeper than 512 levels"))
        let fits = String(repeating: "{\"k\":[", count: 255) + "{}" + String(repeating: "]}", count: 255)
        #expect(parseError(fits) == nil)
    }

    @Test("a custom maxDepth is honoured")
    func customDepth() throws {
        #expect(try JSONParser.parse("[[1]]", maxDepth: 2) == [[1]])
        #expect(parseError("[[[1]]]", maxDepth: 2) == JSONParseError(offset: 2, message: "nesting deeper than 2 levels"))
        #expect(try JSONParser.parse("1", maxDepth: 0) == 1)
        #expect(parseError("[]", maxDepth: 0) == JSONParseError(offset: 0, message: "nesting deeper than 0 levels"))
    }

    @Test("a raised limit parses deep input without recursion")
    func deepWithRaisedLimit() throws {
        let levels = 20_000
        let input = String(repeating: "[", count: levels) + String(repeating: "]", count: levels)
        // Walking down while dropping the levels above keeps the teardown shallow too:
        // releasing a 20,000-level value in one go would recurse as deep.
        var current: JSONValue? = try JSONParser.parse(input, maxDepth: levels)
        var depth = 0
        while case .array(let elements)? = current {
            depth += 1
            current = elements.first
        }
        #expect(depth == levels)
    }
}
