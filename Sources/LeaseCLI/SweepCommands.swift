import Foundation
import LeaseKernel
import LeaseScenario

/// `leasesim sweep` and `leasesim merge`.
extension LeaseSimCLI {
    static let sweepOptions = CommandOptions("sweep", values: ["--out", "--jobs", "--shard", "--set", "--seed", "--run-outputs", "--sample", "--progress", "--rerun", "--timeline"],
                                         switches: ["--no-events", "--allow-outside-files", "--quiet"])

    static let mergeOptions = CommandOptions("merge", values: ["--out"], switches: ["--quiet"])

    static let sweepHelp = """
    leasesim sweep FILE [options]: run a sweep's points and replications and tabulate them

      --out DIR            write runs.csv, points.csv and sweep.json into DIR (default: sweep-out, apart from a run's out)
      --jobs N             runs at the same time (default: the number of processors); the outputs do not depend on it
      --shard I/N          run only slice I of N (0 <= I < N: runs I, I+N, I+2N, ...); DIR gets runs.csv and sweep.json,
                           and 'leasesim merge' joins the slices
      --shard auto         the slice from a Slurm array task (SLURM_ARRAY_TASK_ID, _MIN, _STEP and _COUNT)
      --shard auto/N       the slice from SLURM_ARRAY_TASK_ID or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX, of N
      --set PATH=VALUE     replace a field of the base scenario before the sweep's own settings; repeatable
      --seed N             replace the base seed the replications' seeds are drawn from
      --run-outputs DIR    also write each run's timeline.csv, events.csv, summary.json and clients.csv into DIR/run-NNN/
      --no-events          no events.csv in the runs' own outputs
      --sample DURATION    sampled timelines in the runs' own outputs
      --timeline by-role   a timeline table per role in the runs' own outputs (see 'leasesim run --help')
      --progress MODE      line (default on a terminal), json (one line a second on stderr, for tools) or none
      --allow-outside-files  let the scenario read trace files outside its own folder
      --quiet              print nothing but errors
      --rerun N            run only run N of the sweep, as 'leasesim run' would (its outputs into --out, default
                           out), and print the 'leasesim run' command that gives the same run

    A sweep file (format "leasesim-sweep/1") names a base scenario, a grid (every combination of the values
    given per field) or a list of points (each a set of fields), and a number of replications. Run r is
    replication r % R of point r / R; replication k's seed is drawn from the base seed and k alone.
    A run that fails is a row with its error; the exit code is then the gravest of the failures (2 or 3).
    """

    static let mergeHelp = """
    leasesim merge DIR... [--out DIR] [--quiet]: join the outputs of a sweep's shards (--quiet: print nothing but errors)

    Checks that the directories hold every shard of one sweep once, then writes runs.csv, points.csv and
    sweep.json into --out (default: sweep-out): the files one machine running the whole sweep writes, byte for byte.
    """

    static func sweep(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, sweepOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(sweepHelp); return 0 }
        guard parsed.positional.count == 1 else {
            throw UsageError(message: "sweep: expected one sweep file, found \(parsed.positional.count); see 'leasesim sweep --help'")
        }
        let load = try parsed.loadOptions()
        let plan = try SweepPlan.load(path: parsed.positional[0], overrides: load.overrides, seed: load.seed, allowsFilesOutside: load.allowsFilesOutside)
        if let text = parsed.values["--rerun"] {
            return try rerun(plan, text, parsed: parsed)
        }
        var options = SweepOptions()
        options.jobs = try parsed.count("--jobs", in: 1...1024) ?? ProcessInfo.processInfo.activeProcessorCount
        options.shard = try shard(parsed.values["--shard"], environment: ProcessInfo.processInfo.environment)
        options.runOutputs = parsed.values["--run-outputs"]
        options.writesEvents = !parsed.switches.contains("--no-events")
        options.timelineByRole = try parsed.timelineByRole()
        options.sampleInterval = try parsed.duration("--sample", minimum: RunOptions.minimumSampleInterval)
        let out = parsed.values["--out"] ?? SweepOutput.defaultDirectory
        let mode = try ProgressReporter.mode(parsed.values["--progress"])

        let (columns, durations) = try SweepRunner.metricColumns(plan)
        let runs = options.shard.runs(of: plan.runCount)
        let counters = ProgressCounters(runs: runs.count, simulatedTotal: runs.reduce(Int64(0)) { $0 + durations[$1 / plan.replications] })
        let reporter = ProgressReporter(mode: mode, counters: counters, label: plan.name)
        reporter.start()
        let (table, outcomes) = SweepRunner.run(plan, options: options, progress: counters, columns: columns)
        reporter.finish()
        let shard = options.shard == .whole ? nil : options.shard
        let failed = outcomes.filter { $0.failure != nil }
        let manifest = SweepManifest(plan: plan, shard: shard, runsHere: outcomes.count, failed: failed.count)
        try SweepOutput.write(SweepOutput.files(manifest: manifest, table: table), to: out)
        var worst = ExitCode.success
        for outcome in failed {
            worst = worst.worse(outcome.failure == .runLimit ? .runLimit : outcome.failure == .output ? .outputFailed : .badInput)
        }
        if let first = failed.first {
            standardError("leasesim: \(OutputText.count(failed.count, "run")) of \(outcomes.count) failed (runs.csv holds each error); the first, run \(first.run): \(first.error)")
        }
        if !parsed.switches.contains("--quiet") {
            let slice = shard.map { ", shard \($0)" } ?? ""
            print("\(plan.name): \(OutputText.count(plan.points.count, "point")) x \(OutputText.count(plan.replications, "replication"))\(slice): \(outcomes.count - failed.count) runs finished, \(failed.count) failed")
            if shard == nil { for line in pointLines(table) { print("  " + line) } }
            print("  wrote \(out)/runs.csv, \(shard == nil ? "points.csv, " : "")sweep.json")
        }
        return worst.rawValue
    }

    /// `sweep --rerun N`: one run of the sweep, with a run's outputs and summary.
    static func rerun(_ plan: SweepPlan, _ text: String, parsed: ParsedArguments) throws -> Int32 {
        guard let run = Int(text), (0..<plan.runCount).contains(run) else {
            throw UsageError(message: "--rerun: expected a run number from 0 to \(plan.runCount - 1) (runs.csv's run column), found \(Excerpt.quoted(text))")
        }
        for flag in ["--shard", "--run-outputs", "--jobs"] where parsed.values[flag] != nil {
            throw UsageError(message: "sweep: \(flag) does not go with --rerun (one run, into --out)")
        }
        let scenario = try plan.scenario(run: run)
        var options = RunOptions(outputDirectory: parsed.values["--out"] ?? "out",
                                 sampleInterval: try parsed.duration("--sample", minimum: RunOptions.minimumSampleInterval))
        options.writesEvents = !parsed.switches.contains("--no-events")
        options.timelineByRole = try parsed.timelineByRole()
        options.warmUp = plan.warmUp
        let quiet = parsed.switches.contains("--quiet")
        if !quiet {
            print("\(plan.name): run \(run), replication \(run % plan.replications) of point \(run / plan.replications); the same run as")
            print("  " + plan.runCommand(run: run))
        }
        let report = try ScenarioRunner.run(scenario, options: options)
        printRun(report, options: options, quiet: quiet)
        return ExitCode.success.rawValue
    }

    /// One line per point for people: its swept values and its denied logins over its replications.
    static func pointLines(_ table: RunsTable) -> [String] {
        let metric = 1 + table.swept.count
        return table.pointRows.filter { $0[metric] == "deniedLogins" }.map { row in
            let values = zip(table.swept, row[1..<metric]).map { "\($0)=\($1)" }.joined(separator: " ")
            let failed = row[metric + 2] == "0" ? "" : ", \(row[metric + 2]) failed"
            return "point \(row[0])\(values.isEmpty ? "" : " " + values): denied logins mean \(row[metric + 3]), 5-95% \(row[metric + 5])-\(row[metric + 7])\(failed)"
        }
    }

    /// The slice `--shard` names, reading a scheduler's environment for `auto`.
    static func shard(_ text: String?, environment: [String: String]) throws -> Shard {
        guard let text else { return .whole }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let form = "--shard: expected I/N (0 <= I < N), auto or auto/N"
        guard parts.count <= 2, !parts.isEmpty else { throw UsageError(message: "\(form), found \(Excerpt.quoted(text))") }
        var count: Int? = nil
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 1, value <= SweepFormat.maxRuns else {
                throw UsageError(message: "\(form), found \(Excerpt.quoted(text))")
            }
            count = value
        }
        guard parts[0] == "auto" else {
            guard let count, let index = Int(parts[0]), index >= 0, index < count else {
                throw UsageError(message: "\(form), found \(Excerpt.quoted(text))")
            }
            return Shard(index: index, count: count)
        }
        func number(_ name: String) throws -> Int? {
            guard let value = environment[name] else { return nil }
            guard let number = Int(value), number >= 0 else { throw UsageError(message: "--shard auto: \(name) is \(Excerpt.quoted(value)), not a whole number") }
            return number
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            let minimum = try number("SLURM_ARRAY_TASK_MIN") ?? 0, step = max(1, try number("SLURM_ARRAY_TASK_STEP") ?? 1)
            guard let tasks = try number("SLURM_ARRAY_TASK_COUNT") ?? count else {
                throw UsageError(message: "--shard auto: SLURM_ARRAY_TASK_COUNT is not set; give the count: --shard auto/N")
            }
            if let count, count != tasks {
                throw UsageError(message: "--shard auto/\(count): the Slurm array has \(tasks) tasks (SLURM_ARRAY_TASK_COUNT)")
            }
            let index = (task - minimum) / step
            guard task >= minimum, index < tasks else {
                throw UsageError(message: "--shard auto: task \(task) is outside the array's \(tasks) tasks from \(minimum) by \(step)")
            }
            return Shard(index: index, count: tasks)
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count else {
                throw UsageError(message: "--shard auto: JOB_COMPLETION_INDEX is set but the number of shards is not; give it: --shard auto/N (the Job's completions)")
            }
            guard index < count else { throw UsageError(message: "--shard auto/\(count): JOB_COMPLETION_INDEX is \(index), not below \(count)") }
            return Shard(index: index, count: count)
        }
        throw UsageError(message: "--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm array job) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set")
    }

    static func merge(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, mergeOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(mergeHelp); return 0 }
        guard !parsed.positional.isEmpty else { throw UsageError(message: "merge: expected the output directories of a sweep's shards") }
        let (manifest, table) = try SweepOutput.merge(parsed.positional)
        let out = parsed.values["--out"] ?? SweepOutput.defaultDirectory
        try SweepOutput.write(SweepOutput.files(manifest: manifest, table: table), to: out)
        if !parsed.switches.contains("--quiet") {
            print("\(manifest.name): merged \(OutputText.count(parsed.positional.count, "shard")), \(OutputText.count(manifest.runs, "run")) (\(manifest.failed) failed)")
            print("  wrote \(out)/runs.csv, points.csv, sweep.json")
        }
        if manifest.failed > 0 { standardError("leasesim: warning: \(OutputText.count(manifest.failed, "run")) of the sweep failed; runs.csv holds their errors") }
        return ExitCode.success.rawValue
    }
}
