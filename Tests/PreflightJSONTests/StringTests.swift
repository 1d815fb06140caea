import PreflightJSON
import Testing

@Suite("Strings")
struct StringTests {
    func string(_ json: String) throws -> String {
        try #require(JSONParser.parse(json).stringValue)
    }

    @Test("every simple escape")
    func simpleEscapes() throws {
        #expect(try string(#""\" \\ \/ \b \f \n \r \t""#) == "\" \\ / \u{08} \u{0C} \n \r \t")
        #expect(try string(#""a\nb""#) == "a\nb")
        #expect(try string(#""\\""#) == "\\")
        #expect(try string(#""\"""#) == "\"")
    }

    @Test("\\u escapes, upper and lower case hex")
    func unicodeEscapes() throws {
        #expect(try string(#""\u0041\u00e9\u00E9\u20AC""#) == "Aéé€")
        #expect(try string(#""\u0000""#) == "\u{0}")
        #expect(try string(#""\u001f""#) == "\u{1F}")
        #expect(try string(#""\uFFFF""#) == "\u{FFFF}")
    }

    @Test("surrogate pairs combine into one scalar")
    func surrogatePairs() throws {
        #expect(try string(#""\uD83D\uDE00""#) == "😀")
        #expect(try string(#""\ud83d\ude00""#) == "😀")
        #expect(try string(#""\uD800\uDC00""#) == "\u{10000}")
        #expect(try string(#""\uDBFF\uDFFF""#) == "\u{10FFFF}")
        #expect(try string(#""x\uD83D\uDE00y\uD83D\uDE01""#) == "x😀y😁")
        #expect(try string(#""\uD83D\uDE00""#).unicodeScalars.count == 1)
    }

    @Test("raw UTF-8 of every length is accepted as is")
    func rawUTF8() throws {
        #expect(try string("\"é€😀\"") == "é€😀")
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]
        #expect(try JSONParser.parse(bytes) == .string("é€😀\u{10FFFF}"))
        // The largest scalars just below the excluded ranges.
        #expect(try JSONParser.parse([0x22, 0xED, 0x9F, 0xBF, 0x22]) == .string("\u{D7FF}"))
        #expect(try JSONParser.parse([0x22, 0xEE, 0x80, 0x80, 0x22]) == .string("\u{E000}"))
        #expect(try JSONParser.parse([0x22, 0xC2, 0x80, 0x22]) == .string("\u{80}"))
        #expect(try JSONParser.parse([0x22, 0x7F, 0x22]) == .string("\u{7F}"))
    }

    @Test("escapes and raw UTF-8 mix")
    func mixed() throws {
        #expect(try string(#""é\n😀\u00e9/""#) == "é\n😀é/")
        #expect(try string(#""a\tb\"c""#) == "a\tb\"c")
    }

    @Test("keys decode like values")
    func keys() throws {
        let object = try #require(JSONParser.parse(#"{"a\u0062\n":1,"é":2,"\uD83D\uDE00":3}"#).objectValue)
        #expect(object.keys == ["ab\n", "é", "😀"])
    }

    @Test("long strings on both paths")
    func longStrings() throws {
        let plain = String(repeating: "abcdefgh", count: 1000)
        #expect(try string("\"\(plain)\"") == plain)
        let escaped = String(repeating: "ab\\ncd", count: 1000)
        #expect(try string("\"\(escaped)\"") == String(repeating: "ab\ncd", count: 1000))
    }

    @Test("the byte that ends a plain run is found at every position")
    func specialBytePositions() throws {
        // Plain runs are skipped eight bytes at a time; each kind of byte that stops a run
        // must be noticed wherever it falls in those eight.
        let suffix = String(repeating: "b", count: 10)
        for length in 0..<20 {
            let prefix = String(repeating: "a", count: length)
            #expect(try string("\"\(prefix)\"") == prefix)
            #expect(try string("\"\(prefix)\\n\(suffix)\"") == prefix + "\n" + suffix)
            #expect(try string("\"\(prefix)é\(suffix)\"") == prefix + "é" + suffix)
            #expect(try string("\"\(prefix) ~\u{7F}!\(suffix)\"") == prefix + " ~\u{7F}!" + suffix)
            #expect(parseError("\"\(prefix)\u{1F}\(suffix)\"")
                == JSONParseError(offset: 1 + length, message: "control character U+001F in string"))
            #expect(parseError([0x22] + Array(prefix.utf8) + [0xFF] + Array(suffix.utf8) + [0x22])
                == JSONParseError(offset: 1 + length, message: "invalid UTF-8 in string"))
            #expect(parseError("\"\(prefix)") == JSONParseError(offset: 0, message: "unterminated string"))
        }
    }

    @Test("the escape buffer is reset between strings")
    func scratchReuse() throws {
        let value = try JSONParser.parse(#"["a\nb","\tc","d"]"#)
        #expect(value == ["a\nb", "\tc", "d"])
    }
}
