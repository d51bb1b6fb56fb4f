import LeaseKernel

/// A client's process: its link, its timers and its traffic.
struct ClientState {
    var server: Int32
    var latency: SimDuration
    var allocationExpiry: SimInstant
    var firstSlot: Int32
    var endSlot: Int32
    var isUp = true
    var renewalTimer: TimerID
    var messagesSent: Int64 = 0
    var messagesReceived: Int64 = 0
}

/// One feature of one client, as the client sees it, with its accounting.
public struct SlotState: Sendable {
    public var client: Int32
    public var feature: Int32
    /// The allocation as last heard from the server.
    public var allocation: Allocation
    /// Users who want a session now.
    public var users: Int32 = 0
    public var reservedHeld: Int32 = 0
    public var incrementHeld: Int32 = 0
    public var reservedExpiry: SimInstant = .never
    public var incrementExpiry: SimInstant = .never
    var requestPending = false
    /// Logins that arrived while short of capacity, waiting for a reply (R-LEASE-8).
    var arrivalsAwaiting: Int32 = 0
    var unservedBeforeArrivals: Int32 = 0
    var lapseTimer: TimerID
    /// Fires when the hold on increments ends, if a release waits for it (R-LEASE-7, `onDrop`).
    var holdTimer: TimerID
    var demandCursor: Int32 = 0
    var accountedAt: SimInstant = .start
    public var deniedLogins: Int64 = 0
    /// Integral of unserved users over time, in user-milliseconds. The three integrals fit Int64: a slot never has
    /// more than `FleetModel.maxUsersPerSlot` users (2e7) and a run lasts at most 3660 days (3.2e11 ms): 6.4e18.
    public var deniedUserMilliseconds: Int64 = 0
    public var servedUserMilliseconds: Int64 = 0
    public var leasedUserMilliseconds: Int64 = 0
    public var peakUsers: Int32 = 0
    public var peakLeased: Int32 = 0

    /// Leased count the client holds (reserved plus incremental).
    @inlinable public var held: Int32 { reservedHeld + incrementHeld }
}

/// The server's record of one slot's leases.
public struct LeaseState: Sendable {
    /// The allocation as configured at the server now.
    public var allocation: Allocation
    public var configured = true
    public var reserved: Int32 = 0
    public var reservedExpiry: SimInstant = .never
    public var increment: Int32 = 0
    public var incrementExpiry: SimInstant = .never
    /// R-LEASE-11: the part of this lease granted before a license ended and not renewed since (it ends at the
    /// holder's next renewal); the only part of a lease the installed count need not cover.
    public var carriedOver: Int32 = 0
    var reservedTimer: TimerID
    var incrementTimer: TimerID
}

/// One feature on one server: installed and leased counts with their accounting.
public struct ServerFeatureState: Sendable {
    public var installed: Int32 = 0
    public var used: Int32 = 0
    var accountedAt: SimInstant = .start
    /// Integrals of the used and installed counts over time, in user-milliseconds (1e9 installed over 3660 days
    /// passes Int64, so they are 128-bit).
    public var usedUserMilliseconds: Int128 = 0
    public var installedUserMilliseconds: Int128 = 0
    public var peakUsed: Int32 = 0
    /// R-LEASE-11: reserved counts set aside for configured clients that do not hold them now (stopped, lapsed,
    /// or short of their RUC): sum over configured clients of max(0, RUC - reserved held).
    public var reservedIdle: Int32 = 0
    /// R-LEASE-11: the sum of the leases' `carriedOver` counts: leased beyond what is installed only until renewed.
    public var carriedOver: Int32 = 0
    /// Free licenses (negative only while leases granted before a license ended run to their next renewal).
    @inlinable public var free: Int32 { installed - used }
    /// R-LEASE-11: what increments may come from: installed minus every lease minus the idle reservations.
    @inlinable public var incrementPool: Int32 { installed - used - reservedIdle }
}

/// Fleet-wide totals of one feature over all clients, kept as the run goes.
public struct FeatureTotals: Sendable {
    /// Installed on every server.
    public var installed: Int64 = 0
    /// Installed on every server at the first instant the fleet's leased count reached its peak.
    public var installedAtPeakLeased: Int64 = 0
    public var users: Int64 = 0
    public var served: Int64 = 0
    public var leased: Int64 = 0
    public var peakUsers: Int64 = 0
    public var peakServed: Int64 = 0
    public var peakLeased: Int64 = 0
    public var deniedLogins: Int64 = 0
}

/// Counts of protocol work, for summaries and the benchmark's event tally.
public struct ProtocolCounters: Sendable, Equatable {
    public var demandChanges: Int64 = 0
    public var renewalTimers: Int64 = 0
    public var reserveRequests: Int64 = 0
    public var incrementRequests: Int64 = 0
    public var incrementReplies: Int64 = 0
    public var renewals: Int64 = 0
    public var renewReplies: Int64 = 0
    public var releases: Int64 = 0
    public var refusals: Int64 = 0
    public var reclaims: Int64 = 0
    public var lapses: Int64 = 0
    /// Grants and renewals the installed count could not wholly cover (R-LEASE-11).
    public var notCovered: Int64 = 0
    /// Server lease-expiry checks armed to come due before the horizon, including those a later
    /// renewal made moot (the reference workload counts each as an event; leasesim never runs a moot one).
    public var expiryChecksDue: Int64 = 0
    public var messages: Int64 = 0
}
