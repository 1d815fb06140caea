/// A JSON number that remembers the literal as written.
///
/// Keeping the text means `-0`, `1e400`, `12.50` and integers too large for any machine type
/// survive unchanged, and the checks can still ask for the value as a `Double` or `Int64`.
/// Two numbers are equal when their texts are equal (`1` and `1.0` differ).
public struct JSONNumber: Sendable, Equatable, CustomStringConvertible {
    /// The literal exactly as written, e.g. "-0", "1e400", "12.50".
    public let text: String

    /// Wraps text the parser has already checked against the JSON number grammar.
    init(uncheckedText text: String) {
        self.text = text
    }

    /// A number from a JSON literal such as "12.50"; nil unless `text` is exactly one
    /// JSON number (no whitespace, sign '+', leading zeros, hex...).
    public init?(text: String) {
        guard case .number(let number)? = try? JSONParser.parse(text), number.text == text else {
            return nil
        }
        self = number
    }

    /// A number for output. The text is the shortest form that reads back as `value`;
    /// integral values below 1e16 are written as integers ("3", not "3.0"; "-0" for -0.0).
    /// JSON has no NaN or infinity: such values get the texts "NaN", "Infinity" and
    /// "-Infinity", which `JSONWriter` writes as `null`.
    public init(_ value: Double) {
        if value.isNaN {
            text = "NaN"
        } else if value.isInfinite {
            text = value < 0 ? "-Infinity" : "Infinity"
        } else if value == 0 {
            text = value.sign == .minus ? "-0" : "0"
        } else if abs(value) < 1e16, Double(Int64(value)) == value {
            text = String(Int64(value))
        } else {
            // Swift's description is the shortest round-trip form and always valid JSON
            // for finite values ("0.1", "1e-05", "1e+16", "1.7976931348623157e+308").
            text = value.description
        }
    }

    public init(_ value: Int) {
        text = String(value)
    }

    public init(_ value: Int64) {
        text = String(value)
    }

    public var description: String { text }

    /// True for the texts `init(_ value: Double)` gives NaN and the infinities.
    var isNonFiniteMarker: Bool {
        switch text.utf8.first {
        case UInt8(ascii: "N"), UInt8(ascii: "I"): return true
        case UInt8(ascii: "-"): return text == "-Infinity"
        default: return false
        }
    }

    /// The value as a Double: ±infinity when the literal is out of range ("1e400"),
    /// -0.0 for "-0".
    public var double: Double {
        if let exact = Self.shortDecimalValue(text.utf8) { return exact }
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text) ?? .nan
        }
    }

    /// Powers of ten that a Double holds exactly.
    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        (0..<exponent).reduce(1.0) { value, _ in value * 10 }
    }

    /// Fast path for the usual literals ("0.83", "-12", "640", "1.5e3"): at most 15
    /// significant digits and a decimal exponent within ±22. The digits then form an integer
    /// below 2^53 and the power of ten is exact, so one multiplication or division, which
    /// IEEE 754 rounds correctly, gives the correctly rounded value. Anything else is nil.
    private static func shortDecimalValue(_ utf8: String.UTF8View) -> Double? {
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var negative = false
        var seenPoint = false
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        var exponentDigits = 0
        var index = 0
        for byte in utf8 {
            defer { index += 1 }
            if inExponent {
                if byte == UInt8(ascii: "-") && exponentDigits == 0 && !exponentNegative {
                    exponentNegative = true
                } else if byte == UInt8(ascii: "+") && exponentDigits == 0 {
                    continue
                } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") && exponentDigits < 3 {
                    exponent = exponent * 10 + Int(byte &- UInt8(ascii: "0"))
                    exponentDigits += 1
                } else {
                    return nil
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                mantissa = mantissa &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                if mantissa > 0 { digits += 1 }  // significant digits: leading zeros do not count
                guard digits <= 15 else { return nil }
                if seenPoint { fractionDigits += 1 }
            case UInt8(ascii: "-") where index == 0:
                negative = true
            case UInt8(ascii: ".") where !seenPoint:
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            default:
                return nil
            }
        }
        if inExponent && exponentDigits == 0 { return nil }
        let power = (exponentNegative ? -exponent : exponent) - fractionDigits
        guard abs(power) <= 22 else { return nil }
        var value = Double(mantissa)
        value = power >= 0 ? value * exactPowersOfTen[power] : value / exactPowersOfTen[-power]
        return negative ? -value : value
    }

    /// True when the literal has neither a fraction nor an exponent ("12", "-0"; not "12.0").
    public var isInteger: Bool {
        if isNonFiniteMarker { return false }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return false
            default: continue
            }
        }
        return true
    }

    /// The exact integer value when it fits in Int64, else nil. Literals with a fraction or
    /// exponent count when their value is an exact integer ("12.0", "1.5e1", "100e-2");
    /// "-0" gives 0; "12.5" and "99999999999999999999" give nil.
    public var int64: Int64? {
        if let value = Self.smallIntegerValue(text.utf8) { return value }
        return Self.exactIntegerValue(text.utf8)
    }

    /// Fast path: a plain integer literal of at most 19 digits whose magnitude fits in Int64.
    private static func smallIntegerValue(_ utf8: String.UTF8View) -> Int64? {
        var negative = false
        var magnitude: Int64 = 0
        var digitCount = 0
        for byte in utf8 {
            if byte == UInt8(ascii: "-") && digitCount == 0 && !negative {
                negative = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"), digitCount < 19 else {
                return nil
            }
            let digit = Int64(byte &- UInt8(ascii: "0"))
            if digitCount < 18 {
                magnitude = magnitude &* 10 &+ digit
            } else {
                let (tens, over) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = tens.addingReportingOverflow(digit)
                guard !over && !carry else { return nil }
                magnitude = sum
            }
            digitCount += 1
        }
        guard digitCount > 0 else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// General path: decimal arithmetic on the digits, so no rounding ever creeps in.
    private static func exactIntegerValue(_ utf8: String.UTF8View) -> Int64? {
        var negative = false
        var digits: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var exponentNegative = false
        var part = 0  // 0 integer, 1 fraction, 2 exponent
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "-"):
                if part == 2 { exponentNegative = true } else { negative = true }
            case UInt8(ascii: "+"):
                continue
            case UInt8(ascii: "."):
                part = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                part = 2
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = byte - UInt8(ascii: "0")
                if part == 2 {
                    // Past this magnitude the answer no longer depends on the exponent.
                    if exponent < 1_000_000 { exponent = exponent * 10 + Int(digit) }
                } else {
                    if part == 1 { fractionDigits += 1 }
                    if digit == 0 && digits.isEmpty { continue }  // leading zeros don't count
                    digits.append(digit)
                }
            default:
                return nil
            }
        }
        // value = digits × 10^scale
        var scale = (exponentNegative ? -exponent : exponent) - fractionDigits
        while let last = digits.last, last == 0 {
            digits.removeLast()
            scale += 1
        }
        if digits.isEmpty { return 0 }
        guard scale >= 0, digits.count + scale <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in digits {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        for _ in 0..<scale {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            magnitude = times10
        }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
