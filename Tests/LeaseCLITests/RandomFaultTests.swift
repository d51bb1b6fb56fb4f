import Foundation
import Testing
import LeaseModel
import LeaseScenario

/// A small fleet under random faults: partitions, server crashes and a loss, all drawn from the seed.
func randomFaultScenario(branches: Int, faults: String = #""randomFaults": {"partitionsPerLinkPerMonth": 20, "meanPartition": "2h", "serverCrashesPerMonth": 30, "meanDowntime": "15m", "loss": 0.01}"#) -> String {
    """
    {"format": "leasesim/1", "seed": 77, "start": "2026-03-02T00:00Z", "duration": "3d", "network": {"latency": "30ms"},
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": \(branches * 90)}]}],
     \(faults),
     "clients": [{"group": "branch", "count": \(branches), "server": "ls", "variation": {"scale": 0.3, "shift": "1h"},
                  "allocations": {"users": {"ruc": 40, "ilq": 25, "muc": 140}},
                  "demand": {"users": {"kind": "daily",
                    "weekday": [2, 2, 2, 2, 2, 5, 20, 60, 100, 110, 110, 100, 90, 100, 110, 100, 80, 50, 20, 10, 5, 2, 2, 2]}}}]}
    """
}

/// The schedule summary.json writes is the scenario's own syntax: pasted back in place of `randomFaults`, it
/// replays the run byte for byte.
@Test func aDrawnScheduleReplaysExactly() throws {
    let drawnFile = scratch("random-drawn") + ".json", replayFile = scratch("random-replay") + ".json"
    try randomFaultScenario(branches: 12).write(toFile: drawnFile, atomically: true, encoding: .utf8)
    let drawn = scratch("random-drawn-out")
    #expect(try leasesim(["run", drawnFile, "--out", drawn, "--quiet"]).code == 0)
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: drawn + "/summary.json"))) as! [String: Any]
    let schedule = (summary["faults"] as! [String: Any])["schedule"] as! [Any]
    #expect(schedule.count > 10)
    let faults = String(decoding: try JSONSerialization.data(withJSONObject: schedule), as: UTF8.self)
    try randomFaultScenario(branches: 12, faults: "\"faults\": \(faults)").write(toFile: replayFile, atomically: true, encoding: .utf8)
    let replayed = scratch("random-replay-out")
    #expect(try leasesim(["run", replayFile, "--out", replayed, "--quiet"]).code == 0)
    for file in ["timeline.csv", "events.csv"] {
        let original = try Data(contentsOf: URL(fileURLWithPath: drawn + "/" + file))
        #expect(original == (try Data(contentsOf: URL(fileURLWithPath: replayed + "/" + file))), "\(file)")
    }
    let events = try String(contentsOfFile: drawn + "/events.csv", encoding: .utf8)
    #expect(events.contains(",message_dropped,") && events.contains(",fault_started,") && events.contains(",request_retried,"))
}

/// Each client's faults come from its own stream: adding a client changes none of the others' faults.
@Test func addingAClientChangesNoOtherClientsFaults() throws {
    func faults(_ branches: Int) throws -> [String: (at: String, until: String)] {
        let scenario = try ScenarioLoader.load(bytes: Array(randomFaultScenario(branches: branches).utf8), file: "r.json")
        var byID: [String: (at: String, until: String)] = [:]
        for fault in scenario.spec.faults where fault.id.hasPrefix("random-partition-") {
            byID[fault.id] = ("\(fault.at)", "\(fault.until)")
        }
        return byID
    }
    let fewer = try faults(10), more = try faults(11)
    #expect(fewer.count > 10)
    for (id, window) in fewer { #expect(more[id]?.at == window.at && more[id]?.until == window.until, "\(id)") }
    #expect(more.keys.contains { $0.hasPrefix("random-partition-branch-011-") })
}

/// A scheduled fault that touched nothing is reported (a warning on stderr), never silent; the console and
/// summary.json count what each fault did.
@Test func aFaultThatTouchedNothingIsAWarning() throws {
    let file = scratch("idle-fault") + ".json"
    let scenario = """
    {"format": "leasesim/1", "duration": "1d",
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 200}]}],
     "clients": [{"id": "a", "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}},
                  "demand": {"users": {"kind": "steps", "steps": [{"at": "0h", "users": 40}, {"at": "6h", "users": 90}]}}}],
     "faults": [{"id": "idle", "kind": "partition", "between": ["a", "ls"], "at": "1h", "for": "1h"},
                {"id": "busy", "kind": "partition", "between": ["a", "ls"], "at": "5h59m", "for": "10m"}]}
    """
    try scenario.write(toFile: file, atomically: true, encoding: .utf8)
    let out = scratch("idle-fault-out")
    let result = try leasesim(["run", file, "--out", out])
    #expect(result.code == 0)
    #expect(result.stderr == "leasesim: warning: fault idle touched nothing (no message crossed its links while it acted)\n")
    // R-AUTO-3: the request at 6 h times out once and the client auto-leases; it reports at its next contact.
    #expect(result.stdout.contains("  fault busy (partition from t+359m to t+369m): 1 message dropped, 1 client touched\n"))
    #expect(result.stdout.contains("  requests timed out 1, retried 0, given up 0\n"))
    #expect(result.stdout.contains("  auto-leasing: 1 auto-increment, 1 report, 0 not reconciled, 0 penalties\n"))
    let summary = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
    #expect(summary.contains(#"{"id": "idle", "kind": "partition", "between": ["a", "ls"], "at": "1h", "until": "2h"}"#))
    #expect(summary.contains(#""touchedNothing": true"#) && summary.contains(#""messagesDropped": 1, "messagesDelayed": 0"#))
}

/// A fleet with a clustered client and an HA pair under random faults: partitions are drawn for the link between
/// every two cluster members and for the pair's internal link too, each from its own stream; over several seeds the
/// runs keep every invariant after every event (R-CLU-3, R-HA-1, R-HA-3).
@Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
func randomFaultsCutClusterAndPairLinksAndKeepTheInvariants(seed: UInt64) throws {
    let text = """
    {"format": "leasesim/1", "seed": \(seed), "start": "2026-03-02T00:00Z", "duration": "4d", "network": {"latency": "20ms"},
     "randomFaults": {"partitionsPerLinkPerMonth": 60, "meanPartition": "3h", "serverCrashesPerMonth": 20, "meanDowntime": "2h"},
     "servers": [{"id": "ls-a", "licenses": [{"sku": "A", "feature": "users", "type": "perpetual", "count": 300}]},
                 {"id": "ls-b", "licenses": [{"sku": "B", "feature": "users", "type": "perpetual", "count": 200}]}],
     "haPairs": [{"id": "ls-ha", "nodes": ["ls-a", "ls-b"], "mode": "activeActive"}],
     "clients": [{"group": "gw", "count": 3, "server": "ls-ha", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}},
                  "demand": {"users": {"kind": "daily", "weekday": [5, 5, 5, 5, 5, 20, 60, 100, 140, 150, 150, 140, 120, 140, 150, 140, 100, 60, 20, 10, 5, 5, 5, 5]}}},
                 {"id": "solo", "server": "ls-b", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 100}},
                  "demand": {"users": {"kind": "constant", "users": 90}}}],
     "clusters": [{"id": "gw", "members": ["gw-001", "gw-002", "gw-003"]}]}
    """
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "random-ha.json")
    let ids = scenario.spec.faults.map(\.id)
    #expect(ids.contains { $0.hasPrefix("random-partition-gw-001-gw-002-") || $0.hasPrefix("random-partition-gw-002-gw-003-") })
    #expect(ids.contains { $0.hasPrefix("random-partition-ls-a-ls-b-") })
    var options = RunOptions(outputDirectory: nil)
    options.checksInvariants = true
    let report = try ScenarioRunner.run(scenario, options: options)
    #expect(report.eventsProcessed > 0)
}
