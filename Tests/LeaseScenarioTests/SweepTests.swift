import Foundation
import Testing
import LeaseKernel
import LeaseScenario

/// Sweeps: points, replications and their seeds, parallel runs, shards and merges, and the statistics of points.csv.
private let scenarioText = """
{"format": "leasesim/1", "duration": "1d", "seed": 11, "start": "2026-03-02T00:00Z",
 "servers": [{"id": "ls-1", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 60}]}],
 "clients": [{"id": "gw-1", "server": "ls-1", "allocations": {"users": {"ruc": 10, "ilq": 25, "muc": 60}},
              "demand": {"users": {"kind": "sessions", "meanSession": "45m", "arrivalsPerHour": [1, 1, 1, 1, 1, 5, 20, 60, 80, 60, 40, 30, 30, 30, 25, 20, 15, 10, 5, 2, 1, 1, 1, 1]}}}]}
"""

/// A folder holding the scenario and a sweep file with `body` (its other keys).
private func sweepFile(_ body: String, name: String) throws -> String {
    let folder = NSTemporaryDirectory() + "leasesim-sweep-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try scenarioText.write(toFile: folder + "/base.json", atomically: true, encoding: .utf8)
    let path = folder + "/sweep.json"
    try "{\"format\": \"leasesim-sweep/1\", \"scenario\": \"base.json\", \(body)}".write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

private func sweep(_ plan: SweepPlan, jobs: Int = 1, shard: Shard = .whole) throws -> RunsTable {
    var options = SweepOptions()
    options.jobs = jobs
    options.shard = shard
    return SweepRunner.run(plan, options: options, columns: try SweepRunner.metricColumns(plan).columns).table
}

/// A replication's seed comes from the base seed and its index alone: the same whatever the grid, the point or
/// the number of replications (the values are pinned, so a change of the derivation cannot pass unnoticed).
@Test func replicationSeedsDependOnTheBaseSeedAndIndexOnly() throws {
    #expect(SweepPlan.seed(base: 2026, replication: 0) == 7_136_302_726_312_087_365)
    #expect(SweepPlan.seed(base: 2026, replication: 1) == 1_180_419_267_890_800_427)
    let small = try SweepPlan.load(path: try sweepFile("\"grid\": {\"servers[ls-1].licenses[0].count\": [40, 60]}, \"replications\": 2", name: "seeds-a"))
    let large = try SweepPlan.load(path: try sweepFile("\"grid\": {\"policy.renewalInterval\": [\"1h\", \"2h\", \"4h\"]}, \"replications\": 5", name: "seeds-b"))
    #expect(small.baseSeed == 11 && large.baseSeed == 11)
    #expect((0..<2).map(small.seed(replication:)) == (0..<2).map(large.seed(replication:)))
    // Run r is replication r % R of point r / R, and loads with that replication's seed.
    #expect(try large.scenario(run: 7).spec.seed == large.seed(replication: 2))
    #expect(try large.scenario(run: 7).spec.policy.renewalInterval == .hours(2))
    let seeded = try SweepPlan.load(path: try sweepFile("\"seed\": 2026, \"replications\": 2", name: "seeds-c"))
    #expect(seeded.seed(replication: 1) == 1_180_419_267_890_800_427 && seeded.points.count == 1)
}

/// One job or three, the tables are the same byte for byte; shards merged give them too.
@Test func jobsAndShardsGiveTheSameTables() throws {
    let plan = try SweepPlan.load(path: try sweepFile("\"grid\": {\"servers[ls-1].licenses[0].count\": [30, 45, 60], \"policy.renewalInterval\": [\"1h\", \"3h\"]}, \"replications\": 4", name: "jobs"))
    let one = try sweep(plan, jobs: 1), three = try sweep(plan, jobs: 3)
    #expect(one.rows.count == 24 && one.csv == three.csv && one.pointsCSV == three.pointsCSV)
    #expect(one.rows.map { $0[0] } == (0..<24).map(String.init))
    #expect(one.rows[5].prefix(7) == ["5", "1", "1", String(plan.seed(replication: 1)), "30", "3h", "ok"])
    // Fewer licenses, more denials (the same seeds at every point).
    let denied = one.metrics.firstIndex(of: "deniedLogins")! + one.header.firstIndex(of: "status")! + 1
    #expect(Int(one.rows[0][denied])! > Int(one.rows[16][denied])!)

    let folder = NSTemporaryDirectory() + "leasesim-shards-\(ProcessInfo.processInfo.processIdentifier)"
    var directories: [String] = []
    for index in [2, 0, 1] {
        let table = try sweep(plan, jobs: 2, shard: Shard(index: index, count: 3))
        #expect(table.rows.map { Int($0[0])! } == Array(stride(from: index, to: 24, by: 3)))
        let manifest = SweepManifest(plan: plan, shard: Shard(index: index, count: 3), runsHere: table.rows.count, failed: 0)
        try SweepOutput.write(SweepOutput.files(manifest: manifest, table: table), to: folder + "/shard-\(index)")
        directories.append(folder + "/shard-\(index)")
    }
    let (manifest, merged) = try SweepOutput.merge(directories)
    #expect(merged.csv == one.csv && merged.pointsCSV == one.pointsCSV)
    #expect(manifest == SweepManifest(plan: plan, shard: nil, runsHere: 24, failed: 0))
    #expect(throws: ScenarioError.self) { try SweepOutput.merge(Array(directories.prefix(2))) }
    #expect(throws: ScenarioError.self) { try SweepOutput.merge(directories + [directories[0]]) }
}

/// A run that fails (here: a limit) is a row with its error; the other runs of the sweep go on.
@Test func aFailedRunIsARowWithItsError() throws {
    let plan = try SweepPlan.load(path: try sweepFile("\"points\": [{\"limits.maxEvents\": 1000000}, {\"limits.maxEvents\": 10}], \"replications\": 2", name: "failed"))
    let table = try sweep(plan)
    #expect(table.rows.map { $0[table.header.firstIndex(of: "status")!] } == ["ok", "ok", "failed", "failed"])
    #expect(table.rows[2].last! == "run stopped at t+5h after 10 events: maximum events limit reached")
    #expect(table.rows[2][8] == "" && table.rows[0][8] != "")
    let points = table.pointRows.filter { $0[2] == "deniedLogins" }
    #expect(Array(points[1][3...]) == ["0", "2"] + Array(repeating: "", count: 9))
}

/// A point whose value the loader refuses stops the sweep before any run, naming the point and its values.
@Test func anInvalidPointStopsTheSweepBeforeAnyRun() throws {
    let plan = try SweepPlan.load(path: try sweepFile("\"grid\": {\"clients[gw-1].allocations.users.muc\": [50, \"lots\"]}, \"replications\": 2", name: "invalid"))
    do {
        _ = try SweepRunner.metricColumns(plan)
        Issue.record("the sweep would start")
    } catch {
        #expect(error.point == 1 && error.values == "clients[gw-1].allocations.users.muc=lots")
        #expect("\(error)".hasPrefix("sweep point 1 (clients[gw-1].allocations.users.muc=lots) is invalid, so no run was started: "))
        #expect("\(error)".contains("(--set clients[gw-1].allocations.users.muc=lots): clients[0].allocations.users.muc: expected"))
    }
}

/// Sweep files are read as strictly as scenarios.
@Test(arguments: [
    ("\"grid\": {\"a\": [1]}, \"points\": [{}]", "points: expected either grid or points, not both, found both"),
    ("\"grid\": {\"seed\": [1, 2]}", "grid: expected no swept seed (replications draw seeds from the base seed), found seed in point 0: 1"),
    ("\"grid\": {\"policy..x\": [1]}", "grid[\"policy..x\"]: expected a field path such as policy.renewalInterval or clients[gw-1].allocations.users.muc, found an empty key"),
    ("\"grid\": {\"policy.renewalInterval\": []}", "grid[\"policy.renewalInterval\"]: expected at least one value, found an empty array"),
    ("\"replications\": 0", "replications: expected a replication count in 1...100000, found 0"),
    ("\"replicatoins\": 3", "replicatoins: expected one of $schema, format, name, scenario, set, grid, points, replications, seed, warmUp, found unknown key \"replicatoins\" (did you mean \"replications\"?)"),
])
func sweepFileErrors(body: String, message: String) throws {
    let path = try sweepFile(body, name: "errors-\(RandomStream.key(of: body))")
    do {
        _ = try SweepPlan.load(path: path)
        Issue.record("loaded")
    } catch {
        #expect(error.description.hasSuffix(message), "\(error)")
    }
}

/// Percentiles interpolate between closest ranks, as NumPy's default does: numpy.percentile([1, 2, 3, 4, 10],
/// [5, 50, 95]) is [1.2, 3.0, 8.8]; of [0.063, 7.403] it is [0.43, 3.733, 7.036]. Every figure is exact.
@Test func pointStatisticsAreExact() {
    // mean, min, p5, p50, p95, max, then stddev and the 95% confidence interval of the mean:
    // [10, 1, 4, 3, 2]: squares 50, s = sqrt(50 / 4) = 3.5355; t(0.975, 4) = 2.776; half 2.776 * 3.5355 / sqrt 5 = 4.389.
    #expect(SweepStatistics(["10", "1", "4", "3", "2"]).cells == ["4.00", "1", "1.20", "3.00", "8.80", "10", "3.54", "-0.39", "8.39"])
    // [7.403, 0.063]: s = 7.34 / sqrt 2 = 5.19016; half 12.706 * 5.19016 / sqrt 2 = 12.706 * 3.67 = 46.63102.
    #expect(SweepStatistics(["7.403", "0.063"]).cells == ["3.73300", "0.063", "0.43000", "3.73300", "7.03600", "7.403", "5.19016", "-42.89802", "50.36402"])
    #expect(SweepStatistics(["-2", "1", "1"]).cells == ["0.00", "-2", "-1.70", "1.00", "1.00", "1", "1.73", "-4.30", "4.30"])
    #expect(SweepStatistics(["5"]).cells == ["5.00", "5", "5.00", "5.00", "5.00", "5", "", "", ""])
    #expect(SweepStatistics(["1", "2", "2"]).cells[0] == "1.67")
    #expect(SweepStatistics([]).cells == Array(repeating: "", count: 9))
    #expect(SweepStatistics.t975(degreesOfFreedom: 35) == 2.042 && SweepStatistics.t975(degreesOfFreedom: 1000) == 1.980)
}

/// The sweep file's JSON Schema names exactly the keys the loader accepts.
@Test func sweepSchemaKeysMatchTheLoader() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let data = try Data(contentsOf: URL(fileURLWithPath: root + "/Scenarios/schema/leasesim-sweep.schema.json"))
    let schema = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    #expect((schema["properties"] as! [String: Any]).keys.sorted() == SweepFormat.keys.sorted())
    let example = try SweepPlan.load(path: root + "/examples/renewal-sweep.json")
    #expect(example.points.count == 10 && example.replications == 10 && example.swept == ["policy.renewalInterval", "servers[ls-hq].licenses[0].count"])
}

/// A runs.csv that leasesim did not write (edited, cut short, or hostile) is an error naming the line, never a
/// crash: every figure is checked before a statistic is taken.
@Test(arguments: [
    ("run,point,replication,seed,status,events,error\n0,0,0,1,ok,1234567890123456789012345,\n",
     "r.csv:2:1: expected events: a figure leasesim writes (at most 24 digits and 4 decimals) or nothing, found \"1234567890123456789012345\""),
    ("run,point,replication,seed,status,events,error\n0,0,0,1,ok,1e9,\n",
     "r.csv:2:1: expected events: a figure leasesim writes (at most 24 digits and 4 decimals) or nothing, found \"1e9\""),
    ("run,point,replication,seed,status,events,error\n0,0,0,1,done,5,\n", "r.csv:2:1: expected status ok or failed, found \"done\""),
    ("run,point,replication,seed,status,events,error\n0,0,0,1,ok,5\n", "r.csv:2:1: expected 7 cells, found 6"),
    ("run,point,replication,seed,status,events,error\n0,0,0,1,ok,5,\"cut\n", "r.csv:3:1: expected a closing quote, found end of file"),
    ("run,point,seed,status,error\n", "r.csv:1:1: expected a runs.csv header (run,point,replication,seed,...,status,...,error), found \"run,point,seed,status,error\""),
])
func hostileRunsTablesAreErrors(text: String, message: String) {
    do {
        let table = try RunsTable.parse(text, file: "r.csv")
        Issue.record("parsed \(table.rows)")
    } catch {
        #expect(error.description == message)
    }
}
