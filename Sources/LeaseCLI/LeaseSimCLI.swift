import Foundation
import LeaseKernel
import LeaseModel
import LeaseScenario

/// The `leasesim` command line: a thin shell over scenario loading, running and output.
public enum LeaseSimCLI {
    static let usage = """
    leasesim \(ScenarioRunner.version): a deterministic simulator of software-license fleets

    Usage:
      leasesim run SCENARIO [--out DIR] [--sample DURATION] [--entity ID]... [--no-events] [--seed N] [--set PATH=VALUE]... [--warm-up D] [--timeline wide|by-role]
                            [--report] [--client ID]... [--check-invariants] [--allow-outside-files] [--quiet]
      leasesim check SCENARIO... [--seed N] [--set PATH=VALUE]... [--junit FILE] [--format text|json] [--out DIR]
                             [--golden DIR [--update-golden]] [--check-invariants] [--allow-outside-files]
      leasesim validate SCENARIO... [--set PATH=VALUE]... [--allow-outside-files]
      leasesim sweep FILE [--out DIR] [--jobs N] [--shard I/N|auto|auto/N] [--set PATH=VALUE]... [--seed N]
                          [--run-outputs DIR] [--progress line|json|none] [--quiet]
      leasesim merge DIR... [--out DIR]
      leasesim plan SCENARIO --target FIGURE<=VALUE --vary PATH [--replications N] [--share S] [--low N] [--high N] [--jobs N]
      leasesim report OUT_DIR [--client ID]... [--calibrate IMPORT_DIR]
      leasesim import LOG [--out DIR [--scenario] [--licenses FEATURE=N]...] [--format flexnet|rlm|rlmDebug] [--date YYYY-MM-DD]
      leasesim --version | --help | COMMAND --help

    Exit codes: 0 ok, 1 an expectation or golden file failed (check) or no value met the target (plan),
                2 bad input or usage, 3 a run limit was hit, 4 an output could not be written
                (sweep: the gravest failure among its runs, whose rows hold the errors).
    """

    /// Every subcommand's options, with its help.
    static let commands: [(options: CommandOptions, help: String)] = [
        (runOptions, runHelp), (checkOptions, checkHelp), (validateOptions, validateHelp), (sweepOptions, sweepHelp), (mergeOptions, mergeHelp),
        (planOptions, planHelp), (reportOptions, reportHelp), (importOptions, importHelp),
    ]

    static let runOptions = CommandOptions("run", values: ["--out", "--sample", "--seed", "--entity", "--set", "--progress", "--client", "--warm-up", "--timeline"],
                                       switches: ["--report", "--check-invariants", "--quiet", "--no-events", "--allow-outside-files"])

    static let validateOptions = CommandOptions("validate", values: ["--set"], switches: ["--allow-outside-files"])

    static let runHelp = """
    leasesim run SCENARIO [options]: run one scenario and write its results

      --out DIR            write timeline.csv, events.csv, summary.json and clients.csv into DIR (default: out)
      --sample DURATION    one timeline row per entity every DURATION (at least 1s, e.g. 1h) instead of one per change
      --entity ID          keep only this client's or server's rows in timeline.csv and events.csv;
                           repeatable; a trailing * matches a prefix (--entity 'branch-00*'); fleet rows stay
      --no-events          do not write events.csv (every protocol message: large for big fleets)
      --timeline by-role   a timeline table per role instead of timeline.csv: timeline-client.csv,
                           timeline-server.csv and timeline-fleet.csv, each with only its role's columns (every
                           count a whole number: no empty cells); --timeline wide (the default) writes timeline.csv
      --seed N             replace the scenario's seed
      --set PATH=VALUE     replace one field of the scenario; repeatable (see below)
      --warm-up DURATION   leave the first DURATION out of every figure and expectation: counts, denials and
                           peaks start again then, from the fleet as it is (timelines show the restart)
      --check-invariants   check the model's invariants after every event (slower)
      --allow-outside-files  let the scenario read trace files outside its own folder
      --progress MODE      line (default when stderr is a terminal), json (one JSON line a second on stderr) or none
      --report             also write report.html (see 'leasesim report --help'); --client ID picks clients to chart
      --quiet              print nothing but errors

    --set takes a field path as errors print it, and a value: JSON when it parses as JSON, else text.
      --set policy.renewalInterval=2h          --set clients[gw-1].allocations.users.muc=200
      --set servers[ls-1].licenses[0].count=400   --set 'network={"latency": "80ms"}'
    Array elements are chosen by index or by id (a client group by its name); a missing key is added and then
    checked like any other, so a field the scenario format does not have is an error naming it.

    The outputs are written into a staging directory beside DIR and put in place as one set when the run
    ends: DIR always holds one complete set. A run that fails leaves only DIR/error.txt. DIR must be empty
    or hold only what leasesim wrote; nothing else in it is ever deleted. A second run into DIR at the same
    time fails at once.
    """

    static let validateHelp = """
    leasesim validate SCENARIO... [--set PATH=VALUE]...: load and validate scenarios without running them

      --set PATH=VALUE     replace a field of every scenario first, as for run; repeatable
      --allow-outside-files  let the scenarios read trace files outside their own folders

    Exits 0 when all are valid, 2 otherwise, printing file:line:col, the JSON path,
    what was expected and what was found.
    """

    /// Runs the command line and returns the exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        guard let command = arguments.first else {
            standardError(usage)
            return ExitCode.badInput.rawValue
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "--version", "-V": print("leasesim \(ScenarioRunner.version)"); return 0
            case "--help", "-h", "help": print(usage); return 0
            case "run": return try run(rest)
            case "check": return try check(rest)
            case "validate": return try validate(rest)
            case "sweep": return try sweep(rest)
            case "merge": return try merge(rest)
            case "plan": return try plan(rest)
            case "report": return try report(rest)
            case "import": return try importLog(rest)
            default:
                let hint = SpellingHint.closest(to: command, in: ["run", "check", "validate", "sweep", "merge", "plan", "report", "import"]).map { " (did you mean '\($0)'?)" } ?? ""
                throw UsageError(message: "unknown command '\(Excerpt.plain(command))'\(hint); see 'leasesim --help'")
            }
        } catch {
            standardError("leasesim: \(error)")
            return exitCode(for: error).rawValue
        }
    }

    /// The documented exit code for an error.
    static func exitCode(for error: Error) -> ExitCode {
        switch error {
        case is UsageError, is ScenarioError, is RunOptionError, is SweepPointError: return .badInput
        case is RunLimitExceeded, is ScenarioLimitExceeded: return .runLimit
        default: return .outputFailed
        }
    }

    static func run(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, runOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(runHelp); return 0 }
        guard parsed.positional.count == 1 else {
            throw UsageError(message: "run: expected one scenario file, found \(parsed.positional.count); see 'leasesim run --help'")
        }
        let scenario = try ScenarioLoader.load(path: parsed.positional[0], options: try parsed.loadOptions())
        var options = RunOptions(outputDirectory: parsed.values["--out"] ?? "out", sampleInterval: try parsed.duration("--sample", minimum: RunOptions.minimumSampleInterval))
        options.checksInvariants = parsed.switches.contains("--check-invariants")
        if let warmUp = try parsed.duration("--warm-up") {
            guard warmUp < scenario.duration else {
                throw UsageError(message: "--warm-up: expected a warm-up shorter than the run (\(scenario.duration)), found \(warmUp)")
            }
            options.warmUp = warmUp
        }
        options.entities = EntityFilter(patterns: parsed.allValues["--entity"] ?? [])
        let ids = scenario.spec.clients.map(\.id) + scenario.spec.servers.map(\.id)
        for pattern in options.entities.unmatched(among: ids) {
            standardError("leasesim: warning: --entity '\(pattern)' matches no client or server of \(scenario.name)")
        }
        options.writesEvents = !parsed.switches.contains("--no-events")
        options.timelineByRole = try parsed.timelineByRole()
        if parsed.switches.contains("--report") {
            var page = ReportPage.Options()
            page.clients = parsed.allValues["--client"] ?? []
            options.report = page
        }
        let counters = ProgressCounters(runs: 1, simulatedTotal: scenario.duration.milliseconds)
        let reporter = ProgressReporter(mode: try ProgressReporter.mode(parsed.values["--progress"]), counters: counters, label: scenario.name)
        options.progress = counters.callback()
        reporter.start()
        let report: RunReport
        do {
            report = try ScenarioRunner.run(scenario, options: options)
            counters.runFinished()
            reporter.finish()
        } catch {
            reporter.finish()
            throw error
        }
        printRun(report, options: options, quiet: parsed.switches.contains("--quiet"))
        return ExitCode.success.rawValue
    }

    /// A finished run's warnings (stderr) and, unless `quiet`, its summary, faults, expectations and files.
    static func printRun(_ report: RunReport, options: RunOptions, quiet: Bool) {
        for warning in RunSummary.flagWarnings(report.scenario) + RunSummary.faultWarnings(report) { standardError("leasesim: warning: " + warning) }
        guard !quiet else { return }
        print(RunSummary.text(report), terminator: "")
        for line in RunSummary.faultLines(report) { print("  " + line) }
        for line in RunSummary.expectationLines(report) { print("  " + line) }
        let timeline = options.timelineByRole ? "timeline-client.csv, timeline-server.csv, timeline-fleet.csv" : "timeline.csv"
        print("  wrote \(options.outputDirectory ?? "")/\(timeline), \(options.writesEvents ? "events.csv, " : "")summary.json, clients.csv\(options.report == nil ? "" : ", report.html")")
    }

    static func validate(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, validateOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(validateHelp); return 0 }
        guard !parsed.positional.isEmpty else { throw UsageError(message: "validate: expected at least one scenario file") }
        var code = ExitCode.success
        let loadOptions = try parsed.loadOptions()
        for path in parsed.positional {
            do {
                let scenario = try ScenarioLoader.load(path: path, options: loadOptions)
                let spec = scenario.spec
                print("\(path): valid (\(OutputText.count(spec.clients.count, "client")), \(OutputText.count(spec.servers.count, "server")), \(OutputText.count(scenario.expectations.count, "expectation")))")
                for warning in RunSummary.flagWarnings(scenario) { standardError("leasesim: warning: \(path): " + warning) } // R-HA-4
            } catch {
                standardError("leasesim: \(error)")
                code = .badInput
            }
        }
        return code.rawValue
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}
