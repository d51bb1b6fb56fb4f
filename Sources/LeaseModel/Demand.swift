import LeaseKernel

/// How many users want a session on one client for one feature, over time.
///
/// Patterns are shared (a group of 10,000 clients points at one pattern);
/// each client applies its own scale and time shift.
public enum DemandPattern: Sendable, Equatable {
    /// The same number of users all the time.
    case constant(users: Int32)
    /// Piecewise constant: each step sets the users from its instant on (sorted by instant).
    case steps([DemandStep])
    /// 24 hourly values by UTC hour of day, with an optional profile for Saturday and Sunday.
    case daily(weekday: [Int32], weekend: [Int32]?)
    /// Random sessions: Poisson arrivals per hour of day (arrivals per hour in thousandths),
    /// exponential session lengths with the given mean.
    case sessions(arrivalsPerHourMilli: [Int64], weekendArrivalsPerHourMilli: [Int64]?, meanSession: SimDuration)
    /// A cycle of hourly values, repeated. At hour h of the run (counted from its start, after the client's
    /// shift) member i of a group has `values[(i * offsetPerMember + h * step) mod values.count]` users: step 1
    /// and offset 0 repeat one profile (24 values a day, 168 a week, any length); an offset staggers a group's
    /// members along the cycle, and a step above 1 walks it in strides. `step` and `offsetPerMember` are kept
    /// below `values.count` (the same values), so the index never overflows.
    case cycle(values: [Int32], step: Int64, offsetPerMember: Int64)
}

/// One step of a piecewise-constant demand.
public struct DemandStep: Sendable, Equatable {
    public var at: SimInstant
    public var users: Int32
    public init(at: SimInstant, users: Int32) {
        self.at = at
        self.users = users
    }
}

/// One client's demand for one feature: a shared pattern plus per-client variation.
public struct DemandSpec: Sendable, Equatable {
    /// Index into `FleetSpec.demandPatterns`.
    public var pattern: Int
    /// Multiplies every value (or arrival rate), in thousandths: 1000 = unchanged.
    public var scalePerMille: Int32
    /// Delays the whole pattern by this much (negative: earlier).
    public var shift: SimDuration
    /// Key of this demand's random stream (derived from the client id).
    public var streamKey: UInt64
    /// The client's position in its group (0 for the first, and for a client declared alone), for patterns that
    /// stagger members (`cycle`).
    public var member: Int64

    public init(pattern: Int, scalePerMille: Int32 = 1000, shift: SimDuration = .zero, streamKey: UInt64 = 0, member: Int64 = 0) {
        self.pattern = pattern
        self.scalePerMille = scalePerMille
        self.shift = shift
        self.streamKey = streamKey
        self.member = member
    }

    /// A value scaled by `scalePerMille`, rounded half up.
    @inlinable func scaled(_ users: Int32) -> Int32 {
        scalePerMille == 1000 ? users : Int32((Int64(users) * Int64(scalePerMille) + 500) / 1000)
    }
}

extension DemandPattern {
    /// A cycle with its step and offset reduced below its length (the same values, no overflow in the index).
    public static func cycle(_ values: [Int32], step: Int64, offsetPerMember: Int64) -> DemandPattern {
        precondition(!values.isEmpty && step >= 0 && offsetPerMember >= 0, "a cycle of at least one value, with a step and offset of 0 or more")
        let length = Int64(values.count)
        return .cycle(values: values, step: step % length, offsetPerMember: offsetPerMember % length)
    }
}
