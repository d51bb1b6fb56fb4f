import Foundation
import LeaseModel
import LeaseScenario

/// `leasesim check`: runs scenarios, judges their expectations (and golden files), reports for people and CI.
extension LeaseSimCLI {
    static let checkOptions = CommandOptions("check", values: ["--seed", "--set", "--junit", "--format", "--out", "--golden", "-k"],
                                         switches: ["--update-golden", "--check-invariants", "--allow-outside-files", "--quiet", "--fail-fast"])

    static let checkHelp = """
    leasesim check SCENARIO... [options]: run scenarios and judge their expectations

      --seed N, --set PATH=VALUE   as for run (applied to every scenario checked)
      --format text|json   text for people (default), or one JSON document on stdout for tools
      --junit FILE         also write JUnit XML (parent folders created): a suite per scenario (file, hostname,
                           timestamp, time), a case per expectation (its line) and golden file, the actual value
                           and when it was seen in each failure's message; written whatever fails or errors
      --quiet              print only the failures (with their scenario), the errors and the total
      -k PATTERN           only scenarios whose file or name contains PATTERN (all their expectations), and
                           elsewhere only the expectations whose path or name contains it (golden files: "golden
                           NAME"); repeatable (any of them); case-insensitive; the rest is deselected
      --fail-fast          stop after the first scenario that fails or errors (the rest are skipped)
      --out DIR            write the outputs of each scenario that fails into DIR/NAME/ (CI artifacts)
      --golden DIR         compare each scenario's outputs with DIR/NAME/ (summary.json, clients.csv, timeline.csv,
                           events.csv, those present in the run) and show the first differing lines
      --update-golden      write the outputs into DIR/NAME/ instead of comparing them (reported as updated)
      --check-invariants   check the model's invariants after every event (slower); a violation stops that
                           scenario's run (exit 3, the time, event, seed and invariant printed)
      --allow-outside-files  let scenarios read trace files outside their own folders

    NAME is the scenario's name. Prints PASS or FAIL for every expectation with its actual value and when it was
    seen (by day, as a scenario writes instants, and in UTC), then the total: "check: N passed, M failed, K errors"
    (and skipped, updated and deselected when any). Exits 0 when all hold, 1 when an expectation or a golden file
    fails, 2 on bad input, 3 when a run hits a limit, 4 when an output cannot be written.
    """

    static func check(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, checkOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(checkHelp); return 0 }
        guard !parsed.positional.isEmpty else { throw UsageError(message: "check: expected at least one scenario file") }
        let json = try parsed.choice("--format", among: ["text", "json"]) == "json"
        let updating = parsed.switches.contains("--update-golden")
        let golden = parsed.values["--golden"], artifacts = parsed.values["--out"]
        if updating && golden == nil { throw UsageError(message: "check: --update-golden needs --golden DIR") }
        let loadOptions = try parsed.loadOptions()
        let quiet = parsed.switches.contains("--quiet"), failFast = parsed.switches.contains("--fail-fast")
        let selection = CheckSelection(patterns: parsed.allValues["-k"] ?? [])
        var results = CheckResults(), worst = ExitCode.success, names: Set<String> = []
        results.hostname = hostName()
        for path in parsed.positional {
            var entry = CheckResults.Scenario(file: path, name: path)
            if failFast, results.scenarios.contains(where: { $0.failures > 0 || $0.error != nil }) {
                entry.skipped = "--fail-fast: an earlier scenario failed"
                results.scenarios.append(entry)
                continue
            }
            let started = Date()
            entry.timestamp = CivilCalendar.iso8601(epochMilliseconds: Int64((started.timeIntervalSince1970 * 1000).rounded(.down)))
            do {
                var scenario = try ScenarioLoader.load(path: path, options: loadOptions)
                let whole = selection.selects(file: path, name: scenario.name)
                if !whole {
                    let kept = scenario.expectations.filter { selection.selects(case: $0.path + " " + $0.label) }
                    let goldenKept = golden == nil ? false : GoldenFiles.names.contains { selection.selects(case: "golden " + $0) }
                    results.deselected += scenario.expectations.count - kept.count
                    guard !kept.isEmpty || goldenKept else { continue }
                    scenario.expectations = kept
                }
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
                    let compared = updating ? GoldenFiles.names.filter { FileManager.default.fileExists(atPath: outputs + "/" + $0) }
                        .map { GoldenResult(name: $0, status: .updated) }
                        : GoldenFiles.compare(outputs: outputs, golden: golden + "/" + entry.name)
                    entry.golden = whole ? compared : compared.filter { selection.selects(case: "golden " + $0.name) }
                    results.deselected += compared.count - entry.golden.count
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
            entry.seconds = Date().timeIntervalSince(started)
            results.scenarios.append(entry)
            if !json { printText(entry, quiet: quiet) }
        }
        if let junit = parsed.values["--junit"] { try write(results.junit, to: junit) }
        if json {
            print(results.json, terminator: "")
        } else {
            print(results.total)
        }
        return worst.rawValue
    }

    /// The machine's name, for JUnit.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A scenario's lines for people: its verdicts, then its golden files.
    /// `quiet`: only a failing scenario's line and its failures.
    static func printText(_ entry: CheckResults.Scenario, quiet: Bool) {
        if let reason = entry.skipped, !quiet { print("\(entry.file): skipped (\(reason))") }
        guard let report = entry.report, !quiet || entry.failures > 0 else { return }
        print("\(entry.file): \(report.results.filter(\.passed).count) of \(report.results.count) expectations hold")
        for (line, result) in zip(RunSummary.expectationLines(report), report.results) where !quiet || !result.passed {
            print("  " + line)
        }
        for golden in entry.golden where !quiet || !golden.passed {
            print("  \(golden.status == .updated ? "UPDATED" : golden.passed ? "PASS" : "FAIL") golden \(golden.summary)")
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
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
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

/// What `check -k` selects: patterns matched, case-insensitively, as substrings of a scenario's file or name (the
/// whole scenario) or of a case's name (an expectation's path and label, `golden NAME`). No pattern selects all.
struct CheckSelection {
    let patterns: [String]

    init(patterns: [String]) { self.patterns = patterns.map { $0.lowercased() } }

    func selects(file: String, name: String) -> Bool {
        patterns.isEmpty || patterns.contains { file.lowercased().contains($0) || name.lowercased().contains($0) }
    }

    func selects(case name: String) -> Bool { patterns.isEmpty || patterns.contains { name.lowercased().contains($0) } }
}
