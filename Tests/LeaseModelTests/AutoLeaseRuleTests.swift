import Testing
import LeaseKernel
@testable import LeaseModel

/// Auto-leasing: the server's decision, the cut-off client's own increments, the reconcile and the penalty.

extension FleetWorld {
    var pool: ServerFeatureState { model.serverFeatureStates[0] }
    func records(_ kind: ProtocolEventKind) -> [ProtocolRecord] { model.records.protocolEvents.filter { $0.kind == kind } }
}

/// R-AUTO-2, the guide's worked example: 10 clients, MUC 100, leased 60: unallocated 400, 30% is 120; an average of
/// 400 available passes it. With MUC 200: unallocated 1400, 30% is 420, and 400 does not. Equality is disabled.
@Test(arguments: [
    (muc: Int64(100), average: Int128(400), extra: Int128(0), enabled: true),
    (muc: 200, average: 400, extra: 0, enabled: false),
    (muc: 160, average: 300, extra: 0, enabled: false),   // unallocated 1000: 300 == 300 is not greater
    (muc: 160, average: 300, extra: 1, enabled: true),    // one user-millisecond more than 300 over 24 h
    (muc: 60, average: 0, extra: 0, enabled: false),      // nothing unallocated, nothing available
    (muc: 60, average: 0, extra: 1, enabled: true),
])
func rAuto2TheThirtyPercentRuleIsExactAndEqualityIsDisabled(muc: Int64, average: Int128, extra: Int128, enabled: Bool) {
    let window = SimDuration.hours(24)
    let unallocated = 10 * (muc - 60)
    let sum = average * Int128(window.milliseconds) + extra
    #expect(AutoLeaseDecision.isEnabled(availableUserMilliseconds: sum, window: window, unallocated: unallocated,
                                        thresholdPercent: 30) == enabled)
    #expect(AutoLeaseDecision.thresholdThousandths(unallocated: unallocated, thresholdPercent: 30) == unallocated * 300)
}

/// A world of the guide's example: a 1000-user license, 10 clients of RUC 50, ILQ 10 and MUC `muc`, each with 60 users.
func guideExample(muc: Int32) -> FleetWorld {
    var builder = WorldBuilder(installed: 1000)
    for index in 0..<10 { builder.client("gw-\(index)", ruc: 50, ilq: 10, muc: muc, steps: [(0, 60)]) }
    return builder.world(days: 2, records: true)
}

/// R-AUTO-2 in the model, with the guide's example: after 24 h at 600 leased of 1000 the average available is 400;
/// with MUC 100 it passes 120 and auto-leasing stays enabled; with MUC 200 it falls below 420 within the day.
@Test func rAuto2TheGuidesExampleEnablesWithMUC100AndDisablesWithMUC200() throws {
    var enabled = guideExample(muc: 100)
    try enabled.run(until: .start + .hours(24), includingEnd: true)
    #expect(enabled.model.featureTotals[0].leased == 600)
    #expect(enabled.pool.averageAvailableThousandths == 400_000)
    #expect(enabled.pool.autoLeaseThresholdThousandths == 120_000)
    #expect(enabled.pool.autoLeasing)
    #expect(enabled.records(.autoLeaseEnabled).map(\.time) == [.start])
    #expect(enabled.records(.autoLeaseDisabled).isEmpty)
    #expect(enabled.model.slotStates.allSatisfy { $0.autoLeaseHeard }) // every reply said so

    var disabled = guideExample(muc: 200)
    try disabled.run(until: .start + .hours(24), includingEnd: true)
    #expect(disabled.pool.averageAvailableThousandths == 400_000)
    #expect(disabled.pool.autoLeaseThresholdThousandths == 420_000)
    #expect(!disabled.pool.autoLeasing)
    // Before the run the 1000 had 500 leased (the reserved counts): the average falls by 100/24 an hour from 500
    // and first fails to pass 420 at the 20 h review (416.666...).
    let off = disabled.records(.autoLeaseDisabled)
    #expect(off.map(\.time) == [.start + .hours(20)] && off.first?.count == 416)
    #expect(off.first?.rule.description == "R-AUTO-2")
}

/// R-AUTO-1: a platform-bound feature, or one that does not count users, is never auto-leased.
@Test func rAuto1OnlyUserCapacityFeaturesThatAreNotPlatformBound() throws {
    var builder = WorldBuilder(installed: 1000, features: ["users", "cores", "psa-users"])
    builder.spec.featureTraits = [FeatureTraits(), FeatureTraits(userCapacity: false), FeatureTraits(platformBound: true)]
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60)], features: [0, 1, 2])
    var world = builder.world(days: 1, records: true)
    try world.run(until: .start + .hours(2), includingEnd: true)
    #expect(world.model.serverFeatureStates.map(\.autoLeasing) == [true, false, false])
    #expect(world.model.slotStates.map(\.autoLeaseHeard) == [true, false, false])
    #expect(world.records(.autoLeaseEnabled).map(\.feature) == [0])
}

/// R-AUTO-3: cut off from its server, a client whose requests time out raises its own lease in whole ILQ while
/// auto-leasing was enabled as it last heard; the logins waiting are served, not denied.
/// One client (RUC 50, ILQ 25, MUC 150) of a 200-user server, cut off from 1 h to 3 h; its users rise from 40 to
/// 90 at 2 h.
func cutOffClient() -> WorldBuilder {
    var builder = WorldBuilder(installed: 200)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 90)])
    builder.fault(.partition, client: 0, from: 1, until: 3)
    return builder
}

@Test func rAuto3ACutOffClientRaisesItsOwnLeaseAtTheTimeout() throws {
    let builder = cutOffClient()
    var world = builder.world(records: true)
    let cut = try world.slot(0, at: 2.01)
    #expect(cut.autoLeased == 50 && cut.held == 100 && cut.deniedLogins == 0)   // 40 more users: two quanta
    // R-AUTO-4: until min(last contact + 10 d, the reserved lease's expiry).
    #expect(world.model.autoLeaseExpiry(ofSlot: SlotID(index: 0)) == .start + .days(10))
    let increments = world.records(.autoIncrement)
    #expect(increments.map(\.time) == [.start + .hours(2) + .seconds(30)] && increments.first?.count == 50)
    #expect(world.used == 50)                                                   // the server knows nothing of it
    #expect(world.model.featureTotals[0].autoLeased == 50)
    #expect(world.model.counters.timeouts == 1 && world.model.counters.retries == 0)

    // The same cut with auto-leasing off: the logins are denied at the timeout (R-LEASE-8).
    var off = builder
    off.spec.policy.autoLease.enabled = false
    var offWorld = off.world(records: true)
    let denied = try offWorld.slot(0, at: 2.01)
    #expect(denied.autoLeased == 0 && denied.held == 50 && denied.deniedLogins == 40)
}

/// R-AUTO-3, R-AUTO-4: a cut-off client whose own increments lapse under load auto-leases them back. RUC 50, ILQ 25,
/// MUC 100 and 90 users from instant zero on a 200-user server: it holds 100 (two increments granted at 0) when it
/// is cut off from 1 h for two days. At 24 h the increments lapse unrenewed; the client asks for more at once, the
/// request times out 30 s later and it auto-leases the 50 its users need: 40 users go unserved for those 30 s, and
/// no login is denied. With auto-leasing off they stay unserved until the cut ends.
@Test func rAuto3LapsedIncrementsAreAutoLeasedBackWhileCutOff() throws {
    var builder = WorldBuilder(installed: 200)
    builder.client("a", ruc: 50, ilq: 25, muc: 100, steps: [(0, 90)])
    builder.fault(.partition, client: 0, from: 1, until: 49)
    var world = builder.world(records: true)
    let lapsed = try world.slot(0, at: 24.001)
    #expect(lapsed.incrementHeld == 0 && lapsed.held == 50 && world.records(.lapse).map(\.time) == [.start + .hours(24)])
    let back = try world.slot(0, at: 25)
    #expect(back.autoLeased == 50 && back.held == 100 && back.deniedLogins == 0)
    #expect(world.records(.autoIncrement).map(\.time) == [.start + .hours(24) + .seconds(30)])
    #expect(back.deniedUserMilliseconds == 40 * 30_000)

    var off = builder
    off.spec.policy.autoLease.enabled = false
    var offWorld = off.world(records: true)
    let unserved = try offWorld.slot(0, at: 48)
    #expect(unserved.held == 50 && unserved.deniedUserMilliseconds == 40 * 24 * 3_600_000)
}

/// R-AUTO-5: back in contact (the 4 h renewal's reply), the client reports its auto-leased 50 and the server, with
/// licenses free, grants them as an increment: both views agree again.
@Test func rAuto5TheReportedCountIsReconciledAsAnIncrement() throws {
    var world = cutOffClient().world(records: true)
    let back = try world.slot(0, at: 4)
    #expect(back.autoLeased == 0 && back.incrementHeld == 50 && back.held == 100)
    #expect(back.incrementExpiry == .start + .hours(28))                         // an ILD from the reconcile
    #expect(world.used == 100 && world.model.serverLeased(SlotID(index: 0)) == 100)
    #expect(world.records(.autoLeaseReport).map(\.count) == [50])
    let reconciled = world.records(.reconciled)
    #expect(reconciled.map(\.time) == [.start + .hours(4)] && reconciled.first?.count == 50)
    #expect(world.records(.notReconciled).isEmpty && world.records(.penaltyStarted).isEmpty)
    #expect(world.model.featureTotals[0].autoLeased == 0)
}

/// R-AUTO-4: within one disconnection auto-leasing is usable for 10 days from the last contact; the auto-leased
/// count ends then, and later timeouts raise nothing. The reserved lease (30 d here) does not bind.
@Test func rAuto4TenDaysAfterTheLastContactAutoLeasingEnds() throws {
    var policy = LeasePolicy()
    policy.reservedLeaseDuration = .days(30)
    var builder = WorldBuilder(installed: 1000, policy: policy)
    // Demand rises by a quantum every other day through a 14-day cut that starts at 1 h.
    let steps: [(Int64, Int32)] = (0..<8).map { (step: Int) -> (Int64, Int32) in (Int64(step) * 48 + 2, Int32(75 + 25 * step)) }
    builder.client("a", ruc: 50, ilq: 25, muc: 300, steps: steps)
    builder.fault(.partition, client: 0, from: 1, until: 14 * 24)
    var world = builder.world(days: 15, records: true)
    let day9 = try world.slot(0, at: 9 * 24)
    #expect(day9.autoLeased == 125)                                    // days 0, 2, 4, 6, 8: five quanta
    let lastContact = SimInstant.start                                 // nothing reached the client after instant zero
    #expect(world.model.autoLeaseExpiry(ofSlot: SlotID(index: 0)) == lastContact + .days(10))
    let day10 = try world.slot(0, at: 10 * 24)
    #expect(day10.autoLeased == 0 && day10.held == 50)                 // ended with the tenth day
    let ended = world.records(.autoLeaseEnded)
    #expect(ended.map(\.time) == [.start + .days(10)] && ended.first?.count == 125 && ended.first?.rule.description == "R-AUTO-4")
    let day13 = try world.slot(0, at: 13 * 24)
    #expect(day13.autoLeased == 0 && day13.deniedLogins > 0)           // the day-10 and day-12 rises are denied
    #expect(world.records(.autoIncrement).map(\.time).allSatisfy { $0 < .start + .days(10) })
}

/// a (RUC 50, ILQ 25, MUC 100; 90 users from 2 h) cut off from 1 h for 11 days, and b (RUC 25, ILQ 25, MUC 50; 50
/// users from 3 h), on a server of `installed`; reserved leases last 30 days.
private func elevenDayCut(installed: Int32) -> WorldBuilder {
    var policy = LeasePolicy()
    policy.reservedLeaseDuration = .days(30)
    var builder = WorldBuilder(installed: installed, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 100, steps: [(0, 40), (2, 90)])
    builder.client("b", ruc: 25, ilq: 25, muc: 50, steps: [(0, 20), (3, 50)])
    builder.fault(.partition, client: 0, from: 1, until: 11 * 24)
    return builder
}

/// R-AUTO-5, R-AUTO-6: the reconcile covers the whole disconnection. a (RUC 50, ILQ 25, MUC 100; 90 users from 2 h)
/// is cut off from 1 h for 11 days and auto-leases 50 at 2 h 30 s; its auto-leasing ends at the 10-day limit. b takes
/// the last 25 free at 3 h. Back at 11 d, a holds nothing auto-leased but reports the peak of its disconnection, 50,
/// reached at 2 h 30 s; nothing is free to cover it, so the penalty starts. Under `reconcileUsage: held` a reports
/// nothing and no penalty starts.
@Test func rAuto5TheReconcileCoversThePeakOfTheWholeDisconnection() throws {
    let builder = elevenDayCut(installed: 100)
    var world = builder.world(days: 12, records: true)
    let back = try world.slot(0, at: 11 * 24 + 0.01)
    #expect(world.records(.autoLeaseEnded).map(\.time) == [.start + .days(10)] && back.autoLeased == 0)
    #expect(world.records(.autoLeaseReport).map(\.count) == [0])
    let usage = world.records(.autoLeaseUsage)
    #expect(usage.map(\.count) == [50] && usage.map(\.expiry) == [.start + .hours(2) + .seconds(30)])
    #expect(world.records(.notReconciled).map(\.count) == [50] && world.records(.penaltyStarted).map(\.time) == [.start + .days(11)])
    #expect(world.pool.penalty && !world.model.clientsHoldAutoLeased)

    var held = builder
    held.spec.policy.autoLease.reconcileUsage = .held
    var heldWorld = held.world(days: 12, records: true)
    _ = try heldWorld.slot(0, at: 11 * 24 + 0.01)
    #expect(heldWorld.records(.autoLeaseReport).isEmpty && heldWorld.records(.penaltyStarted).isEmpty && !heldWorld.pool.penalty)
}

/// R-AUTO-5: a peak the server can cover is reconciled without a penalty, and the usage is cleared: 150 installed,
/// so 50 are still free when a (as above) is back at 11 d.
@Test func rAuto5APeakTheServerCanCoverStartsNoPenalty() throws {
    var world = elevenDayCut(installed: 150).world(days: 12, records: true)
    _ = try world.slot(0, at: 11 * 24 + 0.01)
    #expect(world.records(.autoLeaseUsage).map(\.count) == [50] && world.records(.notReconciled).isEmpty && !world.pool.penalty)
    #expect(!world.model.clientsHoldAutoLeased)
}

/// R-AUTO-4: auto-leasing ends with the reserved lease when it expires first (2 days here).
@Test func rAuto4TheReservedLeaseExpiryEndsAutoLeasingFirst() throws {
    var policy = LeasePolicy()
    policy.reservedLeaseDuration = .days(2)
    var builder = WorldBuilder(installed: 200, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 90)])
    builder.fault(.partition, client: 0, from: 1, until: 72)
    var world = builder.world(records: true)
    let cut = try world.slot(0, at: 3)
    #expect(cut.autoLeased == 50 && world.model.autoLeaseExpiry(ofSlot: SlotID(index: 0)) == .start + .days(2))   // the reserved lease granted at 0
    let expired = try world.slot(0, at: 48)
    #expect(expired.autoLeased == 0 && expired.held == 0)                        // both ended at 2 d
    #expect(world.records(.autoLeaseEnded).map(\.time) == [.start + .days(2)])
}

/// A world where a reconnecting client cannot be wholly reconciled: 300 installed; a (RUC 50) is cut off and
/// auto-leases 50 while b grows to its MUC of 225; at a's next contact 25 are free.
func penaltyWorld(reconcile: AutoLeaseReconcile = .partial, subscriptionAt: Int64? = nil, startsAt: SimInstant = .start) -> WorldBuilder {
    var policy = LeasePolicy()
    policy.autoLease.reconcile = reconcile
    var builder = WorldBuilder(installed: 300, policy: policy)
    if let day = subscriptionAt {
        builder.spec.servers[0].licenses.append(License(sku: "SUB", feature: 0, kind: .subscription, count: 100,
                                                        installedAt: .start + .hours(day), startsAt: startsAt, endsAt: .start + .days(400)))
    }
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 90)])
    builder.client("b", ruc: 25, ilq: 25, muc: 225, steps: [(0, 20), (2, 250)])
    builder.fault(.partition, client: 0, from: 1, until: 3)
    return builder
}

/// R-AUTO-6: the server cannot reconcile a's 50 (b and c hold the rest): auto-leasing is off for every client of
/// the server for 5 days; a client cut off meanwhile gets none. R-AUTO-5: a keeps only what was granted.
@Test func rAuto6AReconcileThatFallsShortStartsTheFiveDayPenalty() throws {
    var builder = penaltyWorld()
    builder.client("c", ruc: 25, ilq: 25, muc: 50, steps: [(0, 10), (30, 50)])
    builder.fault(.partition, client: 2, from: 29, until: 31)
    var world = builder.world(days: 7, records: true)
    let back = try world.slot(0, at: 4)
    #expect(world.records(.notReconciled).map(\.count) == [50])
    let penalty = world.records(.penaltyStarted)
    #expect(penalty.map(\.time) == [.start + .hours(4)] && penalty.first?.expiry == .start + .hours(4) + .days(5))
    #expect(back.autoLeased == 0 && back.held == 50)                    // the 50 it could not keep
    #expect(world.pool.penalty && !world.pool.autoLeasing)
    #expect(world.model.counters.penalties == 1 && world.model.counters.reconcilesShort == 1)
    // c, cut off at 29 h, heard "disabled" with its replies since the penalty began: its logins are denied.
    let c = try world.slot(2, at: 30.1)
    #expect(!c.autoLeaseHeard && c.autoLeased == 0 && c.deniedLogins == 25)
    // The penalty ends 5 days after it began.
    try world.run(until: .start + .hours(4) + .days(5), includingEnd: true)
    #expect(!world.pool.penalty && world.pool.autoLeasing == world.pool.autoLeaseDecided) // R-AUTO-2 decides again
    let ended = world.records(.penaltyEnded)
    #expect(ended.map(\.time) == [.start + .hours(4) + .days(5)] && ended.first?.rule.description == "R-AUTO-6")
}

/// R-AUTO-7: a new user-count subscription license installed on the server ends the penalty at once.
@Test func rAuto7ANewSubscriptionEndsThePenaltyAtOnce() throws {
    var world = penaltyWorld(subscriptionAt: 30).world(days: 3, records: true)
    try world.run(until: .start + .hours(29), includingEnd: true)
    #expect(world.pool.penalty)
    try world.run(until: .start + .hours(30), includingEnd: true)
    #expect(!world.pool.penalty && world.pool.installed == 400)
    let ended = world.records(.penaltyEnded)
    #expect(ended.map(\.time) == [.start + .hours(30)] && ended.first?.rule.description == "R-AUTO-7")
    #expect(world.model.servers[ServerID(index: 0)].penaltyUntil == .start + .hours(30))
}

/// R-AUTO-7: "added" means installed: a subscription installed at 30 h that counts only from day 2 ends the penalty at
/// 30 h, when it is added; the installed count rises on day 2.
@Test func rAuto7ASubscriptionWithAFutureStartEndsThePenaltyWhenInstalled() throws {
    var world = penaltyWorld(subscriptionAt: 30, startsAt: .start + .days(2)).world(days: 3, records: true)
    try world.run(until: .start + .hours(30), includingEnd: true)
    #expect(!world.pool.penalty && world.pool.installed == 300)
    #expect(world.records(.penaltyEnded).map(\.time) == [.start + .hours(30)] && world.records(.penaltyEnded).first?.rule.description == "R-AUTO-7")
    try world.run(until: .start + .days(2), includingEnd: true)
    #expect(world.pool.installed == 400 && world.records(.penaltyEnded).count == 1)
}

/// R-AUTO-5, R-AUTO-6 (assumed settings): a short reconcile grants the whole ILQ that are free (`partial`), or
/// nothing (`allOrNothing`); either way the shortfall starts the penalty.
@Test func rAuto6APartialReconcileGrantsWhatIsFree() throws {
    for (reconcile, granted) in [(AutoLeaseReconcile.partial, Int32(25)), (.allOrNothing, 0)] {
        var world = penaltyWorld(reconcile: reconcile).world(days: 1, records: true) // 25 free when a reports its 50
        let back = try world.slot(0, at: 4)
        #expect(world.records(.reconciled).map(\.count) == [Int64(granted)], "\(reconcile)")
        #expect(world.records(.notReconciled).map(\.count) == [Int64(50 - granted)], "\(reconcile)")
        // Normal rules again: under allOrNothing the client, still short, asks and gets the free 25 by a request.
        #expect(back.incrementHeld == 25 && back.autoLeased == 0, "\(reconcile)")
        #expect(world.records(.incrementGrant).filter { $0.client == 0 }.count == (granted == 0 ? 1 : 0), "\(reconcile)")
        #expect(world.pool.penalty, "\(reconcile)")
    }
}

/// The auto-leased count is tracked apart from what the server granted and never takes the lease above MUC: the
/// only lease the server's table does not cover (R-LEASE-11's exception), bounded by each client's MUC.
@Test func autoLeasedCountsStayWithinMUCAndApartFromTheServersTable() throws {
    var builder = WorldBuilder(installed: 400)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 300)])
    builder.fault(.partition, client: 0, from: 1, until: 3)
    var world = builder.world(records: true)
    let cut = try world.slot(0, at: 2.5)
    #expect(cut.autoLeased == 100 && cut.held == 150)      // up to MUC, no further
    #expect(world.used == 50)
    #expect(world.model.invariantViolation(at: .start + .minutes(150)) == nil)
}


/// R-AUTO-5 with R-CFG-3: a client whose configuration was deleted while it was cut off reports its auto-leased
/// count; the server refuses it (it has no configuration), grants nothing and starts no penalty; the count ends.
@Test func aReportFromADeletedClientIsRefusedWithoutAPenalty() throws {
    var builder = cutOffClient()
    builder.spec.actions = [ActionSpec(at: .start + .minutes(150), change: .deleteClient(client: 0))]
    var world = builder.world(records: true)
    let cut = try world.slot(0, at: 2.6)
    #expect(cut.autoLeased == 50)
    let back = try world.slot(0, at: 4)
    #expect(back.autoLeased == 0 && back.held == 0)
    #expect(world.records(.autoLeaseReport).map(\.count) == [50])
    let refusals = world.records(.refusal).filter { $0.time == .start + .hours(4) }
    // The renewal, the report, then the request the client makes as usual for its 90 users.
    #expect(refusals.map(\.reason) == [.notConfigured, .notConfigured, .notConfigured])
    #expect(world.records(.penaltyStarted).isEmpty && !world.pool.penalty)
}

/// A client that crashes while it holds an auto-leased count keeps it with its leases under `clientRestart:
/// keepsLeases` (serving nobody while down) and drops it under `asksAgain`; the fleet's tally follows (the
/// invariants check it after every event).
@Test func autoLeasedCountsAcrossAClientCrash() throws {
    for (restart, kept) in [(ClientRestart.keepsLeases, Int32(50)), (.asksAgain, 0)] {
        var builder = cutOffClient()
        builder.spec.policy.clientRestart = restart
        builder.crash(client: 0, from: 2.5, until: 2.75)
        var world = builder.world(records: true)
        let down = try world.slot(0, at: 2.6)
        #expect(down.autoLeased == kept && world.model.featureTotals[0].autoLeased == 0, "\(restart)")
        let up = try world.slot(0, at: 2.8)
        #expect(up.autoLeased == kept && world.model.featureTotals[0].autoLeased == Int64(kept), "\(restart)")
    }
}
