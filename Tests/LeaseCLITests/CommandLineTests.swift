import Foundation
@testable import LeaseCLI
import Testing

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// Runs the built `leasesim` executable as a real process.
func leasesim(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) throws -> (code: Int32, stdout: String, stderr: String) {
    let binary = Bundle.main.bundleURL.appendingPathComponent("leasesim").path
    let candidates = [binary, repositoryRoot + "/.build/debug/leasesim"]
    guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw CocoaError(.fileNoSuchFile)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? repositoryRoot)
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// The quickstart scenario with a `limits` object, written to `path`.
func quickstart(limits: String, at path: String) throws -> String {
    let text = try String(contentsOfFile: repositoryRoot + "/Scenarios/quickstart.json", encoding: .utf8)
        .replacingOccurrences(of: "\"duration\": \"7d\",", with: "\"duration\": \"7d\", \"limits\": \(limits),")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

func scratch(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "leasesim-cli-\(name)-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Test func versionAndHelp() throws {
    let version = try leasesim(["--version"])
    #expect(version.code == 0)
    #expect(version.stdout == "leasesim 0.1.0\n")
    let help = try leasesim(["run", "--help"])
    #expect(help.code == 0)
    #expect(help.stdout.contains("--sample DURATION"))
}

@Test func runWritesTheThreeOutputsAndASummary() throws {
    let out = scratch("run")
    let result = try leasesim(["run", "Scenarios/quickstart.json", "--out", out])
    #expect(result.code == 0)
    #expect(result.stdout.hasPrefix("quickstart: 3 clients, 1 server, 1w simulated"))
    #expect(result.stdout.contains("users: denied logins 350, denied user-hours 750.007, peak users 335, peak leased 300 of 300 installed then (headroom at peak 0), installed at end 300\n"))
    let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
    #expect(files == [".leasesim-outputs", "clients.csv", "events.csv", "summary.json", "timeline.csv"])
    let timeline = try String(contentsOfFile: out + "/timeline.csv", encoding: .utf8)
    #expect(timeline.hasPrefix("time,seconds,entity,role,feature,users,served,unserved,reserved,incremental,leased,server_leased,capacity,denied_logins,installed,used,free,auto_leased,auto_leasing,penalty,licensing,cloud,leader,ha_role,split,grace_days_left,average_available,auto_lease_threshold\n"))
    let events = try String(contentsOfFile: out + "/events.csv", encoding: .utf8)
    #expect(events.contains("2026-01-05T07:00:00.020Z,25200.020,increment_grant,gw-east,ls-1,users,25,2026-01-06T07:00:00.020Z,,R-LEASE-2,\n"))
}

@Test func sameScenarioAndSeedGiveByteIdenticalFilesAcrossProcesses() throws {
    let first = scratch("det1"), second = scratch("det2")
    #expect(try leasesim(["run", "Scenarios/morning-peak.json", "--out", first, "--quiet"]).code == 0)
    #expect(try leasesim(["run", "Scenarios/morning-peak.json", "--out", second, "--quiet"]).code == 0)
    for file in ["timeline.csv", "events.csv", "summary.json"] {
        let a = try Data(contentsOf: URL(fileURLWithPath: first + "/" + file))
        let b = try Data(contentsOf: URL(fileURLWithPath: second + "/" + file))
        #expect(a.count > 100)
        #expect(a == b, "\(file) differs between processes")
    }
    let third = scratch("det3")
    #expect(try leasesim(["run", "Scenarios/morning-peak.json", "--out", third, "--quiet", "--seed", "3"]).code == 0)
    let other = try Data(contentsOf: URL(fileURLWithPath: third + "/timeline.csv"))
    #expect(other != (try Data(contentsOf: URL(fileURLWithPath: first + "/timeline.csv"))))
}

@Test func sampledTimelineHasOneRowPerEntityPerInterval() throws {
    let out = scratch("sample")
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--sample", "1h", "--quiet"]).code == 0)
    let rows = try String(contentsOfFile: out + "/timeline.csv", encoding: .utf8).split(separator: "\n")
    // 7 days x 24 samples x (3 clients + 1 server + 1 fleet row), plus the header.
    #expect(rows.count == 7 * 24 * 5 + 1)
    #expect(rows[6] == "2026-01-05T01:00:00.000Z,3600,gw-east,client,users,5,5,0,50,0,50,50,50,0,0,,,0,1,,,,0,,,,,")
    #expect(rows[10] == "2026-01-05T01:00:00.000Z,3600,fleet,fleet,users,27,27,0,,,125,125,125,0,300,125,175,0,,,,,,,,,,")
}

@Test func checkExitsOneAndReportsAFailedExpectation() throws {
    let directory = scratch("check")
    let failing = try String(contentsOfFile: repositoryRoot + "/Scenarios/quickstart.json", encoding: .utf8)
        .replacingOccurrences(of: "\"value\": 350", with: "\"value\": 0")
    try failing.write(toFile: directory + "/failing.json", atomically: true, encoding: .utf8)
    let result = try leasesim(["check", directory + "/failing.json", "Scenarios/renewal-lapse.json"])
    #expect(result.code == 1)
    #expect(result.stdout.contains("FAIL expectations[3] the week has denied logins (R-LEASE-8) [at end: deniedLogins of fleet == 0]: actual 350 at t+1w (day 8 00:00, 2026-01-12T00:00:00.000Z)"))
    #expect(result.stdout.hasSuffix("check: 14 passed, 1 failed, 0 errors\n"))
    #expect(try leasesim(["check", "Scenarios/renewal-lapse.json"]).code == 0)
}

@Test func badInputExitsTwoWithTheFileAndPath() throws {
    let directory = scratch("bad")
    try "{\"format\": \"leasesim/1\", \"duration\": \"1d\", \"servers\": [], \"clients\": []}".write(
        toFile: directory + "/empty.json", atomically: true, encoding: .utf8)
    let result = try leasesim(["validate", directory + "/empty.json"])
    #expect(result.code == 2)
    #expect(result.stderr == "leasesim: \(directory)/empty.json:1:55: servers: expected at least one server, found an empty array\n")
    let flag = try leasesim(["run", "Scenarios/quickstart.json", "--smaple", "1h"])
    #expect(flag.code == 2)
    #expect(flag.stderr == "leasesim: run: unknown option --smaple (did you mean --sample?); see 'leasesim run --help'\n")
    #expect(try leasesim(["validate", "Scenarios/quickstart.json"]).code == 0)
}

/// A run stopped by a limit exits 3 and leaves only error.txt (the previous results do not look current).
@Test func aRunLimitExitsThreeAndLeavesOnlyTheError() throws {
    let directory = scratch("limit")
    _ = try quickstart(limits: "{\"maxEvents\": 100}", at: directory + "/limited.json")
    let out = directory + "/out"
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--quiet"]).code == 0)
    let result = try leasesim(["run", directory + "/limited.json", "--out", out])
    #expect(result.code == 3)
    #expect(result.stderr.hasPrefix("leasesim: run stopped at t+"))
    #expect(result.stderr.hasSuffix("after 100 events: maximum events limit reached\n"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [".leasesim-outputs", "error.txt"])
    let error = try String(contentsOfFile: out + "/error.txt", encoding: .utf8)
    #expect(error.hasPrefix("leasesim 0.1.0 could not finish \(directory)/limited.json: run stopped at t+"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["limited.json", "out"])
}

@Test func entityFilterKeepsOnlyTheNamedRowsAndTheFleet() throws {
    let out = scratch("entity")
    #expect(try leasesim(["run", "Scenarios/fleet-500.json", "--out", out, "--sample", "6h", "--entity", "branch-00*", "--entity", "branch-123", "--quiet"]).code == 0)
    let rows = try String(contentsOfFile: out + "/timeline.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    let entities = Set(rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] })
    // branch-001 ... branch-009, branch-123 and the fleet row, every 6 h for 7 days (the server is filtered out).
    #expect(entities.count == 11)
    #expect(entities.contains("branch-123") && entities.contains("fleet") && !entities.contains("ls-central"))
    #expect(rows.count == 7 * 4 * 11)
    let events = try String(contentsOfFile: out + "/events.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    #expect(events.allSatisfy { $0.contains(",branch-00") || $0.contains(",branch-123,") })
    #expect(events.count > 100)
}

@Test func anOutputThatCannotBeWrittenExitsFour() throws {
    let directory = scratch("exit4")
    try "not a directory".write(toFile: directory + "/file", atomically: true, encoding: .utf8)
    let result = try leasesim(["run", "Scenarios/quickstart.json", "--out", directory + "/file"])
    #expect(result.code == 4)
    #expect(result.stderr == "leasesim: \(directory)/file: cannot write output: not a directory\n")
}

/// A scenario that did not run is counted as an error in the total, so no total reads as green while one did not run.
@Test func checkCountsAScenarioThatDidNotRunAsAnError() throws {
    let directory = scratch("check-not-run")
    let result = try leasesim(["check", "Scenarios/renewal-lapse.json", directory])
    #expect(result.code == 2)
    #expect(result.stdout == "Scenarios/renewal-lapse.json: 10 of 10 expectations hold\n"
        + result.stdout.split(separator: "\n").dropFirst().dropLast().map { $0 + "\n" }.joined() + "check: 10 passed, 0 failed, 1 error\n")
    let alone = try leasesim(["check", directory])
    #expect(alone.code == 2 && alone.stdout == "check: 0 passed, 0 failed, 1 error\n")
    #expect(alone.stderr.contains("expected a readable scenario file, found a directory at \"\(directory)\""))
}

/// --entity with a pattern that matches nothing warns on stderr (and still runs).
@Test func anEntityPatternThatMatchesNothingWarns() throws {
    let out = scratch("entity-warning")
    let result = try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--entity", "gw-e*", "--entity", "gw-nowhere", "--quiet"])
    #expect(result.code == 0)
    #expect(result.stderr == "leasesim: warning: --entity 'gw-nowhere' matches no client or server of quickstart\n")
}

/// The per-change timeline has one row per entity per instant, holding the state after every event then; time is in
/// one fixed format; unserved is users - served.
@Test func theTimelineHasOneRowPerEntityPerInstantInOneTimeFormat() throws {
    let out = scratch("per-instant")
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--quiet"]).code == 0)
    let rows = try String(contentsOfFile: out + "/timeline.csv", encoding: .utf8).split(separator: "\n").dropFirst()
    var seen = Set<String>()
    for row in rows {
        let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(seen.insert(cells[0] + "," + cells[2]).inserted, "\(cells[2]) twice at \(cells[0])")
        #expect(cells[0].utf8.count == 24 && cells[0].hasSuffix("Z") && cells[0].dropFirst(19).hasPrefix("."), "\(cells[0])")
        if cells[3] == "client" { #expect(Int(cells[7]) == Int(cells[5])! - Int(cells[6])!) }
    }
    // At instant zero the fleet's leases are granted one by one; each entity appears once, in its final state.
    #expect(rows.first { $0.hasPrefix("2026-01-05T00:00:00.000Z,0,ls-1,") } == "2026-01-05T00:00:00.000Z,0,ls-1,server,users,,,,,,,,,,300,125,175,,1,0,1,0,,0,0,0,175,97.5")
}

/// Headroom at peak is installed minus leased at the instant of the peak, not installed at the end (summary.json too).
@Test func headroomIsTakenAtTheInstantOfThePeak() throws {
    let out = scratch("headroom")
    let result = try leasesim(["run", "Scenarios/subscription-overage.json", "--out", out])
    #expect(result.stdout.contains("peak leased 275 of 300 installed then (headroom at peak 25), installed at end 200\n"))
    let summary = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
    #expect(summary.contains("\"peakLeased\": 275, \"installedAtPeak\": 300, \"headroomAtPeak\": 25,"))
    #expect(try leasesim(["validate", "Scenarios/subscription-overage.json"]).stdout
        == "Scenarios/subscription-overage.json: valid (2 clients, 1 server, 9 expectations)\n")
}

/// R-HA-4: `validate` flags an active/active pair whose nodes are 100 ms or more apart, on stderr, and still
/// accepts it.
@Test func validateFlagsAnActiveActivePairTooFarApart() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leasesim-flag-\(ProcessInfo.processInfo.processIdentifier)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let scenario = try String(contentsOfFile: repositoryRoot + "/Scenarios/ha-active-active-split.json", encoding: .utf8)
        .replacingOccurrences(of: "\"linkLatency\": \"2ms\"", with: "\"linkLatency\": \"120ms\"")
    let path = directory + "/far.json"
    try scenario.write(toFile: path, atomically: true, encoding: .utf8)
    let result = try leasesim(["validate", path])
    #expect(result.code == 0)
    #expect(result.stderr == "leasesim: warning: \(path): flagged: R-HA-4: pair \"ls-ha\" has 120ms between its active/active nodes (under 100ms is needed)\n")
}

/// `--set` on run, check and validate: the run uses the value and summary.json records it; a bad override is
/// exit code 2 with the loader's message, before any scenario is run.
@Test func setOverridesFieldsOnEveryCommand() throws {
    let out = scratch("set")
    let run = try leasesim(["run", "Scenarios/morning-peak.json", "--out", out, "--no-events", "--set", "servers[ls-hq].licenses[0].count=400"])
    #expect(run.code == 0)
    #expect(run.stdout.contains("users: denied logins 0, denied user-hours 0.000, peak users 159, peak leased 175 of 400 installed then"))
    let summary = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
    #expect(summary.contains("\"overrides\": [\"servers[ls-hq].licenses[0].count=400\"]"))
    let check = try leasesim(["check", "Scenarios/morning-peak.json", "--set", "servers[ls-hq].licenses[0].count=400"])
    #expect(check.code == 1 && check.stdout.contains("FAIL expectations[0]"))
    let validate = try leasesim(["validate", "Scenarios/morning-peak.json", "--set", "policy.renewalInterval=2x"])
    #expect(validate.code == 2)
    #expect(validate.stderr.hasPrefix("leasesim: Scenarios/morning-peak.json (--set policy.renewalInterval=2x): policy.renewalInterval: expected a duration"))
    let syntax = try leasesim(["check", "Scenarios/morning-peak.json", "Scenarios/quickstart.json", "--set", "policy"])
    #expect(syntax.code == 2 && syntax.stdout.isEmpty)
}

/// The default timeline has the fleet's rows: one per feature at each instant its entities' changes moved it, the
/// whole fleet's whatever `--entity` keeps, equal to the sampled fleet rows at every sample instant.
@Test func theDefaultTimelineHasFleetRowsThatAgreeWithTheSampledOnes() throws {
    let changes = scratch("fleet-rows"), sampled = scratch("fleet-rows-sampled"), filtered = scratch("fleet-rows-filtered")
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", changes, "--quiet"]).code == 0)
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", sampled, "--quiet", "--sample", "1h"]).code == 0)
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", filtered, "--quiet", "--entity", "gw-lab"]).code == 0)
    func fleetRows(_ folder: String) throws -> [(seconds: Double, values: String)] {
        try String(contentsOfFile: folder + "/timeline.csv", encoding: .utf8).split(separator: "\n").compactMap { line in
            let cells = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            guard cells.count == 3, cells[2].hasPrefix("fleet,fleet,") else { return nil }
            return (Double(cells[1]) ?? -1, String(cells[2]))
        }
    }
    let rows = try fleetRows(changes), samples = try fleetRows(sampled)
    #expect(rows.count == 190)
    #expect(rows.first?.values == "fleet,fleet,users,27,27,0,,,125,125,125,0,300,125,175,0,,,,,,,,,,")
    #expect(rows.contains { $0.seconds == 25200.02 && $0.values == "fleet,fleet,users,170,120,50,,,125,175,125,0,300,175,125,0,,,,,,,,,," })
    #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.seconds < $1.seconds && $0.values != $1.values })
    #expect(samples.count == 168)
    for sample in samples {
        let latest = rows.last { $0.seconds <= sample.seconds }
        #expect(latest?.values == sample.values, "at \(sample.seconds) s")
    }
    #expect(try fleetRows(filtered).map(\.values) == rows.map(\.values))
}

/// Denied user-hours with no denied login explain themselves: users cut off, sessions lost while their users still
/// wanted them. In ha-penalty-failover the branch's 75 auto-leased (R-AUTO-3) are not reconciled (R-AUTO-6): its 120
/// users fall to the 50 of its reservation, 70 cut off, 8680.584 user-hours denied, and no login was ever refused.
@Test func usersCutOffExplainDeniedUserHoursWithoutDenials() throws {
    let out = scratch("cut-off")
    #expect(try leasesim(["run", "Scenarios/ha-penalty-failover.json", "--out", out, "--quiet", "--no-events", "--report"]).code == 0)
    // The report names each figure for what it is, defines it, explains a negative headroom and reads spans as spans.
    let page = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    #expect(page.contains("<td title=\"sessions lost while their users still wanted them: a lease that lapsed"))
    #expect(page.contains(">users cut off</td><td>70</td>") && page.contains(">license-hours leased out</td><td>59699.995</td>"))
    #expect(page.contains(">headroom at peak (licenses)</td><td>-75 *</td>"))
    #expect(page.contains("* users: headroom at peak is -75: at the peak the clients held 75 more than was installed; the clients auto-leased while cut off (R-AUTO-3)."))
    #expect(page.contains("<td>ls-1-down</td><td><span title=\"2026-03-31T12:00:00.000Z\">day 2 12:00</span></td>"))
    #expect(page.contains("<td>never</td><td>1 d 12 h</td></tr>") && page.contains(">first denial</td><td>none</td>"))
    let rows = try String(contentsOfFile: out + "/clients.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(10).joined(separator: ",") }
    #expect(rows[0] == "client,group,feature,server,ruc,ilq,muc,denied_logins,denied_user_hours,users_cut_off")
    #expect(rows[1] == "branch,,users,ls-ha,50,25,150,0,8680.584,70")
    #expect(rows[2] == "hq,,users,ls-ha,100,50,300,0,0.003,0")
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as! [String: Any]
    let users = (summary["fleet"] as! [String: Any])["users"] as! [String: Any]
    #expect(users["usersCutOff"] as? Int == 70 && users["deniedLogins"] as? Int == 0 && users["servedUserHours"] as? Double == 60039.413)
    // muc-cut: the MUC cut to 100 (R-CFG-1) takes gw-a from 200 leased: 80 of its users lose their sessions.
    let cut = scratch("cut-off-muc")
    #expect(try leasesim(["run", "Scenarios/muc-cut.json", "--out", cut, "--quiet", "--no-events"]).code == 0)
    let mucSummary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cut + "/summary.json"))) as! [String: Any]
    let mucUsers = (mucSummary["fleet"] as! [String: Any])["users"] as! [String: Any]
    #expect(mucUsers["usersCutOff"] as? Int == 80 && mucUsers["deniedLogins"] as? Int == 40)
}

/// `--timeline by-role`: a table per role, each with only its role's columns, so no cell is empty and every count
/// loads as a whole number; together they hold the rows of timeline.csv (changes and sampled), and a report drawn
/// from them is the same page.
@Test func timelinesByRoleHoldTheWideRowsWithNoEmptyCell() throws {
    for sample in [[], ["--sample", "1h"]] {
        let wide = scratch("by-role-wide"), split = scratch("by-role-split")
        #expect(try leasesim(["run", "Scenarios/ha-penalty-failover.json", "--out", wide, "--quiet", "--report"] + sample).code == 0)
        let result = try leasesim(["run", "Scenarios/ha-penalty-failover.json", "--out", split, "--report", "--timeline", "by-role"] + sample)
        #expect(result.code == 0 && result.stdout.contains("wrote \(split)/timeline-client.csv, timeline-server.csv, timeline-fleet.csv, events.csv,"))
        let files = try FileManager.default.contentsOfDirectory(atPath: split).sorted()
        #expect(files == [".leasesim-outputs", "clients.csv", "events.csv", "report.html", "summary.json", "timeline-client.csv", "timeline-fleet.csv", "timeline-server.csv"])
        let wideRows = try String(contentsOfFile: wide + "/timeline.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        for (role, name) in [("client", "timeline-client.csv"), ("server", "timeline-server.csv"), ("fleet", "timeline-fleet.csv")] {
            let table = try String(contentsOfFile: split + "/" + name, encoding: .utf8).split(separator: "\n")
            let rows = table.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(rows.allSatisfy { $0.allSatisfy { !$0.isEmpty } }, "\(name): an empty cell")
            // The wide rows of the role, without the role (and the fleet's without its entity) and without empty cells.
            let expected = wideRows.filter { $0[3] == role }.map { cells in
                var kept = cells
                kept.remove(at: 3)
                if role == "fleet" { kept.remove(at: 2) }
                return kept.filter { !$0.isEmpty }
            }
            #expect(rows == expected, "\(name) \(sample)")
            #expect(!rows.isEmpty)
        }
        #expect(try String(contentsOfFile: wide + "/report.html", encoding: .utf8) == String(contentsOfFile: split + "/report.html", encoding: .utf8))
        let fleet = try String(contentsOfFile: split + "/timeline-fleet.csv", encoding: .utf8)
        #expect(fleet.hasPrefix("time,seconds,feature,users,served,unserved,leased,server_leased,capacity,denied_logins,installed,used,free,auto_leased\n"))
    }
}

/// Every option a command accepts is in its `--help` and in docs/commands.md, and every option its `--help` names
/// is one it accepts (the options are declared once, `CommandOptions`).
@Test func everyOptionIsInItsHelpAndTheDocs() throws {
    let docs = try String(contentsOfFile: repositoryRoot + "/docs/commands.md", encoding: .utf8)
    // Words of a text, split at anything but letters, digits and hyphens: a flag is one word.
    func words(_ text: String) -> Set<String> {
        Set(text.split { !($0.isLetter || $0.isNumber || $0 == "-") }.map(String.init))
    }
    let documented = words(docs)
    for (options, help) in LeaseSimCLI.commands {
        let shown = try leasesim([options.command, "--help"])
        #expect(shown.code == 0 && shown.stdout == help + "\n")
        let inHelp = words(help)
        for flag in options.values + options.switches where flag != "-h" && flag != "--help" {
            #expect(inHelp.contains(flag), "leasesim \(options.command) --help does not name \(flag)")
            #expect(documented.contains(flag), "docs/commands.md does not name \(options.command)'s \(flag)")
        }
        // Another command named in quotes ('leasesim run --report') is that command's business.
        let own = words(help.replacing(/'leasesim [^']*'/, with: ""))
        for word in own where word.hasPrefix("--") && word.count > 2 && word != "--help" {
            #expect((options.values + options.switches).contains(word), "leasesim \(options.command) --help names \(word), which it does not accept")
        }
    }
}
