#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The three time formats S3 speaks, by hand so that no locale or formatter is involved:
/// SigV4's `20150830T123600Z`, HTTP's `Sun, 30 Aug 2015 12:36:00 GMT` and ISO 8601's
/// `2015-08-30T12:36:00.000Z`.
enum HTTPDates {
    struct Civil: Equatable {
        var year, month, day, hour, minute, second: Int
    }

    static func civil(_ date: Date) -> Civil {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return Civil(year: year, month: month, day: day, hour: secondOfDay / 3600,
                     minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    static func date(_ c: Civil) -> Date {
        let y = c.month <= 2 ? c.year - 1 : c.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (c.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + c.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + c.hour * 3600 + c.minute * 60 + c.second))
    }

    /// `20150830T123600Z`
    static func amzDate(_ date: Date) -> String {
        let c = civil(date)
        return pad(c.year, 4) + pad(c.month, 2) + pad(c.day, 2) + "T" + pad(c.hour, 2) + pad(c.minute, 2) + pad(c.second, 2) + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 30 Aug 2015 12:36:00 GMT` (RFC 7231's IMF-fixdate, what S3 sends).
    static func parseHTTPDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]),
              let monthIndex = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]) else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        return validated(Civil(year: year, month: monthIndex + 1, day: day, hour: time[0], minute: time[1], second: time[2]))
    }

    /// `2015-08-30T12:36:00Z` or `2015-08-30T12:36:00.000Z`; fractions are dropped.
    static func parseISO8601(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"),
              bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":") else { return nil }
        func number(_ from: Int, _ to: Int) -> Int? { Int(String(decoding: bytes[from..<to], as: UTF8.self)) }
        guard let year = number(0, 4), let month = number(5, 7), let day = number(8, 10),
              let hour = number(11, 13), let minute = number(14, 16), let second = number(17, 19) else { return nil }
        if bytes.count > 20 {
            guard bytes[19] == UInt8(ascii: "."), bytes[20..<(bytes.count - 1)].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        }
        return validated(Civil(year: year, month: month, day: day, hour: hour, minute: minute, second: second))
    }

    private static func validated(_ c: Civil) -> Date? {
        guard (1...12).contains(c.month), (1...31).contains(c.day), (0...23).contains(c.hour),
              (0...59).contains(c.minute), (0...60).contains(c.second) else { return nil }
        return date(c)
    }
}
