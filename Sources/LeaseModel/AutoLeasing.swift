import LeaseKernel

/// What the server grants when a reconnected client reports auto-leased counts (R-AUTO-5, R-AUTO-6; assumed, the
/// guide is silent on a server that can cover only part of them).
public enum AutoLeaseReconcile: String, Sendable, CaseIterable {
    /// The whole ILQ that are free now, up to what was reported; anything short starts the penalty (the default).
    case partial
    /// All that was reported, or nothing (and the penalty).
    case allOrNothing
}

/// What a reconnected client reports for the server to reconcile (R-AUTO-5, R-AUTO-6).
public enum AutoLeaseReconcileUsage: String, Sendable, CaseIterable {
    /// The usage of the whole disconnection: its peak auto-leased count (the default: "information is passed to the
    /// license server to reconcile capacity allocations for the duration of the automated lease increments"), so a
    /// count that ended at the 10-day limit (R-AUTO-4) is reconciled too.
    case peak
    /// Only the auto-leased count the client still holds when it is back.
    case held
}

/// The auto-leasing settings, with the guide's values (R-AUTO-2, R-AUTO-4, R-AUTO-6); the review period and the
/// reconcile are assumed.
public struct AutoLeasePolicy: Sendable, Equatable {
    /// Whether servers decide auto-leasing at all; off, it is never enabled.
    public var enabled = true
    /// R-AUTO-2: the span the average available count is taken over (24 h).
    public var window: SimDuration = .hours(24)
    /// How often a server reviews its decision, from instant zero (assumed: hourly); divides `window`.
    public var review: SimDuration = .hours(1)
    /// R-AUTO-2: enabled when the average available count is greater than this share of the unallocated maximum
    /// capacity (30%).
    public var thresholdPercent: Int32 = 30
    /// R-AUTO-4: auto-leasing is usable for at most this long after the client's last contact (10 days).
    public var maxDisconnection: SimDuration = .days(10)
    /// R-AUTO-6: how long auto-leasing stays off after a reconcile fails (5 days).
    public var penalty: SimDuration = .days(5)
    /// R-AUTO-5, R-AUTO-6: what a short reconcile grants.
    public var reconcile: AutoLeaseReconcile = .partial
    /// R-AUTO-5: what the client reports: the usage of its whole disconnection, or what it still holds.
    public var reconcileUsage: AutoLeaseReconcileUsage = .peak

    public init() {}

    /// The longest window a scenario may set, the most reviews per window, and the most boundary integrals a run
    /// keeps (servers x features x reviews per window; 16 bytes each).
    public static let maxWindow = SimDuration.days(30)
    public static let maxReviewsPerWindow = 1_440
    public static let maxHistoryEntries = 16_000_000

    /// Reviews per window: the number of boundary integrals a server keeps per feature.
    public var reviewsPerWindow: Int { Int(window.milliseconds / review.milliseconds) }
}

/// R-AUTO-5: a slot's auto-lease usage in its current disconnection, not yet reconciled: the most it auto-leased at
/// once, and when it first did.
public struct AutoLeaseUsage: Sendable, Equatable {
    public var peak: Int32 = 0
    public var peakAt = SimInstant.never
    public init() {}
}

/// The R-AUTO-2 decision as pure arithmetic, exact in integers.
public enum AutoLeaseDecision {
    /// R-AUTO-2: whether the average available count over the window is greater than `thresholdPercent` of the
    /// unallocated maximum capacity: sum / window > percent / 100 * unallocated, compared without a division
    /// (100 * sum > percent * unallocated * window); equality is disabled.
    /// - Parameters:
    ///   - availableUserMilliseconds: the integral of the available count over the window.
    ///   - window: the window's length.
    ///   - unallocated: sum over clients of (MUC - leased).
    public static func isEnabled(availableUserMilliseconds: Int128, window: SimDuration, unallocated: Int64,
                                 thresholdPercent: Int32) -> Bool {
        100 * availableUserMilliseconds > Int128(thresholdPercent) * Int128(unallocated) * Int128(window.milliseconds)
    }

    /// The average over the window in thousandths of a user, rounded down (for the timeline).
    public static func averageThousandths(availableUserMilliseconds: Int128, window: SimDuration) -> Int64 {
        Int64(clamping: floorDivision(availableUserMilliseconds * 1000, Int128(window.milliseconds)))
    }

    /// The threshold, `thresholdPercent` of `unallocated`, in thousandths of a user (exact: a percent of a count).
    public static func thresholdThousandths(unallocated: Int64, thresholdPercent: Int32) -> Int64 {
        unallocated * 10 * Int64(thresholdPercent)
    }

    static func floorDivision(_ numerator: Int128, _ denominator: Int128) -> Int128 {
        let quotient = numerator / denominator
        return (numerator % denominator != 0) && ((numerator < 0) != (denominator < 0)) ? quotient - 1 : quotient
    }
}

/// What a feature counts, as the guide names its licenses (R-ROLE-2): the kind decides which rules apply to it.
public enum FeatureKind: String, Sendable, CaseIterable {
    /// Concurrent users (CONSEC-..., ACCESS-...U): the default.
    case concurrentUsers
    /// Concurrent meeting users (PSA-MTG-xU).
    case meetingUsers
    /// RDP users (ACCESS-RDP-...U): user capacity, but never surrendered (R-SUR-1).
    case rdpUsers
    /// Cores leased to virtual appliances (PS-CORE-...C).
    case cores
    /// A feature license (PPS-RADIUS-SERVER and the like): it counts no users.
    case feature

    /// The traits the kind has.
    public var traits: FeatureTraits {
        switch self {
        case .concurrentUsers, .meetingUsers: return FeatureTraits()
        case .rdpUsers: return FeatureTraits(surrenderable: false)
        case .cores, .feature: return FeatureTraits(userCapacity: false, surrenderable: false)
        }
    }
}

/// What a feature is, for the rules that depend on it (R-AUTO-1, R-SUR-1).
public struct FeatureTraits: Sendable, Equatable {
    /// Whether the feature counts users (concurrent users, meeting users, RDP users), as opposed to a feature
    /// license or a count of something else (cores).
    public var userCapacity = true
    /// Whether the feature's licenses are bound to a platform or platform family (so far it only turns auto-leasing off).
    public var platformBound = false
    /// R-SUR-1: whether its perpetual licenses may be surrendered: only concurrent-user and meeting-user licenses.
    public var surrenderable = true

    public init(userCapacity: Bool = true, platformBound: Bool = false, surrenderable: Bool? = nil) {
        self.userCapacity = userCapacity
        self.platformBound = platformBound
        self.surrenderable = surrenderable ?? userCapacity
    }

    /// R-AUTO-1: auto-leasing is only for user-capacity features that are not platform bound.
    public var autoLeases: Bool { userCapacity && !platformBound }
}
