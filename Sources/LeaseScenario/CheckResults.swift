import Foundation
import LeaseKernel
import LeaseModel

/// What `leasesim check` found for each scenario, and the forms CI systems read it in: JUnit XML and JSON.
public struct CheckResults: Sendable {
    /// One scenario's outcome.
    public struct Scenario: Sendable {
        public var file: String
        public var name: String
        public var report: RunReport?
        /// Why the scenario did not load or run (the expectations were not judged).
        public var error: String?
        /// Why the scenario was not run at all (`--fail-fast` after an earlier failure).
        public var skipped: String?
        public var golden: [GoldenResult] = []
        /// Wall-clock seconds to load and run it, and when it started (ISO 8601 UTC), for JUnit.
        public var seconds = 0.0
        public var timestamp = ""

        public init(file: String, name: String, report: RunReport? = nil, error: String? = nil) {
            self.file = file
            self.name = name
            self.report = report
            self.error = error
        }

        public var failures: Int {
            (report?.results.filter { !$0.passed }.count ?? 0) + golden.filter { !$0.passed }.count
        }
        /// Expectations that hold and golden files that match (an updated golden file is neither: it was written).
        public var passes: Int { (report?.results.filter(\.passed).count ?? 0) + golden.filter { $0.status == .same }.count }
        public var updates: Int { golden.filter { $0.status == .updated }.count }
    }

    public var scenarios: [Scenario] = []
    /// Expectations and scenarios left out by `-k` (not run, not counted).
    public var deselected = 0
    /// The machine that ran the check (JUnit's `hostname`).
    public var hostname = ""

    public init() {}

    public var passed: Int { scenarios.reduce(0) { $0 + $1.passes } }
    public var failed: Int { scenarios.reduce(0) { $0 + $1.failures } }
    public var updated: Int { scenarios.reduce(0) { $0 + $1.updates } }
    /// Scenarios that did not load or run.
    public var notRun: Int { scenarios.filter { $0.error != nil }.count }
    public var skipped: Int { scenarios.filter { $0.skipped != nil }.count }

    /// The total line: `check: 4 passed, 1 failed, 0 errors` (and skipped, updated and deselected when any).
    public var total: String {
        var text = "check: \(passed) passed, \(failed) failed, \(OutputText.count(notRun, "error"))"
        if skipped > 0 { text += ", \(skipped) skipped" }
        if updated > 0 { text += ", \(OutputText.count(updated, "golden file")) updated" }
        if deselected > 0 { text += ", \(deselected) deselected" }
        return text
    }

    // MARK: JUnit XML

    /// JUnit XML: a test suite per scenario (its file, `hostname`, `timestamp` and `time`), a test case per
    /// expectation (with the line it starts on) and per golden file, the actual value and when it was seen in each
    /// failure's message; a scenario that did not run is a suite with one error, one skipped by `--fail-fast` a
    /// suite with one skipped case, and an updated golden file a skipped case. A suite's time is its scenario's load
    /// and run, carried by its first case (the others 0), so that sums over cases give the run's time.
    public var junit: String {
        let seconds = scenarios.reduce(0) { $0 + $1.seconds }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"leasesim check\" tests=\"\(passed + failed + notRun + skipped + updated)\" failures=\"\(failed)\" "
        out += "errors=\"\(notRun)\" skipped=\"\(skipped + updated)\" time=\"\(CheckResults.time(seconds))\">\n"
        for scenario in scenarios {
            let suite = CheckResults.xml(scenario.name), file = CheckResults.xml(scenario.file)
            var cases: [String] = []
            func testCase(_ name: String, line: Int? = nil, _ body: String? = nil) {
                let time = CheckResults.time(cases.isEmpty ? scenario.seconds : 0)
                var text = "    <testcase name=\"\(CheckResults.xml(name))\" classname=\"\(suite)\" file=\"\(file)\""
                if let line, line > 0 { text += " line=\"\(line)\"" }
                text += " time=\"\(time)\""
                cases.append(text + (body.map { ">\n      \($0)\n    </testcase>\n" } ?? "/>\n"))
            }
            var failures = 0, errors = 0, skips = 0
            if let error = scenario.error {
                testCase("load and run", "<error message=\"\(CheckResults.xml(error))\" type=\"error\">\(CheckResults.xml(error))</error>")
                errors = 1
            } else if let reason = scenario.skipped {
                testCase("load and run", "<skipped message=\"\(CheckResults.xml(reason))\"/>")
                skips = 1
            }
            if let report = scenario.report {
                for result in report.results {
                    let expectation = result.expectation
                    let name = expectation.path + " " + expectation.label
                    guard !result.passed else { testCase(name, line: expectation.line); continue }
                    let message = "actual \(ExpectationFormat.number(result.actual)) at \(result.seenAt) (\(RunSummary.instantText(result.seenAt, report.scenario))); expected \(expectation.claim)"
                    testCase(name, line: expectation.line, "<failure message=\"\(CheckResults.xml(message))\" type=\"expectation\">\(CheckResults.xml(message))</failure>")
                    failures += 1
                }
            }
            for golden in scenario.golden {
                switch golden.status {
                case .same: testCase("golden " + golden.name)
                case .updated:
                    testCase("golden " + golden.name, "<skipped message=\"golden file updated\"/>")
                    skips += 1
                case .missing, .differs:
                    testCase("golden " + golden.name, "<failure message=\"\(CheckResults.xml(golden.summary))\" type=\"golden\">\(CheckResults.xml(golden.diff.joined(separator: "\n")))</failure>")
                    failures += 1
                }
            }
            out += "  <testsuite name=\"\(suite)\" file=\"\(file)\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" "
            out += "skipped=\"\(skips)\" time=\"\(CheckResults.time(scenario.seconds))\" timestamp=\"\(CheckResults.xml(scenario.timestamp))\" "
            out += "hostname=\"\(CheckResults.xml(hostname))\">\n"
            out += cases.joined() + "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// Seconds with three decimals, as JUnit readers expect.
    static func time(_ seconds: Double) -> String {
        let milliseconds = Int64((max(0, seconds) * 1000).rounded())
        let fraction = String(milliseconds % 1000)
        return "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// Text for an XML attribute or element: the five special characters escaped, and control characters (which
    /// XML 1.0 cannot hold) shown as `\u{...}`.
    static func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    // MARK: JSON

    /// The results for tools: per scenario its expectations (claim, passed, actual, when seen by day and in UTC),
    /// its golden files and its error; then the totals.
    public var json: String {
        var out = "{\n  \"leasesim\": \(OutputText.jsonString(ScenarioRunner.version)),\n  \"scenarios\": ["
        out += scenarios.map { scenario -> String in
            var entry = "\n    {\"file\": \(OutputText.jsonString(scenario.file)), \"name\": \(OutputText.jsonString(scenario.name)), "
            let status = scenario.error != nil ? "error" : scenario.skipped != nil ? "skipped" : scenario.failures > 0 ? "failed" : "passed"
            entry += "\"status\": \"\(status)\", \"error\": \(scenario.error.map(OutputText.jsonString) ?? "null"),\n     \"expectations\": ["
            if let report = scenario.report {
                let start = report.scenario.spec.startEpochMilliseconds
                entry += report.results.map { result -> String in
                    let expectation = result.expectation
                    let day = TimeSyntax.dayText(result.seenAt, startEpochMilliseconds: start)
                    let utc = CivilCalendar.iso8601(epochMilliseconds: start + result.seenAt.millisecondsSinceStart)
                    var item = "\n       {\"path\": \(OutputText.jsonString(expectation.path)), \"label\": \(OutputText.jsonString(expectation.label)), "
                    item += "\"claim\": \(OutputText.jsonString(expectation.claim)), \"passed\": \(result.passed), "
                    item += "\"actual\": \(ExpectationFormat.number(result.actual)), \"seenAt\": \(OutputText.jsonString(result.seenAt.description)), "
                    item += "\"seenAtDay\": \(OutputText.jsonString(day)), \"seenAtUTC\": \(OutputText.jsonString(utc))}"
                    return item
                }.joined(separator: ",")
                if !report.results.isEmpty { entry += "\n     " }
            }
            entry += "],\n     \"golden\": ["
            entry += scenario.golden.map { golden in
                "\n       {\"file\": \(OutputText.jsonString(golden.name)), \"status\": \"\(golden.status.rawValue)\", \"line\": \(golden.line.map(String.init) ?? "null"), "
                    + "\"expected\": \(golden.expected.map(OutputText.jsonString) ?? "null"), \"actual\": \(golden.actual.map(OutputText.jsonString) ?? "null")}"
            }.joined(separator: ",")
            if !scenario.golden.isEmpty { entry += "\n     " }
            return entry + "]}"
        }.joined(separator: ",")
        out += scenarios.isEmpty ? "],\n" : "\n  ],\n"
        return out + "  \"passed\": \(passed), \"failed\": \(failed), \"notRun\": \(notRun), \"skipped\": \(skipped), \"updated\": \(updated), "
            + "\"deselected\": \(deselected)\n}\n"
    }
}

/// A scenario's output file against its golden copy.
public struct GoldenResult: Sendable, Equatable {
    public enum Status: String, Sendable { case same, differs, missing, updated }
    public var name: String
    public var status: Status
    /// The first line that differs (1-based), and that line in each file (nil past a file's end).
    public var line: Int?
    public var expected: String?
    public var actual: String?
    /// A few lines around the first difference, `-` expected and `+` actual, for people.
    public var diff: [String] = []

    public var passed: Bool { status == .same || status == .updated }

    public init(name: String, status: Status, line: Int? = nil, expected: String? = nil, actual: String? = nil, diff: [String] = []) {
        self.name = name
        self.status = status
        self.line = line
        self.expected = expected
        self.actual = actual
        self.diff = diff
    }

    public var summary: String {
        switch status {
        case .same: return "\(name): same as the golden file"
        case .updated: return "\(name): golden file updated"
        case .missing: return "\(name): no golden file (run with --update-golden to write it)"
        case .differs: return "\(name): differs from the golden file at line \(line ?? 0)"
        }
    }
}

/// Golden files: a scenario's outputs compared with copies committed beside the scenarios.
public enum GoldenFiles {
    /// The files compared, when the run wrote them.
    public static let names = ["summary.json", "clients.csv", "timeline.csv", "timeline-client.csv", "timeline-server.csv", "timeline-fleet.csv", "events.csv"]
    /// Lines of context shown after the first difference.
    static let shownLines = 3

    /// Compares each output in `outputs` with the file of the same name in `golden`.
    public static func compare(outputs: String, golden: String) -> [GoldenResult] {
        names.compactMap { name -> GoldenResult? in
            guard let actual = try? Data(contentsOf: URL(fileURLWithPath: outputs + "/" + name), options: .alwaysMapped) else { return nil }
            guard let expected = try? Data(contentsOf: URL(fileURLWithPath: golden + "/" + name), options: .alwaysMapped) else {
                return GoldenResult(name: name, status: .missing)
            }
            if actual == expected { return GoldenResult(name: name, status: .same) }
            let (old, new) = (comparable(name, [UInt8](expected)), comparable(name, [UInt8](actual)))
            if old == new { return GoldenResult(name: name, status: .same) }
            return difference(name: name, expected: old, actual: new)
        }
    }

    /// A file as compared: summary.json names the scenario file as the command line gave it, which depends on the
    /// directory the check ran from, so only the file's last path component is compared.
    static func comparable(_ name: String, _ bytes: [UInt8]) -> [UInt8] {
        guard name == "summary.json", let scenario = bytes.firstRange(of: Array("\"scenario\": {".utf8)),
              let key = bytes[scenario.upperBound...].firstRange(of: Array("\"file\": \"".utf8)) else { return bytes }
        var end = key.upperBound, lastSlash = key.upperBound
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            if bytes[end] == UInt8(ascii: "\\") { end += 1 } else if bytes[end] == UInt8(ascii: "/") { lastSlash = end + 1 }
            end += 1
        }
        return Array(bytes[..<key.upperBound]) + Array(bytes[lastSlash...])
    }

    /// The first line at which two texts differ, with a few lines after it from each.
    static func difference(name: String, expected: [UInt8], actual: [UInt8]) -> GoldenResult {
        var offset = 0, line = 1, lineStart = 0
        while offset < expected.count && offset < actual.count && expected[offset] == actual[offset] {
            if expected[offset] == UInt8(ascii: "\n") {
                line += 1
                lineStart = offset + 1
            }
            offset += 1
        }
        func lines(_ bytes: [UInt8]) -> [String] {
            guard lineStart < bytes.count else { return [] }
            return bytes[lineStart...].split(separator: UInt8(ascii: "\n"), maxSplits: shownLines, omittingEmptySubsequences: false)
                .prefix(shownLines).map { line in
                    let text = String(decoding: line, as: UTF8.self)
                    return text.count <= 400 ? text : String(text.prefix(400)) + "... (\(line.count) bytes)"
                }
        }
        let (old, new) = (lines(expected), lines(actual))
        var diff: [String] = []
        for index in 0..<max(old.count, new.count) {
            let (a, b) = (index < old.count ? old[index] : nil, index < new.count ? new[index] : nil)
            if a == b, let a { diff.append("  \(line + index): \(a)"); continue }
            if let a { diff.append("- \(line + index): \(a)") }
            if let b { diff.append("+ \(line + index): \(b)") }
        }
        return GoldenResult(name: name, status: .differs, line: line, expected: old.first, actual: new.first, diff: diff)
    }

    /// Removes an output set leasesim wrote (the files its manifest lists, the manifest, then the directory).
    public static func removeOutputs(at directory: String) {
        for name in (OutputSet.manifest(in: directory) ?? []) + [OutputSet.manifestName] { unlink(directory + "/" + name) }
        rmdir(directory)
    }
}
