import Testing
import LeaseKernel
@testable import LeaseModel

/// R-LEASE-11, R-LEASE-6: a stopped client's reservation stays set aside; others cannot grow into it, and the
/// client gets its whole RUC back when it starts again, with the server never above its installed count.
@Test func rLease11AStoppedClientsReservationIsNotLentOut() throws {
    var policy = LeasePolicy()
    policy.reservedLeaseDuration = .days(2)
    var builder = WorldBuilder(installed: 125, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 150)])
    builder.client("b", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40)])
    builder.spec.actions = [ActionSpec(at: .start + .hours(1), change: .stopClient(client: 1)),
                            ActionSpec(at: .start + .hours(60), change: .startClient(client: 1))]
    var world = builder.world(days: 4)
    #expect(try world.slot(0, at: 3).held == 75)          // 25 free beyond the two reservations
    #expect(world.used == 125)
    try world.run(until: .start + .hours(48), includingEnd: true)
    #expect(world.used == 75)                              // b's reserved lease reclaimed at 48 h (R-LEASE-6) ...
    #expect(world.model.serverFeatureStates[0].reservedIdle == 50) // ... and its 50 set aside for it
    #expect(world.model.serverFeatureStates[0].incrementPool == 0)
    #expect(try world.slot(0, at: 56).held == 75)          // a asks again at each renewal and is refused
    let restarted = try world.slot(1, at: 60)
    #expect(restarted.reservedHeld == 50)                  // its whole RUC, covered
    #expect(world.used == 125)
    #expect(world.model.serverFeatureStates[0].free == 0)
    #expect(world.model.counters.notCovered == 0)
}

/// R-LEASE-11, R-CFG-2: a raised RUC on a full server; the increments others hold in its way are not renewed, and
/// the raised reservation is covered first.
@Test func rLease11ARaisedReservationIsCoveredBeforeOthersIncrements() throws {
    var builder = WorldBuilder(installed: 150)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 100)])
    builder.client("b", ruc: 50, ilq: 25, muc: 100, steps: [(0, 40)])
    builder.spec.actions = [.setAllocation(hours: 1, client: 1, ruc: 75, ilq: 25, muc: 100)]
    var world = builder.world(days: 1, records: true)
    #expect(try world.slot(0, at: 3).held == 100)
    #expect(world.model.serverFeatureStates[0].reservedIdle == 25) // b's raised RUC is set aside at once
    // At 4 h a renews first: 150 - b's 50 - b's 25 set aside - a's own 50 leaves room for one quantum of a's two.
    let a = try world.slot(0, at: 4)
    #expect(a.held == 75)
    #expect(world.model.slotStates[1].reservedHeld == 75)  // then b renews: 150 - 75 covers its 75
    #expect(world.used == 150)
    let notCovered = world.model.records.protocolEvents.filter { $0.kind == .notCovered }
    #expect(notCovered.map(\.count) == [25])
    #expect(notCovered.first?.client == 0 && notCovered.first?.rule.description == "R-LEASE-11")
    #expect(notCovered.first?.time == .start + .hours(4))
}

/// A server with a 100 perpetual and a 100 subscription that ends at `end`; two clients with RUC `ruc` and `users` users.
func endingLicenseWorld(ruc: Int32, users: Int32, end: SimDuration) -> FleetWorld {
    var builder = WorldBuilder(installed: 100)
    builder.spec.servers[0].licenses.append(License(sku: "S-100", feature: 0, kind: .subscription, count: 100,
                                                    startsAt: .start - .days(30), endsAt: .start + end))
    builder.client("a", ruc: ruc, ilq: 25, muc: 150, steps: [(0, users)])
    builder.client("b", ruc: ruc, ilq: 25, muc: 150, steps: [(0, users)])
    return builder.world(days: 2, records: true)
}

/// R-LEASE-11: a license ends under running leases; they are carried over until their holders' next renewal,
/// which renews reserved first and increments only with what is left.
@Test func rLease11AnEndedLicenseIsRenewedOnlyAsFarAsInstalledCovers() throws {
    var world = endingLicenseWorld(ruc: 50, users: 100, end: .hours(22))
    #expect(try world.slot(0, at: 21).held == 100)
    try world.run(until: .start + .hours(22), includingEnd: true)
    let ended = world.model.serverFeatureStates[0]
    #expect(ended.installed == 100 && ended.used == 200)   // leases granted before the end still run ...
    #expect(ended.carriedOver == 200)                      // ... carried over, so the invariant tells them apart
    #expect(ended.free == -100)
    try world.run(until: .start + .hours(24), includingEnd: true)
    // a renews first: its reserved 50 is covered (b's lease is only carried over), its increments are not;
    // then b: 100 - a's 50 covers b's reserved 50 and nothing more.
    #expect(world.model.slotStates[0].held == 50 && world.model.slotStates[1].held == 50)
    let renewed = world.model.serverFeatureStates[0]
    #expect(renewed.used == 100 && renewed.carriedOver == 0 && renewed.free == 0)
    let notCovered = world.model.records.protocolEvents.filter { $0.kind == .notCovered }
    #expect(notCovered.map(\.count) == [50, 50])
    #expect(notCovered.map(\.client) == [0, 1])
    #expect(try world.slot(0, at: 47).held == 50)          // and no overage comes back
    #expect(world.used == 100)
}

/// R-LEASE-11, R-ALLOC-4 (assumed): reservations that outgrow the installed count after a license ends are covered
/// first come, first served: the first to renew keeps its RUC, the next gets what is left.
@Test func rLease11ReservationsAboveInstalledAreCoveredInRenewalOrder() throws {
    var world = endingLicenseWorld(ruc: 60, users: 60, end: .hours(22))
    try world.run(until: .start + .hours(24), includingEnd: true)
    #expect(world.model.slotStates[0].reservedHeld == 60)
    #expect(world.model.slotStates[1].reservedHeld == 40)
    #expect(world.used == 100)
    let notCovered = world.model.records.protocolEvents.filter { $0.kind == .notCovered }
    #expect(notCovered.map(\.count) == [20])
    #expect(notCovered.map(\.client) == [1])
}
