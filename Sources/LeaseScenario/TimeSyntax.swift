import LeaseKernel
import LeaseModel

/// The scenario format's time syntax: durations with units, dates, and instants.
public enum TimeSyntax {
    /// What a duration looks like, for error messages.
    public static let durationForm = "a duration with units like \"250ms\", \"90s\", \"15m\", \"4h\", \"10d\", \"8w\" or \"1h30m\""

    /// Parses `250ms`, `90s`, `15m`, `4h`, `10d`, `8w`, or a sum like `1h30m`; nil when malformed.
    public static func duration(_ text: String) -> SimDuration? {
        let bytes = Array(text.utf8)
        var index = 0
        var total: Int64 = 0
        var parts = 0
        while index < bytes.count {
            var value: Int64 = 0
            let digitsStart = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                let (product, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = product.addingReportingOverflow(Int64(bytes[index] - 48))
                guard !overflow1, !overflow2 else { return nil }
                value = sum
                index += 1
            }
            guard index > digitsStart, index < bytes.count else { return nil }
            let unit: Int64
            if bytes[index] == UInt8(ascii: "m"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "s") {
                unit = 1
                index += 2
            } else {
                switch bytes[index] {
                case UInt8(ascii: "s"): unit = SimDuration.millisecondsPerSecond
                case UInt8(ascii: "m"): unit = SimDuration.millisecondsPerMinute
                case UInt8(ascii: "h"): unit = SimDuration.millisecondsPerHour
                case UInt8(ascii: "d"): unit = SimDuration.millisecondsPerDay
                case UInt8(ascii: "w"): unit = 7 * SimDuration.millisecondsPerDay
                default: return nil
                }
                index += 1
            }
            let (scaled, overflow3) = value.multipliedReportingOverflow(by: unit)
            let (sum, overflow4) = total.addingReportingOverflow(scaled)
            guard !overflow3, !overflow4 else { return nil }
            total = sum
            parts += 1
        }
        return parts > 0 ? SimDuration(milliseconds: total) : nil
    }

    /// Parses `YYYY-MM-DD` into days since 1970-01-01; nil when malformed or not a real date.
    public static func date(_ text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int64(parts[0]), let month = Int64(parts[1]), let day = Int64(parts[2]),
              CivilCalendar.isValid(year: year, month: month, day: day) else { return nil }
        return CivilCalendar.days(year: year, month: month, day: day)
    }

    /// A day as `YYYY-MM-DD` (days since 1970-01-01).
    public static func dateText(epochDay: Int64) -> String {
        String(CivilCalendar.iso8601(epochMilliseconds: epochDay * SimDuration.millisecondsPerDay).prefix(10))
    }

    /// Parses `YYYY-MM-DDTHH:MM[:SS]Z` (UTC) into epoch milliseconds; nil when malformed.
    public static func dateTime(_ text: String) -> Int64? {
        guard text.hasSuffix("Z") else { return nil }
        let parts = text.dropLast().split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, let days = date(String(parts[0])), let ms = timeOfDay(String(parts[1])) else { return nil }
        return days * SimDuration.millisecondsPerDay + ms
    }

    /// Parses `HH:MM` or `HH:MM:SS` into milliseconds since midnight.
    static func timeOfDay(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
              let hour = Int64(parts[0]), let minute = Int64(parts[1]), hour < 24, minute < 60 else { return nil }
        let second = parts.count == 3 ? Int64(parts[2]) : 0
        guard let second, second < 60 else { return nil }
        return (hour * 3600 + minute * 60 + second) * 1000
    }

    /// What an instant looks like, for error messages.
    public static let instantForm = "an offset like \"36h\", \"day 3 12:00\" (day 1 is the first day) or \"2026-01-07T12:00Z\""

    /// An instant as a scenario writes it by day: `day 2 09:59` (day 1 is the start's day; seconds and milliseconds
    /// shown only when there are any).
    public static func dayText(_ instant: SimInstant, startEpochMilliseconds: Int64) -> String {
        let startDay = startEpochMilliseconds - startEpochMilliseconds % SimDuration.millisecondsPerDay
        let sinceDay = startEpochMilliseconds + instant.millisecondsSinceStart - startDay
        let day = sinceDay / SimDuration.millisecondsPerDay + 1, clock = sinceDay % SimDuration.millisecondsPerDay
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "day \(day) \(two(clock / 3_600_000)):\(two(clock / 60_000 % 60))"
        if clock % 60_000 != 0 { text += ":" + two(clock / 1000 % 60) }
        if clock % 1000 != 0 { text += "." + String(String(clock % 1000 + 1000).dropFirst()) }
        return text
    }

    /// Parses an instant: an offset from the start (`36h`), `day N HH:MM`, or an ISO date-time in UTC.
    public static func instant(_ text: String, startEpochMilliseconds: Int64) -> SimInstant? {
        if let offset = duration(text) { return SimInstant(millisecondsSinceStart: offset.milliseconds) }
        if text.hasPrefix("day ") {
            let parts = text.dropFirst(4).split(separator: " ")
            guard parts.count == 1 || parts.count == 2, let day = Int64(parts[0]), day >= 1, day < 100_000 else { return nil }
            let startDay = startEpochMilliseconds - startEpochMilliseconds % SimDuration.millisecondsPerDay
            let clock = parts.count == 2 ? timeOfDay(String(parts[1])) : 0
            guard let clock else { return nil }
            let epoch = startDay + (day - 1) * SimDuration.millisecondsPerDay + clock
            return epoch >= startEpochMilliseconds ? SimInstant(millisecondsSinceStart: epoch - startEpochMilliseconds) : nil
        }
        if let epoch = dateTime(text), epoch >= startEpochMilliseconds {
            return SimInstant(millisecondsSinceStart: epoch - startEpochMilliseconds)
        }
        return nil
    }
}
