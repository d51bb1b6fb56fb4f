import LeaseKernel

/// One direction of a link between two endpoints, with the faults acting on it now.
public struct LinkState: Sendable {
    public var from: Endpoint
    public var to: Endpoint
    /// How long a message takes to cross, without faults.
    public var latency: SimDuration
    /// The latest arrival scheduled on the link: a later message never arrives before it (FIFO).
    var lastArrival: SimInstant = .start
    /// Faults acting on the link now, of any kind (0 on the fast path).
    var activeFaults: Int32 = 0
    /// Partitions active now, and the latest to start (the one a drop is put down to).
    public internal(set) var partitions: Int32 = 0
    var partitionFault: Int32 = -1
    /// The loss active now (at most one at a time), in millionths, and its fault.
    public internal(set) var lossPerMillion: Int32 = 0
    var lossFault: Int32 = -1
    /// The link's own random stream for losses, when any loss fault acts on it.
    var lossStream: StreamSlot?
    /// Latency added by faults now (overlapping ones add up), and the latest to start.
    public internal(set) var addedLatency: SimDuration = .zero
    var latencyFault: Int32 = -1

    public init(from: Endpoint, to: Endpoint, latency: SimDuration) {
        self.from = from
        self.to = to
        self.latency = latency
    }
}

/// A place in the network's store of messages in flight.
public struct MessageSlot: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// A link's random stream for losses.
struct StreamSlot: EntityID {
    let index: Int32
    init(index: Int32) { self.index = index }
}

/// What became of a message put on a link.
enum Transit {
    /// It will arrive at this instant; it waits at this place until then. `delayedBy` is the fault whose added
    /// latency it bears, or -1.
    case arrives(MessageSlot, at: SimInstant, delayedBy: Int32)
    /// A fault dropped it at once (a partition, or a loss drawn for it).
    case dropped(fault: Int32)
}

/// The network: directional links, and the messages in flight on them.
///
/// Each client has two links, to its server node and back, numbered `2 * client` and `2 * client + 1`
/// (`link(from:to:)` is the one place that knows). A message crosses its link in the link's latency (plus what
/// faults add), and never arrives before one sent earlier on the same link, so links are FIFO even when latency
/// rises; the kernel's (time, priority, sequence) order keeps messages that arrive at one instant in sending
/// order. Nothing crosses a partitioned link. Messages in flight wait in a table reused through a free list; an
/// event carries only their place. A crash marks the messages in flight to or from the node as dropped.
struct Network {
    static let delivers: Int32 = -1
    static let free: Int32 = -2

    var links: EntityTable<LinkID, LinkState>
    var lossStreams = EntityTable<StreamSlot, RandomStream>()
    var inFlight = EntityTable<MessageSlot, Message>(capacity: 64)
    /// Each place's fate: `delivers`, the fault that dropped it while in flight, or `free`.
    var fate = EntityTable<MessageSlot, Int32>(capacity: 64)
    /// The next place on the free list of each place that is free.
    var nextFree = EntityTable<MessageSlot, Int32>(capacity: 64)
    var firstFree: Int32 = -1

    /// Links for every client: to its server node and back.
    init(clients: EntityTable<ClientID, ClientState>, specs: [ClientSpec]) {
        links = EntityTable(capacity: clients.count * 2)
        for (client, state) in zip(clients.ids, clients) {
            let latency = specs[client.offset].latency
            links.append(LinkState(from: .client(client), to: state.server, latency: latency))
            links.append(LinkState(from: state.server, to: .client(client), latency: latency))
        }
    }

    /// The link a message from `from` to `to` crosses: a client's own link to its server, or back.
    @inline(__always) func link(from: Endpoint, to: Endpoint) -> LinkID {
        if let client = to.client { return LinkID(index: client.index &* 2 &+ 1) }
        guard let client = from.client else { preconditionFailure("no link from \(from) to \(to)") }
        return LinkID(index: client.index &* 2)
    }

    /// The link between two ends, if the fleet has it.
    func link(_ ends: FaultSpec.LinkEnds) -> LinkID? {
        guard ends.from.client != nil || ends.to.client != nil else { return nil }
        let link = link(from: ends.from, to: ends.to)
        guard link.offset < links.count, links[link].from == ends.from, links[link].to == ends.to else { return nil }
        return link
    }

    /// Puts a message on its link: it arrives after the link's latency (FIFO per link), or a fault drops it now.
    @inline(__always) mutating func send(_ message: Message, now: SimInstant) -> Transit {
        let link = link(from: message.from, to: message.to)
        var latency = links[link].latency
        var delayedBy: Int32 = -1
        if links[link].activeFaults > 0 {
            if let fault = impairment(link) { return .dropped(fault: fault) }
            latency = latency + links[link].addedLatency
            delayedBy = links[link].latencyFault
        }
        let arrival = max(now + latency, links[link].lastArrival)
        links[link].lastArrival = arrival
        return .arrives(put(message), at: arrival, delayedBy: delayedBy)
    }

    /// The fault that drops a message on an impaired link now, if one does (a partition, or a loss drawn now).
    mutating func impairment(_ link: LinkID) -> Int32? {
        if links[link].partitions > 0 { return links[link].partitionFault }
        if links[link].lossPerMillion > 0, let stream = links[link].lossStream,
           lossStreams[stream].next(below: 1_000_000) < UInt64(links[link].lossPerMillion) {
            return links[link].lossFault
        }
        return nil
    }

    /// Stores a message until it is delivered; returns its place.
    @inline(__always) mutating func put(_ message: Message) -> MessageSlot {
        if firstFree >= 0 {
            let place = MessageSlot(index: firstFree)
            firstFree = nextFree[place]
            inFlight[place] = message
            fate[place] = Network.delivers
            return place
        }
        nextFree.append(-1)
        fate.append(Network.delivers)
        return inFlight.append(message)
    }

    /// Removes the message at `place`; returns it with the fault that dropped it in flight, if one did.
    @inline(__always) mutating func take(_ place: MessageSlot) -> (Message, droppedBy: Int32) {
        let message = inFlight[place]
        let droppedBy = fate[place]
        fate[place] = Network.free
        nextFree[place] = firstFree
        firstFree = place.index
        return (message, droppedBy)
    }

    /// A node crashed: every message in flight to or from it is lost to `fault`. Complexity: O(places).
    mutating func dropInFlight(touching node: Endpoint, fault: Int32) {
        for place in inFlight.ids where fate[place] == Network.delivers {
            if inFlight[place].from == node || inFlight[place].to == node { fate[place] = fault }
        }
    }

    /// Makes every table this network's own before it changes (copy on write).
    mutating func makeUnique() {
        links.makeUnique()
        lossStreams.makeUnique()
        inFlight.makeUnique()
        fate.makeUnique()
        nextFree.makeUnique()
    }
}
