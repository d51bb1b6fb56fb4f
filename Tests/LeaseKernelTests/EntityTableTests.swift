import Testing
@testable import LeaseKernel

struct ThingID: EntityID {
    let index: Int32
    init(index: Int32) { self.index = index }
}

/// A handler whose invariant breaks once it has seen three events.
struct Breaker: EventHandler {
    typealias Payload = Int
    var seen = 0
    mutating func handle(_ payload: Int, simulation: inout Simulation<Int>) { seen += 1 }
    func invariantViolation(at now: SimInstant) -> String? { seen >= 3 ? "seen \(seen) events" : nil }
}

/// An entity table grows as entities are added, reads and writes by typed ID, and copies on write in one place.
@Test func anEntityTableGrowsAndCopiesOnWrite() {
    var table = EntityTable<ThingID, Int64>(capacity: 1)
    let ids = (0..<100).map { table.append(Int64($0) * 3) }
    #expect(ids.map(\.index) == Array(0..<100))
    #expect(table.count == 100 && table[ThingID(index: 99)] == 297)
    table[ThingID(index: 5)] += 1
    let snapshot = table
    table.makeUnique()
    table[ThingID(index: 5)] = -1
    #expect(snapshot[ThingID(index: 5)] == 16 && table[ThingID(index: 5)] == -1)
    #expect(Array(table.ids.prefix(3)) == [ThingID(index: 0), ThingID(index: 1), ThingID(index: 2)])
    #expect(EntityIDs<ThingID>(first: 4, end: 7).map(\.index) == [4, 5, 6])
}

/// A bad ID traps: it never reads or writes another entity's memory.
@Test func anIDOutsideTheTableTraps() async {
    await #expect(processExitsWith: .failure) {
        let table = EntityTable<ThingID, Int>(repeating: 0, count: 3)
        _ = table[ThingID(index: 3)]
    }
    await #expect(processExitsWith: .failure) {
        var table = EntityTable<ThingID, Int>(repeating: 0, count: 3)
        table[ThingID(index: -1)] = 1
    }
}

/// A broken invariant stops the run after the event that broke it, naming the invariant and the event.
@Test func aBrokenInvariantStopsTheRun() {
    var sim = Simulation<Int>()
    for index in 0..<10 { sim.schedule(at: .start + .seconds(Int64(index)), index * 10) }
    sim.checksInvariantsEveryEvent = true
    var handler = Breaker()
    #expect(throws: RunLimitExceeded(limit: .invariant, now: .start + .seconds(2), eventsProcessed: 3,
                                     detail: "seen 3 events, after the event 20")) {
        try sim.run(until: .start + .days(1), handler: &handler)
    }
    #expect(handler.seen == 3)
}
