import LeaseKernel

/// A client's process: where it sends, its timers and its traffic. Fields are ordered widest first, so the
/// record packs tight (it is read on every renewal and reply).
struct ClientState {
    var messagesSent: Int64 = 0
    var messagesReceived: Int64 = 0
    /// When a message from its server last reached the client (R-AUTO-4 counts a disconnection from here).
    var lastContact: SimInstant = .start
    /// Where the client sends its requests: its server node (a virtual address will resolve at send time).
    var server: Endpoint
    var slots: EntityIDs<SlotID>
    /// R-CLU-1: the member that sends and receives for this client: its side's lease leader in a cluster, itself
    /// otherwise.
    var leader: ClientID
    /// R-CLU-1: its cluster (an index into `FleetModel.clusters`) or -1, and its rank there (by name).
    var cluster: Int32 = -1
    var rank: Int32 = 0
    var renewalTimer: TimerID
    /// The number of the latest renewal (or boot requests) sent; replies carry it back.
    var renewalRequestID: UInt32 = 0
    /// Tries of the awaited renewal so far.
    var renewalTries: Int32 = 0
    /// Fires when the awaited renewal times out, or when the wait before its retry is over.
    var replyTimer: TimerID
    /// The crash fault that has the client down, or -1.
    var crashFault: Int32 = -1
    var isUp = true
    /// Whether the reply to the latest renewal is still awaited, and whether the client waits to try again.
    var renewalAwaited = false
    var renewalRetryWaiting = false
    /// A renewal went unanswered after every retry: the client renews as soon as a reply shows it can reach its
    /// server again.
    var renewalOverdue = false
    /// Whether a reply comes back within the request timeout over the client's links as configured (no faults).
    var roundTripBeatsTimeout = true
    /// Whether any of its slots holds an auto-leased count or has auto-lease usage not yet reconciled (to report at
    /// the next contact, R-AUTO-5).
    var holdsAutoLeased = false
    /// R-CLIENT-1: whether it has licenses of its own or a platform maximum (`FleetModel.ownLicensing` then says
    /// what they are; most clients have neither, and read nothing more).
    var ownsLicenses = false
    /// R-CLU-1: whether it leads its side of its cluster now.
    var leads = false

    init(server: Endpoint, slots: EntityIDs<SlotID>, leader: ClientID, renewalTimer: TimerID, replyTimer: TimerID) {
        self.server = server
        self.slots = slots
        self.leader = leader
        self.renewalTimer = renewalTimer
        self.replyTimer = replyTimer
    }
}

/// One feature of one client, as the client sees it, with its accounting. Fields are ordered widest first, so
/// the record packs tight (every demand change reads and writes it).
public struct SlotState: Sendable {
    public var reservedExpiry: SimInstant = .never
    public var incrementExpiry: SimInstant = .never
    var accountedAt: SimInstant = .start
    public var deniedLogins: Int64 = 0
    /// Integral of unserved users over time, in user-milliseconds. The three integrals fit Int64: a slot never has
    /// more than `FleetModel.maxUsersPerSlot` users (2e7) and a run lasts at most 3660 days (3.2e11 ms): 6.4e18.
    public var deniedUserMilliseconds: Int64 = 0
    public var servedUserMilliseconds: Int64 = 0
    public var leasedUserMilliseconds: Int64 = 0
    public var client: ClientID
    public var feature: FeatureID
    /// The allocation as last heard from the server.
    public var allocation: Allocation
    /// Users who want a session now.
    public var users: Int32 = 0
    public var reservedHeld: Int32 = 0
    public var incrementHeld: Int32 = 0
    /// R-AUTO-3: what the client raised its own lease by while it could not reach its server; tracked apart from
    /// what the server granted, and with it never above MUC.
    public var autoLeased: Int32 = 0

    public var peakUsers: Int32 = 0
    public var peakLeased: Int32 = 0
    /// Logins that arrived while short of capacity, waiting for a reply (R-LEASE-8).
    var arrivalsAwaiting: Int32 = 0
    var unservedBeforeArrivals: Int32 = 0
    var demandCursor: Int32 = 0
    /// Increments given back since the latest renewal was sent (a renewal reply does not count them).
    var releasedSinceRenewal: Int32 = 0
    /// The number of the latest increment request, and the count it asks for.
    var requestID: UInt32 = 0
    var requestCount: Int32 = 0
    /// Fires when the request times out, or when the wait before its retry is over (armed only when it can fire:
    /// `FleetModel.replyDeadline`).
    var requestTimer: TimerID
    var lapseTimer: TimerID
    /// Fires when the hold on increments ends, if a release waits for it (R-LEASE-7, `onDrop`).
    var holdTimer: TimerID
    /// An increment request is in flight (logins wait for its reply).
    var requestPending = false
    /// The client booted and waits for the reply to its reserve request: it asks for no increment before it knows
    /// what its reserve brings, and logins wait for that reply.
    var reserveAwaited = false
    /// Tries of the pending request so far, whether the client waits to try again, whether the timer is armed.
    var requestTries: UInt8 = 0
    var requestRetryWaiting = false
    var requestTimerArmed = false
    /// The pending request reports auto-leased counts for the server to reconcile (R-AUTO-5).
    var requestReports = false
    /// R-AUTO-2, R-AUTO-3: whether auto-leasing was enabled for this feature as the client last heard from its server.
    public var autoLeaseHeard = false
    /// R-CLU-1: the slot's client is a cluster member: its side requests, releases and serves logins as one.
    public internal(set) var clustered = false

    init(client: ClientID, feature: FeatureID, allocation: Allocation, requestTimer: TimerID, lapseTimer: TimerID, holdTimer: TimerID) {
        self.client = client
        self.feature = feature
        self.allocation = allocation
        self.requestTimer = requestTimer
        self.lapseTimer = lapseTimer
        self.holdTimer = holdTimer
    }

    /// Leased count the client holds: reserved plus incremental, plus what it auto-leased (R-AUTO-3).
    @inlinable public var held: Int32 { reservedHeld + incrementHeld + autoLeased }

}

/// R-CLIENT-1: what a client has of a feature itself: its own installed count, and the most users its platform
/// serves (`Int32.max`: no limit). Both are bounded far below `Int32.max` (own licenses by 1e9, leases by MUC).
public struct OwnLicensing: Sendable, Equatable {
    public var installed: Int32 = 0
    public var maximum: Int32 = .max
    /// R-CLU-1 (assumed): what a cluster member serves with beyond what it holds: spare capacity its side's other
    /// members lend it (positive), or lend out of its own (negative); 0 outside a cluster.
    public var clusterShare: Int32 = 0

    public init(installed: Int32 = 0, maximum: Int32 = .max) {
        self.installed = installed
        self.maximum = maximum
    }

    /// The effective count while the client runs: its own installed count plus what it holds, at most the maximum.
    @inlinable public func effective(held: Int32) -> Int32 { min(installed + held, maximum) + clusterShare }
    /// What it serves with of its own: its installed count plus what it holds, at most the maximum (no share).
    @inlinable public func base(held: Int32) -> Int32 { min(installed + held, maximum) }
    /// The users its leases must serve: those its own licenses do not, up to the maximum.
    @inlinable public func usersToLease(_ users: Int32) -> Int32 { max(0, min(users, maximum) - installed) }
}

/// A license server node: whether it runs, its lease table and its license pools.
public struct ServerNodeState: Sendable {
    public var isUp = true
    /// The crash fault that has the node down, or -1.
    var crashFault: Int32 = -1
    /// The node's lease table: one record per holder it serves, in holder order (`FleetModel.lease(of:)` finds
    /// a holder's record).
    public var leases: EntityIDs<LeaseID>
    /// The node's license pools, one per feature, in feature order.
    public var pools: EntityIDs<ServerFeatureID>
    /// When the node's lease table holds one run of consecutive holders, in order (a fleet with one node, or
    /// nodes serving blocks of clients): a holder's record is at its index plus this; otherwise `nil`, and
    /// `FleetModel.leaseIndex` finds it.
    var holderShift: Int32? = nil
    /// R-AUTO-6: auto-leasing is off on this node until then (`.start`: no penalty yet).
    public var penaltyUntil: SimInstant = .start
    /// Fires when the penalty ends.
    var penaltyTimer: TimerID
    /// R-VLS-1, R-DL-1: its contact with the vendor's cloud, a row of `FleetModel.cloudContacts` (nil for a server
    /// that neither sends heartbeats nor downloads).
    public var cloud: CloudContactID? = nil
    /// R-HA-1: its highly available pair (an index into `FleetModel.pairs`) or -1, and which of its two nodes it is.
    public var pair: Int32 = -1
    public var pairNode: Int32 = 0
    /// R-LIC-8, R-VLS-1, R-VLS-3: why the node serves nothing now, or `.none` (each lease it serves keeps a copy).
    public var stop = RefusalReason.none
    /// R-LIC-8: whether a license-server license covers the node now (its own, or its pair's other node's).
    public var licensed = true

    init(leases: EntityIDs<LeaseID>, pools: EntityIDs<ServerFeatureID>, penaltyTimer: TimerID) {
        self.leases = leases
        self.pools = pools
        self.penaltyTimer = penaltyTimer
    }

    /// The node's pool of a feature.
    @inlinable public func pool(_ feature: FeatureID) -> ServerFeatureID {
        precondition(feature.index >= 0 && feature.index < pools.end - pools.first, "no feature \(feature)")
        return ServerFeatureID(index: pools.first + feature.index)
    }
}

/// What a server node knows of a client it is configured for.
struct ClientConfiguration {
    /// The client's lease records at its node, one per feature, in feature order.
    var leases: EntityIDs<LeaseID>
    /// R-ALLOC-1/R-ALLOC-5: the allocation's expiry date, as an instant (`.never` when none).
    var allocationExpiry: SimInstant
}

/// A server node's record of one holder's lease of one feature (widest fields first, packed tight).
public struct LeaseState: Sendable {
    public var reservedExpiry: SimInstant = .never
    public var incrementExpiry: SimInstant = .never
    public var holder: HolderID
    public var client: ClientID
    /// The pool the lease draws from.
    public var pool: ServerFeatureID
    /// The allocation as configured at the server now.
    public var allocation: Allocation
    public var reserved: Int32 = 0
    public var increment: Int32 = 0
    /// R-LEASE-11: the part of this lease granted before a license ended and not renewed since (it ends at the
    /// holder's next renewal); the only part of a lease the installed count need not cover.
    public var carriedOver: Int32 = 0
    /// The latest increment request answered, and what it granted: a retry of it gets the same answer again
    /// rather than a second grant.
    var lastIncrementRequestID: UInt32 = 0
    var lastIncrementGranted: Int32 = 0
    var reservedTimer: TimerID
    var incrementTimer: TimerID
    public var configured = true
    /// Why the node serves nothing now, or `.none`: a hardware server without a license-server license (R-LIC-8),
    /// a virtual license server out of touch with the cloud (R-VLS-1); kept on each of its leases so a request's
    /// checks read one record.
    public var serverStop = RefusalReason.none
    /// R-LIC-6: which licenses of the pool the lease may come from (its client's platform family and member license).
    public var platformClass = PlatformClass.unbound

    init(holder: HolderID, client: ClientID, pool: ServerFeatureID, allocation: Allocation, reservedTimer: TimerID, incrementTimer: TimerID) {
        self.holder = holder
        self.client = client
        self.pool = pool
        self.allocation = allocation
        self.reservedTimer = reservedTimer
        self.incrementTimer = incrementTimer
    }

    /// The leased count (reserved plus incremental).
    @inlinable public var held: Int32 { reserved + increment }
}

/// One feature on one server: installed and leased counts with their accounting.
public struct ServerFeatureState: Sendable {
    public var server: ServerID
    public var feature: FeatureID
    public var installed: Int32 = 0
    public var used: Int32 = 0
    var accountedAt: SimInstant = .start
    /// Integrals of the used and installed counts over time, in user-milliseconds (1e9 installed over 3660 days
    /// passes Int64, so they are 128-bit).
    public var usedUserMilliseconds: Int128 = 0
    public var installedUserMilliseconds: Int128 = 0
    public var peakUsed: Int32 = 0
    /// When `peakUsed` was first reached.
    public var peakUsedAt = SimInstant.start
    /// R-LEASE-11: reserved counts set aside for configured clients that do not hold them now (stopped, lapsed,
    /// or short of their RUC): sum over configured clients of max(0, RUC - reserved held).
    public var reservedIdle: Int32 = 0
    /// R-LEASE-11: the sum of the leases' `carriedOver` counts: leased beyond what is installed only until renewed.
    public var carriedOver: Int32 = 0
    /// The sum of the configured clients' MUC (R-AUTO-2's unallocated maximum capacity is this minus `used`).
    public var maximumSum: Int64 = 0
    /// R-AUTO-2: the decision at the latest review, and the figures it was made on (in thousandths of a user).
    public var autoLeaseDecided = false
    public var averageAvailableThousandths: Int64 = 0
    public var autoLeaseThresholdThousandths: Int64 = 0
    /// R-AUTO-6: the node is in its penalty: auto-leasing is off whatever the decision.
    public var penalty = false
    /// R-LIC-6: the pool's entry in `FleetModel.platformPools` when some of its licenses may be bound to a
    /// platform family (then grants ask what each class of client may take), or -1.
    public var platformPool: Int32 = -1
    /// R-LIC-8, R-VLS-1: whether its server may lease now (kept on each pool for the server's timeline rows).
    public var licensing = true
    /// R-VLS-1, R-DL-1: whether its server reaches the vendor's cloud: its latest heartbeat or download check was
    /// answered (false for a server with no link to the cloud).
    public var cloudContact = false
    /// R-HA-1..3, for the server's timeline rows: its role (`HARole`), whether its pair is apart, and the whole days
    /// of grace left (rounded up; 0 outside a grace).
    public var haRole = HARole.none
    public var split = false
    public var graceDaysLeft: Int32 = 0

    public init(server: ServerID, feature: FeatureID) {
        self.server = server
        self.feature = feature
    }

    /// Free licenses (negative only while leases granted before a license ended run to their next renewal).
    @inlinable public var free: Int32 { installed - used }
    /// R-LEASE-11: what increments may come from: installed minus every lease minus the idle reservations.
    @inlinable public var incrementPool: Int32 { installed - used - reservedIdle }
    /// R-AUTO-2, R-AUTO-6: whether auto-leasing is enabled for this feature now, its node's licensing aside.
    @inlinable public var autoLeaseAllowed: Bool { autoLeaseDecided && !penalty }
    /// R-AUTO-2, R-AUTO-6, R-VLS-1, R-LIC-8: whether the node tells clients auto-leasing is enabled for this feature
    /// now: never while its licensing has stopped.
    @inlinable public var autoLeasing: Bool { autoLeaseAllowed && licensing }
    /// R-AUTO-2: the unallocated maximum capacity: sum over clients of (MUC - leased).
    @inlinable public var unallocated: Int64 { maximumSum - Int64(used) }
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
    /// R-CLIENT-1: the sum of the clients' effective counts (own installed plus leased, capped by platform).
    public var effective: Int64 = 0
    public var peakUsers: Int64 = 0
    public var peakServed: Int64 = 0
    public var peakLeased: Int64 = 0
    /// When the fleet's users and leased count first reached their peaks, and when a login was first denied.
    public var peakUsersAt = SimInstant.start
    public var peakLeasedAt = SimInstant.start
    public var firstDenialAt = SimInstant.never
    public var deniedLogins: Int64 = 0
    /// Sessions lost while their users still wanted them (`SlotPlanner.usersCutOff`), over the fleet.
    public var usersCutOff: Int64 = 0
    /// R-AUTO-3: counts the clients raised their own leases by while cut off.
    public var autoLeased: Int64 = 0
}

/// Counts of protocol work, for summaries and the benchmark's event tally. Each counts at most a few per
/// kernel event, and a run processes far fewer than `Int64.max / 16` events, so counts add without an
/// overflow check (`&+=`), as do the per-client message counts.
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
    /// Lease expiries the servers set (each sets an expiry check, which a later one for the same lease replaces):
    /// one per reserved grant or renewal, one per incremental grant or renewal that leaves an increment.
    public var reservedExpiriesSet: Int64 = 0
    public var incrementExpiriesSet: Int64 = 0
    public var messages: Int64 = 0
    /// Requests whose reply did not come in time, retries, and requests given up after every retry.
    public var timeouts: Int64 = 0
    public var retries: Int64 = 0
    public var abandoned: Int64 = 0
    /// Messages faults dropped.
    public var messagesDropped: Int64 = 0
    /// R-AUTO-3..6: auto-increments, reports of auto-leased counts, reconciles that fell short, penalties begun.
    public var autoIncrements: Int64 = 0
    public var autoLeaseReports: Int64 = 0
    public var reconcilesShort: Int64 = 0
    public var penalties: Int64 = 0
    /// R-SUR-1..3: licenses surrendered and recalled at clients, and surrenders the servers lost to their expiry.
    public var surrenders: Int64 = 0
    public var recalls: Int64 = 0
    public var surrendersExpired: Int64 = 0
    /// R-CLU-3: members that became the leader of their side; R-HA-1..3: failovers, splits and rejoins of pairs.
    public var leaderChanges: Int64 = 0
    public var failovers: Int64 = 0
    public var pairSplits: Int64 = 0
    public var pairRejoins: Int64 = 0
}
