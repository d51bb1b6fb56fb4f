import Foundation
import LeaseScenario

/// `leasesim check`: runs scenarios, judges their expectations (and golden files), reports for people and CI.
extension LeaseSimCLI {
    static let checkHelp = """
    leasesim check SCENARIO... [options]: run scenarios and judge their expectations

      --seed N, --set PATH=VALUE   as for run (applied to every scenario checked)
      --format text|json   text for people (default), or one JSON document on stdout for tools
      --junit FILE         also write JUnit XML: a suite per scenario, a case per expectation and golden file,
                           the actual value and when it was seen in each failure's message
      --out DIR            write the outputs of each scenario that fails into DIR/NAME/ (CI artifacts)
      --golden DIR         compare each scenario's outputs with DIR/NAME/ (summary.json, clients.csv, timeline.csv,
                           events.csv, those present in the run) and show the first differing lines
      --update-golden      write the outputs into DIR/NAME/ instead of comparing them
      --check-invariants   check the model's invariants after every event (slower); a violation stops that
                           scenario's run (exit 3, the time, event, seed and invariant printed)
      --allow-outside-files  let scenarios read trace files outside their own folders

    NAME is the scenario's name. Prints PASS or FAIL for every expectation with its actual value and when it was
    seen (by day, as a scenario writes instants, and in UTC). Exits 0 when all hold, 1 when an expectation or a
    golden file fails, 2 on bad input, 3 when a run hits a limit, 4 when an output cannot be written.
    """

    static func check(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valueFlags: ["--seed", "--set", "--junit", "--format", "--out", "--golden"],
                                         switchFlags: ["--update-golden", "--check-invariants", "--allow-outside-files", "--help", "-h"],
                                         command: "check")
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(checkHelp); return 0 }
        guard !parsed.positional.isEmpty else { throw UsageError(message: "check: expected at least one scenario file") }
        let json = try parsed.choice("--format", among: ["text", "json"]) == "json"
        let updating = parsed.switches.contains("--update-golden")
        let golden = parsed.values["--golden"], artifacts = parsed.values["--out"]
        if updating && golden == nil { throw UsageError(message: "check: --update-golden needs --golden DIR") }
        let loadOptions = try parsed.loadOptions()
        var results = CheckResults(), worst = ExitCode.success, names: Set<String> = []
        for path in parsed.positional {
            var entry = CheckResults.Scenario(file: path, name: path)
            do {
                let scenario = try ScenarioLoader.load(path: path, options: loadOptions)
                entry.name = uniqueName(scenario.name, &names)
                // Outputs go where they are kept (artifacts, golden files) or to a scratch directory to compare.
                let scratch = NSTemporaryDirectory() + "leasesim-check-\(getpid())-\(names.count)"
                let outputs: String? = golden.map { updating ? $0 + "/" + entry.name : artifacts.map { $0 + "/" + entry.name } ?? scratch }
                    ?? artifacts.map { $0 + "/" + entry.name }
                var runOptions = RunOptions(outputDirectory: outputs)
                runOptions.checksInvariants = parsed.switches.contains("--check-invariants")
                let report = try ScenarioRunner.run(scenario, options: runOptions)
                entry.report = report
                if let golden, let outputs {
                    entry.golden = updating ? GoldenFiles.names.filter { FileManager.default.fileExists(atPath: outputs + "/" + $0) }
                        .map { GoldenResult(name: $0, status: .updated) }
                        : GoldenFiles.compare(outputs: outputs, golden: golden + "/" + entry.name)
                }
                if let outputs, outputs == scratch || (entry.failures == 0 && !updating) { GoldenFiles.removeOutputs(at: outputs) }
                for warning in RunSummary.flagWarnings(scenario) + RunSummary.faultWarnings(report) {
                    standardError("leasesim: warning: \(path): " + warning)
                }
                if entry.failures > 0 { worst = worst.worse(.expectationFailed) }
            } catch {
                entry.error = "\(error)"
                standardError(error is ScenarioError ? "leasesim: \(error)" : "leasesim: \(path): \(error)")
                worst = worst.worse(exitCode(for: error))
            }
            results.scenarios.append(entry)
            if !json { printText(entry) }
        }
        if let junit = parsed.values["--junit"] { try write(results.junit, to: junit) }
        if json {
            print(results.json, terminator: "")
        } else if results.notRun == 0 {
            // A total is printed only when every scenario ran: "0 failed" must never stand for a run that did not happen.
            print("check: \(results.passed) passed, \(results.failed) failed")
        } else {
            standardError("leasesim: check: \(results.notRun) of \(OutputText.count(parsed.positional.count, "scenario")) did not run; no total is given")
        }
        return worst.rawValue
    }

    /// A scenario's lines for people: its verdicts, then its golden files.
    static func printText(_ entry: CheckResults.Scenario) {
        guard let report = entry.report else { return }
        print("\(entry.file): \(report.results.filter(\.passed).count) of \(report.results.count) expectations hold")
        for line in RunSummary.expectationLines(report) { print("  " + line) }
        for golden in entry.golden {
            print("  \(golden.passed ? "PASS" : "FAIL") golden \(golden.summary)")
            for line in golden.diff { print("    " + line) }
        }
    }

    /// The scenario's name, or the name with `-2`, `-3`... when an earlier scenario of this check had it.
    static func uniqueName(_ name: String, _ names: inout Set<String>) -> String {
        var candidate = name, number = 1
        while names.contains(candidate) {
            number += 1
            candidate = "\(name)-\(number)"
        }
        names.insert(candidate)
        return candidate
    }

    /// Writes a report file whole: into a temporary file beside it, then renamed over it.
    static func write(_ text: String, to path: String) throws {
        let temporary = (path as NSString).deletingLastPathComponent.isEmpty ? ".\(path).tmp-\(getpid())"
            : (path as NSString).deletingLastPathComponent + "/." + (path as NSString).lastPathComponent + ".tmp-\(getpid())"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            unlink(temporary)
            throw ReportWriteError(path: path)
        }
    }

    struct ReportWriteError: Error, CustomStringConvertible {
        let path: String
        var description: String { "cannot write \(path)" }
    }
}
