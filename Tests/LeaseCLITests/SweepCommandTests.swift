import Foundation
import Testing

/// `leasesim sweep` and `leasesim merge` as processes: shards chosen by hand, by Slurm's and by Kubernetes'
/// variables, merged into what one machine writes, byte for byte.
@Test func shardsFromSchedulersMergeIntoTheSingleMachineOutput() throws {
    let folder = scratch("sweep")
    let sweep = "examples/renewal-sweep.json"
    let whole = try leasesim(["sweep", sweep, "--out", folder + "/whole", "--jobs", "2"])
    #expect(whole.code == 0, "\(whole.stderr)")
    #expect(whole.stdout.hasPrefix("renewal-sweep: 10 points x 10 replications: 100 runs finished, 0 failed\n"))
    let slurm = ["SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_STEP": "1"]
    for task in 1...3 {
        var environment = slurm
        environment["SLURM_ARRAY_TASK_ID"] = String(task)
        let shard = try leasesim(["sweep", sweep, "--out", folder + "/slurm-\(task)", "--shard", "auto", "--jobs", "1"], environment: environment)
        #expect(shard.code == 0 && shard.stdout.contains(", shard \(task - 1)/3: "), "\(shard.stderr)")
    }
    for index in 0..<2 {
        let shard = try leasesim(["sweep", sweep, "--out", folder + "/k8s-\(index)", "--shard", "auto/2", "--quiet"],
                                 environment: ["JOB_COMPLETION_INDEX": String(index)])
        #expect(shard.code == 0, "\(shard.stderr)")
    }
    let fromSlurm = try leasesim(["merge", folder + "/slurm-3", folder + "/slurm-1", folder + "/slurm-2", "--out", folder + "/merged-slurm"])
    let fromK8s = try leasesim(["merge", folder + "/k8s-0", folder + "/k8s-1", "--out", folder + "/merged-k8s"])
    #expect(fromSlurm.code == 0 && fromK8s.code == 0, "\(fromSlurm.stderr) \(fromK8s.stderr)")
    for name in ["runs.csv", "points.csv", "sweep.json"] {
        let expected = try Data(contentsOf: URL(fileURLWithPath: folder + "/whole/" + name))
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/merged-slurm/" + name)) == expected, "\(name)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/merged-k8s/" + name)) == expected, "\(name)")
    }
    let missing = try leasesim(["merge", folder + "/k8s-0", "--out", folder + "/merged-bad"])
    #expect(missing.code == 2 && missing.stderr == "leasesim: merge: expected all 2 shards, found no shard 1/2\n")
    let mixed = try leasesim(["merge", folder + "/k8s-0", folder + "/slurm-1", "--out", folder + "/merged-bad"])
    #expect(mixed.code == 2 && mixed.stderr.contains("expected one of 2 shards, found shard 0/3"))
}

/// `--shard` refuses what it cannot use, saying what it needs.
@Test func shardFlagErrors() throws {
    let sweep = "examples/renewal-sweep.json", out = scratch("shard-errors")
    let cases: [([String], [String: String], String)] = [
        (["--shard", "3/3"], [:], "leasesim: --shard: expected I/N (0 <= I < N), auto or auto/N, found \"3/3\"\n"),
        (["--shard", "auto"], ["JOB_COMPLETION_INDEX": "1"],
         "leasesim: --shard auto: JOB_COMPLETION_INDEX is set but the number of shards is not; give it: --shard auto/N (the Job's completions)\n"),
        (["--shard", "auto/4"], ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3"],
         "leasesim: --shard auto/4: the Slurm array has 3 tasks (SLURM_ARRAY_TASK_COUNT)\n"),
        (["--jobs", "0"], [:], "leasesim: --jobs: expected a whole number from 1 to 1024, found \"0\"\n"),
    ]
    for (flags, environment, message) in cases {
        let result = try leasesim(["sweep", sweep, "--out", out] + flags, environment: environment)
        #expect(result.code == 2 && result.stderr == message)
    }
}

/// `--progress json` writes JSON lines on stderr, the last marked done, whatever the outputs.
@Test func progressJSONEndsWithADoneLine() throws {
    let result = try leasesim(["run", "Scenarios/quickstart.json", "--out", scratch("progress"), "--quiet", "--progress", "json"])
    #expect(result.code == 0)
    let last = result.stderr.split(separator: "\n").last.map(String.init) ?? ""
    #expect(last.hasPrefix("{\"runsDone\": 1, \"runs\": 1, \"events\": 1048, ") && last.hasSuffix("\"done\": true}"))
    #expect(last.contains("\"simulatedDays\": 7.000"))
}

/// `leasesim plan` prints every value it tried and the answer (exit 0), or that none meets the target (exit 1).
@Test func planPrintsTheRunsAndTheAnswer() throws {
    let found = try leasesim(["plan", "Scenarios/morning-peak.json", "--target", "deniedLogins<=10", "--vary", "servers[ls-hq].licenses[0].count",
                              "--replications", "10", "--jobs", "2"])
    #expect(found.code == 0, "\(found.stderr)")
    let lines = found.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "plan: the smallest servers[ls-hq].licenses[0].count with deniedLogins<=10 in every replication (10 replications a value)")
    #expect(lines.contains { $0.hasPrefix("  servers[ls-hq].licenses[0].count=199: ") && $0.contains("(falls short)") })
    #expect(lines.last == "plan: servers[ls-hq].licenses[0].count=200 (10 values tried, 100 runs; seeds from base 2026)")
    let none = try leasesim(["plan", "Scenarios/morning-peak.json", "--target", "deniedLogins<=10", "--vary", "servers[ls-hq].licenses[0].count",
                             "--high", "160", "--jobs", "1"])
    #expect(none.code == 1 && none.stdout.hasSuffix("plan: no value up to 160 meets the target (20 runs)\n"))
    let bad = try leasesim(["plan", "Scenarios/morning-peak.json", "--target", "deniedLogins", "--vary", "x"])
    #expect(bad.code == 2 && bad.stdout.isEmpty)
}

/// Without `--replications`, a scenario that draws from its seed runs 20 replications a value, and the first line says
/// why; one that draws nothing runs one, and asking it for more is warned about (the runs are the same).
@Test func planReplicatesARandomScenarioByDefault() throws {
    let random = try leasesim(["plan", "Scenarios/morning-peak.json", "--target", "deniedLogins<=10", "--vary", "servers[ls-hq].licenses[0].count",
                               "--low", "199", "--high", "200"])
    #expect(random.code == 0, "\(random.stderr)")
    #expect(random.stdout == """
    plan: the smallest servers[ls-hq].licenses[0].count with deniedLogins<=10 in every replication (20 replications a value: \
    the default when the scenario draws from its seed, as clients[0].demand.users and 1 other field do)
      servers[ls-hq].licenses[0].count=199: 18 of 20 meet it (falls short); deniedLogins mean 7.200, min 0, max 76
      servers[ls-hq].licenses[0].count=200: 20 of 20 meet it (meets); deniedLogins mean 0, min 0, max 0
    plan: servers[ls-hq].licenses[0].count=200 (2 values tried, 40 runs; seeds from base 2026)

    """)
    let fixed = try leasesim(["plan", "Scenarios/quickstart.json", "--target", "deniedLogins<=0", "--vary", "servers[ls-1].licenses[0].count",
                              "--low", "349", "--high", "350", "--replications", "3"])
    #expect(fixed.code == 0)
    #expect(fixed.stdout.hasPrefix("plan: the smallest servers[ls-1].licenses[0].count with deniedLogins<=0 in every replication (3 replications a value)\n"))
    #expect(fixed.stderr == "leasesim: warning: the scenario draws nothing from its seed: its 3 replications of a value are the same run\n")
    let once = try leasesim(["plan", "Scenarios/quickstart.json", "--target", "deniedLogins<=0", "--vary", "servers[ls-1].licenses[0].count",
                             "--low", "349", "--high", "350"])
    #expect(once.stdout.contains("(1 replication a value)\n") && once.stdout.hasSuffix("(2 values tried, 2 runs; seeds from base 7)\n"))
}

/// `--run-outputs DIR`: every run's own outputs, each set in its own directory, as `leasesim run` writes them.
@Test func runOutputsHoldEachRunsOwnFiles() throws {
    let folder = scratch("run-outputs")
    let sweep = folder + "/small.json"
    try """
    {"format": "leasesim-sweep/1", "scenario": "\(repositoryRoot)/Scenarios/quickstart.json", "set": {"duration": "1d"},
     "points": [{"servers[ls-1].licenses[0].count": 300}, {"servers[ls-1].licenses[0].count": 350}], "replications": 2}
    """.write(toFile: sweep, atomically: true, encoding: .utf8)
    let result = try leasesim(["sweep", sweep, "--out", folder + "/out", "--run-outputs", folder + "/runs", "--no-events", "--jobs", "2"])
    #expect(result.code == 0, "\(result.stderr)")
    let runs = try FileManager.default.contentsOfDirectory(atPath: folder + "/runs").sorted()
    #expect(runs == ["run-0", "run-1", "run-2", "run-3"])
    let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/runs/run-3").sorted()
    #expect(files == [".leasesim-outputs", "clients.csv", "summary.json", "timeline.csv"])
    let summary = try String(contentsOfFile: folder + "/runs/run-3/summary.json", encoding: .utf8)
    #expect(summary.contains("\"overrides\": [\"duration=1d\", \"servers[ls-1].licenses[0].count=350\"]"))
}

/// A run and a sweep without --out write apart (`out` and `sweep-out`): neither replaces the other's set.
@Test func aRunAndASweepHaveSeparateDefaultOutputs() throws {
    let folder = scratch("default-outputs")
    let sweep = repositoryRoot + "/examples/renewal-sweep.json"
    #expect(try leasesim(["run", repositoryRoot + "/Scenarios/muc-cut.json", "--quiet"], in: folder).code == 0)
    #expect(try leasesim(["sweep", sweep, "--shard", "0/50", "--quiet", "--progress", "none"], in: folder).code == 0)
    for file in ["out/summary.json", "out/timeline.csv", "sweep-out/runs.csv", "sweep-out/sweep.json"] {
        #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file)")
    }
}

/// A scenario given to `sweep` is named a scenario (and a sweep given to `run` a sweep); a plan's `--vary` errors
/// name `--vary`, not a `--set` the user never wrote.
@Test func filesOfTheOtherKindAndVaryErrorsAreNamed() throws {
    let sweep = try leasesim(["sweep", "Scenarios/quickstart.json"])
    #expect(sweep.code == 2)
    #expect(sweep.stderr == "leasesim: Scenarios/quickstart.json:3:13: format: expected a sweep file (\"format\": \"leasesim-sweep/1\"), found a scenario (\"leasesim/1\"): give it to leasesim run, check or plan, or name it as a sweep's \"scenario\"\n")
    let run = try leasesim(["run", "examples/renewal-sweep.json"])
    #expect(run.code == 2)
    #expect(run.stderr == "leasesim: examples/renewal-sweep.json:3:13: format: expected a scenario (\"format\": \"leasesim/1\"), found a sweep file (\"leasesim-sweep/1\"): give it to leasesim sweep\n")
    let vary = try leasesim(["plan", "Scenarios/morning-peak.json", "--vary", "clients[nosuch].allocations.users.muc", "--target", "deniedLogins<=0"])
    #expect(vary.code == 2)
    #expect(vary.stderr == "leasesim: Scenarios/morning-peak.json (--vary clients[nosuch].allocations.users.muc=1): clients[nosuch]: expected an index, or the id of one of 2 elements (\"gw-main\", \"gw-branch\"), found no element with id \"nosuch\"\n")
}

/// `sweep --rerun N` runs one run of a sweep as `leasesim run` would, and prints the `leasesim run` command that
/// gives the same run: all three write the same timeline.
@Test func rerunGivesOneRunOfASweepAndTheCommandForIt() throws {
    let folder = scratch("rerun")
    let sweep = try leasesim(["sweep", "examples/renewal-sweep.json", "--out", folder + "/sweep", "--run-outputs", folder + "/runs", "--no-events", "--quiet"])
    #expect(sweep.code == 0, "\(sweep.stderr)")
    let rerun = try leasesim(["sweep", "examples/renewal-sweep.json", "--rerun", "13", "--out", folder + "/rerun", "--no-events"])
    #expect(rerun.code == 0, "\(rerun.stderr)")
    let lines = rerun.stdout.split(separator: "\n").map(String.init)
    #expect(lines[0] == "renewal-sweep: run 13, replication 3 of point 1; the same run as")
    #expect(lines[1] == "  leasesim run Scenarios/morning-peak.json --set duration=1d --set policy.renewalInterval=1h --set 'servers[ls-hq].licenses[0].count=175' --seed 5225124243876454944")
    let command = try leasesim(["run", "Scenarios/morning-peak.json", "--set", "duration=1d", "--set", "policy.renewalInterval=1h",
                                "--set", "servers[ls-hq].licenses[0].count=175", "--seed", "5225124243876454944", "--out", folder + "/command", "--no-events", "--quiet"])
    #expect(command.code == 0)
    let timelines = try ["runs/run-13", "rerun", "command"].map { try String(contentsOfFile: folder + "/\($0)/timeline.csv", encoding: .utf8) }
    #expect(timelines[0] == timelines[1] && timelines[1] == timelines[2] && !timelines[0].isEmpty)
    let bad = try leasesim(["sweep", "examples/renewal-sweep.json", "--rerun", "100"])
    #expect(bad.code == 2 && bad.stderr == "leasesim: --rerun: expected a run number from 0 to 99 (runs.csv's run column), found \"100\"\n")
}

/// A warm-up leaves the start out of every figure: on morning-peak's 3 days, 404 logins are denied in all and 68 on
/// day 1 alone (a 1-day run), so a 1-day warm-up counts 336; shares of time and messages per day cover the 2 days
/// after it. A sweep's `warmUp` gives its runs the same figures; one as long as a run is refused before any run.
@Test func aWarmUpLeavesTheStartOutOfTheFigures() throws {
    let folder = scratch("warm-up")
    let whole = try leasesim(["run", "Scenarios/morning-peak.json", "--set", "duration=3d", "--out", folder + "/whole"])
    let day1 = try leasesim(["run", "Scenarios/morning-peak.json", "--set", "duration=1d", "--out", folder + "/day1"])
    let warm = try leasesim(["run", "Scenarios/morning-peak.json", "--set", "duration=3d", "--warm-up", "1d", "--out", folder + "/warm"])
    #expect(whole.stdout.contains("users: denied logins 404, denied user-hours 25.575,"))
    #expect(day1.stdout.contains("users: denied logins 68, denied user-hours 2.523,"))
    #expect(warm.stdout.hasPrefix("morning-peak: 2 clients, 1 server, 3d simulated (figures from t+1d, after the warm-up), 8948 events, seed 2026\n"))
    #expect(warm.stdout.contains("users: denied logins 336, denied user-hours 23.052,"))
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/warm/summary.json"))) as! [String: Any]
    let users = ((summary["fleet"] as! [String: Any])["users"] as! [String: Any])
    #expect((summary["scenario"] as! [String: Any])["warmUp"] as? String == "1d")
    #expect(users["hoursAvailable"] as? Double == 7200) // 150 licenses x 48 h
    let shares = (users["timeAtLevel"] as! [String: Double]).values.reduce(0, +)
    #expect(abs(shares - 1) < 0.0002)
    let sweepFile = folder + "/warm-sweep.json"
    try """
    {"format": "leasesim-sweep/1", "scenario": "\(repositoryRoot)/Scenarios/morning-peak.json", "set": {"duration": "3d", "seed": 2026},
     "points": [{"servers[ls-hq].licenses[0].count": 150}], "warmUp": "1d"}
    """.write(toFile: sweepFile, atomically: true, encoding: .utf8)
    let sweep = try leasesim(["sweep", sweepFile, "--out", folder + "/sweep", "--quiet", "--seed", "7"])
    #expect(sweep.code == 0, "\(sweep.stderr)")
    let rerun = try leasesim(["sweep", sweepFile, "--rerun", "0", "--out", folder + "/rerun", "--quiet", "--seed", "7"])
    #expect(rerun.code == 0, "\(rerun.stderr)")
    let runs = try String(contentsOfFile: folder + "/sweep/runs.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    let column = runs[0].firstIndex(of: "deniedLogins")!
    let rerunSummary = try String(contentsOfFile: folder + "/rerun/summary.json", encoding: .utf8)
    #expect(rerunSummary.contains("\"warmUp\": \"1d\"") && rerunSummary.contains("\"deniedLogins\": \(runs[1][column]),"))
    let long = sweepFile.replacingOccurrences(of: ".json", with: "-long.json")
    try String(contentsOfFile: sweepFile, encoding: .utf8).replacingOccurrences(of: "\"1d\"}", with: "\"3d\"}").write(toFile: long, atomically: true, encoding: .utf8)
    let refused = try leasesim(["sweep", long, "--out", folder + "/long"])
    #expect(refused.code == 2)
    #expect(refused.stderr == "leasesim: sweep point 0 (servers[ls-hq].licenses[0].count=150) is invalid, so no run was started: \(long): warmUp: expected a warm-up shorter than the run (3d), found 3d\n")
    let badRun = try leasesim(["run", "Scenarios/quickstart.json", "--warm-up", "1w"])
    #expect(badRun.code == 2 && badRun.stderr == "leasesim: --warm-up: expected a warm-up shorter than the run (1w), found 1w\n")
}
