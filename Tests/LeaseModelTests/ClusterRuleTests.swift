import Testing
import LeaseKernel
@testable import LeaseModel

/// Clustered clients: one lease leader asks, renews and auto-leases for its side (R-CLU-1..3, R-AUTO-8, R-SUR-4).

/// A server with `installed`; the listed members (RUC/ILQ/MUC and step demand) form cluster "gw", in that name order.
private func clusterWorld(installed: Int32 = 1000, policy: LeasePolicy = .withoutAutoLeasing,
                          members: [(ruc: Int32, ilq: Int32, muc: Int32, steps: [(Int64, Int32)])],
                          configure: (inout WorldBuilder) -> Void = { _ in }, days: Int64 = 2) -> FleetWorld {
    var builder = WorldBuilder(installed: installed, policy: policy)
    for (index, member) in members.enumerated() {
        builder.client("node-\(index + 1)", ruc: member.ruc, ilq: member.ilq, muc: member.muc, steps: member.steps,
                       latency: .milliseconds(20))
    }
    builder.spec.clusters = [ClusterSpec(id: "gw", members: Array(members.indices))]
    configure(&builder)
    return builder.world(days: days, records: true)
}

private extension FleetWorld {
    var leaders: [Int32] { model.records.protocolEvents.filter { $0.kind == .leaderChanged }.map(\.client) }
    func requests(_ client: Int32) -> [Int64] {
        model.records.protocolEvents.filter { $0.kind == .incrementRequest && $0.client == client }.map(\.count)
    }
}

/// A partition between two members, both ways.
private func cut(_ builder: inout WorldBuilder, _ a: Int, _ b: Int, from: Double, until: Double) {
    let (ea, eb) = (Endpoint.client(ClientID(index: Int32(a))), Endpoint.client(ClientID(index: Int32(b))))
    builder.spec.faults.append(FaultSpec(id: "split", effect: .partition, links: [FaultSpec.LinkEnds(from: ea, to: eb),
                                                                               FaultSpec.LinkEnds(from: eb, to: ea)],
                                         at: instant(from), until: instant(until)))
}

/// R-CLU-2, the guide's example (two nodes 50/10/100, which R-ALLOC-3 alone would reject): the first lease is
/// 50 + 50 = 100, each increment 10 + 10 = 20, up to 100 + 100 = 200; the side serves its users together.
@Test func rClu2TheGuidesTwoNodesLeaseOneHundredThenStepsOfTwentyUpToTwoHundred() throws {
    var world = clusterWorld(members: [(50, 10, 100, [(0, 40), (1, 90), (2, 150), (3, 220)]), (50, 10, 100, [(0, 40)])])
    _ = try world.slot(0, at: 0.5)
    #expect(world.used == 100)
    let at1 = try world.slot(0, at: 1.5)
    #expect(world.used == 140 && at1.held == 70 && world.model.capacity(ofSlot: 0) == 90)   // 90 + 40 users, 140 held
    _ = try world.slot(0, at: 2.5)
    #expect(world.used == 200 && world.requests(0) == [10, 10, 10, 10, 10] && world.requests(1) == [10, 10, 10, 10, 10])
    let at3 = try world.slot(0, at: 3.5)
    #expect(world.used == 200 && at3.deniedLogins == 60)                                   // 260 users, 200 = ΣMUC
    #expect(world.requests(0).count == 5 && world.requests(1).count == 5)                   // no member can grow
    // R-CLU-3: the server learns each member's cluster from its first message (the increments at 1 h).
    let reported = world.events.filter { $0.kind == .clusterAffiliation }
    #expect(reported.map(\.client) == [0, 1] && reported.allSatisfy { $0.time == instant(1) + .milliseconds(20) && $0.count == 0 })
}

/// R-CLU-2 with nodes of their own (50/10/100 and 20/30/80): each increment is the sum of the ILQ of the members
/// still a whole ILQ below their MUC: 40, 40, then 10 at a time; the cluster never holds more than 180.
@Test func rClu2HeterogeneousMembersStepByTheIlqOfThoseBelowTheirMuc() throws {
    var world = clusterWorld(members: [(50, 10, 100, [(0, 0), (1, 250)]), (20, 30, 80, [(0, 0)])])
    let before = try world.slot(0, at: 0.5)
    #expect(world.used == 70 && before.held == 50)
    let full = try world.slot(0, at: 1.5)
    #expect(world.used == 180 && full.held == 100 && world.model.slotStates[1].held == 80)
    #expect(world.requests(0) == [10, 10, 10, 10, 10] && world.requests(1) == [30, 30])
    #expect(world.model.capacity(ofSlot: 0) == 180 && full.deniedLogins == 70)              // node-2 lends its 80
}

/// R-CLU-1, R-LEASE-1b: asking for every quantum needed at once, one round of the side covers the shortfall.
@Test func rClu1OneRequestPerMemberWhenEveryQuantumIsAskedAtOnce() throws {
    var policy = LeasePolicy.withoutAutoLeasing
    policy.quantaPerRequest = .needed
    var world = clusterWorld(policy: policy, members: [(50, 10, 100, [(0, 40), (1, 130)]), (50, 10, 100, [(0, 40)])])
    _ = try world.slot(0, at: 1.5)
    #expect(world.used == 180 && world.requests(0) == [40] && world.requests(1) == [40])   // 170 users: 4 rounds of 20
}

/// R-CLU-3: the leader crashes: the lowest-named running member leads at once, the leases carry over (each
/// member keeps its own), and the side goes on asking through it. By default the leader keeps the lead when the
/// old one returns; under `lowestNamed` the lowest-named member takes it back.
@Test(arguments: [LeaderElection.sticky, .lowestNamed])
func rClu3ANewLeaderTakesOverAtOnceWhenTheLeaderFails(_ election: LeaderElection) throws {
    var policy = LeasePolicy.withoutAutoLeasing
    policy.cluster.leader = election
    var world = clusterWorld(policy: policy, members: [(50, 10, 100, [(0, 10)]), (50, 10, 100, [(0, 10), (3, 120)]),
                                                       (50, 10, 100, [(0, 10)])],
                             configure: { $0.crash(client: 0, from: 2, until: 5) })
    _ = try world.slot(1, at: 2.5)
    #expect(world.leaders == [1] && world.model.records.protocolEvents.first { $0.kind == .leaderChanged }?.count == 2)
    #expect(world.events.first { $0.kind == .leaderChanged }?.time == instant(2))
    let grown = try world.slot(1, at: 3.5)
    #expect(grown.held == 70 && world.model.slotStates[2].held == 70 && world.model.capacity(ofSlot: 1) == 120)
    _ = try world.slot(1, at: 5.5)
    #expect(world.leaders == (election == .sticky ? [1] : [1, 0]))
}

/// R-CLU-3: a partition between members splits the cluster: each side leads itself, asks for itself and pools
/// only its own members; when it heals, the sides join under the lower-named leader.
@Test func rClu3ASplitClusterLeadsEachSideApart() throws {
    var world = clusterWorld(members: [(50, 10, 100, [(0, 10)]), (50, 10, 100, [(0, 10), (2, 90)])],
                             configure: { cut(&$0, 0, 1, from: 1, until: 4) })
    let split = try world.slot(1, at: 2.5)
    #expect(world.leaders == [1] && split.held == 90 && world.model.slotStates[0].held == 50)   // node-2 asks alone
    #expect(world.model.capacity(ofSlot: 1) == 90)
    _ = try world.slot(1, at: 4.5)
    #expect(world.leaders == [1] && world.model.capacity(ofSlot: 1) == 90)
    #expect(world.model.records.protocolEvents.filter { $0.kind == .leaderChanged }.count == 1)
}

/// R-AUTO-8: a cluster cut off from its server: at the timeout its leader raises the lease of every member it asked
/// for, by the rounds of ILQ the side's users need.
@Test func rAuto8TheLeaderAutoLeasesForEveryConnectedMember() throws {
    var world = clusterWorld(policy: LeasePolicy(), members: [(50, 10, 100, [(0, 10), (2, 130)]), (50, 10, 100, [(0, 10)])],
                             configure: { builder in
                                 builder.fault(.partition, client: 0, from: 1, until: 30)
                                 builder.fault(.partition, client: 1, from: 1, until: 30)
                             })
    _ = try world.slot(0, at: 2.5)
    let raised = world.records(.autoIncrement)
    #expect(raised.map(\.client) == [0, 1] && raised.map(\.count) == [20, 20] && raised.allSatisfy { $0.rule.description == "R-AUTO-8" })
    #expect(raised.map(\.time) == [instant(2) + .seconds(30), instant(2) + .seconds(30)])
    #expect(world.model.capacity(ofSlot: 0) == 130)                                          // 140 held for 140 users
}

/// R-SUR-4, R-LIC-6: each node surrenders its own licenses, and only while every member has a member license.
@Test func rSur4EachNodeSurrendersItsOwnWithAMemberLicenseOnEveryMember() throws {
    func world(memberOnSecond: Bool) -> FleetWorld {
        clusterWorld(members: [(10, 10, 20, [(0, 10)]), (10, 10, 20, [(0, 10)])], configure: { builder in
            builder.spec.platforms = ["PSA"]
            builder.spec.clients[0].licenses = [License(sku: "CONSEC-ADD-200U", feature: 0, kind: .perpetual, count: 200)]
            for client in 0..<2 { builder.spec.clients[client].platform = 0 }
            builder.spec.clients[0].memberLicense = "PSA-LICENSE-MBR"
            builder.spec.clients[1].memberLicense = memberOnSecond ? "PSA-LICENSE-MBR" : nil
            builder.spec.actions = [ActionSpec(at: instant(1), change: .surrenderLicense(client: 0, license: 0))]
        })
    }
    var refused = world(memberOnSecond: false)
    _ = try refused.slot(0, at: 2)
    #expect(refused.records(.surrenderRefused).map(\.reason) == [.noMemberLicense])
    #expect(refused.model.spec.platformClass(ofClient: 0) == PlatformClass(family: 0, member: false))
    var surrendered = world(memberOnSecond: true)
    _ = try surrendered.slot(0, at: 2)
    #expect(surrendered.records(.licenseSurrendered).map(\.client) == [0] && surrendered.model.serverFeatureStates[0].installed == 1200)
}

/// R-SUR-4: there is no surrender leader: each member sends its own surrender notices over its own link. node-2
/// surrenders its 200 at 1 h; the leader node-1 is cut off from the server from 2 h for 12 days. node-2's notices
/// still arrive every 4 h, so its license keeps counting at the server (no `surrender_expired`), while node-1's
/// renewals for the side are lost.
@Test func rSur4AMembersSurrenderDoesNotGoThroughTheLeader() throws {
    var world = clusterWorld(members: [(10, 10, 20, [(0, 10)]), (10, 10, 20, [(0, 10)])], configure: { builder in
        builder.spec.platforms = ["PSA"]
        builder.spec.clients[1].licenses = [License(sku: "CONSEC-ADD-200U", feature: 0, kind: .perpetual, count: 200)]
        for client in 0..<2 {
            builder.spec.clients[client].platform = 0
            builder.spec.clients[client].memberLicense = "PSA-LICENSE-MBR"
        }
        builder.spec.actions = [ActionSpec(at: instant(1), change: .surrenderLicense(client: 1, license: 0))]
        builder.fault(.partition, client: 0, from: 2, until: 2 + 12 * 24)
    }, days: 14)
    _ = try world.slot(1, at: 13 * 24)
    #expect(world.records(.surrenderReceived).map(\.time) == [instant(1) + .milliseconds(20)])
    #expect(world.records(.surrenderExpired).isEmpty && world.model.serverFeatureStates[0].installed == 1200)
    #expect(world.model.surrenders[0].expiresAt == instant(13 * 24 - 3) + .milliseconds(20) + .days(10)) // the 13 d - 3 h notice
    #expect(world.records(.messageDropped).contains { $0.client == 1 && $0.message == .renewRequest })
}
