import Foundation
import PreflightJSON
import Testing
import PreflightTestSupport

/// Inputs built to hurt a JSON reader: what a manifest line can hold besides JSON.
@Suite("Hostile JSON")
struct HostileJSONTests {
    private func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test("100,000 levels of objects and arrays mixed stop at the depth limit")
    func deepMixedNesting() {
        var input: [UInt8] = []
        for level in 0..<100_000 { input += Array((level % 2 == 0 ? #"{"a":"# : "[").utf8) }
        var error: JSONParseError?
        let elapsed = seconds { error = parseError(input) }
        #expect(error?.message == "nesting deeper than 512 levels")
        #expect(elapsed < timeBound(1))
    }

    @Test("every two-byte sequence in a string is accepted exactly when it is UTF-8")
    func twoByteSequencesAgreeWithTheStandardLibrary() {
        var disagreements: [String] = []
        for lead in UInt8(0x80)...0xFF {
            for next in UInt8(0x20)...0xFF where next != UInt8(ascii: "\"") && next != UInt8(ascii: "\\") {
                let content = [lead, next]
                let parsed = (try? JSONParser.parse([0x22] + content + [0x22]))?.stringValue
                let expected = String(validating: content, as: UTF8.self)
                if parsed != expected { disagreements.append("\(lead) \(next)") }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test("three- and four-byte sequences agree with the standard library")
    func longerSequencesAgreeWithTheStandardLibrary() {
        var disagreements: [String] = []
        func check(_ content: [UInt8]) {
            let parsed = (try? JSONParser.parse([0x22] + content + [0x22]))?.stringValue
            if parsed != String(validating: content, as: UTF8.self) { disagreements.append("\(content)") }
        }
        let tails: [UInt8] = [0x20, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF4, 0xFF]
        for lead in UInt8(0xE0)...0xFF {
            for second in tails { for third in tails { check([lead, second, third]) } }
            for second in tails { for third in tails { for fourth in tails { check([lead, second, third, fourth]) } } }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test("NUL, byte order marks and CR are errors where JSON forbids them, with their offset")
    func controlBytes() {
        #expect(parseError(Array(#"{"a":"x"#.utf8) + [0] + Array(#""}"#.utf8))?.message == "control character U+0000 in string")
        #expect(parseError([0, 0, 0])?.offset == 0)
        #expect(parseError([0xEF, 0xBB, 0xBF] + Array("{}".utf8))?.message == "byte order mark before the JSON value")
        // A CR the reader left (a lone one, not before LF) is whitespace to JSON.
        #expect((try? JSONParser.parse("{}\r")) == .object(JSONObject()))
        #expect((try? JSONParser.parse(#"{"a":"\u0000"}"#))?["a"]?.stringValue == "\u{0}")
    }

    @Test("number literals of any length are read without a machine type overflowing")
    func enormousNumbers() {
        let million = "9" + String(repeating: "0", count: 1_000_000)
        var value: JSONValue?
        let elapsed = seconds { value = try? JSONParser.parse(million) }
        let number = value?.numberValue
        #expect(number?.int64 == nil)
        #expect(number?.double == .infinity)
        #expect(number?.isInteger == true)
        #expect(elapsed < timeBound(2))
        let exponent = try? JSONParser.parse("1e" + String(repeating: "9", count: 100_000))
        #expect(exponent?.numberValue?.int64 == nil)
        #expect(exponent?.numberValue?.double == .infinity)
        let tiny = try? JSONParser.parse("-1e-" + String(repeating: "9", count: 100_000))
        #expect(tiny?.numberValue?.double == 0 && tiny?.numberValue?.double.sign == .minus)
        #expect((try? JSONParser.parse("-0"))?.numberValue?.int64 == 0)
        #expect(parseError("NaN")?.message == "NaN is not JSON")
        #expect(parseError("-Infinity")?.message == "-Infinity is not JSON")
    }

    @Test("an object with 200,000 copies of one key keeps them all and answers with the last")
    func manyDuplicateKeys() {
        let text = "{" + (0..<200_000).map { #""k":\#($0)"# }.joined(separator: ",") + "}"
        var object: JSONObject?
        let elapsed = seconds {
            object = (try? JSONParser.parse(text))?.objectValue
            #expect(object?.duplicateKeys == ["k"])
        }
        #expect(object?.count == 200_000)
        #expect(object?["k"]?.numberValue?.int64 == 199_999)
        #expect(elapsed < timeBound(5))
    }

    @Test("hostile strings survive the writer and read back the same")
    func hostileStringsRoundTrip() throws {
        let strings = [
            String(decoding: (0..<32).map { UInt8($0) }, as: UTF8.self), "\u{FEFF}", "\u{2028}\u{2029}", "\"\\/",
            "🐈‍⬛", "a\u{301}", "\u{202E}tac", "\u{10FFFF}", String(repeating: "\\", count: 1000),
        ]
        for text in strings {
            let value: JSONValue = ["key \(text)": .string(text), "list": [.string(text)]]
            for options in [JSONWriter.Options(), .prettyPrinted, .sortKeys] {
                #expect(try JSONParser.parse(JSONWriter.serialize(value, options: options)) == value)
            }
        }
    }
}
