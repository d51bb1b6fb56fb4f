import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `check` for CI: JUnit XML, JSON, golden files and artifacts of failing scenarios.
@Test func checkWritesJUnitAndJSONForCI() throws {
    let folder = scratch("check-ci")
    let failing = try String(contentsOfFile: repositoryRoot + "/Scenarios/quickstart.json", encoding: .utf8)
        .replacingOccurrences(of: "\"value\": 350", with: "\"value\": 0")
    try failing.write(toFile: folder + "/failing.json", atomically: true, encoding: .utf8)
    let junit = folder + "/reports/ci/report.xml" // parent folders that do not exist yet
    let text = try leasesim(["check", folder + "/failing.json", "Scenarios/muc-cut.json", folder + "/missing.json", "--junit", junit])
    #expect(text.code == 2) // the missing file is graver than the failed expectation
    #expect(text.stdout.hasSuffix("check: 13 passed, 1 failed, 1 error\n"))
    // Wall-clock figures vary from run to run: times and timestamps are read apart, then blanked.
    let raw = try String(contentsOfFile: junit, encoding: .utf8)
    let parser = XMLParser(data: Data(raw.utf8))
    #expect(parser.parse(), "JUnit XML is well formed")
    #expect(raw.firstMatch(of: /timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z" hostname="[^"]+"/) != nil)
    let xml = raw.replacing(/time="\d+\.\d{3}"/, with: "time=\"T\"").replacing(/timestamp="[^"]*" hostname="[^"]*"/, with: "timestamp=\"S\" hostname=\"H\"")
    #expect(xml.contains("<testsuites name=\"leasesim check\" tests=\"15\" failures=\"1\" errors=\"1\" skipped=\"0\" time=\"T\">"))
    #expect(xml.contains("<testsuite name=\"quickstart\" file=\"\(folder)/failing.json\" tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"T\" timestamp=\"S\" hostname=\"H\">"))
    #expect(xml.contains("<testcase name=\"expectations[3] the week has denied logins (R-LEASE-8)\" classname=\"quickstart\" file=\"\(folder)/failing.json\" line=\"33\" time=\"T\">"))
    #expect(xml.contains("<failure message=\"actual 350 at t+1w (day 8 00:00, 2026-01-12T00:00:00.000Z); expected at end: deniedLogins of fleet == 0\" type=\"expectation\">"))
    #expect(xml.contains("<testcase name=\"load and run\" classname=\"\(folder)/missing.json\" file=\"\(folder)/missing.json\" time=\"T\">"))
    // The first case of a suite carries its time, the others 0.
    #expect(raw.contains("line=\"34\" time=\"0.000\"/>"))

    let json = try leasesim(["check", folder + "/failing.json", "--format", "json"])
    #expect(json.code == 1)
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
    #expect(document["passed"] as? Int == 4 && document["failed"] as? Int == 1 && document["notRun"] as? Int == 0)
    let scenario = (document["scenarios"] as! [[String: Any]])[0]
    let failed = (scenario["expectations"] as! [[String: Any]]).first { $0["passed"] as? Bool == false }!
    #expect(scenario["status"] as? String == "failed" && failed["actual"] as? Int == 350 && failed["seenAtDay"] as? String == "day 8 00:00")
}

/// `check --quiet` prints only failures and the total; `-k` selects scenarios by file or name and expectations by
/// path or name; `--fail-fast` skips what follows the first failure.
@Test func checkSelectsQuietensAndStopsAtTheFirstFailure() throws {
    let failing = ["--set", "servers[ls-1].licenses[0].count=400"]
    let quiet = try leasesim(["check", "Scenarios/quickstart.json", "Scenarios/muc-cut.json", "--quiet"] + failing)
    #expect(quiet.code == 1) // muc-cut passes: only its total shows
    let lines = quiet.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "Scenarios/quickstart.json: 2 of 5 expectations hold")
    #expect(lines.dropFirst().dropLast().allSatisfy { $0.hasPrefix("  FAIL ") } && lines.count == 5)
    #expect(lines.last == "check: 11 passed, 3 failed, 0 errors")
    let byName = try leasesim(["check", "Scenarios/quickstart.json", "Scenarios/muc-cut.json", "-k", "MUC-CUT"])
    #expect(byName.code == 0 && byName.stdout.hasSuffix("check: 9 passed, 0 failed, 0 errors, 5 deselected\n"))
    #expect(!byName.stdout.contains("quickstart.json:"))
    let byExpectation = try leasesim(["check", "Scenarios/quickstart.json", "Scenarios/muc-cut.json", "-k", "R-LEASE-8", "-k", "expectations[0]"])
    #expect(byExpectation.code == 0)
    #expect(byExpectation.stdout.contains("Scenarios/quickstart.json: 2 of 2 expectations hold\n  PASS expectations[0] gw-lab never needs"))
    #expect(byExpectation.stdout.contains("\n  PASS expectations[3] the week has denied logins (R-LEASE-8)"))
    #expect(byExpectation.stdout.contains("Scenarios/muc-cut.json: 2 of 2 expectations hold\n  PASS expectations[0] gw-a leases 200"))
    #expect(byExpectation.stdout.hasSuffix("check: 4 passed, 0 failed, 0 errors, 10 deselected\n"))
    let fast = try leasesim(["check", "Scenarios/quickstart.json", "Scenarios/muc-cut.json", "--fail-fast", "--format", "json"] + failing)
    #expect(fast.code == 1)
    #expect(fast.stdout.contains("\"name\": \"Scenarios/muc-cut.json\", \"status\": \"skipped\""))
    #expect(fast.stdout.hasSuffix("\"passed\": 2, \"failed\": 3, \"notRun\": 0, \"skipped\": 1, \"updated\": 0, \"deselected\": 0\n}\n"))
}

/// Golden files: written with --update-golden, then compared; a change shows the first differing lines and fails
/// the check; --out keeps the outputs of failing scenarios only.
@Test func checkComparesGoldenFilesAndKeepsArtifactsOfFailures() throws {
    let folder = scratch("check-golden")
    let golden = folder + "/golden", artifacts = folder + "/artifacts"
    let update = try leasesim(["check", "Scenarios/muc-cut.json", "Scenarios/quickstart.json", "--golden", golden, "--update-golden"])
    #expect(update.code == 0 && update.stdout.contains("  UPDATED golden timeline.csv: golden file updated\n"))
    #expect(update.stdout.hasSuffix("check: 14 passed, 0 failed, 0 errors, 8 golden files updated\n"))
    let files = try FileManager.default.contentsOfDirectory(atPath: golden + "/muc-cut").sorted()
    #expect(files == [".leasesim-outputs", "clients.csv", "events.csv", "summary.json", "timeline.csv"])
    let same = try leasesim(["check", "Scenarios/muc-cut.json", "Scenarios/quickstart.json", "--golden", golden, "--out", artifacts])
    #expect(same.code == 0 && same.stdout.hasSuffix("check: 22 passed, 0 failed, 0 errors\n"))
    // From another directory, with an absolute DIR and the scenarios named by absolute paths: the same.
    let elsewhere = try leasesim(["check", repositoryRoot + "/Scenarios/muc-cut.json", repositoryRoot + "/Scenarios/quickstart.json",
                                  "--golden", golden], in: folder)
    #expect(elsewhere.code == 0 && elsewhere.stdout.hasSuffix("check: 22 passed, 0 failed, 0 errors\n"), "\(elsewhere.stdout)")
    #expect(!FileManager.default.fileExists(atPath: artifacts + "/muc-cut") && !FileManager.default.fileExists(atPath: artifacts + "/quickstart"))
    let changed = try leasesim(["check", "Scenarios/muc-cut.json", "Scenarios/quickstart.json", "--golden", golden, "--out", artifacts,
                                "--set", "seed=8"])
    #expect(changed.code == 1)
    #expect(changed.stdout.contains("  FAIL golden summary.json: differs from the golden file at line 3\n    - 3:   \"scenario\": {\"name\": \"muc-cut\""))
    #expect(FileManager.default.fileExists(atPath: artifacts + "/quickstart/timeline.csv"))
    let missing = try leasesim(["check", "Scenarios/renewal-lapse.json", "--golden", golden])
    #expect(missing.code == 1 && missing.stdout.contains("  FAIL golden summary.json: no golden file (run with --update-golden to write it)\n"))
    let usage = try leasesim(["check", "Scenarios/muc-cut.json", "--update-golden"])
    #expect(usage.code == 2 && usage.stderr == "leasesim: check: --update-golden needs --golden DIR\n")
}

/// `leasesim report` on a run's and on a sweep's outputs, and `run --report`.
@Test func reportCommandWritesPagesForRunsAndSweeps() throws {
    let folder = scratch("report")
    let run = try leasesim(["run", "Scenarios/muc-cut.json", "--out", folder + "/run", "--report", "--client", "gw-b", "--no-events"])
    #expect(run.code == 0 && run.stdout.hasSuffix("wrote \(folder)/run/timeline.csv, summary.json, clients.csv, report.html\n"))
    let page = try String(contentsOfFile: folder + "/run/report.html", encoding: .utf8)
    #expect(page.hasPrefix("<!DOCTYPE html>") && page.contains("gw-b / users: demand, served and leased") && !page.contains("gw-a / users"))
    let sweep = try leasesim(["sweep", "examples/renewal-sweep.json", "--out", folder + "/sweep", "--quiet", "--jobs", "2"])
    #expect(sweep.code == 0)
    let report = try leasesim(["report", folder + "/sweep"])
    #expect(report.code == 0 && report.stdout == "wrote \(folder)/sweep/report.html\n")
    let sweepPage = try String(contentsOfFile: folder + "/sweep/report.html", encoding: .utf8)
    #expect(sweepPage.contains("deniedLogins against policy.renewalInterval (mean, 5-95% of replications)") && !sweepPage.contains("data-points=\"0\""))
    let missing = try leasesim(["report", folder + "/nothing"])
    #expect(missing.code == 2 && missing.stderr.contains("summary.json: expected a run's summary.json"))
    // A client that is not the run's is an error naming it, not an empty chart.
    let unknown = try leasesim(["report", folder + "/run", "--client", "nosuch"])
    #expect(unknown.code == 2 && unknown.stderr == "leasesim: \(folder)/run/clients.csv: --client: expected the id of a client of the run (2 in clients.csv, such as \"gw-a\", \"gw-b\"), found \"nosuch\"\n")
}

/// A FlexNet log of one checkout of 2 licenses and one denial in between, for the import tests.
private let serverLog = """
22:15:00 (lmgrd) FlexNet Licensing (v11.13.1.2 build 173085 x64_lsb) started on srv (linux) (1/8/2017)
22:20:00 (ansyslmd) OUT: "solver" ana@pc-07  (2 licenses)
23:10:00 (ansyslmd) DENIED: "solver" bob@pc-05  (Licensed number of users already reached. (-4,342))
23:30:00 (ansyslmd) IN: "solver" ana@pc-07  (2 licenses)
"""

/// `leasesim import` writes a trace per feature, the denials and an account of the log; a scenario replays a trace.
@Test func importWritesTracesAScenarioCanReplay() throws {
    let folder = scratch("import")
    try serverLog.write(toFile: folder + "/server.log", atomically: true, encoding: .utf8)
    let result = try leasesim(["import", folder + "/server.log", "--out", folder + "/out"])
    #expect(result.code == 0, "\(result.stderr)")
    #expect(result.stdout.contains("flexnet, 4 lines, 1 checkouts, 1 check-ins, 1 denials for want of a license (0 others)"))
    #expect(result.stdout.contains("  solver: peak 2 in use at 2017-01-08T22:20:00Z"))
    #expect(try String(contentsOfFile: folder + "/out/solver.csv", encoding: .utf8) == "time,users\n2017-01-08T22:20:00Z,2\n2017-01-08T23:30:00Z,0\n")
    #expect(try String(contentsOfFile: folder + "/out/denials.csv", encoding: .utf8) == "time,feature,user,host\n2017-01-08T23:10:00Z,solver,bob,pc-05\n")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/out/import.json"))) as! [String: Any]
    #expect(json["checkouts"] as? Int == 1 && (json["skipped"] as? [String: Int])?["server message (no usage)"] == nil)
    let bad = try leasesim(["import", folder + "/server.log", "--date", "2017-13-01"])
    #expect(bad.code == 2 && bad.stderr.contains("--date: expected a date like 2026-01-05"))
}

/// Calibration from a log: import writes a replay scenario; its run's report sets its denials beside the log's.
@Test func importedReplaysCalibrateAgainstTheLogsDenials() throws {
    let folder = scratch("calibrate")
    try serverLog.write(toFile: folder + "/server.log", atomically: true, encoding: .utf8)
    let imported = try leasesim(["import", folder + "/server.log", "--out", folder + "/import", "--scenario", "--licenses", "solver=2", "--quiet"])
    #expect(imported.code == 0, "\(imported.stderr)")
    let replay = try leasesim(["run", folder + "/import/scenario.json", "--out", folder + "/run", "--no-events", "--quiet"])
    #expect(replay.code == 0, "\(replay.stderr)")
    let report = try leasesim(["report", folder + "/run", "--calibrate", folder + "/import", "--quiet"])
    #expect(report.code == 0, "\(report.stderr)")
    let page = try String(contentsOfFile: folder + "/run/report.html", encoding: .utf8)
    #expect(page.contains("<tr><td>2017-01-08</td><td>solver</td><td>1</td><td>1</td></tr>"))
    // Who the log says was refused, by user and by host.
    #expect(page.contains("<h3>Denials in the log by user</h3>") && page.contains("<tr><td>bob</td><td>solver</td><td>1</td></tr>"))
    #expect(page.contains("<h3>Denials in the log by host</h3>") && page.contains("<tr><td>pc-05</td><td>solver</td><td>1</td></tr>"))
    let bad = try leasesim(["import", folder + "/server.log", "--out", folder + "/import2", "--scenario", "--licenses", "slover=2"])
    #expect(bad.code == 2 && bad.stderr.contains("\"slover\" is not a feature the log checks out"))
}

/// `check --check-invariants` judges the same expectations with the model's invariants checked after every event:
/// the verdicts are the same as without it (the bundled scenarios break no invariant).
@Test func checkWithInvariantsJudgesTheSameExpectations() throws {
    let scenarios = ["Scenarios/ha-active-active-split.json", "Scenarios/cluster-leader-lost.json", "Scenarios/auto-lease-penalty.json"]
    let plain = try leasesim(["check"] + scenarios), checked = try leasesim(["check", "--check-invariants"] + scenarios)
    #expect(plain.code == 0 && checked.code == 0 && checked.stdout == plain.stdout)
    #expect(checked.stdout.hasSuffix("passed, 0 failed, 0 errors\n"))
    #expect(try leasesim(["check", "--help"]).stdout.contains("--check-invariants"))
}

/// Denials and use by group: clients.csv names each client's group, and the report sums them per group.
@Test func reportsShowDenialsAndUseByGroup() throws {
    let folder = scratch("by-group")
    let run = try leasesim(["run", "Scenarios/fleet-500.json", "--out", folder, "--report", "--quiet", "--no-events", "--set", "duration=1d"])
    #expect(run.code == 0, "\(run.stderr)")
    let rows = try String(contentsOfFile: folder + "/clients.csv", encoding: .utf8).split(separator: "\n")
    #expect(rows[0].hasPrefix("client,group,feature,server,ruc,ilq,muc,denied_logins,denied_user_hours,users_cut_off,"))
    #expect(rows.count == 501 && rows.dropFirst().allSatisfy { $0.hasPrefix("branch-") && $0.contains(",branch,users,ls-central,") })
    let denied = rows.dropFirst().map { Int($0.split(separator: ",", omittingEmptySubsequences: false)[7])! }.reduce(0, +)
    let page = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
    #expect(page.contains("<h2>By group</h2>"))
    #expect(page.contains("<tr><td>branch</td><td>users</td><td>500</td>"))
    #expect(page.contains("<td>\(denied.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))))</td><td>0</td>"))
    let quickstart = try leasesim(["run", "Scenarios/quickstart.json", "--out", folder + "-q", "--report", "--quiet"])
    #expect(quickstart.code == 0)
    #expect(!(try String(contentsOfFile: folder + "-q/report.html", encoding: .utf8)).contains("By group"))
}
