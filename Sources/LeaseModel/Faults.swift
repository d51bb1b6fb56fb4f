import LeaseKernel

/// A fault on the schedule: what breaks, where, from when until when.
public struct FaultSpec: Sendable, Equatable {
    public enum Effect: Sendable, Equatable {
        /// Nothing crosses the links (a partition; one-way when only one direction is listed).
        case partition
        /// Each message on the links is lost with probability `perMillion` / 1,000,000, drawn from the link's own stream.
        case loss(perMillion: Int32)
        /// The links take this much longer (a message still never overtakes an earlier one on its link).
        case addedLatency(SimDuration)
        /// The nodes are down: they send, receive and serve nothing; messages in flight to or from them are lost.
        case crash
    }

    /// One direction of a link, by its two ends.
    public struct LinkEnds: Sendable, Equatable, Hashable {
        public var from: Endpoint
        public var to: Endpoint
        public init(from: Endpoint, to: Endpoint) {
            self.from = from
            self.to = to
        }
    }

    /// The fault's name in outputs (given, or `fault-N` by position).
    public var id: String
    public var effect: Effect
    /// The links a partition, a loss or an added latency acts on.
    public var links: [LinkEnds]
    /// The clients and server nodes a crash takes down.
    public var nodes: [Endpoint]
    public var at: SimInstant
    /// When the fault ends (a crashed node boots again); `.never` when it lasts past the run.
    public var until: SimInstant
    /// Where the fault acts as the scenario names it (ids, groups or patterns), to write it back in its syntax.
    public var placement = Placement.none
    /// Whether the fault was drawn from the scenario's `randomFaults` rather than written in it.
    public var drawn = false

    /// The ends a scenario names: both ways `between` two, one way `from` one `to` another, or the `node` that crashes.
    public enum Placement: Sendable, Equatable {
        case none
        case between(String, String)
        case oneWay(from: String, to: String)
        case node(String)
    }

    public init(id: String, effect: Effect, links: [LinkEnds] = [], nodes: [Endpoint] = [], at: SimInstant, until: SimInstant) {
        self.id = id
        self.effect = effect
        self.links = links
        self.nodes = nodes
        self.at = at
        self.until = until
    }
}

/// What a fault did, counted as the run goes.
public struct FaultState: Sendable {
    /// Messages the fault dropped.
    public var messagesDropped: Int64 = 0
    /// Messages that crossed a link while the fault added latency to it.
    public var messagesDelayed: Int64 = 0
    /// Clients the fault took down.
    public var clientsCrashed: Int64 = 0
    public var started = false
    public var ended = false
}

/// A fault's effect reached a client: one of its messages dropped or delayed, or the client crashed. Kept as
/// pairs, deduplicated at the end (`FleetModel.clientsTouched(byFault:)`).
struct FaultTouch: Comparable {
    var fault: Int32
    var client: Int32
    static func < (lhs: FaultTouch, rhs: FaultTouch) -> Bool { (lhs.fault, lhs.client) < (rhs.fault, rhs.client) }
}
