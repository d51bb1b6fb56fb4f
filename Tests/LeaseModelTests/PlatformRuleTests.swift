import Testing
import LeaseKernel
@testable import LeaseModel

/// Licenses bound to a platform family, and the member license (R-LIC-6).

private let member = PlatformClass(family: 0, member: true)
private let plain = PlatformClass(family: 0, member: false)

/// A pool of 400: 200 perpetual PSA (members only), 100 PSA subscription (any PSA client), 100 for anyone.
private func psaPool(members: Int64, plain nonMembers: Int64, unbound: Int64) -> PlatformPool {
    var pool = PlatformPool(families: 1)
    pool.perpetual[0] = 200
    pool.other[0] = 100
    pool.used[Int(member.rawValue)] = members
    pool.used[Int(plain.rawValue)] = nonMembers
    pool.used[0] = unbound
    return pool
}

/// R-LIC-6: each class's room is what its own family has free for it plus what the unbound licenses have left.
@Test func rLic6RoomIsTheFamilysFreeLicensesPlusTheUnboundSlack() {
    // Members 100 of the perpetual 200; non-members 50 of the subscription's 100; unbound 90 of 100.
    let pool = psaPool(members: 100, plain: 50, unbound: 90)
    #expect(pool.room(for: member, .leased, installed: 400) == 100 + 50 + 10)
    #expect(pool.room(for: plain, .leased, installed: 400) == 50 + 10)
    #expect(pool.room(for: .unbound, .leased, installed: 400) == 10)
    #expect(pool.serves(.leased, installed: 400))
}

/// R-LIC-6: overflow goes down the nesting: members beyond the perpetual licenses take the family's other
/// licenses, and what the family cannot serve takes the unbound ones, which then serve everyone less.
@Test func rLic6OverflowFallsToTheFamilysOtherLicensesThenToTheUnboundOnes() {
    // Members 250: 200 perpetual + 50 of the subscription; non-members 60: 50 left there + 10 unbound;
    // unbound 80: 100 - 10 - 80 = 10 left for anyone.
    let pool = psaPool(members: 250, plain: 60, unbound: 80)
    #expect(pool.room(for: member, .leased, installed: 400) == 10)
    #expect(pool.room(for: plain, .leased, installed: 400) == 10)
    #expect(pool.room(for: .unbound, .leased, installed: 400) == 10)
    // One more unbound lease of 11 could not be served, though 400 - 390 = 10 are free in all.
    #expect(!psaPool(members: 250, plain: 60, unbound: 91).serves(.leased, installed: 400))
    #expect(psaPool(members: 250, plain: 60, unbound: 90).serves(.leased, installed: 400))
}

/// R-LIC-6: free licenses a class may not take do not serve it: 300 free in all, but none for a client of no family.
@Test func rLic6BoundLicensesDoNotServeOtherClasses() {
    let pool = psaPool(members: 0, plain: 0, unbound: 100)
    #expect(pool.room(for: .unbound, .leased, installed: 400) == 0)
    #expect(pool.room(for: plain, .leased, installed: 400) == 100)     // the subscription only
    #expect(pool.room(for: member, .leased, installed: 400) == 300)    // the perpetual licenses too
    // A demand that cannot be served leaves no room for anyone, even where its own family has some.
    let over = psaPool(members: 0, plain: 0, unbound: 120)
    #expect(!over.serves(.leased, installed: 400) && over.room(for: member, .leased, installed: 400) == 0)
}

/// R-LIC-6 in the model: a client of no family leases only the unbound licenses, a PSA client without a member
/// license the PSA subscription too, and one with a member license the perpetual PSA licenses as well.
@Test func rLic6ClientsLeaseOnlyWhatTheirFamilyAndMemberLicenseAllow() throws {
    var builder = WorldBuilder(installed: 100)
    builder.spec.platforms = ["PSA"]
    builder.spec.servers[0].licenses += [
        { var license = License(sku: "PSA-ADD-200U", feature: 0, kind: .perpetual, count: 200); license.platform = 0; return license }(),
        { var license = License(sku: "PSA-100U-1YR", feature: 0, kind: .subscription, count: 100, startsAt: .start - day, endsAt: .start + day * 300)
          license.platform = 0; return license }(),
    ]
    builder.client("branch", ruc: 25, ilq: 25, muc: 250, steps: [(0, 100), (2, 250)])
    builder.client("psa-plain", ruc: 25, ilq: 25, muc: 250, steps: [(0, 20), (1, 250)])
    builder.client("psa-member", ruc: 25, ilq: 25, muc: 250, steps: [(0, 20), (1, 250)])
    builder.spec.clients[1].platform = 0
    builder.spec.clients[2].platform = 0
    builder.spec.clients[2].memberLicense = "PSA-LICENSE-MBR"
    var world = builder.world(records: true)
    #expect(try world.slot(0, at: 0.5).held == 100)       // the unbound 100, whole
    #expect(try world.slot(1, at: 1.5).held == 100)       // the subscription's 100 only
    #expect(try world.slot(2, at: 1.5).held == 200)       // the perpetual 200
    let branch = try world.slot(0, at: 3)
    #expect(branch.held == 100 && branch.deniedLogins == 150)   // nothing bound serves it
    #expect(world.used == 400)
    #expect(world.records(.refusal).contains { $0.client == 0 && $0.reason == .noFreeLicenses })
}

/// R-LIC-6, R-LEASE-11: when a bound license ends, leases its family can no longer be served are carried over,
/// and each renewal gets only what its class may still take.
@Test func rLic6ABoundLicenseEndingCarriesLeasesOverToTheirRenewal() throws {
    var builder = WorldBuilder(installed: 50, policy: .withoutAutoLeasing)
    builder.spec.platforms = ["PSA"]
    var subscription = License(sku: "PSA-150U-1YR", feature: 0, kind: .subscription, count: 150, startsAt: .start - day,
                               endsAt: .start + .hours(6))
    subscription.platform = 0
    builder.spec.servers[0].licenses.append(subscription)
    builder.client("psa", ruc: 25, ilq: 25, muc: 200, steps: [(0, 200)])
    builder.spec.clients[0].platform = 0
    var world = builder.world(records: true)
    #expect(try world.slot(0, at: 5).held == 200)
    // The subscription ends at 6 h: the 200 are carried over until the renewal at 8 h, which covers 50.
    let ended = try world.slot(0, at: 7)
    #expect(ended.held == 200 && world.model.serverFeatureStates[0].carriedOver == 200)
    #expect(try world.slot(0, at: 8.5).held == 50)
    #expect(world.records(.notCovered).contains { $0.time == .start + .hours(8) && $0.count == 150 })
}

/// R-AUTO-1: eligibility comes from the licenses, not only from a feature's flag. ls-a holds only a PSA-bound
/// subscription of "users", ls-b an unbound one: auto-leasing is never enabled on ls-a (its PSA client hears "off"),
/// and is on ls-b. When ls-b's unbound license is removed at 5 h, its auto-leasing is off at once.
@Test func rAuto1APoolOfPlatformBoundLicensesIsNeverAutoLeased() throws {
    var builder = WorldBuilder(installed: 0)
    builder.spec.platforms = ["PSA"]
    let subscription = { (sku: String, platform: Int?) -> License in
        var license = License(sku: sku, feature: 0, kind: .subscription, count: 300, startsAt: .start - .days(1), endsAt: .start + .days(300))
        license.platform = platform
        return license
    }
    builder.spec.servers = [ServerSpec(id: "ls-a", licenses: [subscription("PSA-300U-1YR", 0)]),
                            ServerSpec(id: "ls-b", licenses: [subscription("CONSEC-300U-1YR", nil)])]
    builder.spec.servers[1].licenses[0].removedAt = .start + .hours(5)
    builder.client("gw-a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60)])
    builder.client("gw-b", ruc: 50, ilq: 25, muc: 150, steps: [(0, 60)])
    builder.spec.clients[0].platform = 0
    builder.spec.clients[1].server = 1
    var world = builder.world(days: 1, records: true)
    _ = try world.slot(0, at: 4.5)
    #expect(!world.model.serverFeatureStates[0].autoLeasing && world.model.serverFeatureStates[1].autoLeasing)
    #expect(!world.model.slotStates[0].autoLeaseHeard && world.model.slotStates[1].autoLeaseHeard)
    _ = try world.slot(0, at: 5)
    let off = world.records(.autoLeaseDisabled)
    #expect(off.map(\.time) == [.start + .hours(5)] && off.map(\.server) == [1] && off.map(\.rule.description) == ["R-AUTO-1"])
}

/// R-AUTO-1, R-AUTO-5: an auto-leased count is reconciled only from licenses bound to no family. 50 unbound and 100
/// PSA perpetual; gw-a (PSA, member license; RUC 50, ILQ 25, MUC 150) is cut off from 1 h to 3 h and auto-leases
/// 50 while gw-b (no family) takes the last unbound 25. At 4 h gw-a's report finds 50 PSA licenses free but no
/// unbound one: the reconcile grants nothing and the penalty starts; then, by normal rules, gw-a asks and gets
/// the 50 PSA licenses as increments.
@Test func rAuto1AnAutoLeasedCountIsNotReconciledFromPlatformLicenses() throws {
    var builder = WorldBuilder(installed: 50)
    builder.spec.platforms = ["PSA"]
    var psa = License(sku: "PSA-ADD-100U", feature: 0, kind: .perpetual, count: 100)
    psa.platform = 0
    builder.spec.servers[0].licenses.append(psa)
    builder.client("gw-a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 90)])
    builder.client("gw-b", ruc: 25, ilq: 25, muc: 50, steps: [(0, 20), (2, 50)])
    builder.spec.clients[0].platform = 0
    builder.spec.clients[0].memberLicense = "PSA-LICENSE-MBR"
    builder.fault(.partition, client: 0, from: 1, until: 3)
    var world = builder.world(days: 1, records: true)
    let cut = try world.slot(0, at: 2.5)
    #expect(cut.autoLeased == 50 && world.model.slotStates[1].held == 50)
    let back = try world.slot(0, at: 4.01)
    #expect(world.records(.reconciled).map(\.count) == [0] && world.records(.notReconciled).map(\.count) == [50])
    #expect(world.pool.penalty && back.autoLeased == 0 && back.incrementHeld == 50 && back.held == 100)
}
