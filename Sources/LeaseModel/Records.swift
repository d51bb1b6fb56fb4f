import LeaseKernel

/// One entity's counts at an instant: a client's feature, a server's feature, or the fleet's feature. What a
/// timeline row shows and what "always"/"never" expectations watch (the output layer's registry of quantities
/// reads these fields); each role fills the fields it has and leaves the others 0.
public struct Levels: Sendable, Equatable {
    public var users: Int64 = 0
    public var served: Int64 = 0
    /// What the client holds while it runs (0 while it is stopped or down).
    public var reserved: Int64 = 0
    public var incremental: Int64 = 0
    /// The leased count: reserved + incremental for a client, the sum over clients for the fleet.
    public var leased: Int64 = 0
    /// What the server's lease table records the client as holding (for the fleet: every server's used count).
    public var serverLeased: Int64 = 0
    public var deniedLogins: Int64 = 0
    public var installed: Int64 = 0
    public var used: Int64 = 0
    /// R-AUTO-3: what the client raised its own lease by while cut off (for the fleet: the sum over clients).
    public var autoLeased: Int64 = 0
    /// R-CLIENT-1: what a client can serve with while it runs: its own installed count plus its leased count, at
    /// most its platform's maximum (0 while it is stopped); for the fleet, the sum over clients.
    public var effective: Int64 = 0
    /// R-AUTO-2: 1 while auto-leasing is enabled: as the client last heard it, or as the server decides it now
    /// (the penalty included).
    public var autoLeasing: Int64 = 0
    /// R-AUTO-6: 1 while the server is in its penalty.
    public var penalty: Int64 = 0
    /// R-AUTO-2: the server's average available count over the window and the threshold it must pass, in
    /// thousandths of a user (the average rounded down; the threshold is exact).
    public var averageAvailableThousandths: Int64 = 0
    public var autoLeaseThresholdThousandths: Int64 = 0
    /// R-LIC-8, R-VLS-1: 1 while the server may lease (a hardware server covered by its license-server license, a
    /// virtual license server in touch with the cloud, any other server always).
    public var licensing: Int64 = 0
    /// R-CLU-3: 1 while the client leads its side of its cluster (0 outside a cluster).
    public var leader: Int64 = 0
    /// R-HA-1..3: a pair node's role (`HARole`: 0 not in a pair, 1 active, 2 passive, 3 down), 1 while its pair is
    /// apart (a split, a failover or a node down), and the whole days of grace left with the cluster license.
    public var haRole: Int64 = 0
    public var split: Int64 = 0
    public var graceDaysLeft: Int64 = 0
    /// R-VLS-1, R-DL-1: 1 while the server's latest heartbeat or download check was answered by the cloud.
    public var cloud: Int64 = 0

    public init() {}

    /// A client's feature.
    public init(users: Int32, served: Int32, reserved: Int32, incremental: Int32, autoLeased: Int32 = 0, serverLeased: Int32,
                deniedLogins: Int64, autoLeasing: Bool = false) {
        self.users = Int64(users)
        self.served = Int64(served)
        self.reserved = Int64(reserved)
        self.incremental = Int64(incremental)
        self.autoLeased = Int64(autoLeased)
        leased = Int64(reserved) + Int64(incremental) + Int64(autoLeased)
        self.serverLeased = Int64(serverLeased)
        self.deniedLogins = deniedLogins
        self.autoLeasing = autoLeasing ? 1 : 0
    }

    /// A client's feature from its slot: what it holds counts only while it runs.
    @inline(__always)
    public init(slot state: SlotState, own: OwnLicensing, isUp up: Bool, serverLeased: Int32, leads: Bool = false) {
        let reserved = up ? state.reservedHeld : 0, incremental = up ? state.incrementHeld : 0
        let autoLeased = up ? state.autoLeased : 0
        let effective = up ? own.effective(held: state.held) : 0 // R-CLIENT-1
        self.init(users: state.users, served: min(state.users, effective), reserved: reserved,
                  incremental: incremental, autoLeased: autoLeased, serverLeased: serverLeased, deniedLogins: state.deniedLogins,
                  autoLeasing: state.autoLeaseHeard)
        installed = Int64(own.installed)
        self.effective = Int64(effective)
        leader = leads ? 1 : 0
    }

    /// A server's feature.
    public init(installed: Int32, used: Int32) {
        self.installed = Int64(installed)
        self.used = Int64(used)
    }

    /// A server's feature from its pool, with its auto-leasing decision (R-AUTO-2, R-AUTO-6).
    public init(pool: ServerFeatureState) {
        self.init(installed: pool.installed, used: pool.used)
        autoLeasing = pool.autoLeasing ? 1 : 0
        penalty = pool.penalty ? 1 : 0
        licensing = pool.licensing ? 1 : 0
        haRole = Int64(pool.haRole.rawValue)
        split = pool.split ? 1 : 0
        graceDaysLeft = Int64(pool.graceDaysLeft)
        cloud = pool.cloudContact ? 1 : 0
        averageAvailableThousandths = pool.averageAvailableThousandths
        autoLeaseThresholdThousandths = pool.autoLeaseThresholdThousandths
    }

    /// The fleet's feature: totals over its clients, installed and used over its servers.
    public init(fleet totals: FeatureTotals, installed: Int64, used: Int64) {
        users = totals.users
        served = totals.served
        leased = totals.leased
        serverLeased = used
        deniedLogins = totals.deniedLogins
        autoLeased = totals.autoLeased
        effective = totals.effective
        self.installed = installed
        self.used = used
    }

    /// Adds (`sign` 1) or takes away (-1) one client's or server's levels in a fleet's (the fleet's installed count
    /// is its servers').
    public mutating func add(_ entity: Levels, sign: Int64, server: Bool) {
        users += sign * entity.users
        served += sign * entity.served
        leased += sign * entity.leased
        deniedLogins += sign * entity.deniedLogins
        autoLeased += sign * entity.autoLeased
        effective += sign * entity.effective
        if server { installed += sign * entity.installed }
        used += sign * entity.used
        serverLeased = used
    }
}

/// A snapshot of one entity's levels right after it changed, for timelines and "always" checks.
public struct StateRecord: Sendable, Equatable {
    public enum Entity: UInt8, Sendable { case client, server }
    public var time: SimInstant
    public var entity: Entity
    /// Slot index for a client, server-feature index for a server.
    public var index: Int32
    public var feature: Int32
    public var levels: Levels

    public init(time: SimInstant, entity: Entity, index: Int32, feature: Int32, levels: Levels) {
        self.time = time
        self.entity = entity
        self.index = index
        self.feature = feature
        self.levels = levels
    }
}

/// Everything events.csv can say, each with the rule that drove it.
public enum ProtocolEventKind: UInt8, Sendable, CaseIterable {
    case reserveRequest, incrementRequest, renewal, release
    case reserveGrant, incrementGrant, refusal, renewed
    case reclaim, lapse, cut, loginsDenied, notCovered
    case configChange, clientDeleted, pullState, clientStopped, clientStarted
    case licenseStarted, licenseEnded, licenseRemoved
    case faultStarted, faultEnded, messageDropped, requestTimedOut, requestRetried, requestAbandoned
    case autoLeaseEnabled, autoLeaseDisabled, autoIncrement, autoLeaseEnded, autoLeaseReport, autoLeaseUsage, reconciled, notReconciled
    case penaltyStarted, penaltyEnded
    case serverLicenseStarted, serverLicenseEnded
    case licenseSurrendered, surrenderRefused, surrenderReceived, surrenderResumed, surrenderExpired
    case licenseRecalled, recallRefused, recallReceived
    case heartbeatMissed, licensingStopped, licensingResumed
    case duplicateAuthorization, restoreGraceEnded, licensesReinstalled
    case downloadChecked, downloadFailed, licenseDownloaded
    case leaderChanged, clusterAffiliation
    case haApart, haFailover, haRejoined, haGraceEnded, haModeChanged

    /// Whether the event's license is one of the client's own (else, with a license, the server's).
    public var isAboutClientLicense: Bool {
        switch self {
        case .licenseSurrendered, .surrenderRefused, .surrenderReceived, .surrenderResumed, .surrenderExpired,
             .licenseRecalled, .recallRefused, .recallReceived: return true
        default: return false
        }
    }
}

/// One protocol message or decision, for events.csv.
public struct ProtocolRecord: Sendable, Equatable {
    public var time: SimInstant
    public var kind: ProtocolEventKind
    public var client: Int32 = -1
    public var server: Int32 = -1
    public var feature: Int32 = -1
    public var count: Int64 = 0
    public var expiry: SimInstant = .never
    public var reason: RefusalReason = .none
    /// The rule ID that drove the event.
    public var rule: StaticString
    /// An index into the server's licenses for license events; unused otherwise.
    public var license: Int32 = -1
    /// The fault behind a fault event or a dropped message (an index into `FleetSpec.faults`); -1 otherwise.
    public var fault: Int32 = -1
    /// The message a drop, a timeout or a retry is about.
    public var message: MessageKind? = nil

    public static func == (lhs: ProtocolRecord, rhs: ProtocolRecord) -> Bool {
        lhs.time == rhs.time && lhs.kind == rhs.kind && lhs.client == rhs.client && lhs.server == rhs.server
            && lhs.feature == rhs.feature && lhs.count == rhs.count && lhs.expiry == rhs.expiry
            && lhs.reason == rhs.reason && lhs.rule.description == rhs.rule.description && lhs.license == rhs.license
            && lhs.fault == rhs.fault && lhs.message == rhs.message
    }
}

/// Records the model appends as it runs, drained by whoever writes output.
public struct ModelLog: Sendable {
    /// Whether state snapshots are recorded.
    public var recordsStates = false
    /// Whether protocol events are recorded.
    public var recordsProtocol = false
    /// State snapshots: one per entity per instant, the state after every event at that instant.
    public var states: [StateRecord] = []
    public var protocolEvents: [ProtocolRecord] = []
    /// Where each entity's latest snapshot is in `states`, so a later change at the same instant replaces it.
    var latestState: [Int] = []

    public init() {}

    /// Sizes the log for `entities` entities (slots, then server features).
    mutating func prepare(entities: Int) {
        latestState = Array(repeating: Int.max, count: entities)
    }

    /// Keeps `state` as the entity's snapshot at its instant, replacing one taken earlier at the same instant.
    mutating func keep(_ state: StateRecord, entity: Int) {
        let latest = latestState[entity]
        if latest < states.count && states[latest].time == state.time && states[latest].entity == state.entity
            && states[latest].index == state.index {
            states[latest] = state
        } else {
            latestState[entity] = states.count
            states.append(state)
        }
    }
}

/// A license installed on a server during the run (`FleetModel.licenseInstalls`).
struct LicenseInstall: Sendable {
    var server: ServerID
    var license: Int32
}
