/// A point in time with millisecond precision, written as RFC 3339 UTC (`2026-11-29T01:50:00.000Z`).
///
/// The fixed-width text form sorts like the time it names, which lets the store compare times as text.
/// Parsing and formatting are plain arithmetic: ingest formats one timestamp per row.
package struct Timestamp: Sendable, Hashable, Comparable, TextCodable {
    package var millisecondsSinceEpoch: Int64

    package init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    package init(secondsSinceEpoch: Double) {
        self.millisecondsSinceEpoch = Int64((secondsSinceEpoch * 1000).rounded(.down))
    }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// RFC 3339 in UTC with exactly three fractional digits.
    package var description: String {
        let millis = millisecondsSinceEpoch
        var days = millis / 86_400_000
        var rest = millis % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        let (year, month, day) = Self.civil(fromDays: days)
        // Written digit by digit: this runs once per ingested row, and String padding counts graphemes.
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int64, _ width: Int, at offset: Int) {
            var value = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[position] = UInt8(48 + value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        put(month, 2, at: 5)
        put(day, 2, at: 8)
        put(rest / 3_600_000, 2, at: 11)
        put(rest / 60_000 % 60, 2, at: 14)
        put(rest / 1000 % 60, 2, at: 17)
        put(rest % 1000, 3, at: 20)
        for (offset, separator) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (23, "Z")] as [(Int, Unicode.Scalar)] {
            bytes[offset] = UInt8(separator.value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTC calendar date, `YYYY-MM-DD`.
    package var date: String { String(description.prefix(10)) }

    /// Parses RFC 3339 (`2026-11-29T01:50:00Z`, `...00.123456+02:00`, lower-case `t`/`z`, or a space
    /// instead of `T`) and a bare date (`2026-11-29`, meaning midnight UTC).
    package init(parsing text: String) throws(ValueError) { try self.init(rfc3339: text) }

    package init(rfc3339 text: String) throws(ValueError) {
        let bytes = Array(text.utf8)
        func fail(_ why: String = "not an RFC 3339 time such as 2026-11-29T01:50:00Z") -> ValueError {
            ValueError(value: text, reason: why)
        }
        func number(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[from ..< from + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2)
        else { throw fail() }
        guard (1 ... 12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year) else {
            throw fail("no such calendar date")
        }
        var millis = Self.days(fromCivil: year, month, day) * 86_400_000
        if bytes.count == 10 {
            self.millisecondsSinceEpoch = millis
            return
        }
        guard bytes.count >= 20, [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { throw fail() }
        guard hour < 24, minute < 60, second <= 60 else { throw fail("time of day out of range") }
        millis += (hour * 3600 + minute * 60 + min(second, 59)) * 1000
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            var fraction: Int64 = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 3 { fraction = fraction * 10 + Int64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw fail() }
            for _ in min(digits, 3) ..< 3 { fraction *= 10 }
            millis += fraction
        }
        guard index < bytes.count else { throw fail("missing time zone offset (Z or ±hh:mm)") }
        switch bytes[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == bytes.count else { throw fail() }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let offsetHours = number(index + 1, 2), let offsetMinutes = number(index + 4, 2),
                  offsetHours < 24, offsetMinutes < 60
            else { throw fail() }
            let offset = (offsetHours * 60 + offsetMinutes) * 60_000
            millis += bytes[index] == UInt8(ascii: "+") ? -offset : offset
        default:
            throw fail()
        }
        self.millisecondsSinceEpoch = millis
    }

    // Howard Hinnant's civil-calendar algorithms (proleptic Gregorian).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (month <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

}
