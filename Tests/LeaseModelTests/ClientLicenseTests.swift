import Testing
import LeaseKernel
@testable import LeaseModel

/// Licenses installed on a client itself, and its platform's maximum (R-CLIENT-1).

/// R-CLIENT-1, the guide's license summary: maximum 1000, installed 48,250, effective 1000. The client's own
/// licenses cover its users, so it leases nothing beyond its RUC; above 1000 users every login is denied.
@Test func rClient1TheEffectiveCountIsOwnPlusLeasedCappedAtThePlatformMaximum() throws {
    var builder = WorldBuilder(installed: 200)
    builder.client("gw", ruc: 50, ilq: 25, muc: 150, steps: [(0, 900), (2, 1200)])
    builder.spec.clients[0].maxUsers = 1000
    builder.spec.clients[0].licenses = [
        License(sku: "CONSEC-ADD-250U", feature: 0, kind: .perpetual, count: 250),
        License(sku: "CONSEC-48000U-1YR", feature: 0, kind: .subscription, count: 48_000, startsAt: .start - day, endsAt: .start + day * 300),
    ]
    var world = builder.world(records: true)
    let below = try world.slot(0, at: 1)
    #expect(world.model.ownLicensing[SlotID(index: 0)].installed == 48_250 && below.held == 50)
    #expect(below.deniedLogins == 0 && world.model.capacity(ofSlot: 0) == 1000)
    let levels = world.model.levels(ofSlot: SlotID(index: 0))
    #expect(levels.installed == 48_250 && levels.effective == 1000 && levels.leased == 50 && levels.served == 900)
    let above = try world.slot(0, at: 3)
    #expect(above.deniedLogins == 200 && above.held == 50)            // capped at 1000; nothing asked of the server
    #expect(world.records(.incrementRequest).isEmpty)
}

/// R-CLIENT-1: the client's own licenses serve its users first; it leases only for the users beyond them.
@Test func rClient1OwnLicensesServeFirstAndLeasesCoverTheRest() throws {
    var builder = WorldBuilder(installed: 300)
    builder.client("gw", ruc: 50, ilq: 25, muc: 150, steps: [(0, 120), (2, 180)])
    builder.spec.clients[0].licenses = [License(sku: "CONSEC-ADD-100U", feature: 0, kind: .perpetual, count: 100,
                                                endsAt: .never)]
    builder.spec.clients[0].licenses[0].removedAt = .start + .hours(5)
    var world = builder.world(records: true)
    let start = try world.slot(0, at: 1)
    #expect(start.held == 50 && world.model.capacity(ofSlot: 0) == 150 && start.deniedLogins == 0)   // 120 users: 100 own + 20 of the 50
    let rise = try world.slot(0, at: 2)
    #expect(start.held == 50 && rise.held == 100 && rise.incrementHeld == 50)         // 80 beyond its own: two quanta
    #expect(world.used == 100)
    // The own license is removed at 5 h: the client asks for the users it covered, up to MUC (150).
    let removed = try world.slot(0, at: 5)
    #expect(world.model.ownLicensing[SlotID(index: 0)].installed == 0 && removed.held == 150 && removed.deniedLogins == 0)
    let events = world.records(.licenseRemoved)
    #expect(events.map(\.time) == [.start + .hours(5)] && events.first?.client == 0 && events.first?.count == 100)
}
