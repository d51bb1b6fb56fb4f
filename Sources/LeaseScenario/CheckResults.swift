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
        public var golden: [GoldenResult] = []

        public init(file: String, name: String, report: RunReport? = nil, error: String? = nil) {
            self.file = file
            self.name = name
            self.report = report
            self.error = error
        }

        public var failures: Int {
            (report?.results.filter { !$0.passed }.count ?? 0) + golden.filter { !$0.passed }.count
        }
        public var passes: Int { (report?.results.filter(\.passed).count ?? 0) + golden.filter(\.passed).count }
    }

    public var scenarios: [Scenario] = []

    public init() {}

    public var passed: Int { scenarios.reduce(0) { $0 + $1.passes } }
    public var failed: Int { scenarios.reduce(0) { $0 + $1.failures } }
    public var notRun: Int { scenarios.filter { $0.error != nil }.count }

    // MARK: JUnit XML

    /// JUnit XML: a test suite per scenario, a test case per expectation (and per golden file), the actual value
    /// and when it was seen in each failure's message; a scenario that did not run is a suite with one error.
    public var junit: String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"leasesim check\" tests=\"\(passed + failed + notRun)\" failures=\"\(failed)\" errors=\"\(notRun)\">\n"
        for scenario in scenarios {
            let suite = CheckResults.xml(scenario.name), file = CheckResults.xml(scenario.file)
            if let error = scenario.error {
                out += "  <testsuite name=\"\(suite)\" file=\"\(file)\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
                out += "    <testcase name=\"load and run\" classname=\"\(suite)\" file=\"\(file)\">\n"
                out += "      <error message=\"\(CheckResults.xml(error))\" type=\"error\">\(CheckResults.xml(error))</error>\n"
                out += "    </testcase>\n  </testsuite>\n"
                continue
            }
            out += "  <testsuite name=\"\(suite)\" file=\"\(file)\" tests=\"\(scenario.passes + scenario.failures)\" failures=\"\(scenario.failures)\" errors=\"0\">\n"
            if let report = scenario.report {
                for result in report.results {
                    let expectation = result.expectation
                    out += "    <testcase name=\"\(CheckResults.xml(expectation.path + " " + expectation.label))\" classname=\"\(suite)\" file=\"\(file)\""
                    guard !result.passed else { out += "/>\n"; continue }
                    let message = "actual \(ExpectationFormat.number(result.actual)) at \(result.seenAt) (\(RunSummary.instantText(result.seenAt, report.scenario))); expected \(expectation.claim)"
                    out += ">\n      <failure message=\"\(CheckResults.xml(message))\" type=\"expectation\">\(CheckResults.xml(message))</failure>\n    </testcase>\n"
                }
            }
            for golden in scenario.golden {
                out += "    <testcase name=\"golden \(CheckResults.xml(golden.name))\" classname=\"\(suite)\" file=\"\(file)\""
                guard !golden.passed else { out += "/>\n"; continue }
                out += ">\n      <failure message=\"\(CheckResults.xml(golden.summary))\" type=\"golden\">\(CheckResults.xml(golden.diff.joined(separator: "\n")))</failure>\n    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
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
            let status = scenario.error != nil ? "error" : scenario.failures > 0 ? "failed" : "passed"
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
        return out + "  \"passed\": \(passed), \"failed\": \(failed), \"notRun\": \(notRun)\n}\n"
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
    public static let names = ["summary.json", "clients.csv", "timeline.csv", "events.csv"]
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
            return difference(name: name, expected: [UInt8](expected), actual: [UInt8](actual))
        }
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
