/// A span of virtual time, an integer count of milliseconds.
///
/// Time is never a `Double`: every duration and instant is exact, so runs are
/// reproducible to the millisecond on every machine.
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible, BitwiseCopyable {
    /// The span in milliseconds (the kernel's fixed unit).
    public var milliseconds: Int64

    @inlinable public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    @inlinable public static var zero: SimDuration { SimDuration(milliseconds: 0) }
    @inlinable public static var millisecondsPerSecond: Int64 { 1_000 }
    @inlinable public static var millisecondsPerMinute: Int64 { 60_000 }
    @inlinable public static var millisecondsPerHour: Int64 { 3_600_000 }
    @inlinable public static var millisecondsPerDay: Int64 { 86_400_000 }

    @inlinable public static func milliseconds(_ count: Int64) -> SimDuration { SimDuration(milliseconds: count) }
    @inlinable public static func seconds(_ count: Int64) -> SimDuration { SimDuration(milliseconds: count * millisecondsPerSecond) }
    @inlinable public static func minutes(_ count: Int64) -> SimDuration { SimDuration(milliseconds: count * millisecondsPerMinute) }
    @inlinable public static func hours(_ count: Int64) -> SimDuration { SimDuration(milliseconds: count * millisecondsPerHour) }
    @inlinable public static func days(_ count: Int64) -> SimDuration { SimDuration(milliseconds: count * millisecondsPerDay) }
    @inlinable public static func weeks(_ count: Int64) -> SimDuration { SimDuration(milliseconds: count * 7 * millisecondsPerDay) }

    @inlinable public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }
    @inlinable public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration { SimDuration(milliseconds: lhs.milliseconds + rhs.milliseconds) }
    @inlinable public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration { SimDuration(milliseconds: lhs.milliseconds - rhs.milliseconds) }
    @inlinable public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration { SimDuration(milliseconds: lhs.milliseconds * rhs) }
    @inlinable public static func / (lhs: SimDuration, rhs: Int64) -> SimDuration { SimDuration(milliseconds: lhs.milliseconds / rhs) }

    /// The shortest exact text with a unit: `250ms`, `90s`, `15m`, `4h`, `10d`, `8w`.
    public var description: String {
        let ms = milliseconds
        if ms == 0 { return "0s" }
        let units: [(Int64, String)] = [
            (7 * SimDuration.millisecondsPerDay, "w"), (SimDuration.millisecondsPerDay, "d"),
            (SimDuration.millisecondsPerHour, "h"), (SimDuration.millisecondsPerMinute, "m"),
            (SimDuration.millisecondsPerSecond, "s"),
        ]
        for (size, suffix) in units where ms % size == 0 { return "\(ms / size)\(suffix)" }
        return "\(ms)ms"
    }
}

/// A point on the virtual clock: milliseconds since the start of the run.
public struct SimInstant: Hashable, Comparable, Sendable, CustomStringConvertible, BitwiseCopyable {
    /// Milliseconds since the run's start (instant zero).
    public var millisecondsSinceStart: Int64

    @inlinable public init(millisecondsSinceStart: Int64) { self.millisecondsSinceStart = millisecondsSinceStart }

    @inlinable public static var start: SimInstant { SimInstant(millisecondsSinceStart: 0) }
    /// Later than every reachable instant; used for "never".
    @inlinable public static var never: SimInstant { SimInstant(millisecondsSinceStart: Int64.max) }

    @inlinable public static func < (lhs: SimInstant, rhs: SimInstant) -> Bool {
        lhs.millisecondsSinceStart < rhs.millisecondsSinceStart
    }
    @inlinable public static func + (lhs: SimInstant, rhs: SimDuration) -> SimInstant {
        // Saturate so that `never + d` stays `never`.
        let (sum, overflow) = lhs.millisecondsSinceStart.addingReportingOverflow(rhs.milliseconds)
        return SimInstant(millisecondsSinceStart: overflow ? Int64.max : sum)
    }
    @inlinable public static func - (lhs: SimInstant, rhs: SimDuration) -> SimInstant {
        SimInstant(millisecondsSinceStart: lhs.millisecondsSinceStart - rhs.milliseconds)
    }
    @inlinable public static func - (lhs: SimInstant, rhs: SimInstant) -> SimDuration {
        SimDuration(milliseconds: lhs.millisecondsSinceStart - rhs.millisecondsSinceStart)
    }

    public var description: String { "t+\(SimDuration(milliseconds: millisecondsSinceStart))" }
}
