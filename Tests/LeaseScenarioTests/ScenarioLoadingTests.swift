import Foundation
import Testing
import LeaseKernel
import LeaseModel
@testable import LeaseScenario

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

func temporaryDirectory(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "leasesim-tests-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Test func theSchemaListsExactlyTheKeysTheLoaderAccepts() throws {
    let path = repositoryRoot + "/Scenarios/schema/leasesim.schema.json"
    let root = try StrictJSONReader.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    func object(_ node: JSONNode, _ key: String) -> JSONNode? {
        guard case .object(let members) = node.value else { return nil }
        return members.first { $0.key == key }?.value
    }
    func keys(_ node: JSONNode?) -> [String] {
        guard let node, case .object(let members) = node.value else { return [] }
        return members.map(\.key)
    }
    for (name, accepted) in ScenarioKeys.all {
        let definition = name == "root" ? root : object(object(root, "$defs")!, name)
        #expect(keys(definition.flatMap { object($0, "properties") }).sorted() == accepted.sorted(), "schema \(name)")
    }
}

@Test func groupsExpandIntoNumberedMembersWithSeededVariation() throws {
    let text = """
    {"format": "leasesim/1", "seed": 4, "duration": "1d",
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 10000}]}],
     "clients": [{"group": "branch", "count": 12, "server": "ls", "variation": {"scale": 0.2, "shift": "30m"},
                  "allocations": {"users": {"ruc": 10, "ilq": 25, "muc": 60}},
                  "demand": {"users": {"kind": "constant", "users": 100}}}]}
    """
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "g.json")
    #expect(scenario.spec.clients.count == 12)
    #expect(scenario.spec.clients.first?.id == "branch-001")
    #expect(scenario.spec.clients.last?.id == "branch-012")
    #expect(scenario.spec.demandPatterns.count == 1) // one pattern shared by all members
    let scales = scenario.spec.clients.map { $0.allocations[0].demand!.scalePerMille }
    let shifts = scenario.spec.clients.map { $0.allocations[0].demand!.shift.milliseconds }
    #expect(scales.allSatisfy { (800...1200).contains($0) })
    #expect(shifts.allSatisfy { (-1_800_000...1_800_000).contains($0) })
    #expect(Set(scales).count > 6)
    // Reloading gives the same members; another seed gives others.
    let again = try ScenarioLoader.load(bytes: Array(text.utf8), file: "g.json")
    #expect(again.spec.clients.map { $0.allocations[0].demand!.scalePerMille } == scales)
    let reseeded = try ScenarioLoader.load(bytes: Array(text.utf8), file: "g.json", seed: 5)
    #expect(reseeded.spec.clients.map { $0.allocations[0].demand!.scalePerMille } != scales)
    // A member keeps its id when the group grows: of 1,200 members, the 7th is still branch-007 (with its own
    // variation), and the 1,000th is branch-1000.
    let grown = try ScenarioLoader.load(bytes: Array(text.replacingOccurrences(of: "\"count\": 12,", with: "\"count\": 1200,").replacingOccurrences(of: "\"count\": 10000}", with: "\"count\": 20000}").utf8), file: "g.json")
    #expect(grown.spec.clients[6].id == "branch-007" && grown.spec.clients[998].id == "branch-999" && grown.spec.clients[999].id == "branch-1000")
    #expect(grown.spec.clients[6].allocations[0].demand!.scalePerMille == scales[6])
}

/// A cycle of hourly values, staggered across a group's members: member i at hour h has hourly[(i + 2h) mod 4].
@Test func aCycleRepeatsItsHourlyValuesStaggeredAcrossAGroup() throws {
    let text = """
    {"format": "leasesim/1", "duration": "6h",
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 1000}]}],
     "clients": [{"group": "branch", "count": 3, "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}},
                  "demand": {"users": {"kind": "cycle", "hourly": [10, 20, 30, 40], "step": 2, "offsetPerClient": 5}}}]}
    """
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "c.json")
    #expect(scenario.spec.demandPatterns == [.cycle(values: [10, 20, 30, 40], step: 2, offsetPerMember: 1)]) // 5 mod 4
    #expect(scenario.spec.clients.map { $0.allocations[0].demand!.member } == [0, 1, 2])
    var world = FleetWorld(spec: scenario.spec, horizon: scenario.horizon)
    var users: [[Int32]] = [[], [], []]
    for hour in 0..<6 {
        try world.run(until: .start + .hours(Int64(hour)), includingEnd: true)
        for member in 0..<3 { users[member].append(world.model.slotStates[member].users) }
    }
    // Users per member at hours 0...5: index (i + 2h) mod 4.
    #expect(users == [[10, 30, 10, 30, 10, 30], [20, 40, 20, 40, 20, 40], [30, 10, 30, 10, 30, 10]])
}

/// A 4-hour scenario whose one client replays the trace `file`, written to `path`.
func traceScenario(reading file: String, at path: String, start: String = "1970-01-01T00:00Z") throws -> String {
    let text = """
    {"format": "leasesim/1", "start": "\(start)", "duration": "4h",
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 500}]}],
     "clients": [{"id": "gw", "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}},
                  "demand": {"users": {"kind": "trace", "file": "\(file)"}}}]}
    """
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Test func traceReplayReadsTimeUsersCSVRelativeToTheScenario() throws {
    let directory = temporaryDirectory("trace")
    try "time,users\n0,10\n3600,40\nday 1 02:30,25\n".write(toFile: directory + "/gw.csv", atomically: true, encoding: .utf8)
    _ = try traceScenario(reading: "gw.csv", at: directory + "/s.json", start: "2026-01-05T00:00Z")
    let scenario = try ScenarioLoader.load(path: directory + "/s.json")
    #expect(scenario.spec.demandPatterns == [.steps([
        DemandStep(at: .start, users: 10), DemandStep(at: .start + .hours(1), users: 40),
        DemandStep(at: .start + .minutes(150), users: 25)])])
    try "time,users\n0,10\n60,x\n".write(toFile: directory + "/gw.csv", atomically: true, encoding: .utf8)
    #expect(throws: ScenarioError(file: directory + "/gw.csv", position: TextPosition(line: 3, column: 4),
                                  path: "clients[0].demand.users.file", expected: "a user count from 0 to 10000000", found: "\"x\"")) {
        try ScenarioLoader.load(path: directory + "/s.json")
    }
}

/// A trace exported on Windows: a UTF-8 byte order mark and CRLF line ends read like a plain file.
@Test func traceWithByteOrderMarkAndWindowsLineEndsIsRead() throws {
    let directory = temporaryDirectory("trace-crlf")
    try Data([0xEF, 0xBB, 0xBF] + Array("time,users\r\n0,10\r\n3600,40\r\n\r\n".utf8)).write(to: URL(fileURLWithPath: directory + "/gw.csv"))
    let scenario = try ScenarioLoader.load(path: try traceScenario(reading: "gw.csv", at: directory + "/s.json"))
    #expect(scenario.spec.demandPatterns == [.steps([DemandStep(at: .start, users: 10), DemandStep(at: .start + .hours(1), users: 40)])])
    try Data(Array("time,users\r\n0,10\r\n60,x\r\n".utf8)).write(to: URL(fileURLWithPath: directory + "/gw.csv"))
    #expect(throws: ScenarioError(file: directory + "/gw.csv", position: TextPosition(line: 3, column: 4),
                                  path: "clients[0].demand.users.file", expected: "a user count from 0 to 10000000", found: "\"x\"")) {
        try ScenarioLoader.load(path: directory + "/s.json")
    }
}

/// A trace time of 9999999999999999 s (an overflow trap before) and a users cell past the bound are errors at
/// their own cell; a trace outside the scenario's folder is refused unless allowed.
@Test func traceTimesAndPathsAreBounded() throws {
    let bigTime = Array("time,users\n9999999999999999,5\n".utf8)
    #expect(throws: ScenarioError(file: "t.csv", position: TextPosition(line: 2, column: 1), path: "d",
                                  expected: "at most 316224000 seconds (3660d)", found: "\"9999999999999999\"")) {
        try TraceReader.steps(bigTime, file: "t.csv", jsonPath: "d", startEpochMilliseconds: 0)
    }
    let bigUsers = Array("time,users\n\u{E9}\u{E9}h,10000001\n".utf8)
    #expect(throws: ScenarioError.self) { try TraceReader.steps(bigUsers, file: "t.csv", jsonPath: "d", startEpochMilliseconds: 0) }
    let inside = Array("time,users\n0,5\n1h,10000000\n".utf8)
    #expect(try TraceReader.steps(inside, file: "t.csv", jsonPath: "d", startEpochMilliseconds: 0).map(\.users) == [5, 10_000_000])
    let parent = temporaryDirectory("trace-outside")
    try FileManager.default.createDirectory(atPath: parent + "/scenarios", withIntermediateDirectories: true)
    try "time,users\n0,7\n".write(toFile: parent + "/outside.csv", atomically: true, encoding: .utf8)
    _ = try traceScenario(reading: "../outside.csv", at: parent + "/scenarios/s.json")
    do {
        _ = try ScenarioLoader.load(path: parent + "/scenarios/s.json")
        Issue.record("a trace outside the scenario's folder was read")
    } catch {
        #expect(error.path == "clients[0].demand.users.file")
        #expect(error.expected.hasPrefix("a file inside the scenario's folder"))
        #expect(error.found == "\"../outside.csv\"")
    }
    let allowed = try ScenarioLoader.load(path: parent + "/scenarios/s.json", options: LoadOptions(allowsFilesOutside: true))
    #expect(allowed.spec.demandPatterns == [.steps([DemandStep(at: .start, users: 7)])])
}

/// R-ALLOC-3, R-LEASE-1b, R-LEASE-7: ILQ 0 loads when MUC = RUC; the new policy settings load and are checked.
@Test func quantumZeroAndTheNewPolicySettingsLoad() throws {
    let text = """
    {"format": "leasesim/1", "duration": "1d", "policy": {"holdPolicy": "latestGrant", "quantaPerRequest": "needed"},
     "servers": [{"id": "ls", "licenses": [{"sku": "C", "feature": "cores", "type": "perpetual", "count": 200}]}],
     "clients": [{"id": "node", "server": "ls", "allocations": {"cores": {"ruc": 200, "ilq": 0, "muc": 200}}}]}
    """
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "c.json")
    #expect(scenario.spec.policy.holdPolicy == .latestGrant && scenario.spec.policy.quantaPerRequest == .needed)
    #expect(scenario.spec.clients[0].allocations[0].allocation == Allocation(reserved: 200, quantum: 0, maximum: 200))
    let bad = text.replacingOccurrences(of: "\"needed\"", with: "\"all\"")
    #expect(throws: ScenarioError(file: "c.json", position: TextPosition(line: 1, column: 104), path: "policy.quantaPerRequest",
                                  expected: "one of \"one\", \"needed\"", found: "\"all\"")) {
        try ScenarioLoader.load(bytes: Array(bad.utf8), file: "c.json")
    }
}

@Test func timeSyntaxParsesEveryForm() {
    #expect(TimeSyntax.duration("250ms")?.milliseconds == 250)
    #expect(TimeSyntax.duration("1h30m")?.milliseconds == 5_400_000)
    #expect(TimeSyntax.duration("8w")?.milliseconds == Int64(8 * 7 * 86_400_000))
    #expect(TimeSyntax.duration("90") == nil)
    #expect(TimeSyntax.duration("-1h") == nil)
    #expect(TimeSyntax.duration("1.5h") == nil)
    let start = TimeSyntax.dateTime("2026-01-05T06:00Z")!
    #expect(TimeSyntax.instant("day 1 12:00", startEpochMilliseconds: start)?.millisecondsSinceStart == Int64(6 * 3_600_000))
    #expect(TimeSyntax.instant("day 3 00:00", startEpochMilliseconds: start)?.millisecondsSinceStart == Int64(42 * 3_600_000))
    #expect(TimeSyntax.instant("day 1 05:00", startEpochMilliseconds: start) == nil) // before the start
    #expect(TimeSyntax.instant("2026-01-06T06:00:30Z", startEpochMilliseconds: start)?.millisecondsSinceStart == 86_430_000)
    #expect(TimeSyntax.date("2026-02-30") == nil)
}

@Test func exactDecimalTextRoundsHalfUp() {
    #expect(OutputText.decimal(5_400_000, over: 3_600_000, decimals: 3) == "1.500")
    #expect(OutputText.decimal(1, over: 3, decimals: 4) == "0.3333")
    #expect(OutputText.decimal(2, over: 3, decimals: 4) == "0.6667")
    #expect(OutputText.decimal(-1_800, over: 3_600_000, decimals: 3) == "-0.001")
    #expect(OutputText.seconds(milliseconds: 14_400_020) == "14400.020")
    #expect(OutputText.csvCell("a,\"b\"") == "\"a,\"\"b\"\"\"")
    #expect(OutputText.jsonString("x\"\n") == "\"x\\\"\\n\"")
}

/// What a scenario draws from its seed, by field (plan replicates such a scenario by default); none for the rest.
@Test func theLoaderNamesWhatDrawsFromTheSeed() throws {
    func sources(_ name: String) throws -> [String] {
        try ScenarioLoader.load(path: repositoryRoot + "/Scenarios/\(name).json").randomSources
    }
    #expect(try sources("morning-peak") == ["clients[0].demand.users", "clients[1].demand.users"])
    #expect(try sources("lossy-link") == ["clients[0].demand.users", "clients[1].demand.users", "faults[0].probability"])
    #expect(try sources("random-faults").contains("randomFaults"))
    #expect(try sources("quickstart").isEmpty)
    #expect(try sources("renewal-lapse").isEmpty)
}
