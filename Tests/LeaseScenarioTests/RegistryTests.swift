import Foundation
import Testing
import LeaseKernel
import LeaseModel
@testable import LeaseScenario

/// The registry of reported quantities is the one list: metrics, columns, the schema and the README agree with it.
@Test func everyMetricIsOneQuantityOfTheRegistry() {
    let metricNames = Quantities.all.filter(\.isMetric).map(\.name)
    #expect(metricNames.sorted() == Metric.allCases.map(\.rawValue).sorted())
    #expect(Set(Quantities.all.map(\.name)).count == Quantities.all.count, "a name twice")
    let columns = Quantities.all.compactMap(\.column)
    #expect(Set(columns).count == columns.count, "a column twice")
    for metric in Metric.allCases { #expect(Role.allCases.contains { Quantities.of(metric).has($0) }, "\(metric) has no role") }
}

@Test func theTimelineHeaderAndEveryRowComeFromTheRegistry() throws {
    #expect(Quantities.timelineHeader == "time,seconds,entity,role,feature,users,served,unserved,reserved,incremental,leased,server_leased,capacity,denied_logins,installed,used,free,auto_leased,auto_leasing,penalty,licensing,cloud,leader,ha_role,split,grace_days_left,average_available,auto_lease_threshold\n")
    var levels = Levels()
    (levels.users, levels.served, levels.reserved, levels.incremental, levels.leased) = (9, 7, 5, 2, 7)
    (levels.serverLeased, levels.deniedLogins, levels.installed, levels.used) = (6, 3, 40, 30)
    (levels.autoLeased, levels.autoLeasing, levels.penalty, levels.effective) = (4, 1, 1, 8)
    (levels.averageAvailableThousandths, levels.autoLeaseThresholdThousandths, levels.licensing) = (120_300, -97_505, 1)
    let directory = temporaryDirectory("registry-rows")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = try OutputFile(path: directory + "/rows.csv")
    var rows = CSVBuffer(writingTo: file)
    rows.cells(Quantities.clientCells, levels)
    rows.cells(Quantities.serverCells, levels)
    rows.cells(Quantities.fleetCells, levels)
    rows.finish()
    try file.close()
    let written = try String(contentsOfFile: directory + "/rows.csv", encoding: .utf8)
    #expect(written == "9,7,2,5,2,7,6,8,3,40,,,4,1,,,,0,,,,,\n,,,,,,,,,40,30,10,,1,1,1,0,,0,0,0,120.3,-97.505\n9,7,2,,,7,6,8,3,40,30,10,4,,,,,,,,,,\n")
}

@Test func theSchemaListsEveryMetricInOrder() throws {
    let schema = try String(contentsOfFile: repositoryRoot + "/Scenarios/schema/leasesim.schema.json", encoding: .utf8)
    let line = try #require(schema.split(separator: "\n").first { $0.contains("\"metric\": {\"enum\"") })
    let names = line.split(separator: "[")[1].split(separator: "]")[0].split(separator: ",")
        .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
    #expect(names == Metric.allCases.map(\.rawValue))
}

/// The reference docs name every timeline column, metric and event (outputs.md, scenarios.md), and every figure
/// the report defines.
@Test func theDocsNameEveryColumnMetricAndEvent() throws {
    let outputs = try String(contentsOfFile: repositoryRoot + "/docs/outputs.md", encoding: .utf8)
    let scenarios = try String(contentsOfFile: repositoryRoot + "/docs/scenarios.md", encoding: .utf8)
    for name in Quantities.all.compactMap(\.column) + ProtocolEventKind.allCases.map(\.name) {
        #expect(outputs.contains("`\(name)`"), "docs/outputs.md does not name \(name)")
    }
    for name in Metric.allCases.map(\.rawValue) {
        #expect(scenarios.contains("`\(name)`"), "docs/scenarios.md does not name the metric \(name)")
    }
    for (key, _, _) in Quantities.definitions where key != "firstDenial" {
        #expect(outputs.contains("`\(key)`"), "docs/outputs.md does not name the summary figure \(key)")
    }
}

/// The fleet's server-leased count and utilisation are metrics too (the registry gives the fleet both readings).
@Test func theFleetHasServerLeasedAndUtilisation() throws {
    let text = expectationScenario.replacingOccurrences(of: """
   {"metric": "leased", "entity": "gw", "at": "1h", "op": "==", "value": 50},
""", with: """
   {"metric": "serverLeased", "entity": "fleet", "at": "3h", "op": "==", "value": 100},
   {"metric": "utilisation", "entity": "fleet", "op": ">", "value": 0.6},
   {"metric": "serverLeased", "entity": "fleet", "op": "<=", "value": 100, "holds": "always"},
""")
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "e.json")
    let report = try ScenarioRunner.run(scenario)
    #expect(report.results[0].actual == 100)
    // Served 30 users for 2 h, 100 for 3 h, 60 for 19 h; leased 50 for 2 h, then 100 for 22 h.
    #expect(report.results[1].actual == Double(30 * 2 + 100 * 3 + 60 * 19) / Double(50 * 2 + 100 * 22))
    #expect(report.results[2].passed && report.results[2].actual == 100)
    #expect(RunSummary.json(report).contains("\"utilisation\": 0.6522}"))
}
