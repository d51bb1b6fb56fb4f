import LeaseKernel

/// A snapshot of one entity's state right after it changed, for timelines and "always" checks.
public struct StateRecord: Sendable, Equatable {
    public enum Entity: UInt8, Sendable { case client, server }
    public var time: SimInstant
    public var entity: Entity
    /// Slot index for a client, server-feature index for a server.
    public var index: Int32
    public var feature: Int32
    public var users: Int32 = 0
    public var served: Int32 = 0
    public var reserved: Int32 = 0
    public var incremental: Int32 = 0
    public var deniedLogins: Int64 = 0
    public var installed: Int32 = 0
    public var used: Int32 = 0
    /// For a client: what its server's lease table records it as holding (the server's view).
    public var serverLeased: Int32 = 0

    public init(time: SimInstant, entity: Entity, index: Int32, feature: Int32, users: Int32 = 0, served: Int32 = 0,
                reserved: Int32 = 0, incremental: Int32 = 0, deniedLogins: Int64 = 0, installed: Int32 = 0, used: Int32 = 0,
                serverLeased: Int32 = 0) {
        self.serverLeased = serverLeased
        self.time = time
        self.entity = entity
        self.index = index
        self.feature = feature
        self.users = users
        self.served = served
        self.reserved = reserved
        self.incremental = incremental
        self.deniedLogins = deniedLogins
        self.installed = installed
        self.used = used
    }
}

/// Everything events.csv can say, each with the rule that drove it.
public enum ProtocolEventKind: UInt8, Sendable, CaseIterable {
    case reserveRequest, incrementRequest, renewal, release
    case reserveGrant, incrementGrant, refusal, renewed
    case reclaim, lapse, cut, loginsDenied, notCovered
    case configChange, clientDeleted, pullState, clientStopped, clientStarted
    case licenseStarted, licenseEnded
    case faultStarted, faultEnded, messageDropped, requestTimedOut, requestRetried, requestAbandoned
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
