import Testing
import LeaseKernel
@testable import LeaseModel

/// Highly available pairs: failover, grace and fallback, splits and rejoins (R-HA-1..5).

/// Nodes ls-a (`own.0`) and ls-b (`own.1`) form pair "ls-ha"; gw-a's home is ls-a, gw-b's ls-b, each with RUC 100,
/// ILQ 40, MUC 500 and constant users.
private func pairBuilder(_ mode: HAMode, own: (Int32, Int32) = (500, 300), users: (Int32, Int32) = (300, 380),
                         policy: LeasePolicy = .withoutAutoLeasing) -> WorldBuilder {
    var builder = WorldBuilder(installed: own.0, policy: policy)
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: [License(sku: "PERP-B", feature: 0, kind: .perpetual, count: own.1)]))
    builder.client("gw-a", ruc: 100, ilq: 40, muc: 500, steps: [(0, users.0)], latency: .milliseconds(20))
    builder.client("gw-b", ruc: 100, ilq: 40, muc: 500, steps: [(0, users.1)], latency: .milliseconds(20))
    builder.spec.clients[1].server = 1
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: mode)]
    return builder
}

private func pairWorld(_ mode: HAMode, own: (Int32, Int32) = (500, 300), users: (Int32, Int32) = (300, 380),
                       policy: LeasePolicy = .withoutAutoLeasing, faults: [FaultSpec] = [], actions: [ActionSpec] = [],
                       days: Int64 = 30) -> FleetWorld {
    var builder = pairBuilder(mode, own: own, users: users, policy: policy)
    builder.spec.faults = faults
    builder.spec.actions = actions
    return builder.world(days: days, records: true)
}

private let (a, b) = (Endpoint.server(ServerID(index: 0)), Endpoint.server(ServerID(index: 1)))
private func cut(from: Double, hours: Double) -> FaultSpec {
    FaultSpec(id: "cut", effect: .partition, links: [FaultSpec.LinkEnds(from: a, to: b), FaultSpec.LinkEnds(from: b, to: a)],
              at: instant(from), until: instant(from + hours))
}
private func crash(_ node: Endpoint, from: Double, hours: Double) -> FaultSpec {
    FaultSpec(id: "crash", effect: .crash, nodes: [node], at: instant(from), until: instant(from + hours))
}

private extension FleetWorld {
    func pool(_ server: Int) -> ServerFeatureState { model.serverFeatureStates[server] }
}

/// R-HA-3, R-HA-5: whole, the pair leases its cluster license (500 + 300) from one pool; split, each node may lease
/// the whole 800 for 20 days, then its own: gw-b (380 users behind the 300 node) renews only 300 from then.
@Test func rHa3ASplitKeepsTheClusterLicenseForTwentyDaysThenEachNodeItsOwn() throws {
    var world = pairWorld(.activeActive, faults: [cut(from: 33, hours: 25 * 24)])
    let whole = try world.slot(1, at: 32)
    #expect(world.pool(0).installed == 800 && world.pool(1).installed == 0 && world.pool(0).used == 680 && whole.held == 380)
    _ = try world.slot(1, at: 34)
    #expect(world.pool(0).installed == 800 && world.pool(1).installed == 800 && world.pool(1).used == 380 && world.pool(1).graceDaysLeft == 20)
    #expect(world.records(.haApart).map(\.expiry) == [instant(33 + 20 * 24)])
    let fallen = try world.slot(1, at: 33 + 20 * 24 + 4)
    #expect(world.pool(1).installed == 300 && world.pool(0).installed == 500 && fallen.held == 300 && fallen.users == 380)
    #expect(world.records(.notCovered).map(\.count) == [80])
    _ = try world.slot(1, at: 33 + 25 * 24 + 0.5)
    #expect(world.pool(0).installed == 800 && world.pool(1).installed == 0 && world.records(.haRejoined).count == 1)
}

/// R-HA-3 (`rejoin: cutAtRejoin`): during the split gw-a grows to 500 (within the whole 800 of its grace) while
/// gw-b holds 380; at the rejoin the pair holds 880 of 800: it cuts gw-b, the last lease, by two ILQ (80) at once.
@Test func rHa3AtARejoinThePairCutsWhatItLeasesBeyondTheClusterLicense() throws {
    var policy = LeasePolicy.withoutAutoLeasing
    policy.ha.rejoin = .cutAtRejoin
    var builder = WorldBuilder(installed: 500, policy: policy)
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: [License(sku: "PERP-B", feature: 0, kind: .perpetual, count: 300)]))
    builder.client("gw-a", ruc: 100, ilq: 40, muc: 500, steps: [(0, 300), (6, 500)], latency: .milliseconds(20))
    builder.client("gw-b", ruc: 100, ilq: 40, muc: 500, steps: [(0, 380)], latency: .milliseconds(20))
    builder.spec.clients[1].server = 1
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activeActive)]
    builder.spec.faults = [cut(from: 5, hours: 10)]
    var world = builder.world(days: 2, records: true)
    let split = try world.slot(1, at: 14)
    #expect(world.model.slotStates[0].held == 500 && split.held == 380)
    let cutNow = try world.slot(1, at: 15.001)
    #expect(cutNow.held == 300 && world.records(.cut).map(\.count) == [300] && world.pool(0).used == 800)
}

/// R-HA-1, R-HA-2: the active node crashes at 10:00:05: the passive node's checks fail from 10:00:10 (every 10 s
/// from instant zero) and it takes over the address 60 s later; it leases the cluster license in its grace, and
/// only its own 300 after 20 days while ls-a stays down.
@Test func rHa1ThePassiveNodeTakesOverAfterTheRetryPeriodAndFallsBackAfterTheGrace() throws {
    var world = pairWorld(.activePassive, faults: [crash(a, from: 10 + 5.0 / 3600, hours: 22 * 24)])
    _ = try world.slot(1, at: 10.01)
    #expect(world.model.pairs[0].holder == 0)
    _ = try world.slot(1, at: 10.1)
    #expect(world.records(.haFailover).map(\.time) == [instant(10) + .seconds(70)] && world.model.pairs[0].holder == 1)
    #expect(world.pool(0).installed == 800 && world.pool(0).haRole == .down && world.pool(1).haRole == .active)
    let fallen = try world.slot(1, at: 10 + 20 * 24 + 5)
    #expect(world.pool(0).installed == 300 && world.model.slotStates[0].held + fallen.held <= 300 + 80)
    _ = try world.slot(1, at: 10 + 22 * 24 + 1)
    #expect(world.pool(0).installed == 800 && world.pool(0).haRole == .passive && world.pool(1).haRole == .active)
}

/// R-HA-1: a cut of the internal link while both nodes run is a split brain: the passive node takes over, both
/// believe they are active, and only one of them is reached; when the link heals the holder stays active.
@Test func rHa1ASplitBrainHasTwoActiveNodesOnTwoSides() throws {
    var world = pairWorld(.activePassive, faults: [cut(from: 5, hours: 10)])
    _ = try world.slot(1, at: 6)
    #expect(world.pool(0).haRole == .active && world.pool(1).haRole == .active && world.model.pairs[0].holder == 1)
    #expect(world.records(.haFailover).map(\.count) == [2])
    _ = try world.slot(1, at: 16)
    #expect(world.pool(0).haRole == .passive && world.pool(1).haRole == .active && !world.pool(0).split)
}

/// R-HA-2 (assumed): under `rebuilt`, the new active node starts with no leases; renewals rebuild them.
@Test func rHa2RebuiltLeasesStartEmptyAtTheFailover() throws {
    var policy = LeasePolicy.withoutAutoLeasing
    policy.ha.failoverLeases = .rebuilt
    var world = pairWorld(.activePassive, policy: policy, faults: [crash(a, from: 2, hours: 48)])
    _ = try world.slot(1, at: 2.05)
    #expect(world.pool(0).used == 0)
    _ = try world.slot(1, at: 4.1)
    #expect(world.pool(0).used == 680)                                   // both renewed at 4 h: 100 + 200, 100 + 280
}

/// R-HA-5: the pair switches from active/passive to active/active on the schedule.
@Test func rHa5ThePairSwitchesModeOnTheSchedule() throws {
    var world = pairWorld(.activePassive, actions: [ActionSpec(at: instant(3), change: .setHAMode(pair: 0, mode: .activeActive))])
    _ = try world.slot(1, at: 3.5)
    #expect(world.model.pairs[0].mode == .activeActive && world.pool(1).haRole == .active)
    #expect(world.records(.haModeChanged).map(\.rule.description) == ["R-HA-5"])
}

/// R-HA-5, R-VLS-1: a pair of virtual license servers (active/active): ls-b cut off from the cloud stops licensing
/// after 24 days and refuses gw-b's renewals; once ls-b is down, ls-a (still licensing) serves gw-b and renews it.
@Test func rHa5AVirtualPairNodeOutOfTouchRefusesUntilItsClientsMoveToTheOtherNode() throws {
    var builder = WorldBuilder(installed: 500)
    builder.spec.policy.autoLease.enabled = false
    let subscription = { (count: Int32) in
        License(sku: "SUB", feature: 0, kind: .subscription, count: count, startsAt: .start - .days(1), endsAt: .start + .days(300))
    }
    builder.spec.servers[0].licenses = [subscription(500)]
    builder.spec.servers[0].vls = true
    var second = ServerSpec(id: "ls-b", licenses: [subscription(300)])
    second.vls = true
    builder.spec.servers.append(second)
    builder.client("gw-a", ruc: 100, ilq: 40, muc: 500, steps: [(0, 300)], latency: .milliseconds(20))
    builder.client("gw-b", ruc: 100, ilq: 40, muc: 500, steps: [(0, 380)], latency: .milliseconds(20))
    builder.spec.clients[1].server = 1
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activeActive)]
    let links = [FaultSpec.LinkEnds(from: b, to: .cloud), FaultSpec.LinkEnds(from: .cloud, to: b)]
    builder.spec.faults = [FaultSpec(id: "cloud-cut", effect: .partition, links: links, at: instant(1), until: instant(24 * 40)),
                           crash(b, from: 24 * 26, hours: 24)]
    var world = builder.world(days: 30, records: true)
    _ = try world.slot(1, at: 24 * 24 + 1)
    #expect(world.records(.licensingStopped).map(\.server) == [1])
    _ = try world.slot(1, at: 24 * 25 + 12)
    #expect(world.records(.refusal).filter { $0.client == 1 }.allSatisfy { $0.reason == .licensingStopped })
    #expect(!world.records(.refusal).filter { $0.client == 1 }.isEmpty && world.records(.refusal).allSatisfy { $0.client == 1 })
    let moved = try world.slot(1, at: 24 * 26 + 4.5)                       // ls-b down: ls-a serves gw-b at its renewal
    #expect(moved.held == 380 && world.model.leaseStates[1].serverStop == .none && world.pool(0).used == 680)
}

/// A pair "ls-ha" of ls-a (150 perpetual) and ls-b (nothing of its own): its cluster license is 150. gw-1 (RUC 50, ILQ
/// 25, MUC 150; 40 users, 90 from 2 h) is cut off from the pair from 1 h to 3 h and auto-leases 50; gw-2 (RUC 25, ILQ
/// 25, MUC 100; 20 users, 100 from 2 h) takes the 75 left meanwhile. At gw-1's renewal at 4 h nothing is free: its
/// reconcile falls short by 50 and the penalty starts (R-AUTO-6).
private func penaltyPairWorld(_ mode: HAMode, homes: (Int, Int) = (0, 0), faults: [FaultSpec] = [], extraOnA: [License] = [],
                              days: Int64 = 3) -> FleetWorld {
    var builder = WorldBuilder(installed: 150)
    builder.spec.servers[0].licenses += extraOnA
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: []))
    builder.client("gw-1", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 90)], latency: .milliseconds(20))
    builder.client("gw-2", ruc: 25, ilq: 25, muc: 100, steps: [(0, 20), (2, 100)], latency: .milliseconds(20))
    (builder.spec.clients[0].server, builder.spec.clients[1].server) = homes
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: mode)]
    let (c, pair) = (Endpoint.client(ClientID(index: 0)), Endpoint.virtualAddress(0))
    builder.spec.faults = [FaultSpec(id: "cut", effect: .partition, links: [.init(from: c, to: pair), .init(from: pair, to: c)],
                                     at: instant(1), until: instant(3))] + faults
    return builder.world(days: days, records: true)
}

/// R-AUTO-6 on an active/passive pair: the penalty belongs to the license server the clients talk to. ls-a crashes at
/// 2.5 h and ls-b takes over; gw-1's reconcile (its report reaches ls-b at 4 h 60 ms) falls short at ls-b. The
/// penalty holds at both nodes, so ls-b's replies (whose leases the pair keeps at ls-a's pool) say auto-leasing is off: gw-2 hears it at its 8 h renewal.
@Test func rAuto6OnAnActivePassivePairThePenaltyFollowsTheAnsweringNode() throws {
    var world = penaltyPairWorld(.activePassive, faults: [crash(a, from: 2.5, hours: 48)])
    let gw2 = try world.slot(1, at: 8.1)
    #expect(world.records(.haFailover).map(\.server) == [1] && world.records(.notReconciled).map(\.count) == [50])
    #expect(world.records(.penaltyStarted).map(\.server) == [1] && world.records(.penaltyStarted).map(\.time) == [instant(4) + .milliseconds(60)])
    #expect(world.pool(0).penalty && world.pool(1).penalty && !gw2.autoLeaseHeard)
    #expect(world.model.servers[ServerID(index: 0)].penaltyUntil == instant(4) + .milliseconds(60) + .days(5))
}

/// R-AUTO-6, R-AUTO-7 on a joined active/active pair: gw-1 (home ls-b) falls short at ls-b; the penalty covers ls-a's
/// client gw-2 too (its 8 h renewal hears "off"). A user-count subscription installed on ls-a at 30 h, counting only
/// from day 3, ends the penalty when it is installed (R-AUTO-7: "added" means installed), for both nodes.
@Test func rAuto7OnAJoinedActiveActivePairASubscriptionOnEitherNodeEndsThePenaltyWhenInstalled() throws {
    let subscription = License(sku: "CONSEC-100U-1YR", feature: 0, kind: .subscription, count: 100, installedAt: instant(30),
                               startsAt: .start + .days(3), endsAt: .start + .days(400))
    var world = penaltyPairWorld(.activeActive, homes: (1, 0), extraOnA: [subscription], days: 4)
    let gw2 = try world.slot(1, at: 8.1)
    #expect(world.records(.penaltyStarted).map(\.server) == [1] && world.pool(0).penalty && world.pool(1).penalty && !gw2.autoLeaseHeard)
    _ = try world.slot(1, at: 30)
    let ended = world.records(.penaltyEnded)
    #expect(ended.map(\.time) == [instant(30)] && ended.map(\.rule.description) == ["R-AUTO-7"] && ended.map(\.server) == [0])
    #expect(!world.pool(0).penalty && !world.pool(1).penalty && world.pool(0).installed == 150)   // not counting yet
    _ = try world.slot(1, at: 72.1)
    #expect(world.pool(0).installed == 250)
}

/// R-AUTO-6 on an active/active pair apart: each node is its own license server. Both clients are ls-b's; the
/// internal link is cut from 1 h to 10 h. gw-1's reconcile falls short at ls-b at 4 h: the penalty holds at ls-b
/// only. At the rejoin the pair serves as one again, and the penalty holds at both nodes to its end.
@Test func rAuto6AnActiveActivePenaltyWhileApartCoversBothNodesOnceTheyRejoin() throws {
    var world = penaltyPairWorld(.activeActive, homes: (1, 1), faults: [cut(from: 1, hours: 9)])
    _ = try world.slot(1, at: 5)
    #expect(world.records(.penaltyStarted).map(\.server) == [1] && world.pool(1).penalty && !world.pool(0).penalty)
    _ = try world.slot(1, at: 10.01)
    let end = instant(4) + .milliseconds(60) + .days(5)
    #expect(world.pool(0).penalty && world.pool(1).penalty && world.model.servers[ServerID(index: 0)].penaltyUntil == end)
}

/// R-HA-2: the grace starts "when the passive node becomes active", not when the nodes lost each other. The passive
/// ls-b is down from 1 h to day 10; the active ls-a crashes on day 5 and stays down. ls-b boots on day 10 and takes
/// over 60 s after its first failed check (day 10 + 60 s): it leases the whole cluster license (800) until day 30 +
/// 60 s, not only until day 20 (20 days after the pair came apart), and then its own 300.
@Test func rHa2TheGraceStartsWhenThePassiveNodeBecomesActive() throws {
    var world = pairWorld(.activePassive, faults: [crash(b, from: 1, hours: 10 * 24 - 1), crash(a, from: 5 * 24, hours: 40 * 24)], days: 32)
    _ = try world.slot(1, at: 10 * 24 + 0.1)
    let failover = instant(10 * 24) + .seconds(60)
    #expect(world.records(.haFailover).map(\.time) == [failover] && world.records(.haFailover).map(\.expiry) == [failover + .days(20)])
    _ = try world.slot(1, at: 25 * 24)
    #expect(world.pool(0).installed == 800 && world.pool(0).graceDaysLeft == 6)
    _ = try world.slot(1, at: 30 * 24 + 0.1)
    #expect(world.pool(0).installed == 300 && world.records(.haGraceEnded).map(\.time) == [failover + .days(20)])
}

/// R-HA-1: after a failover, client-side events name the node that serves: gw-a's users rise at 3 h, after ls-a
/// crashed at 1 h and ls-b took over; its increment requests (and the denial when the grant falls short) name ls-b.
@Test func rHa1ClientEventsAfterAFailoverNameTheServingNode() throws {
    var builder = WorldBuilder(installed: 150, policy: .withoutAutoLeasing)
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: []))
    builder.client("gw-a", ruc: 50, ilq: 25, muc: 250, steps: [(0, 40), (3, 250)], latency: .milliseconds(20))
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activePassive)]
    builder.spec.faults = [crash(a, from: 1, hours: 24)]
    var world = builder.world(days: 1, records: true)
    _ = try world.slot(0, at: 3.1)
    let requests = world.records(.incrementRequest)
    #expect(requests.count == 5 && requests.allSatisfy { $0.server == 1 })
    #expect(world.records(.loginsDenied).map(\.server) == [1] && world.records(.loginsDenied).map(\.count) == [100])
}

/// R-HA-3, R-LEASE-11: during a split each side may lease the whole cluster license, and leases carried over a license
/// end run to their holders' next renewal without breaking an invariant. ls-a's 500 is a subscription that ends at
/// day 3 02:00, while the pair is split (days 1 to 5): both sides lease 380 + 300 = 680 of a cluster license now 300, carried
/// over at ls-b (380 of 300) until gw-b renews; its renewal gets what ls-b covers, the whole cluster license of 300.
@Test func rHa3ASplitInWhichASubscriptionEndsIsValid() throws {
    var builder = pairBuilder(.activeActive)
    builder.spec.servers[0].licenses = [License(sku: "CONSEC-500U-1YR", feature: 0, kind: .subscription, count: 500,
                                                startsAt: .start - .days(300), endsAt: .start + .days(3) + .hours(2))]
    builder.spec.faults = [cut(from: 24, hours: 4 * 24)]
    var world = builder.world(days: 6, records: true)
    _ = try world.slot(1, at: 3 * 24 + 2.01)
    #expect(world.pool(0).installed == 300 && world.pool(1).installed == 300 && world.pool(0).used + world.pool(1).used == 680)
    #expect(world.pool(0).carriedOver == 0 && world.pool(1).carriedOver == 380)   // ls-b leases 380 of 300 until gw-b renews
    let renewed = try world.slot(1, at: 3 * 24 + 4.01)
    #expect(renewed.held == 300 && world.model.slotStates[0].held == 300)
}

/// R-LIC-8 on a pair: the license-server license "is required only on one node in the cluster". Both nodes are
/// hardware; only ls-a holds one. ls-a crashes at 2 h and ls-b takes over: it serves gw-a's and gw-b's renewals with
/// ls-a's license (no refusal), where a hardware server alone without one refuses everything.
@Test func rLic8APairWithOneLicenseServerLicenseServesFromEitherNode() throws {
    var builder = WorldBuilder(installed: 500, policy: .withoutAutoLeasing)
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: [License(sku: "PERP-B", feature: 0, kind: .perpetual, count: 300)]))
    builder.spec.servers[1].serves = []                                     // ls-b: no license-server license of its own
    builder.client("gw-a", ruc: 100, ilq: 40, muc: 500, steps: [(0, 300)], latency: .milliseconds(20))
    builder.client("gw-b", ruc: 100, ilq: 40, muc: 500, steps: [(0, 380)], latency: .milliseconds(20))
    builder.spec.clients[1].server = 1
    var alone = builder
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activePassive)]
    builder.spec.faults = [crash(a, from: 2, hours: 24)]
    var world = builder.world(days: 1, records: true)
    let served = try world.slot(0, at: 4.1)
    #expect(world.model.pairs[0].holder == 1 && world.model.servers[ServerID(index: 1)].stop == .none)
    #expect(world.records(.refusal).isEmpty && world.records(.renewed).filter { $0.time > instant(2) }.map(\.server) == [1, 1])
    #expect(served.held == 300 && world.model.slotStates[1].held == 380)
    // Apart from a pair, ls-b refuses gw-b everything for want of a license-server license.
    alone.spec.faults = []
    var aloneWorld = alone.world(days: 1, records: true)
    _ = try aloneWorld.slot(1, at: 4.1)
    let refusals = aloneWorld.records(.refusal)           // its increment request at instant zero, its 4 h renewal
    #expect(refusals.map(\.reason) == [.noServerLicense, .noServerLicense] && refusals.map(\.client) == [1, 1])
    #expect(refusals.map(\.time) == [.start + .milliseconds(20), instant(4) + .milliseconds(20)] && aloneWorld.model.slotStates[1].held == 0)
}

/// R-HA-3: a split is a split. ls-a holds 500 perpetual and a 100 subscription that ends on day 3; ls-b 300 perpetual
/// and an ICE 50. The internal link is cut from day 1 to day 6. On day 2 a 200 license is installed on ls-a: only
/// ls-a's capacity grows (1100 against ls-b's 900). The subscription's end on day 3 is its calendar, known to both:
/// both lose 100 (1000, 800). ls-b's ICE switched on on day 4 counts at ls-b only (850). At the rejoin the cluster
/// license is both nodes' own: 500 + 200 + 300 + 50 = 1050.
@Test func rHa3ALicenseChangedAtOneNodeDuringASplitChangesThatNodeOnly() throws {
    var builder = pairBuilder(.activeActive)
    builder.spec.servers[0].licenses += [
        License(sku: "CONSEC-100U-1YR", feature: 0, kind: .subscription, count: 100, startsAt: .start - .days(300), endsAt: .start + .days(3)),
        License(sku: "CONSEC-ADD-200U", feature: 0, kind: .perpetual, count: 200, installedAt: .start + .days(2)),
    ]
    var ice = License(sku: "ICE-50U", feature: 0, kind: .ice, count: 50)
    ice.activations = [(.start + .days(4))..<SimInstant.never]
    builder.spec.servers[1].licenses.append(ice)
    builder.spec.faults = [cut(from: 24, hours: 5 * 24)]
    var world = builder.world(days: 7, records: true)
    let installed = { (hours: Double) throws -> [Int32] in
        _ = try world.slot(1, at: hours)
        return [world.pool(0).installed, world.pool(1).installed]
    }
    #expect(try installed(23) == [900, 0])
    #expect(try installed(25) == [900, 900])
    #expect(try installed(49) == [1100, 900])
    #expect(try installed(73) == [1000, 800])
    #expect(try installed(97) == [1000, 850])
    #expect(try installed(24 * 6 + 1) == [1050, 0])
}

/// R-LIC-6 on a pair: platform-bound licenses may sit on a pair's node. ls-a has 100 for anyone, ls-b 200 perpetual
/// PSA licenses (members only): gw-u (no family) leases only from the 100, gw-p (PSA, member license) 200 from the
/// PSA licenses. After ls-a crashes and ls-b takes over, the pair leases the same from ls-b.
@Test func rLic6PlatformLicensesOnAPairNodeServeTheirFamily() throws {
    var builder = WorldBuilder(installed: 100, policy: .withoutAutoLeasing)
    builder.spec.platforms = ["PSA"]
    var psa = License(sku: "PSA-ADD-200U", feature: 0, kind: .perpetual, count: 200)
    psa.platform = 0
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: [psa]))
    builder.client("gw-u", ruc: 50, ilq: 25, muc: 150, steps: [(0, 150)], latency: .milliseconds(20))
    builder.client("gw-p", ruc: 50, ilq: 50, muc: 250, steps: [(0, 250)], latency: .milliseconds(20))
    builder.spec.clients[1].platform = 0
    builder.spec.clients[1].memberLicense = "PSA-LICENSE-MBR"
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activePassive)]
    builder.spec.faults = [crash(a, from: 2, hours: 24)]
    var world = builder.world(days: 1, records: true)
    let u = try world.slot(0, at: 1)
    #expect(u.held == 100 && world.model.slotStates[1].held == 200 && world.pool(0).installed == 300)
    let after = try world.slot(0, at: 8.1)
    #expect(world.model.pairs[0].holder == 1 && after.held == 100 && world.model.slotStates[1].held == 200)
    // Each still short asks at instant zero and at each renewal (4 h, 8 h), and is refused: neither class has room.
    let refusals = world.records(.refusal)
    #expect(world.records(.notCovered).isEmpty && refusals.map(\.client) == [0, 1, 0, 1, 0, 1] && refusals.allSatisfy { $0.reason == .noFreeLicenses })
}

/// R-SUR-1 on a pair: a pair's client surrenders to the pair, the server it is registered with. gw-s (PSA, member
/// license) surrenders its 200 at 1 h; ls-a hears of it and counts it in the cluster license, and gw-p (PSA, member)
/// grows into it. ls-a crashes at 6 h: ls-b takes over with the whole cluster license (the surrendered 200 too) and
/// hears gw-s's later notices, so the surrender never expires.
@Test func rSur1AClientOfAPairSurrendersToThePair() throws {
    var builder = WorldBuilder(installed: 100, policy: .withoutAutoLeasing)
    builder.spec.platforms = ["PSA"]
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: []))
    builder.client("gw-s", ruc: 10, ilq: 10, muc: 20, steps: [(0, 10)], latency: .milliseconds(20))
    builder.client("gw-p", ruc: 50, ilq: 50, muc: 300, steps: [(0, 250)], latency: .milliseconds(20))
    builder.spec.clients[0].licenses = [License(sku: "CONSEC-ADD-200U", feature: 0, kind: .perpetual, count: 200)]
    for client in 0..<2 {
        builder.spec.clients[client].platform = 0
        builder.spec.clients[client].memberLicense = "PSA-LICENSE-MBR"
    }
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activePassive)]
    builder.spec.actions = [ActionSpec(at: instant(1), change: .surrenderLicense(client: 0, license: 0))]
    builder.spec.faults = [crash(a, from: 6, hours: 15 * 24)]
    var world = builder.world(days: 14, records: true)
    let grown = try world.slot(1, at: 4.1)
    #expect(world.records(.surrenderReceived).map(\.server) == [0] && world.pool(0).installed == 300 && grown.held == 250)
    _ = try world.slot(1, at: 13 * 24)
    #expect(world.model.pairs[0].holder == 1 && world.pool(0).installed == 300 && world.records(.surrenderExpired).isEmpty)
    #expect(world.model.slotStates[1].held == 250)
}
