import Testing
import LeaseKernel
@testable import LeaseModel

/// Surrendering and recalling a client's perpetual licenses (R-SUR-1, R-SUR-2, R-SUR-3, R-SUR-5).

/// A server with 50 for anyone; gw-a (PSA, member license) has a perpetual 200 and a subscription 100 of its own
/// and 10 users; gw-b (PSA, member license) wants 200.
private func surrenderWorld(policy: LeasePolicy = .withoutAutoLeasing, actions: [(Double, ActionSpec.Change)],
                            cut: (from: Double, until: Double)? = nil, member: Bool = true, days: Int64 = 3) -> FleetWorld {
    var builder = WorldBuilder(installed: 50, policy: policy)
    builder.spec.platforms = ["PSA"]
    builder.client("gw-a", ruc: 10, ilq: 10, muc: 20, steps: [(0, 10)], latency: .milliseconds(10))
    builder.client("gw-b", ruc: 25, ilq: 25, muc: 250, steps: [(0, 200)], latency: .milliseconds(10))
    builder.spec.clients[0].licenses = [
        License(sku: "CONSEC-ADD-200U", feature: 0, kind: .perpetual, count: 200),
        License(sku: "CONSEC-100U-1YR", feature: 0, kind: .subscription, count: 100, startsAt: .start - day, endsAt: .start + day * 300),
    ]
    for client in 0..<2 {
        builder.spec.clients[client].platform = 0
        builder.spec.clients[client].memberLicense = member ? "PSA-LICENSE-MBR" : nil
    }
    builder.spec.actions = actions.map { ActionSpec(at: .start + .milliseconds(Int64($0.0 * 3_600_000)), change: $0.1) }
    if let cut { builder.fault(.partition, client: 0, from: cut.from, until: cut.until) }
    return builder.world(days: days, records: true)
}

private func installed(_ world: borrowing FleetWorld, client: Int) -> Int32 { world.model.ownLicensing[SlotID(index: Int32(client))].installed }

/// R-SUR-1: only a whole perpetual user-count license, only with a member license; each refusal is logged with
/// the rule and the reason, and changes nothing.
@Test func rSur1OnlyWholePerpetualUserCountLicensesWithAMemberLicenseAreSurrendered() throws {
    var world = surrenderWorld(actions: [(1, .surrenderLicense(client: 0, license: 1)), (2, .surrenderLicense(client: 0, license: 0)),
                                         (3, .surrenderLicense(client: 0, license: 0))])
    _ = try world.slot(0, at: 1.5)
    #expect(installed(world, client: 0) == 300 && world.model.serverFeatureStates[0].installed == 50)
    _ = try world.slot(0, at: 2.5)
    #expect(installed(world, client: 0) == 100 && world.model.serverFeatureStates[0].installed == 250)
    _ = try world.slot(0, at: 3.5)
    let refusals = world.records(.surrenderRefused)
    #expect(refusals.map(\.reason) == [.notSurrenderable, .alreadySurrendered])
    #expect(refusals.map(\.time) == [.start + .hours(1), .start + .hours(3)] && refusals.allSatisfy { $0.rule.description == "R-SUR-1" })
    #expect(world.records(.licenseSurrendered).map(\.count) == [200])

    var withoutMember = surrenderWorld(actions: [(1, .surrenderLicense(client: 0, license: 0))], member: false)
    _ = try withoutMember.slot(0, at: 2)
    #expect(withoutMember.records(.surrenderRefused).map(\.reason) == [.noMemberLicense] && installed(withoutMember, client: 0) == 300)
}

/// R-SUR-2, R-LIC-6: the server counts a surrendered license as installed for the client's family: gw-b grows
/// into it at its next renewal (at 4 h it asks again, R-LEASE-1).
@Test func rSur2ASurrenderedLicenseCountsAtTheServerForTheFamily() throws {
    var world = surrenderWorld(actions: [(1, .surrenderLicense(client: 0, license: 0))])
    #expect(try world.slot(1, at: 0.5).held == 25)                     // 50 - gw-a's 10: 15 left, less than a quantum
    let received = world.records(.surrenderReceived)
    _ = try world.slot(1, at: 1.5)
    #expect(world.records(.surrenderReceived).map(\.time) == [.start + .hours(1) + .milliseconds(10)] && received.isEmpty)
    #expect(world.model.serverFeatureStates[0].installed == 250)
    #expect(try world.slot(1, at: 4.5).held == 200)
}

/// R-SUR-2: the client renews the transfer every 4 h; the server stops leasing it more than 10 days after the
/// latest notice it heard, and (by default) not even the client's return brings it back.
@Test func rSur2TheServerLosesTheLicenseTenDaysAfterTheLastContact() throws {
    // gw-a surrenders at 1 h and is cut off from 22 h (its notices at 5, 9, 13, 17, 21 h arrive) until day 13.
    let cut = (from: 22.0, until: 24.0 * 13)
    var world = surrenderWorld(actions: [(1, .surrenderLicense(client: 0, license: 0))], cut: cut, days: 15)
    _ = try world.slot(1, at: 21 + 240 - 0.01)
    #expect(world.model.serverFeatureStates[0].installed == 250)
    _ = try world.slot(1, at: 21 + 240 + 0.01)
    #expect(world.model.serverFeatureStates[0].installed == 50)
    let expiry: SimInstant = .start + .hours(261) + .milliseconds(10)
    #expect(world.records(.surrenderExpired).map(\.time) == [expiry])
    _ = try world.slot(1, at: 24 * 14)
    #expect(world.model.serverFeatureStates[0].installed == 50 && installed(world, client: 0) == 100)   // lost until recalled

    var policy = LeasePolicy.withoutAutoLeasing
    policy.surrender.afterExpiry = .renewedOnContact
    var renewed = surrenderWorld(policy: policy, actions: [(1, .surrenderLicense(client: 0, license: 0))], cut: cut, days: 15)
    _ = try renewed.slot(1, at: 24 * 14)
    // The first notice after the cut (day 13 01:00) renews the transfer.
    #expect(renewed.model.serverFeatureStates[0].installed == 250)
    let resumed: SimInstant = .start + .hours(24 * 13 + 1) + .milliseconds(10)
    #expect(renewed.records(.surrenderResumed).map(\.time) == [resumed])
}

/// R-SUR-3, R-SUR-5: a recall counts at the client at once, even cut off from its server; the server stops
/// leasing the license when it hears, and a holder keeps what it was granted until it renews, when it gets only
/// what the remaining licenses cover.
@Test func rSur3RecallTakesEffectAtTheClientAtOnceAndAtTheServerWhenItHears() throws {
    // gw-a recalls at 30 h while cut off (28 h to 34 h): the server hears with the notice at 34 h.
    let cut = (from: 28.0, until: 34.0 - 1.0 / 60)
    var world = surrenderWorld(actions: [(1, .surrenderLicense(client: 0, license: 0)), (30, .recallLicense(client: 0, license: 0))],
                               cut: cut)
    #expect(try world.slot(1, at: 29).held == 200)
    _ = try world.slot(1, at: 30)
    #expect(installed(world, client: 0) == 300 && world.model.serverFeatureStates[0].installed == 250)
    let holding = try world.slot(1, at: 34 + 0.005 / 3600)
    #expect(world.model.serverFeatureStates[0].installed == 250 && holding.held == 200)
    _ = try world.slot(1, at: 34 + 0.02 / 3600)
    #expect(world.model.serverFeatureStates[0].installed == 50 && world.model.serverFeatureStates[0].carriedOver == 210)
    #expect(world.records(.recallReceived).map(\.time) == [.start + .hours(34) + .milliseconds(10)])
    // gw-b renews at 36 h: its RUC (25) is covered; nothing is left for its increments.
    #expect(try world.slot(1, at: 35.9).held == 200)
    let renewed = try world.slot(1, at: 36.5)
    #expect(renewed.held == 25)
    #expect(world.records(.notCovered).contains { $0.time == .start + .hours(36) + .milliseconds(10) && $0.client == 1 && $0.count == 175 })
    // A recall of a license not surrendered is refused.
    var refused = surrenderWorld(actions: [(1, .recallLicense(client: 0, license: 0))])
    _ = try refused.slot(0, at: 2)
    #expect(refused.records(.recallRefused).map(\.reason) == [.notSurrendered])
}

/// R-SUR-1: only perpetual concurrent-user and meeting-user licenses are surrendered; a perpetual RDP license (a
/// user capacity of another kind) is refused and stays on the client, while a meeting-user one goes.
@Test(arguments: [(FeatureKind.rdpUsers, false), (.meetingUsers, true), (.concurrentUsers, true), (.cores, false)])
func rSur1AnRDPLicenseIsNeverSurrendered(kind: FeatureKind, surrendered: Bool) throws {
    var builder = WorldBuilder(installed: 50, policy: .withoutAutoLeasing)
    builder.spec.platforms = ["PSA"]
    builder.spec.featureTraits = [kind.traits]
    builder.client("gw-a", ruc: 10, ilq: 10, muc: 20, steps: [(0, 10)], latency: .milliseconds(10))
    builder.spec.clients[0].licenses = [License(sku: "ACCESS-RDP-200U", feature: 0, kind: .perpetual, count: 200)]
    builder.spec.clients[0].platform = 0
    builder.spec.clients[0].memberLicense = "PSA-LICENSE-MBR"
    builder.spec.actions = [ActionSpec(at: .start + .hours(1), change: .surrenderLicense(client: 0, license: 0))]
    var world = builder.world(days: 1, records: true)
    _ = try world.slot(0, at: 2)
    #expect(world.records(.surrenderRefused).map(\.reason) == (surrendered ? [] : [.notSurrenderable]), "\(kind)")
    #expect(installed(world, client: 0) == (surrendered ? 0 : 200), "\(kind)")
    #expect(world.model.serverFeatureStates[0].installed == (surrendered ? 250 : 50), "\(kind)")
}
