import LeaseKernel

/// One direction of a link between two endpoints.
public struct LinkState: Sendable {
    public var from: Endpoint
    public var to: Endpoint
    /// How long a message takes to cross.
    public var latency: SimDuration
    /// The latest arrival scheduled on the link: a later message never arrives before it (FIFO).
    var lastArrival: SimInstant = .start

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

/// The network: directional links, and the messages in flight on them.
///
/// Each client has two links, to its server node and back, numbered `2 * client` and `2 * client + 1`
/// (`link(from:to:)` is the one place that knows). A message crosses its link in the link's latency, and
/// never arrives before one sent earlier on the same link, so links are FIFO even when latency changes;
/// the kernel's (time, priority, sequence) order keeps messages that arrive at one instant in sending order.
/// Messages in flight wait in a table reused through a free list; an event carries only their place.
struct Network {
    var links: EntityTable<LinkID, LinkState>
    var inFlight = EntityTable<MessageSlot, Message>(capacity: 64)
    /// The next place on the free list of each place that is free.
    var nextFree = EntityTable<MessageSlot, Int32>(capacity: 64)
    var firstFree: Int32 = -1

    /// Links for every client: to its server node and back.
    init(clients: EntityTable<ClientID, ClientState>, latencies: [SimDuration]) {
        links = EntityTable(capacity: clients.count * 2)
        for (client, state) in zip(clients.ids, clients) {
            let latency = latencies[client.offset]
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

    /// Puts a message on its link; returns its place and when it arrives (FIFO per link).
    @inline(__always) mutating func send(_ message: Message, now: SimInstant) -> (MessageSlot, SimInstant) {
        let link = link(from: message.from, to: message.to)
        let arrival = max(now + links[link].latency, links[link].lastArrival)
        links[link].lastArrival = arrival
        return (put(message), arrival)
    }

    /// Stores a message until it is delivered; returns its place.
    @inline(__always) mutating func put(_ message: Message) -> MessageSlot {
        if firstFree >= 0 {
            let place = MessageSlot(index: firstFree)
            firstFree = nextFree[place]
            inFlight[place] = message
            return place
        }
        nextFree.append(-1)
        return inFlight.append(message)
    }

    /// Removes and returns the message at `place`.
    @inline(__always) mutating func take(_ place: MessageSlot) -> Message {
        let message = inFlight[place]
        nextFree[place] = firstFree
        firstFree = place.index
        return message
    }

    /// Makes every table this network's own before it changes (copy on write).
    mutating func makeUnique() {
        links.makeUnique()
        inFlight.makeUnique()
        nextFree.makeUnique()
    }
}
