import Foundation
import Testing
import LeaseKernel
import LeaseModel
@testable import LeaseScenario

let expectationScenario = """
{"format": "leasesim/1", "start": "2026-01-05T00:00Z", "duration": "1d",
 "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 120}]}],
 "clients": [{"id": "gw", "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}},
              "demand": {"users": {"kind": "steps", "steps": [{"at": "0h", "users": 30}, {"at": "2h", "users": 160}, {"at": "5h", "users": 60}]}}}],
 "expectations": [
   {"metric": "leased", "entity": "gw", "at": "1h", "op": "==", "value": 50},
   {"metric": "leased", "entity": "gw", "at": "3h", "op": "==", "value": 100},
   {"metric": "deniedLogins", "entity": "fleet", "op": "==", "value": 60},
   {"metric": "free", "entity": "ls", "op": ">=", "value": 20, "holds": "always"},
   {"metric": "users", "entity": "gw", "op": ">", "value": 150, "holds": "never"},
   {"metric": "deniedUserHours", "entity": "gw", "op": "==", "value": 180},
   {"metric": "peakUsers", "entity": "fleet", "op": "==", "value": 160}
 ]}
"""

@Test func expectationsAreJudgedAtTheirInstantAtTheEndAndThroughout() throws {
    let scenario = try ScenarioLoader.load(bytes: Array(expectationScenario.utf8), file: "e.json")
    let report = try ScenarioRunner.run(scenario)
    let verdicts = report.results.map { ($0.passed, $0.actual, $0.seenAt.millisecondsSinceStart) }
    #expect(verdicts[0] == (true, 50, 3_600_000))
    #expect(verdicts[1] == (true, 100, 3 * 3_600_000))   // 70 free at 2 h: two quanta
    #expect(verdicts[2] == (true, 60, 86_400_000))        // 160 - 100 arrived and found no room (R-LEASE-8)
    #expect(verdicts[3] == (true, 20, 86_400_000))        // 120 installed - 100 leased, never lower
    #expect(verdicts[4] == (false, 160, 2 * 3_600_000))   // first broken at 2 h
    #expect(verdicts[5] == (true, 180, 86_400_000))        // 60 users unserved for 3 h
    #expect(verdicts[6] == (true, 160, 86_400_000))
}

/// Every bundled scenario runs with the model's invariants checked after every event, under several seeds.
@Test(arguments: ["quickstart", "morning-peak", "renewal-lapse", "muc-cut", "subscription-renewal", "fleet-500", "trace-replay",
                  "reservation-restart", "increment-holds", "subscription-overage"])
func bundledScenariosKeepTheModelInvariants(name: String) throws {
    let seeds: [UInt64?] = name == "fleet-500" ? [nil] : [nil, 1, 2, 3]
    for seed in seeds {
        let scenario = try ScenarioLoader.load(path: repositoryRoot + "/Scenarios/\(name).json", seed: seed)
        var options = RunOptions()
        options.checksInvariants = name != "fleet-500" // O(fleet) per event: checked once at the end instead
        let report = try ScenarioRunner.run(scenario, options: options)
        #expect(report.figures.invariantViolation == nil)
        // Conservation: what the servers lease out equals what their records say the clients hold.
        let used = report.figures.serverFeatureStates.reduce(Int64(0)) { $0 + Int64($1.used) }
        let leased = report.figures.leaseStates.reduce(Int64(0)) { $0 + Int64($1.reserved + $1.increment) }
        #expect(used == leased)
        if seed == nil {
            let failures = RunSummary.expectationLines(report).filter { $0.hasPrefix("FAIL") }
            #expect(failures.isEmpty, "\(name): \(failures)")
        }
    }
}

/// Probes read the model at their instants, in order, once each, after every event at or before them; instants
/// outside the run are ignored.
@Test func probesReadTheModelAtTheirInstants() throws {
    let scenario = try ScenarioLoader.load(bytes: Array(expectationScenario.utf8), file: "e.json")
    final class Seen { var readings: [(Int64, Int32)] = [] }
    let seen = Seen()
    var options = RunOptions()
    options.probes = [.start + .hours(3), .start + .hours(1), .start + .hours(1), .start + .hours(30)]
    options.probe = { instant, model in seen.readings.append((instant.millisecondsSinceStart, model.capacity(ofSlot: 0))) }
    _ = try ScenarioRunner.run(scenario, options: options)
    #expect(seen.readings.map(\.0) == [3_600_000, 3 * 3_600_000])
    #expect(seen.readings.map(\.1) == [50, 100])
}
