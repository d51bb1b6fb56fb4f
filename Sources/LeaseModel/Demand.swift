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
    /// A deterministic pseudo-random value every hour h of the run, for member i of a fleet:
    /// `base + ((i * memberStride + h * hourStride) mod spread)`. The benchmark's reference workload.
    case hourlyHash(base: Int32, spread: Int64, memberStride: Int64, hourStride: Int64)
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
    /// The client's index in its fleet, for patterns that vary by member (`hourlyHash`).
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
