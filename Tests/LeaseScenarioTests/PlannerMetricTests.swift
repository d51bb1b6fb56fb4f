import Foundation
import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// Planner figures, worked out by hand for a client whose users step 0, 8, 14, 2 (at 0h, 2h, 6h, 8h) over 12 h,
/// with RUC 4, ILQ 2, MUC 12 on a server of 10, cut off from it from 5h to 7h: at 6h its request for 14 is dropped,
/// it waits 30 s, raises its own lease to 12 (R-AUTO-3) and denies 2 logins.
private let scenario = """
{"format": "leasesim/1", "duration": "12h", "start": "2026-03-02T00:00Z",
 "policy": {"releasePolicy": "onDrop", "minimumHold": "1h"},
 "servers": [{"id": "ls-1", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 10}]}],
 "clients": [{"id": "gw", "server": "ls-1", "allocations": {"users": {"ruc": 4, "ilq": 2, "muc": 12}},
              "demand": {"users": {"kind": "steps", "steps": [{"at": "0h", "users": 0}, {"at": "2h", "users": 8}, {"at": "6h", "users": 14}, {"at": "8h", "users": 2}]}}}],
 "faults": [{"id": "cut", "kind": "partition", "between": ["gw", "ls-1"], "at": "5h", "until": "7h"}]}
"""

private func run() throws -> (summary: [String: Any], clients: String) {
    let out = NSTemporaryDirectory() + "leasesim-planner-\(ProcessInfo.processInfo.processIdentifier)"
    let loaded = try ScenarioLoader.load(bytes: Array(scenario.utf8), file: "planner.json")
    _ = try ScenarioRunner.run(loaded, options: RunOptions(outputDirectory: out))
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
    return (summary, try String(contentsOfFile: out + "/clients.csv", encoding: .utf8))
}

/// clients.csv: first denial 06:00:30, peaks and when, license-hours held (79.967) and used (63.967), 12 messages
/// in half a day (the report of the cut's peak of 4 auto-leased at 8 h among them, R-AUTO-5), and the time at each tenth of MUC: 4 of 12 for 6 h (30-40%), 8 of 12 for 4 h 30 s (60-70%),
/// 12 of 12 for 1 h 59 min 30 s (max).
@Test func clientsCSVHoldsEachClientsPlannerFigures() throws {
    let lines = try run().clients.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines[0] == "client,group,feature,server,ruc,ilq,muc,denied_logins,denied_user_hours,users_cut_off,first_denial,peak_users,peak_users_at,peak_leased,peak_leased_at,leased_hours,served_user_hours,utilisation,messages_sent,messages_received,messages_per_day,level_0_10,level_10_20,level_20_30,level_30_40,level_40_50,level_50_60,level_60_70,level_70_80,level_80_90,level_90_100,level_max")
    #expect(lines[1] == "gw,,users,ls-1,4,2,12,2,4.033,0,2026-03-02T06:00:30.000Z,14,2026-03-02T06:00:00.000Z,12,2026-03-02T06:00:30.000Z,79.967,63.967,0.7999,7,5,24.000,0.0000,0.0000,0.0000,0.5000,0.0000,0.0000,0.3340,0.0000,0.0000,0.0000,0.1660")
}

/// summary.json: the fleet's and the server's planner figures, and the fault's: the first denial 1 h 30 s after
/// the cut began, and every user served again 1 h after it ended (at 8h, when users fall to 2).
@Test func summaryHoldsServerFleetAndFaultPlannerFigures() throws {
    let summary = try run().summary
    let fleet = (summary["fleet"] as! [String: Any])["users"] as! [String: Any]
    #expect(fleet["firstDenial"] as? String == "2026-03-02T06:00:30.000Z" && fleet["peakUsersAt"] as? String == "2026-03-02T06:00:00.000Z")
    #expect(fleet["peakLeasedAt"] as? String == "2026-03-02T06:00:30.000Z")
    #expect(fleet["hoursAvailable"] as? Double == 120 && fleet["hoursUsed"] as? Double == 72 && fleet["messagesPerClientPerDay"] as? Double == 24)
    let fleetLevels = fleet["timeAtLevel"] as! [String: Double]
    #expect(fleetLevels == ["0-10%": 0, "10-20%": 0, "20-30%": 0, "30-40%": 0, "40-50%": 0.5, "50-60%": 0, "60-70%": 0, "70-80%": 0,
                            "80-90%": 0.334, "90-100%": 0, "max": 0.166])
    let server = (((summary["servers"] as! [[String: Any]])[0])["features"] as! [String: Any])["users"] as! [String: Any]
    #expect(server["deniedLogins"] as? Int == 2 && server["deniedUserHours"] as? Double == 4.033)
    #expect(server["firstDenial"] as? String == "2026-03-02T06:00:30.000Z" && server["peakUsedAt"] as? String == "2026-03-02T02:00:00.000Z")
    #expect(server["hoursAvailable"] as? Double == 120 && server["hoursUsed"] as? Double == 72)
    #expect((server["timeAtLevel"] as! [String: Double])["40-50%"] == 0.5 && (server["timeAtLevel"] as! [String: Double])["80-90%"] == 0.5)
    let effect = ((summary["faults"] as! [String: Any])["effects"] as! [[String: Any]])[0]
    #expect(effect["firstDenialAfterSeconds"] as? Int == 3630 && effect["recoveredAfterSeconds"] as? Int == 3600)
}

/// The bins: tenths below the maximum, and the maximum (or more) on its own.
@Test func levelBinsAreTenthsOfTheMaximum() {
    #expect([0, 1, 11, 12, 59, 60, 119, 120, 121].map { LevelBins.bin($0, of: 120) } == [0, 0, 0, 1, 4, 5, 9, 10, 10])
    #expect(LevelBins.bin(0, of: 0) == 10 && LevelBins.names.first == "0-10%" && LevelBins.names.count == 11)
}
