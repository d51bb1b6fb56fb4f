import Testing
import LeaseKernel
@testable import LeaseModel

func demandWorld(_ pattern: DemandPattern, demand: DemandSpec = DemandSpec(pattern: 0), start: Int64 = 0, days: Int64 = 2) -> FleetWorld {
    var spec = FleetSpec()
    spec.startEpochMilliseconds = start
    spec.seed = 99
    spec.features = ["users"]
    spec.servers = [ServerSpec(id: "s", licenses: [License(sku: "P", feature: 0, kind: .perpetual, count: 10_000)])]
    spec.demandPatterns = [pattern]
    spec.clients = [ClientSpec(id: "c", server: 0, allocations: [
        ClientAllocationSpec(feature: 0, allocation: Allocation(reserved: 0, quantum: 25, maximum: 10_000), demand: demand)])]
    var world = FleetWorld(spec: spec, horizon: .start + .days(days))
    world.simulation.checksInvariantsEveryEvent = true
    return world
}

@Test func dailyProfileFollowsUTCHoursAndWeekends() throws {
    let weekday = (0..<24).map { Int32($0 * 10) }
    let weekend = (0..<24).map { _ in Int32(7) }
    // 2026-01-09 is a Friday.
    let friday = CivilCalendar.days(year: 2026, month: 1, day: 9) * 86_400_000
    var world = demandWorld(.daily(weekday: weekday, weekend: weekend), start: friday, days: 3)
    #expect(try world.slot(0, at: 0).users == 0)
    #expect(try world.slot(0, at: 9.5).users == 90)
    #expect(try world.slot(0, at: 23).users == 230)
    #expect(try world.slot(0, at: 24).users == 7)        // Saturday
    #expect(try world.slot(0, at: 48 + 14).users == 7)   // Sunday
}

@Test func groupVariationScalesAndShifts() throws {
    let steps = DemandPattern.steps([DemandStep(at: .start, users: 100), DemandStep(at: .start + .hours(5), users: 200)])
    var world = demandWorld(steps, demand: DemandSpec(pattern: 0, scalePerMille: 1_250, shift: .minutes(30)))
    #expect(try world.slot(0, at: 0).users == 0)       // shifted 30 min later: nothing yet
    #expect(try world.slot(0, at: 0.5).users == 125)
    #expect(try world.slot(0, at: 5.4).users == 125)
    #expect(try world.slot(0, at: 5.5).users == 250)
}

@Test func randomSessionsAreReproducibleFromTheSeed() throws {
    let rates = [Int64](repeating: 60_000, count: 24) // 60 arrivals per hour
    let pattern = DemandPattern.sessions(arrivalsPerHourMilli: rates, weekendArrivalsPerHourMilli: nil, meanSession: .minutes(30))
    var first = demandWorld(pattern, demand: DemandSpec(pattern: 0, streamKey: 5))
    var second = demandWorld(pattern, demand: DemandSpec(pattern: 0, streamKey: 5))
    var other = demandWorld(pattern, demand: DemandSpec(pattern: 0, streamKey: 6))
    let a = try first.slot(0, at: 40), b = try second.slot(0, at: 40), c = try other.slot(0, at: 40)
    #expect(a.users == b.users)
    #expect(a.servedUserMilliseconds == b.servedUserMilliseconds)
    #expect(a.servedUserMilliseconds != c.servedUserMilliseconds)
    // Little's law: about 60/h x 0.5 h = 30 users on average; 40 h of it within 15%.
    let averageUsers = Double(a.servedUserMilliseconds + a.deniedUserMilliseconds) / Double(40 * 3_600_000)
    #expect(averageUsers > 25.5 && averageUsers < 34.5, "average \(averageUsers)")
}

@Test func calendarArithmeticRoundTrips() {
    #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
    #expect(CivilCalendar.days(year: 2026, month: 11, day: 23) == 20_780)
    #expect(CivilCalendar.date(days: 20_780) == (2026, 11, 23))
    #expect(CivilCalendar.weekday(epochMilliseconds: 20_780 * 86_400_000) == 0) // a Monday
    #expect(!CivilCalendar.isValid(year: 2026, month: 2, day: 29))
    #expect(CivilCalendar.isValid(year: 2028, month: 2, day: 29))
    #expect(CivilCalendar.iso8601(epochMilliseconds: 20_780 * 86_400_000 + 3_723_004) == "2026-11-23T01:02:03.004Z")
}
