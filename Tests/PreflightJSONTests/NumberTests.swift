import PreflightJSON
import Testing

@Suite("Numbers")
struct NumberTests {
    func number(_ text: String) throws -> JSONNumber {
        try #require(JSONParser.parse(text).numberValue)
    }

    @Test("-0 keeps its text and its sign")
    func negativeZero() throws {
        let zero = try number("-0")
        #expect(zero.text == "-0")
        #expect(zero.double == 0)
        #expect(zero.double.sign == .minus)
        #expect(zero.int64 == 0)
        #expect(zero.isInteger)
        #expect(try number("-0.0").double.sign == .minus)
    }

    @Test("integers of 18, 19 and 20 digits: exact up to Int64's limits, nil past them")
    func longIntegers() throws {
        #expect(try number("999999999999999999").int64 == 999_999_999_999_999_999)
        #expect(try number("1795328718327539069").int64 == 1_795_328_718_327_539_069)
        #expect(try number("9223372036854775807").int64 == .max)
        #expect(try number("-9223372036854775807").int64 == -.max)
        #expect(try number("-9223372036854775808").int64 == .min)
        #expect(try number("9223372036854775808").int64 == nil)
        #expect(try number("9999999999999999999").int64 == nil)
        #expect(try number("12345678901234567890").int64 == nil)
    }

    @Test("every literal's Double is the standard library's, bit for bit")
    func doublesMatchTheStandardLibrary() throws {
        var generator = SystemRandomNumberGenerator()
        var literals = ["0", "-0", "0.0", "-0.0", "0.83", "1e22", "1e23", "9007199254740993", "123456789012345",
                        "1234567890123456", "0.1", "0.3", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308",
                        "100000000000000000000000", "0.000000000000000000000001", "1E-22", "1e-23", "5e+3", "5e-0",
                        "-123.456e-7", "999999999999999.9", "0.000123456789012345"]
        for _ in 0..<20_000 {
            let whole = String(UInt64.random(in: 0...UInt64(1) << Int.random(in: 0...60, using: &generator), using: &generator))
            var text = Bool.random(using: &generator) ? "-" + whole : whole
            if Bool.random(using: &generator) { text += "." + String(UInt64.random(in: 0...999_999_999_999, using: &generator)) }
            if Int.random(in: 0..<4, using: &generator) == 0 { text += "e" + String(Int.random(in: -30...30, using: &generator)) }
            literals.append(text)
        }
        for literal in literals {
            let value = try number(literal).double
            let expected = try #require(Double(literal))
            #expect(value.bitPattern == expected.bitPattern, "\(literal)")
        }
    }

    @Test("out-of-range literals are valid JSON and become infinity")
    func outOfRange() throws {
        let big = try number("1e400")
        #expect(big.text == "1e400")
        #expect(big.double == .infinity)
        #expect(big.int64 == nil)
        #expect(!big.isInteger)
        #expect(try number("-1E+400").double == -.infinity)
        #expect(try number("1e-400").double == 0)
    }

    @Test("huge integer literals are valid, with no Int64 value")
    func hugeIntegers() throws {
        let huge = try number("99999999999999999999999")
        #expect(huge.text == "99999999999999999999999")
        #expect(huge.isInteger)
        #expect(huge.int64 == nil)
        #expect(huge.double == 1e23)
        #expect(try number("-99999999999999999999999").int64 == nil)
    }

    @Test("Int64 edge values", arguments: [
        ("9223372036854775807", Int64.max),
        ("-9223372036854775808", Int64.min),
        ("9223372036854775806", Int64.max - 1),
        ("-9223372036854775807", -Int64.max),
        ("123456789012345678", 123_456_789_012_345_678),
        ("-123456789012345678", -123_456_789_012_345_678),
        ("1234567890123456789", 1_234_567_890_123_456_789),
        ("0", 0),
        ("7", 7),
    ] as [(String, Int64)])
    func int64Edges(_ text: String, _ expected: Int64) throws {
        let value = try number(text)
        #expect(value.int64 == expected)
        #expect(value.isInteger)
    }

    @Test("Int64 overflow gives nil", arguments: [
        "9223372036854775808", "-9223372036854775809", "18446744073709551616", "10000000000000000000",
    ])
    func int64Overflow(_ text: String) throws {
        #expect(try number(text).int64 == nil)
    }

    @Test("a zero fraction or an exponent can still give an exact integer", arguments: [
        ("1.0", 1 as Int64?), ("12.000", 12), ("1e2", 100), ("1E+2", 100), ("1.5e1", 15), ("100e-2", 1),
        ("0.05e2", 5), ("5E-0", 5), ("-2.50e1", -25), ("0.0e0", 0), ("0e999999999999999999999", 0),
        ("9.223372036854775807e18", Int64.max), ("-9.223372036854775808E18", Int64.min),
        ("92233720368547758070e-1", Int64.max),
        ("12.50", nil), ("1e-2", nil), ("0.5", nil), ("1e19", nil), ("9.223372036854775808e18", nil),
        ("1e999999999999999999999", nil), ("123e-1", nil),
    ] as [(String, Int64?)])
    func exactIntegers(_ text: String, _ expected: Int64?) throws {
        let value = try number(text)
        #expect(value.int64 == expected)
        #expect(!value.isInteger)
        #expect(value.text == text)
    }

    @Test("double follows the standard library's reading of the literal")
    func doubles() throws {
        #expect(try number("12.50").double == 12.5)
        #expect(try number("0.1").double == 0.1)
        #expect(try number("-3E-2").double == -0.03)
        #expect(try number("2.2250738585072014e-308").double == 2.2250738585072014e-308)
        #expect(try number("17976931348623157e292").double == .greatestFiniteMagnitude)
    }

    @Test("numbers built from Double use the shortest round-trip text", arguments: [
        (1.0, "1"), (-0.0, "-0"), (0.0, "0"), (-3.0, "-3"), (1.5, "1.5"), (0.1, "0.1"),
        (123456789.0, "123456789"), (1e-5, "1e-05"), (1e16, "1e+16"), (9007199254740992.0, "9007199254740992"),
        (1.7976931348623157e308, "1.7976931348623157e+308"), (Double.leastNonzeroMagnitude, "5e-324"), (-2.5e-7, "-2.5e-07"),
    ] as [(Double, String)])
    func fromDouble(_ value: Double, _ text: String) throws {
        let number = JSONNumber(value)
        #expect(number.text == text)
        #expect(number.double == value)
        #expect(number.double.sign == value.sign)
        // The text is valid JSON.
        #expect(JSONNumber(text: number.text) == number)
    }

    @Test("non-finite Doubles get marker texts")
    func nonFinite() {
        #expect(JSONNumber(.nan).text == "NaN")
        #expect(JSONNumber(.nan).double.isNaN)
        #expect(JSONNumber(.infinity).text == "Infinity")
        #expect(JSONNumber(-.infinity).double == -.infinity)
        #expect(JSONNumber(.infinity).int64 == nil)
        #expect(!JSONNumber(.nan).isInteger)
    }

    @Test("numbers built from integers")
    func fromIntegers() {
        #expect(JSONNumber(42).text == "42")
        #expect(JSONNumber(Int.min).text == "-9223372036854775808")
        #expect(JSONNumber(Int.min).int64 == Int64.min)
        #expect(JSONNumber(Int64.max).int64 == Int64.max)
        #expect(JSONNumber(0).isInteger)
    }

    @Test("init(text:) accepts exactly one JSON number literal", arguments: [
        ("12.50", true), ("-0", true), ("1E-7", true), ("01", false), ("+1", false), (" 1", false),
        ("1 ", false), ("0x10", false), ("NaN", false), ("1.", false), ("\"1\"", false), ("", false),
    ])
    func fromText(_ text: String, _ valid: Bool) {
        #expect((JSONNumber(text: text) != nil) == valid)
        #expect(JSONNumber(text: text)?.text == (valid ? text : nil))
    }

    @Test("equality is by literal text")
    func equalityByText() throws {
        #expect(try number("1") == JSONNumber(1))
        #expect(try number("1.0") != JSONNumber(1))
        #expect(try number("1.0") == number("1.0"))
    }

    @Test("number literals end where the grammar ends")
    func boundaries() throws {
        #expect(try JSONParser.parse("[-0,0.5e-3,10E+2,7]") == .array([
            .number(JSONNumber(text: "-0")!), .number(JSONNumber(text: "0.5e-3")!),
            .number(JSONNumber(text: "10E+2")!), 7,
        ]))
        #expect(try JSONParser.parse("{\"n\":1e5}")["n"]?.numberValue?.text == "1e5")
    }
}
