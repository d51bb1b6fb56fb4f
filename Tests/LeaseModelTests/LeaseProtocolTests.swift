import Testing
import LeaseKernel
@testable import LeaseModel

/// R-LEASE-2: allocation first, then free licenses, in whole quanta (a request for every quantum needed, R-LEASE-1b).
@Test func rLease2GrantsOnlyWhatIsFreeInWholeQuanta() throws {
    var policy = LeasePolicy()
    policy.quantaPerRequest = .needed
    var builder = WorldBuilder(installed: 160, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 140)])
    builder.client("b", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40)])
    var world = builder.world()
    let before = try world.slot(0, at: 0.5)
    #expect(before.held == 50)
    #expect(world.used == 100)
    // 60 free: a wants 100 (four quanta) and gets two, 50; the last 10 are not a whole quantum.
    let after = try world.slot(0, at: 1)
    #expect(after.incrementHeld == 50)
    #expect(world.used == 150)
    #expect(world.model.counters.incrementRequests == 1)
    #expect(world.model.counters.refusals == 0)
}

/// R-LEASE-3 durations and R-LEASE-5 expiry = min(now + duration, allocation expiry).
@Test func rLease3AndRLease5ExpiriesAreDurationsCappedByTheAllocationExpiry() throws {
    var builder = WorldBuilder(installed: 200)
    builder.client("long", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60)])
    builder.client("short", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60)], expiry: .start + .days(5) + .hours(2))
    var world = builder.world(days: 6)
    try world.run(until: .start + .hours(1), includingEnd: true)
    #expect(world.model.leaseStates[0].reservedExpiry == .start + .days(10))  // R-LEASE-3: 14400 min
    #expect(world.model.leaseStates[0].incrementExpiry == .start + .days(1))  // R-LEASE-3: ILD 1440 min
    #expect(world.model.leaseStates[1].reservedExpiry == .start + .days(5) + .hours(2)) // R-LEASE-5: capped
    try world.run(until: .start + .days(5), includingEnd: true)
    // Renewed at 5d: the increment's expiry is min(5d + 1d, 5d 2h).
    #expect(world.model.leaseStates[1].incrementExpiry == .start + .days(5) + .hours(2))
    #expect(world.model.leaseStates[0].incrementExpiry == .start + .days(6))
}

/// R-ALLOC-5 with R-LEASE-5: leases end at the allocation expiry and later requests are refused.
@Test func rAlloc5AfterTheAllocationExpiresEveryRequestIsRefusedAndLeasesLapse() throws {
    var builder = WorldBuilder(installed: 200)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60), (30, 120)], expiry: .start + .days(1))
    var world = builder.world(records: true)
    let atExpiry = try world.slot(0, at: 24)
    #expect(atExpiry.held == 0)       // both leases ended at the allocation expiry
    #expect(world.used == 0)
    let later = try world.slot(0, at: 30)
    #expect(later.held == 0)          // the request at 30 h was refused
    let refusals = world.model.records.protocolEvents.filter { $0.kind == .refusal }
    #expect(refusals.first?.reason == .allocationExpired)
    #expect(refusals.first?.rule.description == "R-ALLOC-5")
    #expect(refusals.first?.time == .start + .hours(24)) // the 24 h renewal
}

/// R-LEASE-6: a lease not renewed before it expires is reclaimed.
@Test func rLease6UnrenewedLeasesAreReclaimedAtExpiry() throws {
    var policy = LeasePolicy()
    policy.reservedLeaseDuration = .days(2)
    var builder = WorldBuilder(installed: 200, policy: policy)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 70)])
    builder.spec.actions = [ActionSpec(at: .start + .hours(6), change: .stopClient(client: 0))]
    var world = builder.world(days: 4)
    try world.run(until: .start + .hours(28))
    #expect(world.used == 75)                    // renewed last at 4 h
    try world.run(until: .start + .hours(28), includingEnd: true)
    #expect(world.used == 50)                    // increment reclaimed at 4 h + 24 h
    try world.run(until: .start + .hours(52), includingEnd: true)
    #expect(world.used == 0)                     // reserved reclaimed at 4 h + 48 h
    #expect(world.model.counters.reclaims == 2)
}

/// R-LEASE-7 (24 h hold) with the onDrop release policy of R-LEASE-9.
@Test func rLease7IncrementsAreHeldAtLeast24Hours() throws {
    var policy = LeasePolicy()
    policy.releasePolicy = .onDrop
    var builder = WorldBuilder(installed: 300, policy: policy)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 140), (2, 40), (25, 60), (26, 40)])
    var world = builder.world()
    #expect(try world.slot(0, at: 1).held == 150)
    #expect(try world.slot(0, at: 2).held == 150)   // load dropped 1 h after the grant: kept
    #expect(try world.slot(0, at: 24.5).held == 150)
    #expect(try world.slot(0, at: 25).held == 75)   // 24 h after the grant, 60 users need RUC + one quantum
    #expect(try world.slot(0, at: 26).held == 50)
    #expect(world.used == 50)
}

/// R-LEASE-9: the default atRenewal policy gives back at the first renewal after the hold.
@Test func rLease9AtRenewalGivesBackIncrementsAtTheNextRenewal() throws {
    var builder = WorldBuilder(installed: 300)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 140), (2, 60)])
    var world = builder.world()
    #expect(try world.slot(0, at: 2).held == 150)
    #expect(try world.slot(0, at: 24).held == 150)   // renewal at 24 h: hold of 24 h not yet over (grant at 1 h)
    #expect(try world.slot(0, at: 28).held == 75)    // renewal at 28 h: 60 users need 75
    #expect(world.used == 75)
    #expect(world.model.counters.releases == 1)
}

/// R-LEASE-8: denied logins and denied user-time, to the millisecond; logins wait through one-quantum requests (R-LEASE-1b).
@Test func rLease8DeniedLoginsAreArrivalsThatFindNoCapacity() throws {
    var builder = WorldBuilder(installed: 120)
    // 180 users on MUC 150: 30 cannot be served; the server has only 120, so 30 more are refused.
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 10), (2, 180), (3, 170), (4, 190)], latency: .milliseconds(30))
    var world = builder.world()
    let rise = try world.slot(0, at: 2.5)
    #expect(rise.held == 100)          // 120 installed: 70 free, two whole quanta
    #expect(rise.deniedLogins == 80)   // 180 - 100
    let drop = try world.slot(0, at: 3.5)
    #expect(drop.deniedLogins == 80)   // users leaving are not logins
    let again = try world.slot(0, at: 4.5)
    #expect(again.deniedLogins == 100) // 20 new arrivals, none served; the 70 waiting are not counted twice
    // Denied user-time: 130 unserved for the first 60 ms round trip, 105 for the second (each grants one quantum),
    // 80 from the third (refused: 20 free) until 3 h, then 70 until 4 h, 90 until 4.5 h.
    let expected = Int64(130) * 60 + Int64(105) * 60 + Int64(80) * (3_600_000 - 120) + Int64(70) * 3_600_000 + Int64(90) * 1_800_000
    #expect(again.deniedUserMilliseconds == expected)
}

/// R-ROLE-2: every rule applies per feature.
@Test func rRole2FeaturesAreLeasedIndependently() throws {
    var builder = WorldBuilder(installed: 100, features: ["users", "rdp"])
    builder.client("c", ruc: 50, ilq: 25, muc: 100, steps: [(0, 90)], features: [0, 1])
    var world = builder.world()
    try world.run(until: .start + .hours(1))
    #expect(world.model.slotStates[0].held == 100)
    #expect(world.model.slotStates[1].held == 50)
    #expect(world.model.serverFeatureStates.map(\.used) == [100, 50])
}

/// R-LEASE-7, R-LEASE-9 (onDrop): a drop blocked by the hold is released when the hold ends, with no demand change then
/// (one grant of every quantum needed, R-LEASE-1b `needed`, so one hold).
@Test func rLease9OnDropReleasesWhenTheHoldEndsWithoutADemandChange() throws {
    var policy = LeasePolicy()
    policy.releasePolicy = .onDrop
    policy.requestsAtRenewal = false
    policy.quantaPerRequest = .needed
    var builder = WorldBuilder(installed: 300, policy: policy)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 140), (2, 60)], latency: .milliseconds(20))
    var world = builder.world()
    // Granted at 1 h + 40 ms (round trip); the hold ends 24 h later.
    #expect(try world.slot(0, at: 3).held == 150)
    #expect(try world.slot(0, at: 25).held == 150)
    let holdEnd = 25.0 + 40.0 / 3_600_000
    #expect(try world.slot(0, at: holdEnd).held == 75)   // 60 users need RUC + one quantum
    #expect(world.model.counters.releases == 0)         // the release is on the wire (20 ms)
    #expect(try world.slot(0, at: holdEnd + 1.0 / 3_600).held == 75)
    #expect(world.used == 75)
    #expect(world.model.counters.releases == 1)
}

/// Loads for R-LEASE-7: 70 users from 1 h (one increment), 95 from 10 h (a second), 40 from 12 h (neither needed).
func twoIncrementWorld(_ policy: LeasePolicy) -> FleetWorld {
    var builder = WorldBuilder(installed: 300, policy: policy)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 70), (10, 95), (12, 40)])
    return builder.world(days: 2)
}

/// R-LEASE-7: each increment is held 24 h from its own grant; a later grant does not extend an earlier one's hold.
@Test func rLease7EachIncrementIsHeldFromItsOwnGrant() throws {
    var world = twoIncrementWorld(LeasePolicy())
    #expect(try world.slot(0, at: 11).held == 100)
    #expect(world.model.incrementBlocks(ofSlot: 0).count == 2)
    #expect(world.model.incrementBlocks(ofSlot: 0)[1] == IncrementBlock(grantedAt: .start + .hours(10), count: 25))
    #expect(try world.slot(0, at: 27).held == 100)  // the 24 h renewal: the 1 h grant is held until 25 h
    #expect(try world.slot(0, at: 28).held == 75)   // the 28 h renewal gives back the first, oldest increment
    #expect(try world.slot(0, at: 35).held == 75)   // the 10 h grant is held until 34 h
    #expect(try world.slot(0, at: 36).held == 50)
    #expect(world.model.counters.releases == 2)
}

/// R-LEASE-7 `latestGrant`: the whole incremental block is held from the latest grant.
@Test func rLease7LatestGrantHoldsTheWholeBlockFromTheLatestGrant() throws {
    var policy = LeasePolicy()
    policy.holdPolicy = .latestGrant
    var world = twoIncrementWorld(policy)
    #expect(try world.slot(0, at: 28).held == 100)  // the 10 h grant holds both until 34 h
    #expect(world.model.incrementBlocks(ofSlot: 0).count == 1)
    #expect(try world.slot(0, at: 36).held == 50)
    #expect(world.model.counters.releases == 1)
}

/// R-LEASE-7 with onDrop (R-LEASE-9): each increment goes when its own hold ends.
@Test func rLease7OnDropReleasesEachIncrementWhenItsOwnHoldEnds() throws {
    var policy = LeasePolicy()
    policy.releasePolicy = .onDrop
    var world = twoIncrementWorld(policy)
    #expect(try world.slot(0, at: 24.99).held == 100)
    #expect(try world.slot(0, at: 25).held == 75)
    #expect(try world.slot(0, at: 33.99).held == 75)
    #expect(try world.slot(0, at: 34).held == 50)
    #expect(world.used == 50)
}

/// R-LEASE-1b: one quantum per request; the client asks again after each grant, and logins wait for the last reply.
@Test func rLease1bEachRequestAsksForOneQuantumAndAsksAgainWhileShort() throws {
    var builder = WorldBuilder(installed: 110)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 140)], latency: .milliseconds(10))
    var world = builder.world()
    let state = try world.slot(0, at: 2)
    #expect(state.held == 100)                             // 25 + 25 granted, the third refused (10 free)
    #expect(world.model.counters.incrementRequests == 3)
    #expect(world.model.counters.refusals == 1)
    #expect(state.deniedLogins == 40)                      // decided on the refusal: 140 - 100
    // Unserved: 90 for the first 20 ms round trip, 65 for the second, then 40 until 2 h.
    #expect(state.deniedUserMilliseconds == 90 * 20 + 65 * 20 + 40 * (3_600_000 - 40))
}

/// R-LEASE-1b `needed`: one request for every quantum needed; a partial grant is not followed by another request.
@Test func rLease1bNeededAsksForEveryQuantumAtOnce() throws {
    var policy = LeasePolicy()
    policy.quantaPerRequest = .needed
    var builder = WorldBuilder(installed: 110, policy: policy)
    builder.client("c", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 140)], latency: .milliseconds(10))
    var world = builder.world()
    let state = try world.slot(0, at: 2)
    #expect(state.held == 100)                             // 100 asked, two whole quanta free
    #expect(world.model.counters.incrementRequests == 1)
    #expect(world.model.counters.refusals == 0)
    #expect(state.deniedLogins == 40)
    #expect(state.deniedUserMilliseconds == 90 * 20 + 40 * (3_600_000 - 20))
}

/// R-LEASE-7: block bookkeeping: grants in order, releases from the oldest, cuts from the newest; in full storage the
/// two newest stored blocks merge, held from the later grant (no hold is shortened), and the new grant keeps its own.
@Test func rLease7IncrementBlocksKeepGrantOrderInBoundedStorage() {
    var table = IncrementBlockTable(slotCount: 2, perSlot: 3)
    let slot = SlotID(index: 1)
    let hour = { (h: Int64) in SimInstant.start + .hours(h) }
    for h in [1, 2, 3] as [Int64] { table.grant(slot, 25, at: hour(h), .perIncrement) }
    table.grant(slot, 10, at: hour(4), .perIncrement)      // full: the 2 h and 3 h blocks merge, held from 3 h
    #expect(table.blocks(of: slot) == [IncrementBlock(grantedAt: hour(1), count: 25), IncrementBlock(grantedAt: hour(3), count: 50),
                                       IncrementBlock(grantedAt: hour(4), count: 10)])
    #expect(table.counts[SlotID(index: 0)] == 0)          // the other slot's list is untouched
    #expect(table.releasable(slot, at: hour(26), hold: .hours(24)) == 25)
    #expect(table.nextHoldEnd(slot, after: hour(26), hold: .hours(24)) == hour(27))
    table.removeOldest(slot, 30)                           // all of the oldest, 5 of the next
    #expect(table.blocks(of: slot).map(\.count) == [45, 10])
    table.trimNewest(slot, toTotal: 25)                    // the newest goes first
    #expect(table.blocks(of: slot) == [IncrementBlock(grantedAt: hour(3), count: 25)])
    table.grant(slot, 25, at: hour(5), .latestGrant)       // latestGrant: one block, held from the latest grant
    #expect(table.blocks(of: slot) == [IncrementBlock(grantedAt: hour(5), count: 50)])
    table.trimNewest(slot, toTotal: 0)
    #expect(table.counts[slot] == 0 && table.total(of: slot) == 0)
}

/// R-LEASE-3, R-LEASE-1: a client that boots with its users below its RUC asks only for its reserve, at instant zero
/// as later: RUC 50, ILQ 25, MUC 150 and 30 users; "b" stops at 2 h and boots again at 3 h. Both hold 50 all day
/// and ask for no increment; the logins of instant zero wait for the reserve reply and are all served (30 users unserved for the 20 ms round trip).
@Test func rLease3ABootBelowTheRUCAsksOnlyForTheReserveAtInstantZeroAsLater() throws {
    var policy = LeasePolicy()
    policy.initialLeases = .request
    var builder = WorldBuilder(installed: 200, policy: policy)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 30)], latency: .milliseconds(10))
    builder.client("b", ruc: 50, ilq: 25, muc: 150, steps: [(0, 30)], latency: .milliseconds(10))
    builder.spec.actions = [ActionSpec(at: .start + .hours(2), change: .stopClient(client: 1)),
                            ActionSpec(at: .start + .hours(3), change: .startClient(client: 1))]
    var world = builder.world(days: 1, records: true)
    let a = try world.slot(0, at: 23), b = world.model.slotStates[1]
    #expect(a.held == 50 && a.incrementHeld == 0 && b.held == 50 && b.incrementHeld == 0)
    #expect(world.records(.incrementRequest).isEmpty && world.records(.reserveRequest).count == 3)
    #expect(world.model.featureTotals[0].deniedLogins == 0 && a.deniedUserMilliseconds == 30 * 20) // 30 users wait 20 ms
}
