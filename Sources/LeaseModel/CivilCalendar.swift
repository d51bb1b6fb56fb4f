import LeaseKernel

/// Proleptic Gregorian calendar arithmetic in UTC, in integers only.
///
/// License dates (R-LIC-2) and daily demand profiles need calendar days and
/// weekdays; the kernel's clock only counts milliseconds from the run's start.
public enum CivilCalendar {
    @inlinable public static var millisecondsPerDay: Int64 { SimDuration.millisecondsPerDay }

    /// Days since 1970-01-01 for a civil date (Howard Hinnant's `days_from_civil`).
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (`civil_from_days`).
    /// The day `years` calendar years after `day` (days since 1970-01-01); February 29 becomes February 28 in a
    /// year that has none.
    public static func adding(years: Int64, toDay day: Int64) -> Int64 {
        let date = date(days: day)
        let year = date.year + years
        let dayOfMonth = isValid(year: year, month: date.month, day: date.day) ? date.day : 28
        return days(year: year, month: date.month, day: dayOfMonth)
    }

    public static func date(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Whether the date exists (for input validation).
    public static func isValid(year: Int64, month: Int64, day: Int64) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        let (y, m, d) = date(days: days(year: year, month: month, day: day))
        return y == year && m == month && d == day
    }

    /// Day of the week for an epoch millisecond: 0 = Monday ... 6 = Sunday.
    public static func weekday(epochMilliseconds: Int64) -> Int64 {
        let days = floorDivide(epochMilliseconds, millisecondsPerDay)
        return (days + 3).modulo(7) // 1970-01-01 was a Thursday.
    }

    /// Hour of the day (0...23) for an epoch millisecond.
    public static func hourOfDay(epochMilliseconds: Int64) -> Int64 {
        epochMilliseconds.modulo(millisecondsPerDay) / SimDuration.millisecondsPerHour
    }

    /// ISO 8601 UTC text in one fixed form, always with milliseconds: `2026-01-05T08:00:00.000Z`
    /// (so every row parses with one format string, pandas' included).
    public static func iso8601(epochMilliseconds: Int64) -> String {
        let days = floorDivide(epochMilliseconds, millisecondsPerDay)
        let msOfDay = epochMilliseconds - days * millisecondsPerDay
        let (y, m, d) = date(days: days)
        let hour = msOfDay / 3_600_000, minute = msOfDay / 60_000 % 60, second = msOfDay / 1000 % 60
        let ms = msOfDay % 1000
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(ms, 3))Z"
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

extension Int64 {
    /// The mathematical modulo, never negative for a positive divisor.
    @inlinable func modulo(_ divisor: Int64) -> Int64 {
        let r = self % divisor
        return r < 0 ? r + divisor : r
    }
}
