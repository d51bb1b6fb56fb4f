import Testing
import FleetBenchmark
import LeaseModel
import LeaseScenario

/// The canonical workload through leasesim's own model reproduces the SimPy reference exactly
/// (`python3 shared/peers/simpy_fleet.py 100 30`: events=252708 denied_user_hours=3059801 final_leased=6000).
/// Exercises R-LEASE-1, R-LEASE-2, R-LEASE-4, R-LEASE-7 and R-LEASE-9 (onDrop) at fleet scale. Not timed.
@Test func canonicalFleetOf100For30DaysMatchesTheReference() throws {
    let outcome = try CanonicalFleet.run(clients: 100, days: 30)
    #expect(outcome.events == 252_708)
    #expect(outcome.deniedUserHours == 3_059_801)
    #expect(outcome.finalLeased == 6_000)
}

/// Through the scenario runner (its probes read the expiry tally) the workload gives the same outcome, for a run
/// shorter than the reserved lease (no reserved check comes due) and one longer.
@Test(arguments: [Int64(5), 11, 30])
func canonicalFleetThroughTheScenarioRunnerMatchesTheDirectRun(days: Int64) throws {
    #expect(try CanonicalFleet.run(clients: 40, days: days, options: RunOptions()) == CanonicalFleet.run(clients: 40, days: days))
}

/// The minimal binary-heap baseline computes the same outcome (so speed comparisons compare like with like).
@Test func minimalHeapBaselineMatchesTheReference() {
    let outcome = MinimalHeapFleet.run(clients: 100, days: 30)
    #expect(outcome.events == 252_708)
    #expect(outcome.deniedUserHours == 3_059_801)
    #expect(outcome.finalLeased == 6_000)
}

/// The reference demand, `50 + ((i * 7919 + h * 104729) mod 101)`, is the model's general `cycle` demand.
@Test func theReferenceDemandIsACycle() {
    guard case let .cycle(values, step, offset) = CanonicalFleet.demand else {
        Issue.record("not a cycle")
        return
    }
    var differing = 0
    for member in Int64(0)..<300 {
        for hour in Int64(0)..<2_000 {
            let index = Int((member * offset + hour * step) % Int64(values.count))
            if Int64(values[index]) != 50 + (member * 7919 + hour * 104_729) % 101 { differing += 1 }
        }
    }
    #expect(differing == 0)
}
