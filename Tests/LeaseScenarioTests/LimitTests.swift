import Foundation
import Testing
import LeaseKernel
import LeaseModel
@testable import LeaseScenario

/// Every count and duration at its documented maximum at once, over the longest run (3660 days): licenses
/// stacked to 1e9, MUC 1e7, users 1e7 scaled by up to 1.999, every policy duration at 3660 days. The integrals
/// pass Int64 in the fleet sums (3 slots of 3.2e18 user-ms) and the server's (1e9 x 3.2e11 ms): the figures
/// must be exact, not wrapped or trapped.
@Test func everyCountAndDurationAtItsMaximumRunsExactly() throws {
    let licenses = (0..<10).map { "{\"sku\": \"P\($0)\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 100000000}" }
    let text = """
    {"format": "leasesim/1", "seed": 9223372036854775807, "start": "2026-01-05T00:00Z", "duration": "3660d",
     "policy": {"reservedLeaseDuration": "3660d", "incrementalLeaseDuration": "3660d", "renewalInterval": "1830d",
                "minimumHold": "3660d", "quantaPerRequest": "needed"},
     "servers": [{"id": "ls", "licenses": [\(licenses.joined(separator: ", "))]}],
     "clients": [{"group": "b", "count": 12, "variation": {"scale": 0.999}, "server": "ls",
                  "allocations": {"users": {"ruc": 0, "ilq": 1000000, "muc": 10000000}},
                  "demand": {"users": {"kind": "constant", "users": 10000000}}}]}
    """
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "max.json")
    let report = try ScenarioRunner.run(scenario)
    #expect(report.figures.invariantViolation == nil)
    let run = Int128(scenario.duration.milliseconds)
    var denied: Int128 = 0, used: Int128 = 0
    for client in scenario.spec.clients {
        // Each member's users (1e7 scaled by its seeded factor), and the lease it takes at instant zero:
        // whole quanta of 1e6 up to its MUC of 1e7.
        let users = (Int64(10_000_000) * Int64(client.allocations[0].demand!.scalePerMille) + 500) / 1000
        let held = min(10_000_000, (users + 999_999) / 1_000_000 * 1_000_000)
        denied += Int128(max(0, users - held)) * run
        used += Int128(held) * run
    }
    #expect(denied > Int128(Int64.max))
    #expect(report.figures.fleetIntegrals(feature: 0).deniedUserMilliseconds == denied)
    #expect(report.figures.serverFeatureStates[0].installedUserMilliseconds == 1_000_000_000 * run)
    #expect(report.figures.serverFeatureStates[0].usedUserMilliseconds == used)
    let summary = RunSummary.json(report)
    #expect(summary.contains("\"deniedUserHours\": \(OutputText.decimal(denied, over: 3_600_000, decimals: 3)),"))
}

/// Random sessions at the most arrivals per hour and the most mean concurrency the loader allows run (20 minutes
/// of 1,000,000 arrivals an hour); a client whose sessions reach the per-client user bound stops the run with a
/// named limit (exit 3), never a wrapped count.
@Test func randomSessionsAtTheirBoundsRunAndStopAtTheUserBound() throws {
    let rates = Array(repeating: "1000000", count: 24).joined(separator: ", ")
    let text = """
    {"format": "leasesim/1", "duration": "20m",
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 100000000}]}],
     "clients": [{"id": "a", "server": "ls", "allocations": {"users": {"ruc": 0, "ilq": 1000000, "muc": 10000000}},
                  "demand": {"users": {"kind": "sessions", "arrivalsPerHour": [\(rates)], "meanSession": "10h"}}}]}
    """
    var scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "sessions.json")
    let report = try ScenarioRunner.run(scenario)
    let users = report.figures.slotStates[0].users
    #expect(users > 300_000 && users < 370_000) // About 333,333 arrivals, hardly any session over yet.
    scenario.spec.maxUsersPerSlot = 1_000
    do {
        _ = try ScenarioRunner.run(scenario)
        Issue.record("sessions past the user bound did not stop the run")
    } catch let error as ScenarioLimitExceeded {
        #expect(error.limit == .maxUsersPerClient)
        #expect(error.description.contains("random sessions of a reached 1000 users at t+"))
    }
}

/// The fleet at its documented size limits loads: 1,000,000 clients with 2,000,000 allocations, 10,000 servers.
@Test func theLargestFleetLoads() throws {
    let servers = (1..<10_000).map { "{\"id\": \"s\($0)\"}" }.joined(separator: ", ")
    let licenses = (0..<10).map { "{\"sku\": \"U\($0)\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 100000000}" }
        .joined(separator: ", ")
    let text = """
    {"format": "leasesim/1", "duration": "1d",
     "servers": [{"id": "ls", "licenses": [\(licenses), {"sku": "R", "feature": "rdp", "type": "perpetual", "count": 100000000}]},
                 \(servers)],
     "clients": [{"group": "b", "count": 1000000, "server": "ls",
                  "allocations": {"users": {"ruc": 1000, "ilq": 0, "muc": 1000}, "rdp": {"ruc": 1, "ilq": 1, "muc": 2}}}]}
    """
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "fleet.json")
    #expect(scenario.spec.clients.count == ScenarioLimits.maxClients)
    #expect(scenario.spec.clients.reduce(0) { $0 + $1.allocations.count } == ScenarioLimits.maxSlots)
    #expect(scenario.spec.servers.count == ScenarioLimits.maxServers)
}
