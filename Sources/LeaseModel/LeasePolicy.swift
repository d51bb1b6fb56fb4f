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

/// What a server node keeps across a crash (assumed; the guide is silent).
public enum ServerRestart: String, Sendable, CaseIterable {
    /// Its installed licenses, configuration and lease table: leases run on as if it had not stopped (the default).
    case keepsLeases
    /// Its installed licenses and configuration, but no leases: every lease starts again from its holder's next
    /// contact (a renewal re-grants the reserved count; increments are asked for again).
    case forgetsLeases
}

/// What a client keeps across a crash (assumed; the guide is silent).
public enum ClientRestart: String, Sendable, CaseIterable {
    /// Nothing: its sessions and leases are gone, and at boot it asks for its reserved counts (R-LEASE-3; the
    /// default). The server reclaims what it held when each lease expires unrenewed (R-LEASE-6).
    case asksAgain
    /// Its leases (kept on disk): while down it serves nobody and its leases run on to their own expiries; at boot
    /// it renews them at once (R-LEASE-4), and asks for more if its users need it.
    case keepsLeases
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
    /// How long a client waits for a reply before it tries again (assumed: 30 s); nil waits for ever.
    public var requestTimeout: SimDuration? = .seconds(30)
    /// How many times a client tries a request again after the first try timed out (assumed: 3).
    public var requestRetries: Int32 = 3
    /// The wait before the first retry; each later wait is twice the one before (assumed: 30 s, so 30 s, 1 min, 2 min).
    public var retryBackoff: SimDuration = .seconds(30)
    /// What a server node keeps across a crash.
    public var serverRestart: ServerRestart = .keepsLeases
    /// What a client keeps across a crash.
    public var clientRestart: ClientRestart = .asksAgain
    /// R-AUTO-2..7: when servers enable auto-leasing, and what a disconnected client may do with it.
    public var autoLease = AutoLeasePolicy()
    /// R-SUR-2: how surrendered licenses are kept alive at the server.
    public var surrender = SurrenderPolicy()
    /// R-VLS-1: how virtual license servers keep in touch with the vendor's cloud.
    public var cloud = CloudPolicy()
    /// R-CLU-3: how a cluster's lease leader is chosen.
    public var cluster = ClusterPolicy()
    /// R-HA-1..3: how highly available pairs fail over and fall back.
    public var ha = HAPolicy()

    public init() {}

    /// The wait before retry number `retry` (1 for the first): `retryBackoff` doubled `retry - 1` times, at most a day.
    public func backoff(beforeRetry retry: Int32) -> SimDuration {
        var wait = retryBackoff
        for _ in 1..<max(1, retry) where wait < .days(1) { wait = wait + wait }
        return min(wait, .days(1))
    }

    /// R-LEASE-4: the renewal interval must lie in 1 h ... ILD/2; nil when it does.
    public var renewalIntervalViolation: String? {
        let maximum = incrementalLeaseDuration / 2
        guard renewalInterval >= .hours(1), renewalInterval <= maximum else {
            return "a renewal interval between 1h and incrementalLeaseDuration/2 (\(maximum)) (R-LEASE-4)"
        }
        return nil
    }
}
