import LeaseKernel

/// When a client gives back increments it no longer needs (R-LEASE-9, assumed).
public enum ReleasePolicy: String, Sendable, CaseIterable {
    /// At the client's next renewal (the default).
    case atRenewal
    /// As soon as the load drops by more than one ILQ below the leased count.
    case onDrop
}

/// How clients hold leases at instant zero.
public enum InitialLeases: String, Sendable, CaseIterable {
    /// Every client already holds its reserved count, as in a fleet in steady state.
    case held
    /// Every client boots and requests its reserved count at instant zero.
    case request
}

/// How many quanta an increment request asks for (R-LEASE-1b).
public enum QuantaPerRequest: String, Sendable, CaseIterable {
    /// One ILQ per request; a client still short asks again after each reply that granted it (the default).
    case one
    /// Every quantum the current load needs, in one request (no new request after a partial grant).
    case needed
}

/// From when the minimum hold on increments runs (R-LEASE-7).
public enum HoldPolicy: String, Sendable, CaseIterable {
    /// Each increment is held from its own grant; a later grant does not extend an earlier one's hold (the default).
    case perIncrement
    /// The whole incremental block is held from the latest grant (the canonical benchmark's reading).
    case latestGrant
}

/// The server's lease settings, with the vendor's documented defaults (R-LEASE-3, R-LEASE-4, R-LEASE-7).
public struct LeasePolicy: Sendable, Equatable {
    /// R-LEASE-3: how long a reserved lease lasts (default 14400 min = 10 days).
    public var reservedLeaseDuration: SimDuration = .minutes(14_400)
    /// R-LEASE-3: how long an incremental lease lasts, ILD (default 1440 min = 1 day).
    public var incrementalLeaseDuration: SimDuration = .minutes(1_440)
    /// R-LEASE-4: how often clients renew (default 240 min; 1 h ... ILD/2).
    public var renewalInterval: SimDuration = .minutes(240)
    /// R-LEASE-7: how long an acquired increment is held at least (default 24 h).
    public var minimumHold: SimDuration = .hours(24)
    /// R-LEASE-7: whether each increment's hold runs from its own grant or the block's from the latest.
    public var holdPolicy: HoldPolicy = .perIncrement
    /// R-LEASE-1b: one quantum per request, or all that are needed.
    public var quantaPerRequest: QuantaPerRequest = .one
    /// R-LEASE-9: when unneeded increments are given back.
    public var releasePolicy: ReleasePolicy = .atRenewal
    public var initialLeases: InitialLeases = .held
    /// R-LEASE-1 (assumed): a client short of licenses also asks for more at each renewal,
    /// not only when its load changes, so waiting users get licenses freed meanwhile.
    public var requestsAtRenewal = true

    public init() {}

    /// R-LEASE-4: the renewal interval must lie in 1 h ... ILD/2; nil when it does.
    public var renewalIntervalViolation: String? {
        let maximum = incrementalLeaseDuration / 2
        guard renewalInterval >= .hours(1), renewalInterval <= maximum else {
            return "a renewal interval between 1h and incrementalLeaseDuration/2 (\(maximum)) (R-LEASE-4)"
        }
        return nil
    }
}
