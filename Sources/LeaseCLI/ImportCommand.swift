import Foundation
import LeaseKernel
import LeaseModel
import LeaseScenario

/// `leasesim import`: a license server's log as traces of concurrent users, and what the log held.
extension LeaseSimCLI {
    static let importOptions = CommandOptions("import", values: ["--out", "--format", "--date", "--licenses"], switches: ["--scenario", "--quiet"])

    static let importHelp = """
    leasesim import LOG [--out DIR [--scenario] [--licenses FEATURE=N]...] [--format flexnet|rlm|rlmDebug] [--date YYYY-MM-DD] [--quiet]:
    read a license server's log

    Reads a FlexNet (lmgrd and vendor daemon) debug log or an RLM report log and prints what it held: lines read,
    checkouts, check-ins and denials parsed, lines skipped by reason, malformed lines as file:line, and each
    feature's peak of concurrent users. With --out, writes into DIR one trace per feature (FEATURE.csv, columns
    time,users with instants in UTC: the log's local clock), denials.csv (time,feature,user,host) and import.json.
    A trace is demand for a scenario ({"kind": "trace", "file": ...}); a scenario can also read the log itself
    ({"kind": "log", "file": ..., "feature": ...}). --date dates a log that names no date (or no year).

    --scenario also writes scenario.json, a calibration replay: one server with each feature's licenses (--licenses
    FEATURE=N, repeatable; an RLM report log's PRODUCT counts otherwise), and per feature a client holding them all
    whose demand (FEATURE.demand.csv) is the log's checkouts plus one user per denial for the feature's mean session.
    Run it with 'leasesim run --report', then 'leasesim report OUT --calibrate DIR' sets its denials beside the log's, per day.
    """

    static func importLog(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, importOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(importHelp); return 0 }
        guard parsed.positional.count == 1 else { throw UsageError(message: "import: expected one log file; see 'leasesim import --help'") }
        let path = parsed.positional[0]
        let format = try parsed.values["--format"].map { text throws(UsageError) in
            guard let format = LicenseLog.Format(rawValue: text) else { throw UsageError(message: "--format: expected flexnet, rlm or rlmDebug, found \(Excerpt.quoted(text))") }
            return format
        }
        let startDay = try parsed.values["--date"].map { text throws(UsageError) in
            guard let day = TimeSyntax.date(text) else { throw UsageError(message: "--date: expected a date like 2026-01-05, found \(Excerpt.quoted(text))") }
            return day
        }
        let bytes = try ScenarioLoader.readFile(path, limit: ScenarioLimits.maxTraceBytes, what: "a readable license server log", jsonPath: "", file: path)
        let started = ContinuousClock.now
        let log = LicenseLog.read(bytes, file: path, format: format, startDay: startDay)
        let elapsed = ContinuousClock.now - started
        let used = log.features.filter { !log.steps(of: $0).isEmpty }
        if let out = parsed.values["--out"] {
            var files: [(name: String, text: String)] = []
            var names: Set<String> = []
            for feature in used {
                var name = feature.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? String($0) : "_" }.joined()
                while names.contains(name.lowercased()) || name.isEmpty || name.hasPrefix(".") { name = "_" + name }
                names.insert(name.lowercased())
                let rows = log.steps(of: feature).map { "\(LeaseSimCLI.isoSeconds($0.epochMilliseconds)),\(max(0, $0.users))\n" }
                files.append((name + ".csv", "time,users\n" + rows.joined()))
            }
            let denials = log.denials.map { "\(LeaseSimCLI.isoSeconds($0.epochMilliseconds)),\(OutputText.csvCell($0.feature)),\(OutputText.csvCell($0.user)),\(OutputText.csvCell($0.host))\n" }
            files.append(("denials.csv", "time,feature,user,host\n" + denials.joined()))
            if parsed.switches.contains("--scenario") {
                var counts: [(String, Int64)] = log.capacity
                for text in parsed.allValues["--licenses"] ?? [] {
                    guard let equals = text.lastIndex(of: "="), let count = Int64(text[text.index(after: equals)...]), (1...ScenarioLimits.maxCount).contains(count) else {
                        throw UsageError(message: "--licenses: expected FEATURE=N with N from 1 to \(ScenarioLimits.maxCount), found \(Excerpt.quoted(text))")
                    }
                    let feature = String(text[..<equals])
                    guard used.contains(feature) else {
                        throw UsageError(message: "--licenses: \(Excerpt.quoted(feature)) is not a feature the log checks out (\(used.prefix(10).joined(separator: ", ")))")
                    }
                    counts.removeAll { $0.0 == feature }
                    counts.append((feature, count))
                }
                let replayed = used.compactMap { feature in counts.last { $0.0 == feature && $0.1 > 0 }.map { (feature, $0.1) } }
                guard !replayed.isEmpty else { throw UsageError(message: "import --scenario: no feature has a license count; give --licenses FEATURE=N") }
                files += replayScenario(log, replayed, path: path, names: Dictionary(uniqueKeysWithValues: zip(used, files.prefix(used.count).map { String($0.name.dropLast(4)) })))
            }
            files.append(("import.json", importJSON(log, path: path, used: used)))
            try SweepOutput.write(files, to: out)
        }
        if !parsed.switches.contains("--quiet") {
            let stats = log.statistics
            print("\(path): \(log.format.rawValue), \(stats.linesRead) lines, \(stats.checkouts) checkouts, \(stats.checkins) check-ins, \(stats.denials) denials for want of a license (\(stats.otherDenials) others), read in \(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000) ms")
            print("  \(stats.checkinsWithoutCheckout) check-ins with no checkout, \(stats.openAtEnd) checkouts open at the end, \(stats.endedByRestart) ended by \(OutputText.count(stats.restarts, "restart")), \(stats.backdated) events dated back from the first date, \(stats.anchorCorrections) date corrections")
            print("  skipped: " + (stats.skipped.isEmpty ? "none" : stats.skipped.map { "\($0.reason) \($0.count)" }.joined(separator: ", ")))
            for feature in used {
                let peak = log.peak(of: feature)
                print("  \(feature): peak \(peak.users) in use at \(LeaseSimCLI.isoSeconds(peak.epochMilliseconds))")
            }
            for warning in log.warnings { standardError("leasesim: warning: " + warning) }
        }
        return ExitCode.success.rawValue
    }

    /// The calibration replay: a demand trace per feature and a scenario of one server and one client per feature.
    static func replayScenario(_ log: LicenseLog, _ replayed: [(String, Int64)], path: String, names: [String: String]) -> [(name: String, text: String)] {
        var files: [(name: String, text: String)] = []
        var first = Int64.max, last = Int64.min
        for (feature, _) in replayed {
            let steps = log.demandSteps(of: feature)
            first = min(first, steps.first?.epochMilliseconds ?? first)
            last = max(last, steps.last?.epochMilliseconds ?? last)
            let rows = steps.map { "\(isoSeconds($0.epochMilliseconds)),\(min(max(0, $0.users), ScenarioLimits.maxCount))\n" }
            files.append((names[feature]! + ".demand.csv", "time,users\n" + rows.joined()))
        }
        let day = SimDuration.millisecondsPerDay
        let startDay = first / day, days = max(1, (last - startDay * day) / day + 1) // epochs from 1970 on: no negative
        let start = String(CivilCalendar.iso8601(epochMilliseconds: startDay * day).prefix(16)) + "Z"
        let licenses = replayed.map { feature, count in
            "{\"sku\": \(OutputText.jsonString("LOG-" + feature)), \"feature\": \(OutputText.jsonString(feature)), \"type\": \"perpetual\", \"count\": \(count)}"
        }
        let clients = replayed.enumerated().map { index, entry in
            let (feature, count) = entry
            return "    {\"id\": \"replay-\(index + 1)\", \"server\": \"log-server\", \"allocations\": {\(OutputText.jsonString(feature)): {\"ruc\": \(count), \"ilq\": 1, \"muc\": \(count)}},\n"
                + "     \"demand\": {\(OutputText.jsonString(feature)): {\"kind\": \"trace\", \"file\": \(OutputText.jsonString(names[feature]! + ".demand.csv"))}}}"
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let scenario = """
        {
          "format": "leasesim/1",
          "name": \(OutputText.jsonString("replay of " + name)),
          "description": "Calibration: the log's checkouts plus one user per denial (for the feature's mean session), against the licenses its server had; compare the simulated denials with the log's (leasesim report OUT --calibrate DIR).",
          "start": "\(start)",
          "duration": "\(days)d",
          "servers": [{"id": "log-server", "licenses": [
            \(licenses.joined(separator: ",\n    "))
          ]}],
          "clients": [
        \(clients.joined(separator: ",\n"))
          ]
        }

        """
        files.append(("scenario.json", scenario))
        return files
    }

    /// `2017-01-08T17:17:45Z`: an instant as traces and scenarios write it.
    static func isoSeconds(_ epoch: Int64) -> String { String(CivilCalendar.iso8601(epochMilliseconds: epoch).prefix(19)) + "Z" }

    static func importJSON(_ log: LicenseLog, path: String, used: [String]) -> String {
        let stats = log.statistics
        var out = "{\n  \"log\": \(OutputText.jsonString(path)), \"format\": \"\(log.format.rawValue)\",\n"
        out += "  \"linesRead\": \(stats.linesRead), \"checkouts\": \(stats.checkouts), \"checkins\": \(stats.checkins), \"denials\": \(stats.denials), \"otherDenials\": \(stats.otherDenials),\n"
        out += "  \"checkinsWithoutCheckout\": \(stats.checkinsWithoutCheckout), \"openAtEnd\": \(stats.openAtEnd), \"endedByRestart\": \(stats.endedByRestart), \"restarts\": \(stats.restarts), \"backdated\": \(stats.backdated), \"anchorCorrections\": \(stats.anchorCorrections),\n"
        out += "  \"skipped\": {" + stats.skipped.map { "\(OutputText.jsonString($0.reason)): \($0.count)" }.joined(separator: ", ") + "},\n"
        out += "  \"features\": [" + used.map { feature in
            let peak = log.peak(of: feature)
            return "\n    {\"feature\": \(OutputText.jsonString(feature)), \"peak\": \(peak.users), \"peakAt\": \(OutputText.jsonString(isoSeconds(peak.epochMilliseconds)))}"
        }.joined(separator: ",") + (used.isEmpty ? "],\n" : "\n  ],\n")
        out += "  \"capacity\": [" + log.capacity.map { "{\"feature\": \(OutputText.jsonString($0.feature)), \"licenses\": \($0.count)}" }.joined(separator: ", ") + "],\n"
        out += "  \"warnings\": [" + log.warnings.map(OutputText.jsonString).joined(separator: ", ") + "]\n}\n"
        return out
    }
}
