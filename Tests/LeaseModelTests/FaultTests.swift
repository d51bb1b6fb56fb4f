import Testing
import LeaseKernel
@testable import LeaseModel

/// Faults, the network under them, and how a client behaves when replies do not come.
extension WorldBuilder {
    /// A fault on the links of client `client` and its server (0), both ways or one way.
    mutating func fault(_ effect: FaultSpec.Effect, client: Int, up: Bool = true, down: Bool = true,
                        from: Double, until: Double? = nil) {
        let c = Endpoint.client(ClientID(index: Int32(client))), s = Endpoint.server(ServerID(index: 0))
        var links: [FaultSpec.LinkEnds] = []
        if up { links.append(FaultSpec.LinkEnds(from: c, to: s)) }
        if down { links.append(FaultSpec.LinkEnds(from: s, to: c)) }
        spec.faults.append(FaultSpec(id: "f\(spec.faults.count)", effect: effect, links: links, at: instant(from),
                                     until: until.map(instant) ?? .never))
    }

    /// A crash of a client (or of the server, when `client` is nil).
    mutating func crash(client: Int?, from: Double, until: Double?) {
        let node = client.map { Endpoint.client(ClientID(index: Int32($0))) } ?? .server(ServerID(index: 0))
        spec.faults.append(FaultSpec(id: "f\(spec.faults.count)", effect: .crash, nodes: [node], at: instant(from),
                                     until: until.map(instant) ?? .never))
    }
}

/// An instant `hours` after the start (fractions allowed).
func instant(_ hours: Double) -> SimInstant { .start + .milliseconds(Int64(hours * 3_600_000)) }

extension FleetWorld {
    var events: [ProtocolRecord] { model.records.protocolEvents }
    func times(of kind: ProtocolEventKind) -> [SimInstant] { events.filter { $0.kind == kind }.map(\.time) }
}

/// A request with no answer times out after 30 s and is tried again after 30 s, 1 min and 2 min of backoff, then
/// given up; the logins waiting for it are denied at the first timeout (R-LEASE-8).
@Test func aRequestThatGetsNoReplyIsRetriedWithBackoffThenGivenUp() throws {
    var builder = WorldBuilder(installed: 200, policy: .withoutAutoLeasing) // Retries alone (R-AUTO-3 would answer the timeout).
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 60)])
    builder.fault(.partition, client: 0, from: 1, until: 3)
    var world = builder.world(records: true)
    let state = try world.slot(0, at: 2.5)
    let at = { (seconds: Int64) in SimInstant.start + .hours(2) + .seconds(seconds) }
    #expect(world.times(of: .requestTimedOut) == [at(30), at(90), at(180), at(330)])
    #expect(world.times(of: .requestRetried) == [at(60), at(150), at(300)])       // after waits of 30 s, 1 min, 2 min
    #expect(world.times(of: .requestAbandoned) == [at(330)])
    #expect(world.events.filter { $0.kind == .messageDropped }.count == 4)        // the first try and 3 retries
    #expect(state.deniedLogins == 10)                                             // the 10 who wanted more, at 2 h 30 s
    #expect(world.model.counters.timeouts == 4 && world.model.counters.retries == 3 && world.model.counters.abandoned == 1)
    #expect(world.model.faults[FaultID(index: 0)].messagesDropped == 4)
}

/// Nothing crosses a partition, and a one-way partition drops only its own direction: requests arrive and are
/// granted, replies are lost; the two views of the lease part.
@Test func aOneWayPartitionLosesRepliesWhileRequestsArrive() throws {
    var policy = LeasePolicy.withoutAutoLeasing
    policy.requestRetries = 0
    var builder = WorldBuilder(installed: 200, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 60)])
    builder.fault(.partition, client: 0, up: false, from: 1, until: 3)
    var world = builder.world(records: true)
    let state = try world.slot(0, at: 2.5)
    let dropped = world.events.filter { $0.kind == .messageDropped }
    #expect(dropped.map(\.message) == [.incrementReply])
    #expect(world.used == 75)                            // the server granted the 25
    #expect(world.model.serverLeased(SlotID(index: 0)) == 75)
    #expect(state.held == 50)                            // ... the client never heard
    // The 4 h renewal reply tells the client what the server holds: it takes the 25.
    let renewed = try world.slot(0, at: 4)
    #expect(renewed.held == 75 && renewed.incrementHeld == 25)
}

/// A retry of a request the server already granted gets the same grant again, never a second one.
@Test func aRetriedGrantIsAnsweredAgainNotGrantedTwice() throws {
    var builder = WorldBuilder(installed: 200, policy: .withoutAutoLeasing)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 60)])
    // Replies are lost for the first 45 s after 2 h: the grant's reply and the first retry's.
    builder.fault(.partition, client: 0, up: false, from: 2, until: 2 + 45.0 / 3600)
    var world = builder.world(records: true)
    let state = try world.slot(0, at: 2.1)
    #expect(world.events.filter { $0.kind == .incrementGrant }.count == 2)  // the grant, then the same answer again
    #expect(world.used == 75)                                               // granted once
    #expect(state.incrementHeld == 25)
    #expect(world.model.counters.retries == 1)
}

/// Links are FIFO even when latency rises and falls: a message never overtakes one sent earlier on its link.
@Test func linksStayFIFOWhenAddedLatencyEnds() {
    var clients = EntityTable<ClientID, ClientState>()
    clients.append(ClientState(server: .server(ServerID(index: 0)), slots: EntityIDs(end: 0), leader: ClientID(index: 0), renewalTimer: TimerID(slot: 0),
                               replyTimer: TimerID(slot: 1)))
    var network = Network(clients: clients, specs: [ClientSpec(id: "a", server: 0, latency: .milliseconds(10), allocations: [])])
    let up = network.link(from: .client(ClientID(index: 0)), to: .server(ServerID(index: 0)))
    let message = Message(from: .client(ClientID(index: 0)), to: .server(ServerID(index: 0)), .renewRequest)
    network.links[up].activeFaults = 1
    network.linkFaults[up].addedLatency = .seconds(5)
    let (_, slow) = network.send(message, on: up, now: .start)
    network.links[up].activeFaults = 0
    network.linkFaults[up].addedLatency = .zero
    let (_, fast) = network.send(message, on: up, now: .start + .seconds(1))
    #expect(slow == .start + .milliseconds(5_010))
    #expect(fast == slow)                               // not 1.01 s: it waits behind the slow one
    let (_, later) = network.send(message, on: up, now: .start + .seconds(6))
    #expect(later == .start + .milliseconds(6_010))     // once the slow one is through, latency is back to 10 ms
}

/// Each link draws its losses from its own stream: the same seed drops the same messages, and adding a client
/// does not change what the first client's link loses.
@Test func lossesAreDrawnPerLinkFromTheSeed() throws {
    func drops(clients: Int, seed: UInt64) throws -> [SimInstant] {
        var builder = WorldBuilder(installed: 1_000)
        builder.spec.seed = seed
        for index in 0..<clients {
            builder.client("c\(index)", ruc: 50, ilq: 25, muc: 150, steps: (0..<48).map { (Int64($0), $0 % 2 == 0 ? 40 : 110) })
        }
        for index in 0..<clients { builder.fault(.loss(perMillion: 200_000), client: index, from: 0) }
        var world = builder.world(days: 2, records: true)
        try world.run(until: .start + .days(2))
        return world.events.filter { $0.kind == .messageDropped && $0.client == 0 }.map(\.time)
    }
    let alone = try drops(clients: 1, seed: 9)
    #expect(alone.count > 5)                            // 20% of about a hundred messages
    #expect(try drops(clients: 1, seed: 9) == alone)
    #expect(try drops(clients: 3, seed: 9) == alone)    // the others' links have their own streams
    #expect(try drops(clients: 1, seed: 10) != alone)
}

/// A crashed client holds nothing and drops what reaches it; at restart it boots and asks for its reserved count.
/// A crashed server drops what reaches it, keeps its lease table (by default), and answers again after restart.
@Test func crashesTakeNodesDownAndRestartThem() throws {
    var builder = WorldBuilder(installed: 200, policy: .withoutAutoLeasing)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40)])
    builder.client("b", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (5, 70)])
    builder.crash(client: 0, from: 1, until: 2)
    builder.crash(client: nil, from: 5, until: 6)
    var world = builder.world(records: true)
    let down = try world.slot(0, at: 1.5)
    #expect(down.held == 0 && world.model.capacity(ofSlot: 0) == 0)
    #expect(world.used == 100)                          // the server still counts a's lease (R-LEASE-6: it lapses later)
    let back = try world.slot(0, at: 2)
    #expect(back.held == 50)                            // booted and granted its reserved 50 again
    let duringOutage = try world.slot(1, at: 5.5)
    #expect(duringOutage.held == 50 && duringOutage.deniedLogins == 20)
    #expect(world.used == 100)                          // kept across the crash
    #expect(world.model.faults[FaultID(index: 1)].messagesDropped == 4)
    let after = try world.slot(1, at: 8)
    #expect(after.held == 75)                           // the 8 h renewal's reply: asks again and is granted
}

/// Under `serverRestart: forgetsLeases` a crashed server starts with no leases; renewals bring the reservations back.
@Test func aServerThatForgetsItsLeasesIsRebuiltFromRenewals() throws {
    var policy = LeasePolicy()
    policy.serverRestart = .forgetsLeases
    var builder = WorldBuilder(installed: 200, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60)])
    builder.crash(client: nil, from: 1, until: 2)
    var world = builder.world()
    _ = try world.slot(0, at: 1.5)
    #expect(world.used == 0)
    let renewed = try world.slot(0, at: 4)
    #expect(renewed.held == 75 && world.used == 75)
}

/// Under `clientRestart: keepsLeases` a crashed client keeps its leases: it serves nobody while down, a lease
/// whose expiry passes meanwhile lapses (R-LEASE-6), and at boot it renews what is left at once (R-LEASE-4).
@Test func aClientThatKeepsItsLeasesRenewsThemAsItBoots() throws {
    var policy = LeasePolicy()
    policy.clientRestart = .keepsLeases
    var builder = WorldBuilder(installed: 200, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60)])       // 50 reserved + 25 at the start
    builder.crash(client: 0, from: 1, until: 2)
    builder.crash(client: 0, from: 30, until: 60)                           // down past the 24 h increment's expiry
    var world = builder.world(records: true)
    let down = try world.slot(0, at: 1.5)
    #expect(down.held == 75 && world.model.capacity(ofSlot: 0) == 0)      // kept, but serving nobody
    #expect(down.deniedLogins == 0)                                        // the users were served before the crash
    _ = try world.slot(0, at: 2)
    #expect(world.times(of: .renewal).first == instant(2))                // renewed as it booted, not asked for RUC
    #expect(world.times(of: .reserveRequest).isEmpty)
    let back = try world.slot(0, at: 2.5)
    #expect(back.held == 75 && world.model.capacity(ofSlot: 0) == 75 && world.used == 75)
    let lapsed = try world.slot(0, at: 50)
    #expect(lapsed.incrementHeld == 0 && lapsed.reservedHeld == 50)       // the increment's expiry came while down
    let again = try world.slot(0, at: 61)
    #expect(again.held == 75 && world.used == 75)                           // renewed at 60 h, then asked for more
}

/// A fault that never reaches a message touches nothing, and is counted as such.
@Test func aFaultOnAnIdleLinkTouchesNothing() throws {
    var builder = WorldBuilder(installed: 200)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40)])
    builder.fault(.partition, client: 0, from: 1, until: 1.5)   // no renewal or request falls in it
    var world = builder.world()
    try world.run(until: .start + .days(3))
    #expect(world.model.clientsTouched() == [0])
    #expect(world.model.faults[FaultID(index: 0)].started && world.model.faults[FaultID(index: 0)].ended)
}

/// A message in flight stays 64 bytes (it is copied into and out of the network once per message).
@Test func aMessageInFlightIs64Bytes() {
    #expect(MemoryLayout<Message>.size <= 64)
    #expect(MemoryLayout<Endpoint>.size == 4)
}
