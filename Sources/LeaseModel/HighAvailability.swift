import LeaseKernel

/// How the two nodes of a highly available pair serve (R-HA-1, R-HA-3; switchable on the schedule, R-HA-5).
public enum HAMode: String, Sendable, CaseIterable {
    /// One node, the active one, holds the virtual address and serves every client; the passive one health-checks
    /// it and takes over after failed checks for the retry period (R-HA-1).
    case activePassive
    /// Both nodes serve their own clients at once, over an internal link (R-HA-3).
    case activeActive
}

/// R-HA-2 (assumed): what the new active node knows of the leases at a failover.
public enum HAFailoverLeases: String, Sendable, CaseIterable {
    /// The pair replicates its lease table: the new active node serves every lease on (the default).
    case replicated
    /// The new active node starts with no leases and rebuilds them from the clients' renewals (a renewal
    /// grants the reserved count again; increments are asked for again).
    case rebuilt
}

/// R-HA-2, R-HA-3 (assumed): what a node may lease once the 20-day grace after the pair came apart is over.
public enum HAFallback: String, Sendable, CaseIterable {
    /// Only its own node licenses (the default).
    case ownLicenses
    /// The whole cluster license still.
    case clusterLicense
}

/// R-HA-2, R-HA-3 (assumed): what happens at a rejoin to leases beyond the cluster license.
public enum HARejoin: String, Sendable, CaseIterable {
    /// They run until their holders renew; a renewal gets what the cluster license covers (R-LEASE-11; the default).
    case carryOver
    /// The pair cuts them at once to what it covers, the last lease of its table first, increments before reserved
    /// counts, in whole ILQ, and tells each client (as R-CFG-1's cut).
    case cutAtRejoin
}

/// R-HA-1..3: how highly available pairs behave.
public struct HAPolicy: Sendable, Equatable {
    /// R-HA-1 (assumed): how often the passive node health-checks the active one, and how long the checks must
    /// fail before it takes over the virtual address.
    public var checkInterval: SimDuration = .seconds(10)
    public var retryPeriod: SimDuration = .seconds(60)
    /// R-HA-2, R-HA-3: how long a node may use the whole cluster license once the pair came apart.
    public var grace: SimDuration = .days(20)
    public var failoverLeases = HAFailoverLeases.replicated
    public var fallback = HAFallback.ownLicenses
    public var rejoin = HARejoin.carryOver
    /// R-HA-4: the most latency an active/active pair's internal link may have.
    public static let maxActiveActiveLatency: SimDuration = .milliseconds(100)
    public init() {}
}

/// Two license server nodes that serve as one (R-HA-1..5). Its cluster license is the sum of both nodes'
/// licenses, which may sit on one node only (R-HA-5).
public struct HAPairSpec: Sendable {
    public var id: String
    /// Its two nodes (server indices): the first holds the virtual address at the start.
    public var nodes: [Int]
    public var mode: HAMode
    /// One-way latency of the internal link between the nodes (R-HA-4).
    public var linkLatency: SimDuration = .milliseconds(1)

    public init(id: String, nodes: [Int], mode: HAMode) {
        self.id = id
        self.nodes = nodes
        self.mode = mode
    }
}

/// A node's role in its pair, as the timeline shows it.
public enum HARole: Int8, Sendable {
    /// Not a node of a pair.
    case none = 0
    /// It serves (active/passive: it believes it holds the virtual address; active/active: it runs).
    case active = 1
    /// It runs and stands by (active/passive).
    case passive = 2
    /// It is down.
    case down = 3
}

/// Licenses of one feature counting at a server node, in all and by the platform family they are bound to (R-LIC-6):
/// what a pair's node holds of its own, and what it sees of the other node's while the pair is split (R-HA-3).
public struct LicenseCounts: Sendable, Equatable {
    public var total: Int64 = 0
    /// Bound to each family: perpetual (member license needed) and other (R-LIC-6).
    public var perpetual: [Int64]
    public var other: [Int64]

    public init(families: Int) {
        perpetual = Array(repeating: 0, count: families)
        other = perpetual
    }

    /// A license of `count` starts (positive) or stops counting, bound to `family` or to none.
    public mutating func add(_ count: Int64, family: Int?, perpetual isPerpetual: Bool) {
        total += count
        guard let family else { return }
        if isPerpetual { perpetual[family] += count } else { other[family] += count }
    }

    /// Both counts together.
    public static func + (lhs: LicenseCounts, rhs: LicenseCounts) -> LicenseCounts {
        var sum = lhs
        sum.total += rhs.total
        for family in sum.perpetual.indices {
            sum.perpetual[family] += rhs.perpetual[family]
            sum.other[family] += rhs.other[family]
        }
        return sum
    }
}

/// A pair as the model runs it.
public struct HAPairState: Sendable {
    public var mode: HAMode
    /// Which node (0 or 1) holds the virtual address (active/passive).
    public var holder = 0
    /// Whether each node believes it is active (both may, on the two sides of a split).
    public var active: [Bool]
    /// Whether the nodes run and reach each other: the pair is whole.
    public var joined = true
    /// R-HA-2, R-HA-3: until when a node may use the whole cluster license (`.never` while the pair is whole).
    public var graceEnd = SimInstant.never
    /// The instant the passive node's checks started failing (`.never`: they pass).
    var failingSince = SimInstant.never
    /// R-HA-5: each node's own licenses, by feature (`own[node][feature]`): the cluster license is both together.
    public var own: [[LicenseCounts]] = []
    /// R-HA-3: while the pair is apart, what each node sees of the other's licenses (`seen[node][feature]`): as they
    /// were when the pair came apart, following only their calendar since (a split is a split: a license installed,
    /// removed or switched on at one node changes that node's capacity only, until the nodes rejoin).
    public var seen: [[LicenseCounts]] = []
    /// When the pair last came apart.
    public var apartSince = SimInstant.start
    var failoverTimer: TimerID
    var graceTimer: TimerID
    var graceDayTimer: TimerID

    init(mode: HAMode, failoverTimer: TimerID, graceTimer: TimerID, graceDayTimer: TimerID) {
        self.graceDayTimer = graceDayTimer
        self.mode = mode
        active = [true, mode == .activeActive]
        self.failoverTimer = failoverTimer
        self.graceTimer = graceTimer
    }
}
