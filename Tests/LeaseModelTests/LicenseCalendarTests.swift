import Testing
import LeaseKernel
@testable import LeaseModel

/// The license calendar: evaluation and ICE licenses, removals, license-server licenses.

/// R-LIC-4: an evaluation license counts for its period (8 weeks) from its installation.
@Test func rLic4AnEvaluationLicenseLastsEightWeeksFromInstallation() {
    let license = License(sku: "EVAL-100", feature: 0, kind: .evaluation, count: 100, installedAt: .start + day * 3)
    let capacity = LicenseSchedule.capacity(server: 0, licenses: [license], featureCount: 1)
    #expect(capacity.initial == [0])
    #expect(capacity.changes.map(\.at) == [.start + day * 3, .start + day * 3 + .weeks(8)])
    #expect(capacity.changes.map(\.delta) == [100, -100])
    #expect(capacity.changes.map(\.kind.rule.description) == ["R-LIC-4", "R-LIC-4"])
}

/// R-LIC-5: an ICE license counts only while on; its period is used in whole 5-minute steps (7 minutes on uses
/// 10), and when it is used up the license is gone, in the middle of an activation if need be.
@Test func rLic5AnICELicenseIsUsedUpInFiveMinuteStepsOnlyWhileOn() {
    var ice = License(sku: "ICE-500", feature: 0, kind: .ice, count: 500)
    ice.period = .minutes(75)
    func at(_ minutes: Int64) -> SimInstant { SimInstant.start + SimDuration.minutes(minutes) }
    ice.activations = [
        at(0)..<at(7),          // uses 10 minutes: 65 left
        at(60)..<at(120),       // uses 60: 5 left
        at(180)..<at(240),      // 5 minutes, then it is gone
        at(300)..<at(360),      // nothing left
    ]
    let expected: [Range<SimInstant>] = [at(0)..<at(7), at(60)..<at(120), at(180)..<at(185)]
    #expect(LicenseSchedule.iceIntervals(of: ice) == expected)
    let capacity = LicenseSchedule.capacity(server: 0, licenses: [ice], featureCount: 1)
    #expect(capacity.initial == [500])
    #expect(capacity.changes.map(\.delta) == [-500, 500, -500, 500, -500])
    #expect(capacity.changes.allSatisfy { $0.kind.rule.description == "R-LIC-5" })
    // Dormant until activated: an ICE license never switched on never counts.
    #expect(LicenseSchedule.capacity(server: 0, licenses: [License(sku: "ICE", feature: 0, kind: .ice, count: 9)], featureCount: 1).initial == [0])
}

/// A license removed during the run stops counting then, whatever its kind; a removed ICE license is off.
@Test func aRemovedLicenseStopsCountingAtItsRemoval() {
    var perpetual = License(sku: "P", feature: 0, kind: .perpetual, count: 100)
    perpetual.removedAt = .start + day * 2
    var ice = License(sku: "ICE", feature: 0, kind: .ice, count: 50)
    let from: SimInstant = .start + day
    ice.activations = [from..<SimInstant.never]
    ice.removedAt = .start + day * 3
    let capacity = LicenseSchedule.capacity(server: 0, licenses: [perpetual, ice], featureCount: 1)
    #expect(capacity.initial == [100])
    let times: [SimInstant] = [.start + day, .start + day * 2, .start + day * 3]
    #expect(capacity.changes.map(\.at) == times)
    #expect(capacity.changes.map(\.delta) == [50, -100, -50])
}

/// R-LIC-7: calendar years, with February 29 on a year that has none.
@Test func rLic7YearsAreCalendarYears() {
    let leapDay = CivilCalendar.days(year: 2028, month: 2, day: 29)
    #expect(CivilCalendar.adding(years: 1, toDay: leapDay) == CivilCalendar.days(year: 2029, month: 2, day: 28))
    #expect(CivilCalendar.adding(years: 4, toDay: leapDay) == CivilCalendar.days(year: 2032, month: 2, day: 29))
    #expect(CivilCalendar.adding(years: 3, toDay: CivilCalendar.days(year: 2026, month: 1, day: 1)) == CivilCalendar.days(year: 2029, month: 1, day: 1))
}

/// R-LIC-8: a hardware server without a license-server license grants and renews nothing (leases run to their
/// own expiry); with one it serves until the license ends.
@Test func rLic8AHardwareServerServesOnlyWhileItsServerLicenseCoversIt() throws {
    var builder = WorldBuilder(installed: 200)
    let until: SimInstant = .start + .hours(10)
    builder.spec.servers[0].serves = [SimInstant.start..<until]
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (2, 60), (11, 90)])
    var world = builder.world(days: 3, records: true)
    let served = try world.slot(0, at: 3)
    #expect(served.held == 75)                                       // granted at 2 h
    let refused = try world.slot(0, at: 12)
    #expect(refused.held == 75 && refused.deniedLogins == 15)        // the 11 h request was refused
    let refusals = world.records(.refusal)
    let times: [SimInstant] = [.start + .hours(11), .start + .hours(12)]   // the request, then the renewal
    #expect(refusals.map(\.time) == times && refusals.allSatisfy { $0.reason == .noServerLicense })
    #expect(refusals.first?.rule.description == "R-LIC-8")
    #expect(world.records(.serverLicenseEnded).map(\.time) == [.start + .hours(10)])
    // The increment, last renewed at 8 h, lapses at its expiry (32 h); the reserved count runs on to 8 h + 10 d.
    let lapsed = try world.slot(0, at: 33)
    #expect(lapsed.held == 50 && world.used == 50)
}
