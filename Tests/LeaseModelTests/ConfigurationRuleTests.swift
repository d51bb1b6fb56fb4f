import Testing
import LeaseKernel
@testable import LeaseModel

/// R-CFG-1: a lowered MUC cuts the lease at once.
@Test func rCfg1LoweredMUCCutsTheLeaseAtOnce() throws {
    var builder = WorldBuilder(installed: 400)
    builder.client("a", ruc: 50, ilq: 25, muc: 200, steps: [(0, 180)], latency: .milliseconds(10))
    builder.spec.actions = [.setAllocation(hours: 12, client: 0, ruc: 50, ilq: 25, muc: 100)]
    var world = builder.world(records: true)
    #expect(try world.slot(0, at: 11).held == 200)
    try world.run(until: .start + .hours(12), includingEnd: true)
    #expect(world.used == 100)                       // the server frees at once
    #expect(world.model.slotStates[0].held == 200)        // the notice is on the wire (10 ms)
    #expect(try world.slot(0, at: 12.001).held == 100)
    #expect(world.model.slotStates[0].allocation.maximum == 100)
    let cut = world.model.records.protocolEvents.first { $0.kind == .cut }
    #expect(cut?.rule.description == "R-CFG-1")
    #expect(cut?.count == 100)
}

/// R-CFG-2: raised RUC and MUC take effect at the next contact.
@Test func rCfg2RaisedMUCTakesEffectAtTheNextContact() throws {
    var builder = WorldBuilder(installed: 400)
    builder.client("b", ruc: 50, ilq: 25, muc: 100, steps: [(0, 90), (11, 140)])
    builder.spec.actions = [
        .setAllocation(hours: 10, client: 0, ruc: 75, ilq: 25, muc: 150),
        ActionSpec(at: .start + .hours(13), change: .pullState(client: 0)),
    ]
    var world = builder.world()
    let beforeContact = try world.slot(0, at: 11.5)
    #expect(beforeContact.held == 100)               // still believes MUC 100
    #expect(beforeContact.allocation.maximum == 100)
    #expect(beforeContact.deniedLogins == 40)
    let atRenewal = try world.slot(0, at: 12)        // renewal at 12 h: new RUC 75, MUC 150 learnt
    #expect(atRenewal.allocation == Allocation(reserved: 75, quantum: 25, maximum: 150))
    #expect(atRenewal.reservedHeld == 75)
    #expect(atRenewal.held == 150)                   // and the client asks again at once (assumed, requestsAtRenewal)
    #expect(world.used == 150)
}

/// R-CFG-2: "Pull State from Server" is a contact.
@Test func rCfg2PullStateIsAContactToo() throws {
    var policy = LeasePolicy()
    policy.renewalInterval = .hours(12)
    var builder = WorldBuilder(installed: 400, policy: policy)
    builder.client("b", ruc: 50, ilq: 25, muc: 100, steps: [(0, 140)])
    builder.spec.actions = [
        .setAllocation(hours: 1, client: 0, ruc: 50, ilq: 25, muc: 150),
        ActionSpec(at: .start + .hours(2), change: .pullState(client: 0)),
    ]
    var world = builder.world()
    #expect(try world.slot(0, at: 1.5).held == 100)
    #expect(try world.slot(0, at: 2).held == 150)
}

/// R-CFG-3: deleting a configuration frees its capacity.
@Test func rCfg3DeletingAClientFreesItsCapacity() throws {
    var builder = WorldBuilder(installed: 200)
    builder.client("gone", ruc: 50, ilq: 25, muc: 150, steps: [(0, 120)])
    builder.client("stays", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (5, 150)])
    builder.spec.actions = [ActionSpec(at: .start + .hours(3), change: .deleteClient(client: 0))]
    var world = builder.world(records: true)
    #expect(try world.slot(0, at: 2).held == 125)
    try world.run(until: .start + .hours(3), includingEnd: true)
    #expect(world.used == 50)                        // only "stays" remains leased
    #expect(try world.slot(0, at: 4).held == 0)      // told at its 4 h renewal
    #expect(try world.slot(1, at: 5).held == 150)    // the freed licenses are leased again
    let refusal = world.model.records.protocolEvents.first { $0.kind == .refusal }
    #expect(refusal?.reason == .notConfigured)
    #expect(refusal?.rule.description == "R-CFG-3")
}

@Test func stoppedClientBootsAgainWithAReservedRequest() throws {
    var builder = WorldBuilder(installed: 200)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 70)], latency: .milliseconds(5))
    builder.spec.actions = [ActionSpec(at: .start + .hours(2), change: .stopClient(client: 0)),
                            ActionSpec(at: .start + .hours(3), change: .startClient(client: 0))]
    var world = builder.world()
    #expect(try world.slot(0, at: 2.5).held == 0)
    #expect(world.used == 75)                        // the server keeps leases until they lapse
    let booted = try world.slot(0, at: 3.1)
    #expect(booted.held == 75)                       // reserved again, then one quantum for 70 users
    #expect(world.used == 75)                        // the boot started a fresh session: no double count
}

/// R-CFG-2: a raised RUC learnt at renewal absorbs increments; the lease never passes MUC.
@Test func rCfg2RaisedReservedAbsorbsIncrements() throws {
    var builder = WorldBuilder(installed: 400)
    builder.client("c", ruc: 50, ilq: 25, muc: 100, steps: [(0, 100)])
    builder.spec.actions = [.setAllocation(hours: 2, client: 0, ruc: 75, ilq: 25, muc: 100)]
    var world = builder.world()
    let before = try world.slot(0, at: 3)
    #expect(before.reservedHeld == 50 && before.incrementHeld == 50)
    let after = try world.slot(0, at: 4)          // the 4 h renewal
    #expect(after.reservedHeld == 75)
    #expect(after.incrementHeld == 25)
    #expect(world.model.leaseStates[0].reserved + world.model.leaseStates[0].increment == 100)
    #expect(world.used == 100)
    #expect(world.model.counters.notCovered == 0)  // absorbed, not refused
}

/// R-CFG-4, R-LEASE-10: a raise that is not a whole quantum is absorbed in whole quanta (50 + 50 with RUC 60:
/// 60 + 25); a client still short asks again.
@Test func rCfg4ARaisedReservationIsAbsorbedInWholeQuanta() throws {
    var policy = LeasePolicy()
    policy.requestsAtRenewal = false
    var builder = WorldBuilder(installed: 400, policy: policy)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 100)])
    builder.spec.actions = [.setAllocation(hours: 2, client: 0, ruc: 60, ilq: 25, muc: 150)]
    var world = builder.world()
    let after = try world.slot(0, at: 4)
    #expect(after.reservedHeld == 60 && after.incrementHeld == 25)
    #expect(world.used == 85)
    #expect(world.model.counters.notCovered == 0)
}

/// R-LEASE-10, R-CFG-1: a lowered MUC cuts at once to RUC plus the whole ILQ under it (200 to 140 with RUC 40,
/// ILQ 30: 130, not 140); the newest increments go.
@Test func rLease10ALoweredMUCCutsToWholeQuanta() throws {
    var builder = WorldBuilder(installed: 400)
    builder.client("c", ruc: 40, ilq: 30, muc: 200, steps: [(0, 200)])
    builder.spec.actions = [.setAllocation(hours: 2, client: 0, ruc: 40, ilq: 30, muc: 140)]
    var world = builder.world(records: true)
    #expect(try world.slot(0, at: 1).held == 190)         // 40 + five quanta; a sixth would pass 200
    let cut = try world.slot(0, at: 2)
    #expect(cut.held == 130 && cut.reservedHeld == 40)
    #expect(world.used == 130)
    #expect(world.model.incrementBlocks(ofSlot: 0).count == 3)
    #expect(world.model.records.protocolEvents.first { $0.kind == .cut }?.count == 130)
    #expect(try world.slot(0, at: 30).held == 130)        // and it stays there: 130 + 30 would pass 140
}

/// R-CFG-4, R-LEASE-10: a new ILQ applies at the next contact; the increment is kept in whole new quanta and the
/// surplus given back; later releases are whole quanta too.
@Test func rCfg4ANewQuantumAppliesAtTheNextContact() throws {
    var builder = WorldBuilder(installed: 400)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 120), (6, 40)])
    builder.spec.actions = [.setAllocation(hours: 1, client: 0, ruc: 50, ilq: 30, muc: 150)]
    var world = builder.world(days: 2, records: true)
    #expect(try world.slot(0, at: 3).held == 125)         // three quanta of 25 until the next contact
    let renewed = try world.slot(0, at: 4)
    // At 4 h: 75 in whole quanta of 30 is 60 (15 given back); 110 < 120 users, so the client asks for one new quantum.
    #expect(renewed.held == 140)
    #expect(world.model.incrementBlocks(ofSlot: 0).map(\.count) == [25, 25, 10, 30])
    #expect(world.model.records.protocolEvents.first { $0.kind == .configChange }?.rule.description == "R-CFG-4")
    // At the 24 h renewal the 60 granted at 0 h may go, in whole quanta of 30; the 30 granted at 4 h is held to 28 h.
    #expect(try world.slot(0, at: 24).held == 80)
    #expect(try world.slot(0, at: 28).held == 50)
    #expect(world.used == 50)
}

/// R-CFG-4: a lowered RUC applies at the next contact, and the surplus is given back then.
@Test func rCfg4ALoweredReservationGivesBackItsSurplusAtTheNextContact() throws {
    var builder = WorldBuilder(installed: 400)
    builder.client("c", ruc: 75, ilq: 25, muc: 150, steps: [(0, 40)])
    builder.spec.actions = [.setAllocation(hours: 1, client: 0, ruc: 50, ilq: 25, muc: 150)]
    var world = builder.world()
    #expect(try world.slot(0, at: 3).reservedHeld == 75)
    #expect(world.used == 75)
    #expect(try world.slot(0, at: 4).reservedHeld == 50)
    #expect(world.used == 50)
}
