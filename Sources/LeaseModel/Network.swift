import LeaseKernel

/// One direction of a link: what every message on it reads (kept small: two per client, read per message).
public struct LinkState: Sendable {
    /// How long a message takes to cross, without faults.
    public var latency: SimDuration
    /// The latest arrival scheduled on the link: a later message never arrives before it (FIFO).
    var lastArrival: SimInstant = .start
    /// Faults acting on the link now, of any kind (0 on the fast path; then `LinkFaults` is not read).
    public internal(set) var activeFaults: Int32 = 0

    public init(latency: SimDuration) { self.latency = latency }
}

/// The faults acting on one direction of a link now.
public struct LinkFaults: Sendable {
    /// Latency added by faults (overlapping ones add up), and the latest to start.
    public internal(set) var addedLatency: SimDuration = .zero
    var latencyFault: Int32 = -1
    /// Partitions active, and the latest to start (the one a drop is put down to).
    public internal(set) var partitions: Int32 = 0
    var partitionFault: Int32 = -1
    /// The loss active (at most one at a time), in millionths, and its fault.
    public internal(set) var lossPerMillion: Int32 = 0
    var lossFault: Int32 = -1
    /// The link's own random stream for losses, when any loss fault acts on it.
    var lossStream: StreamSlot?

    public init() {}
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

/// The network: directional links, and the messages in flight on them.
///
/// Each client has two links, to its server node and back, numbered `2 * client` and `2 * client + 1`; after
/// them each virtual license server has two, to the vendor's cloud and back (R-VLS-1) (`link(from:to:)` is the
/// one place that knows). A message crosses its link in the link's latency (plus what
/// faults add), and never arrives before one sent earlier on the same link, so links are FIFO even when latency
/// rises; the kernel's (time, priority, sequence) order keeps messages that arrive at one instant in sending
/// order. Nothing crosses a partitioned link. Messages in flight wait in a table reused through a free list; an
/// event carries only their place. A crash marks the messages in flight to or from the node as dropped.
struct Network {
    static let delivers: Int32 = -1

    var links: EntityTable<LinkID, LinkState>
    var linkFaults: EntityTable<LinkID, LinkFaults>
    var lossStreams = EntityTable<StreamSlot, RandomStream>()
    var inFlight = EntityTable<MessageSlot, Message>(capacity: 64)
    /// The fault that dropped the message at each place while in flight, or `delivers`; read only while
    /// `droppedInFlight` is above zero (after a crash), so a fault-free delivery never touches it.
    var fate = EntityTable<MessageSlot, Int32>(capacity: 64)
    /// Messages marked in `fate` as dropped and not yet taken.
    var droppedInFlight = 0
    /// The next place on the free list of each place that is free.
    var nextFree = EntityTable<MessageSlot, Int32>(capacity: 64)
    var firstFree: Int32 = -1

    /// Links for every client: to its server node and back; then for every virtual license server (`vls`): to the
    /// cloud and back, with the cloud's latency.
    init(clients: EntityTable<ClientID, ClientState>, specs: [ClientSpec], servers: [ServerSpec] = [],
         cloudLatency: SimDuration = .zero, clusters: [ClusterSpec] = [], pairs: [HAPairSpec] = []) {
        links = EntityTable(capacity: clients.count * 2)
        for client in clients.ids {
            links.append(LinkState(latency: specs[client.offset].latency))
            links.append(LinkState(latency: specs[client.offset].latency))
        }
        self.clients = clients.map(\.server)
        cloudLinks = Int32(links.count)
        var cloudServers: [Int32] = [], cloudLink = [Int32](repeating: -1, count: servers.count)
        for (index, server) in servers.enumerated() where server.reachesCloud {
            cloudLink[index] = Int32(links.count)
            cloudServers.append(Int32(index))
            links.append(LinkState(latency: cloudLatency))
            links.append(LinkState(latency: cloudLatency))
        }
        (self.cloudServers, self.cloudLink) = (cloudServers, cloudLink)
        // R-CLU-3: between every two members of a cluster, both ways (by ranks; a member's link to itself is unused).
        memberLinks = Int32(links.count)
        var firstMemberLink: [Int32] = [], memberOf = [Int32](repeating: -1, count: clients.count)
        var memberRank = [Int32](repeating: 0, count: clients.count)
        for (index, cluster) in clusters.enumerated() {
            firstMemberLink.append(Int32(links.count))
            for (rank, member) in cluster.members.enumerated() { (memberOf[member], memberRank[member]) = (Int32(index), Int32(rank)) }
            for _ in 0..<cluster.members.count * cluster.members.count { links.append(LinkState(latency: .zero)) }
        }
        (self.firstMemberLink, self.memberOf, self.memberRank) = (firstMemberLink, memberOf, memberRank)
        clusterMembers = clusters.map { $0.members.map { ClientID(index: Int32($0)) } }
        // R-HA-1, R-HA-3: each pair's internal link, both ways (only partitions act on it: no message crosses it).
        pairLinks = Int32(links.count)
        pairNodes = pairs.map { [ServerID(index: Int32($0.nodes[0])), ServerID(index: Int32($0.nodes[1]))] }
        for pair in pairs { for _ in 0..<2 { links.append(LinkState(latency: pair.linkLatency)) } }
        linkFaults = EntityTable(repeating: LinkFaults(), count: links.count)
    }

    /// Each client's server, for the ends of its links.
    let clients: [Endpoint]
    /// R-VLS-1: the first link to or from the cloud; the servers with cloud links, in link order; each server's
    /// link to the cloud (the one back follows it), or -1.
    let cloudLinks: Int32
    let cloudServers: [Int32]
    let cloudLink: [Int32]
    /// R-CLU-3: the first link between cluster members; each cluster's first such link; each client's cluster (or
    /// -1) and rank; each cluster's members by rank. Only partitions act on these links: no message crosses them.
    let memberLinks: Int32
    let firstMemberLink: [Int32]
    let memberOf: [Int32]
    let memberRank: [Int32]
    let clusterMembers: [[ClientID]]
    /// R-HA-1: the first of the pairs' internal links (two per pair: from its first node to its second, and back).
    let pairLinks: Int32
    let pairNodes: [[ServerID]]

    /// R-HA-1: a pair's internal link from its first node to its second (the one back follows it).
    func pairLink(_ pair: Int) -> LinkID { LinkID(index: pairLinks + Int32(pair) * 2) }

    /// R-CLU-3: the link from one member of a cluster to another.
    func memberLink(from: ClientID, to: ClientID) -> LinkID {
        let cluster = Int(memberOf[from.offset])
        precondition(cluster >= 0 && memberOf[to.offset] == Int32(cluster), "\(from) and \(to) are not members of one cluster")
        let count = Int32(clusterMembers[cluster].count)
        return LinkID(index: firstMemberLink[cluster] + memberRank[from.offset] * count + memberRank[to.offset])
    }

    /// R-CLU-3: whether two running members reach each other: no partition on the link either way.
    func membersConnected(_ a: ClientID, _ b: ClientID) -> Bool {
        a == b || (linkFaults[memberLink(from: a, to: b)].partitions == 0 && linkFaults[memberLink(from: b, to: a)].partitions == 0)
    }

    /// The two ends of a link.
    func ends(of link: LinkID) -> FaultSpec.LinkEnds {
        if link.index >= pairLinks {
            let nodes = pairNodes[Int((link.index - pairLinks) / 2)], way = Int((link.index - pairLinks) % 2)
            return FaultSpec.LinkEnds(from: .server(nodes[way]), to: .server(nodes[1 - way]))
        }
        if link.index >= memberLinks {
            let cluster = firstMemberLink.lastIndex { $0 <= link.index }!
            let count = Int32(clusterMembers[cluster].count), offset = link.index - firstMemberLink[cluster]
            return FaultSpec.LinkEnds(from: .client(clusterMembers[cluster][Int(offset / count)]),
                                      to: .client(clusterMembers[cluster][Int(offset % count)]))
        }
        if link.index >= cloudLinks {
            let server = Endpoint.server(ServerID(index: cloudServers[Int((link.index - cloudLinks) / 2)]))
            return link.index % 2 == 0 ? FaultSpec.LinkEnds(from: server, to: .cloud) : FaultSpec.LinkEnds(from: .cloud, to: server)
        }
        let client = Endpoint.client(ClientID(index: link.index / 2)), server = clients[Int(link.index / 2)]
        return link.index % 2 == 0 ? FaultSpec.LinkEnds(from: client, to: server) : FaultSpec.LinkEnds(from: server, to: client)
    }

    /// The link a message from `from` to `to` crosses: a client's own link to its server, or back; a server's
    /// link to the cloud, or back.
    @inline(__always) func link(from: Endpoint, to: Endpoint) -> LinkID {
        if let client = to.client { return Network.link(to: client) }
        if let client = from.client { return Network.link(from: client) }
        if let server = from.server, to.kind == .cloud, cloudLink[Int(server.index)] >= 0 { return LinkID(index: cloudLink[Int(server.index)]) }
        if let server = to.server, from.kind == .cloud, cloudLink[Int(server.index)] >= 0 { return LinkID(index: cloudLink[Int(server.index)] + 1) }
        preconditionFailure("no link from \(from) to \(to)")
    }

    /// A client's link to its server.
    @inline(__always) static func link(from client: ClientID) -> LinkID { LinkID(index: client.index &* 2) }
    /// A client's link from its server.
    @inline(__always) static func link(to client: ClientID) -> LinkID { LinkID(index: client.index &* 2 &+ 1) }

    /// The link between two ends, if the fleet has it.
    func link(_ ends: FaultSpec.LinkEnds) -> LinkID? {
        if let from = ends.from.server, let to = ends.to.server {
            guard let pair = pairNodes.firstIndex(where: { $0 == [from, to] || $0 == [to, from] }) else { return nil }
            return LinkID(index: pairLinks + Int32(pair) * 2 + (pairNodes[pair][0] == from ? 0 : 1))
        }
        if let from = ends.from.client, let to = ends.to.client {
            guard from != to, memberOf[from.offset] >= 0, memberOf[from.offset] == memberOf[to.offset] else { return nil }
            return memberLink(from: from, to: to)
        }
        let cloud = (ends.from.kind == .cloud ? ends.to.server : ends.to.kind == .cloud ? ends.from.server : nil)
            .map { cloudLink[Int($0.index)] >= 0 } ?? false
        guard ends.from.client != nil || ends.to.client != nil || cloud else { return nil }
        let link = link(from: ends.from, to: ends.to)
        guard link.offset < links.count, self.ends(of: link) == ends else { return nil }
        return link
    }

    /// Puts a message on its link; returns its place and when it arrives (see `arrival(on:now:)`). Faults that
    /// drop are the caller's to check first (`impairment`).
    mutating func send(_ message: Message, on link: LinkID, now: SimInstant) -> (MessageSlot, SimInstant) {
        (put(message), arrival(on: link, now: now))
    }

    /// When a message put on `link` now arrives: after the link's latency and what faults add, never before a
    /// message sent earlier on the link (FIFO).
    @inline(__always) mutating func arrival(on link: LinkID, now: SimInstant) -> SimInstant {
        var latency = links[link].latency
        if links[link].activeFaults > 0 {
            precondition(linkFaults[link].partitions == 0, "a message put on \(link) across a partition")
            latency = latency + linkFaults[link].addedLatency
        }
        let arrival = max(now + latency, links[link].lastArrival)
        links[link].lastArrival = arrival
        return arrival
    }

    /// The fault that drops a message on an impaired link now, if one does (a partition, or a loss drawn now).
    mutating func impairment(_ link: LinkID) -> Int32? {
        let faults = linkFaults[link]
        if faults.partitions > 0 { return faults.partitionFault }
        if faults.lossPerMillion > 0, let stream = faults.lossStream,
           lossStreams[stream].next(below: 1_000_000) < UInt64(faults.lossPerMillion) {
            return faults.lossFault
        }
        return nil
    }

    /// Stores a message until it is delivered; returns its place. The message is written straight into its
    /// place (growing the table is out of line), so it is never staged on the stack and copied.
    @inline(__always) mutating func put(_ message: Message) -> MessageSlot {
        let place: MessageSlot
        if firstFree >= 0 {
            place = MessageSlot(index: firstFree)
            firstFree = nextFree[place]
        } else {
            place = addPlace()
        }
        inFlight[place] = message
        return place
    }

    /// A new place for a message, at the end of the table.
    @inline(never) mutating func addPlace() -> MessageSlot {
        nextFree.append(-1)
        fate.append(Network.delivers)
        return inFlight.append(Message(from: .client(ClientID(index: 0)), to: .client(ClientID(index: 0)), .renewRequest))
    }

    /// Removes the message at `place`; returns it with the fault that dropped it in flight, if one did.
    @inline(__always) mutating func take(_ place: MessageSlot) -> (Message, droppedBy: Int32) {
        let taken = (inFlight[place], fate(of: place))
        free(place)
        return taken
    }

    /// The fault that dropped the message at `place` in flight, or `delivers`.
    @inline(__always) func fate(of place: MessageSlot) -> Int32 {
        droppedInFlight > 0 ? fate[place] : Network.delivers
    }

    /// Frees a place whose message was delivered or dropped (a message is read in place, then freed).
    @inline(__always) mutating func free(_ place: MessageSlot) {
        if droppedInFlight > 0 && fate[place] != Network.delivers {
            fate[place] = Network.delivers
            droppedInFlight -= 1
        }
        nextFree[place] = firstFree
        firstFree = place.index
    }

    /// A node crashed: every message in flight to or from it is lost to `fault`, and every one it carried for the
    /// members of its cluster side (R-CLU-1). Complexity: O(places).
    mutating func dropInFlight(touching node: Endpoint, fault: Int32) {
        let cluster = node.client.map { memberOf[$0.offset] } ?? -1, rank = node.client.map { memberRank[$0.offset] } ?? 0
        var free = [Bool](repeating: false, count: inFlight.count)
        var next = firstFree
        while next >= 0 {
            free[Int(next)] = true
            next = nextFree[MessageSlot(index: next)]
        }
        for place in inFlight.ids where !free[place.offset] && fate[place] == Network.delivers {
            let message = inFlight[place], member = message.from.client ?? message.to.client
            let carried = cluster >= 0 && member.map { memberOf[$0.offset] == cluster } == true && Int32(message.relayRank) == rank
            if message.from == node || message.to == node || carried {
                fate[place] = fault
                droppedInFlight += 1
            }
        }
    }

    /// Makes every table this network's own before it changes (copy on write).
    mutating func makeUnique() {
        links.makeUnique()
        linkFaults.makeUnique()
        lossStreams.makeUnique()
        inFlight.makeUnique()
        fate.makeUnique()
        nextFree.makeUnique()
    }
}
