import LeaseKernel
import LeaseModel

/// A figure a scenario can make claims about.
public enum Metric: String, Sendable, CaseIterable {
    case users, served, leased, serverLeased, reserved, incremental, deniedLogins, deniedUserHours
    case peakUsers, peakLeased, utilisation, messagesSent
    case installed, used, free, peakUsed
    case autoLeased, autoLeasing, penalty, licensing, leader, haRole, split, graceDaysLeft, cloud
    /// Counts of events over the fleet so far.
    case refusals, reclaims, lapses, messagesDropped, failovers

    // What each metric is, who has it and how it is read: `Quantities.all`.

    /// A count over the whole fleet, the same for every feature (an expectation needs no feature for it).
    var isFleetCount: Bool { [.messagesSent, .refusals, .reclaims, .lapses, .messagesDropped, .failovers].contains(self) }
}

/// How an expectation compares the actual value with the expected one.
public enum Comparison: String, Sendable, CaseIterable {
    case equal = "==", lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"

    public func holds(_ actual: Double, _ expected: Double) -> Bool {
        switch self {
        case .equal: return actual == expected
        case .lessOrEqual: return actual <= expected
        case .greaterOrEqual: return actual >= expected
        case .less: return actual < expected
        case .greater: return actual > expected
        }
    }
}

/// Whose figure an expectation reads.
public enum MetricSubject: Sendable, Equatable {
    case client(Int)
    case server(Int)
    case fleet
}

/// When an expectation is judged.
public enum ExpectationWhen: Sendable, Equatable {
    /// After all events at the instant.
    case at(SimInstant)
    /// At the end of the run.
    case end
    /// After every change of the subject, the comparison must hold.
    case always
    /// After every change of the subject, the comparison must not hold.
    case never
}

/// A claim about a run: a metric of a client, server or the fleet compared with a value.
public struct Expectation: Sendable, Equatable {
    /// The text written in reports: the name if given, else the claim itself.
    public var label: String
    /// The expectation's JSON path in the scenario (`expectations[2]`).
    public var path: String
    /// The line of the scenario file it starts on (1-based; 0 when an override wrote it), for CI reports.
    public var line = 0
    public var metric: Metric
    public var subject: MetricSubject
    /// The subject's display name (client id, server id or "fleet").
    public var subjectName: String
    public var feature: Int
    public var comparison: Comparison
    public var value: Double
    /// How far the actual value may be from `value` and still be equal (`==` only).
    public var tolerance: Double = 0
    public var when: ExpectationWhen
    /// For `always`/`never`: the instants judged, `[from, until)` (the whole run when nil).
    public var window: Range<SimInstant>?

    /// Whether an actual value meets the claim's comparison (within the tolerance, for `==`).
    public func compares(_ actual: Double) -> Bool {
        comparison == .equal && tolerance > 0 ? abs(actual - value) <= tolerance : comparison.holds(actual, value)
    }

    /// Whether an `always`/`never` expectation judges the state at `instant`.
    public func watches(_ instant: SimInstant) -> Bool { window?.contains(instant) ?? true }
}
