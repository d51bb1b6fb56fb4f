import FleetBenchmark
import Testing

/// Valid extreme scenarios from 40 seeds: each loads, and runs to its end or to a documented limit with the
/// model's invariants checked after every event. A crash here kills the test run: the last seed printed is the
/// one to reproduce (`swift run -c release leasesim-bench extreme --seed N`).
@Test(arguments: 0..<40)
func extremeScenariosLoadAndRunWithinTheirLimits(seed: Int) throws {
    print("extreme scenario seed \(seed)")
    let outcome = try ExtremeScenarios.run(seed: UInt64(seed))
    switch outcome {
    case .completed(let events): #expect(events > 0)
    case .stoppedAtLimit(let limit): #expect(["maximum events", "maximum users per client"].contains { limit.hasPrefix($0) }, "seed \(seed): \(limit)")
    }
}
