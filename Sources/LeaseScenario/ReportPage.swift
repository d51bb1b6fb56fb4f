import Foundation
import LeaseKernel
import LeaseModel

/// `report.html` for a run's output directory: self-contained (inline SVG and CSS, no script), drawn from
/// summary.json, clients.csv and timeline.csv, which is read once as a stream (its size does not matter).
public enum ReportPage {
    public static let fileName = "report.html"
    /// The most users or hosts a table of the log's denials lists.
    static let namedRows = 20
    static let style = """
    body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1000px;color:#222;background:#fff}
    h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}h3{font-size:15px;margin:16px 0 4px}
    .meta{color:#555;margin:0 0 12px}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
    th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}svg{display:block;margin:4px 0 12px}
    svg text{font:11px system-ui,sans-serif;fill:#333}svg .title{font-size:13px;font-weight:600}
    svg .grid{stroke:#e4e4e4;stroke-width:1}svg .frame{fill:none;stroke:#999}.fail{color:#b00}.pass{color:#070}
    """

    /// Adds report.html to the output set in `directory`: written beside it and renamed in, then listed in the
    /// set's manifest (so the set stays leasesim's, and the next run replaces it with the rest).
    public static func write(directory: String, options: Options = Options()) throws {
        let html = try ReportPage.html(directory: directory, options: options)
        try OutputSet.add(named: fileName, text: html, to: directory)
    }

    /// What the page shows beyond the fleet: clients chosen by id (default: the three with most denied logins).
    public struct Options: Sendable {
        public var clients: [String] = []
        /// An import's directory (`leasesim import --scenario`): its denials.csv is set beside the run's, per day.
        public var calibration: String?
        public init() {}
    }

    /// The page for the run whose outputs are in `directory`.
    public static func html(directory: String, options: Options = Options()) throws(ScenarioError) -> String {
        let summaryPath = directory + "/summary.json"
        let summaryBytes = try ScenarioLoader.readFile(summaryPath, limit: 1 << 30, what: "a run's summary.json", jsonPath: "", file: summaryPath)
        let summary = JSONLookup(try ScenarioLoader.parseJSON(summaryBytes, file: summaryPath))
        let scenario = summary["scenario"]
        let name = scenario["name"].string ?? "run"
        guard let startText = scenario["start"].string, let start = ReportPage.epoch(startText),
              let endText = scenario["end"].string, let end = ReportPage.epoch(endText), end > start else {
            throw ScenarioError(file: summaryPath, position: nil, path: "scenario", expected: "a summary.json leasesim wrote (start and end)", found: "none")
        }
        let duration = end - start
        let features = summary["fleet"].keys
        var chosen = options.clients
        let clientRows = (try? clientsTable(directory + "/clients.csv")) ?? []
        // A client asked for by id must be one of the run's: a typo is an error, never an empty chart.
        let known = Set(clientRows.map(\.client))
        if let unknown = chosen.first(where: { !known.contains($0) }) {
            let some = known.sorted().prefix(5).map { Excerpt.quoted($0) }.joined(separator: ", ")
            throw ScenarioError(file: directory + "/clients.csv", position: nil, path: "--client",
                                expected: "the id of a client of the run (\(known.count) in clients.csv\(some.isEmpty ? "" : ", such as " + some))",
                                found: Excerpt.quoted(unknown))
        }
        if chosen.isEmpty {
            var seen: Set<String> = []
            for row in clientRows.filter({ $0.denied > 0 }).sorted(by: { ($0.denied, $1.client) > ($1.denied, $0.client) })
            where seen.insert(row.client).inserted {
                chosen.append(row.client)
                if chosen.count == 3 { break }
            }
        }
        let timeline = try TimelineDigest.read(directory: directory, features: features, clients: chosen, duration: duration, startEpoch: start)
        var bands: [TimeChart.Band] = []
        for fault in summary["faults"]["schedule"].array {
            guard let at = fault["at"].string.flatMap(TimeSyntax.duration) else { continue }
            let until = fault["until"].string.flatMap(TimeSyntax.duration)?.milliseconds ?? duration
            let kind = fault["kind"].string ?? ""
            bands.append(TimeChart.Band(name: "fault: \(kind)", color: ReportPalette.fault(kind), from: at.milliseconds, to: until))
        }
        bands += timeline.periods

        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>leasesim report: \(SVG.escape(name))</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n"
        html += "<h1>\(SVG.escape(name))</h1>\n"
        html += "<p class=\"meta\">\(SVG.escape(scenario["file"].string ?? "")) &middot; seed \(scenario["seed"].text) &middot; \(SVG.escape(startText)) to \(SVG.escape(endText)) (\(SVG.escape(scenario["duration"].string ?? ""))) &middot; \(SVG.count(Int64(summary["run"]["events"].text) ?? 0)) events &middot; leasesim \(SVG.escape(summary["leasesim"].string ?? ""))</p>\n"
        html += summaryTables(summary, features: features, start: start)
        for feature in features {
            html += "<h2>\(SVG.escape(feature))</h2>\n"
            guard let fleet = timeline.fleet[feature] else { continue }
            var levels = TimeChart(title: "\(feature): demand, served, leased and installed (fleet)", startEpoch: start, duration: duration)
            levels.yLabel = "users / licenses"
            levels.series = [
                .init(name: "demand (users)", color: ReportPalette.demand, points: fleet.users.points()),
                .init(name: "served", color: ReportPalette.served, points: fleet.served.points()),
                .init(name: "leased", color: ReportPalette.leased, points: fleet.leased.points()),
                .init(name: "installed", color: ReportPalette.installed, points: fleet.installed.points(), dashed: true),
            ]
            levels.bands = bands
            html += levels.svg()
            var denials = TimeChart(title: "\(feature): denied logins per \(SimDuration(milliseconds: fleet.denied.width)) (fleet)", startEpoch: start, duration: duration)
            denials.barSpan = fleet.denied.width
            denials.yLabel = "logins"
            denials.series = [.init(name: "denied logins", color: ReportPalette.denied, points: fleet.denied.increments(), bars: true)]
            denials.bands = bands
            html += denials.pointCount > 0 ? denials.svg() : "<p>No login of \(SVG.escape(feature)) was denied.</p>\n"
            if let use = timeline.use[feature] { html += usageTables(use, feature: feature) }
            for client in chosen {
                guard let levels = timeline.clients["\(client)\u{0}\(feature)"] else { continue }
                var chart = TimeChart(title: "\(client) / \(feature): demand, served and leased", startEpoch: start, duration: duration)
                chart.yLabel = "users / licenses"
                chart.series = [.init(name: "demand (users)", color: ReportPalette.demand, points: levels.users.points()),
                                .init(name: "served", color: ReportPalette.served, points: levels.served.points()),
                                .init(name: "leased", color: ReportPalette.leased, points: levels.leased.points())]
                if let muc = clientRows.first(where: { $0.client == client && $0.feature == feature })?.muc {
                    chart.series.append(.init(name: "MUC (at the end)", color: ReportPalette.muc, points: [(Int64(0), muc), (duration, muc)], dashed: true))
                }
                chart.bands = bands
                html += chart.svg()
            }
        }
        if let calibration = options.calibration {
            html += try calibrationTable(calibration, timeline: timeline, features: features, start: start)
        }
        html += groupTable(clientRows, features: features)
        html += faultTable(summary, start: start)
        html += expectationTable(summary, start: start)
        html += "</body>\n</html>\n"
        return html
    }

    /// Planner views of a feature's fleet-wide concurrent use: time-weighted percentiles and high-water marks of
    /// demand and of leased licenses, and each month's peaks against what was installed.
    static func usageTables(_ use: ConcurrentUse, feature: String) -> String {
        let percents: [Int64] = [50, 90, 95, 99, 100]
        var html = "<h3>\(SVG.escape(feature)): concurrent use (share of the run at or below)</h3>\n<table>\n<tr><th></th>"
        html += percents.map { "<th>\($0 == 100 ? "high-water mark" : "\($0)%")</th>" }.joined() + "</tr>\n"
        for (title, leased) in [("demand (users)", false), ("leased (licenses)", true)] {
            html += "<tr><td>\(title)</td>" + percents.map { "<td>\(SVG.count(use.percentile($0, leased: leased)))</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n<h3>\(SVG.escape(feature)): monthly peaks (UTC months)</h3>\n<table>\n"
        html += "<tr><th>month</th><th>peak demand (users)</th><th>peak leased (licenses)</th><th>installed (licenses)</th><th>headroom at the peak</th><th>denied logins</th></tr>\n"
        for month in use.months {
            let installed = month.installedLow == month.installedHigh ? SVG.count(month.installedLow) : "\(SVG.count(month.installedLow))-\(SVG.count(month.installedHigh))"
            html += "<tr><td>\(month.label)</td><td>\(SVG.count(month.peakUsers))</td><td>\(SVG.count(month.peakLeased))</td><td>\(installed)</td>"
            html += "<td>\(SVG.count(month.installedLow - month.peakLeased))</td><td>\(SVG.count(month.denied))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// An ISO instant as leasesim writes it (`2026-03-02T00:00:00.000Z`), in epoch milliseconds.
    static func epoch(_ text: String) -> Int64? {
        guard text.count == 24, text.hasSuffix("Z") else { return TimeSyntax.dateTime(text) }
        guard let seconds = TimeSyntax.dateTime(String(text.prefix(19)) + "Z"), let millis = Int64(text.dropFirst(20).prefix(3)) else { return nil }
        return seconds + millis
    }

    static func summaryTables(_ summary: JSONLookup, features: [String], start: Int64) -> String {
        // A row per figure and a column per feature, so many features stay readable; every title carries its
        // definition (Quantities.definitions), listed again under the table.
        var html = "<h2>Summary</h2>\n<table>\n<tr><th>fleet</th>" + features.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>\n"
        var notes: [String] = []
        for (key, title, definition) in Quantities.definitions where features.contains(where: { summary["fleet"][$0][key].exists }) {
            html += "<tr><td title=\"\(SVG.escape(definition))\">\(SVG.escape(title))</td>"
            for feature in features {
                let value = summary["fleet"][feature][key]
                var text = cell(value, start: start)
                if key == "headroomAtPeak", let headroom = Int64(value.text), headroom < 0 {
                    let cause = (Int64(summary["fleet"][feature]["autoLeased"].text) ?? 0) > 0 || summary["run"]["autoIncrements"].text != "0"
                        ? "the clients auto-leased while cut off (R-AUTO-3)" : "leases carried over a license's end until renewed (R-LEASE-11)"
                    notes.append("\(feature): headroom at peak is \(headroom): at the peak the clients held \(-headroom) more than was installed; \(cause).")
                    text += " *"
                }
                html += "<td>\(text)</td>"
            }
            html += "</tr>\n"
        }
        html += "</table>\n"
        for note in notes { html += "<p class=\"meta\">* \(SVG.escape(note))</p>\n" }
        html += "<details><summary>What the figures mean</summary>\n<dl>\n"
        for (_, title, definition) in Quantities.definitions { html += "<dt>\(SVG.escape(title))</dt><dd>\(SVG.escape(definition))</dd>\n" }
        html += "</dl>\n</details>\n<table>\n<tr><th>run</th><th>count</th></tr>\n"
        for key in summary["run"].keys where summary["run"][key].text != "0" {
            html += "<tr><td>\(SVG.escape(key))</td><td>\(cell(summary["run"][key], start: start))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// A table cell: counts with thousands separated, instants by day (UTC in the tooltip), other text as it is.
    static func cell(_ value: JSONLookup, start: Int64) -> String {
        let text = value.text
        if value.isNull { return "none" }
        if let count = Int64(text) { return SVG.count(count) }
        if let instant = value.string.flatMap(epoch), instant >= start {
            return "<span title=\"\(SVG.escape(text))\">\(SVG.escape(TimeSyntax.dayText(SimInstant(millisecondsSinceStart: instant - start), startEpochMilliseconds: start)))</span>"
        }
        return SVG.escape(text)
    }

    /// Calibration: per feature and day, the denials the log recorded and those the replay simulated.
    static func calibrationTable(_ directory: String, timeline: TimelineDigest, features: [String], start: Int64) throws(ScenarioError) -> String {
        let path = directory + "/denials.csv"
        let bytes = try ScenarioLoader.readFile(path, limit: 1 << 32, what: "an import's denials.csv", jsonPath: "", file: path)
        let rows = try CSVText.parse(String(decoding: bytes, as: UTF8.self), file: path)
        guard rows.first == ["time", "feature", "user", "host"] else {
            throw ScenarioError(file: path, position: TextPosition(line: 1, column: 1), path: "", expected: "the header time,feature,user,host", found: Excerpt.quoted(rows.first?.joined(separator: ",") ?? ""))
        }
        let day = SimDuration.millisecondsPerDay
        var counts: [String: (log: Int64, simulated: Int64)] = [:] // lookups only; key "day\0feature"
        for row in rows.dropFirst() where row.count == 4 && features.contains(row[1]) {
            guard let epoch = TimeSyntax.dateTime(row[0]) else { continue }
            counts["\(epoch / day)\u{0}\(row[1])", default: (0, 0)].log += 1
        }
        for feature in features {
            for bar in timeline.fleet[feature]?.denied.increments() ?? [] {
                counts["\((start + bar.x) / day)\u{0}\(feature)", default: (0, 0)].simulated += bar.y
            }
        }
        var html = "<h2>Calibration against the log</h2>\n<p>Denied logins per day: those the log recorded (\(SVG.escape(path))) and those the replay simulated.</p>\n"
        html += "<table>\n<tr><th>day</th><th>feature</th><th>in the log</th><th>simulated</th></tr>\n"
        var totals: [String: (log: Int64, simulated: Int64)] = [:] // lookups only
        for key in counts.keys.sorted(by: { a, b in
            let (x, y) = (a.split(separator: "\u{0}"), b.split(separator: "\u{0}"))
            return (Int64(x[0]) ?? 0, String(x.count > 1 ? x[1] : "")) < (Int64(y[0]) ?? 0, String(y.count > 1 ? y[1] : ""))
        }) {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            let value = counts[key]!, feature = String(parts[1])
            totals[feature, default: (0, 0)].log += value.log
            totals[feature, default: (0, 0)].simulated += value.simulated
            let date = String(CivilCalendar.iso8601(epochMilliseconds: (Int64(parts[0]) ?? 0) * day).prefix(10))
            html += "<tr><td>\(date)</td><td>\(SVG.escape(feature))</td><td>\(SVG.count(value.log))</td><td>\(SVG.count(value.simulated))</td></tr>\n"
        }
        for feature in features where totals[feature] != nil {
            html += "<tr><th>all days</th><th>\(SVG.escape(feature))</th><th>\(SVG.count(totals[feature]!.log))</th><th>\(SVG.count(totals[feature]!.simulated))</th></tr>\n"
        }
        html += "</table>\n"
        // Where the log knows who was refused: its denials by user and by host (a replay's demand has no names).
        let named = rows.dropFirst().filter { $0.count == 4 && features.contains($0[1]) }
        for (title, column) in [("user", 2), ("host", 3)] {
            var counts: [String: Int64] = [:] // lookups only; key "feature\0name"
            for row in named { counts[row[1] + "\u{0}" + row[column], default: 0] += 1 }
            guard !counts.isEmpty else { continue }
            let ranked = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            html += "<h3>Denials in the log by \(title)</h3>\n<table>\n<tr><th>\(title)</th><th>feature</th><th>denied logins</th></tr>\n"
            for (key, count) in ranked.prefix(ReportPage.namedRows) {
                let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
                html += "<tr><td>\(SVG.escape(String(parts[1])))</td><td>\(SVG.escape(String(parts[0])))</td><td>\(SVG.count(count))</td></tr>\n"
            }
            if ranked.count > ReportPage.namedRows { html += "<tr><td colspan=\"3\">... and \(ranked.count - ReportPage.namedRows) more (denials.csv)</td></tr>\n" }
            html += "</table>\n"
        }
        return html
    }

    /// Denials and use by client group (the scenario's `group`s; clients declared alone are one row, "(alone)"):
    /// shown when the scenario has groups.
    static func groupTable(_ rows: [ClientRow], features: [String]) -> String {
        guard rows.contains(where: { !$0.group.isEmpty }) else { return "" }
        struct Sums { var clients = 0, denying = 0, denied: Int64 = 0, cutOff: Int64 = 0, thousandths: Int64 = 0, peaks: Int64 = 0 }
        var order: [String] = [], sums: [String: Sums] = [:] // lookups only; key "feature\0group"
        for row in rows {
            let key = row.feature + "\u{0}" + (row.group.isEmpty ? "(alone)" : row.group)
            if sums[key] == nil { order.append(key) }
            var entry = sums[key, default: Sums()]
            entry.clients += 1
            if row.denied > 0 { entry.denying += 1 }
            entry.denied += row.denied
            entry.cutOff += row.cutOff
            entry.thousandths += row.deniedThousandths
            entry.peaks += row.peakLeased
            sums[key] = entry
        }
        var html = "<h2>By group</h2>\n<table>\n<tr><th>group</th><th>feature</th><th>clients</th><th>clients with denials</th><th>denied logins</th>"
        html += "<th>users cut off</th><th>denied user-hours</th><th>sum of the clients' peak leased</th></tr>\n"
        for feature in features {
            for key in order where key.hasPrefix(feature + "\u{0}") {
                let entry = sums[key]!, group = String(key.dropFirst(feature.count + 1))
                html += "<tr><td>\(SVG.escape(group))</td><td>\(SVG.escape(feature))</td><td>\(SVG.count(Int64(entry.clients)))</td><td>\(SVG.count(Int64(entry.denying)))</td>"
                html += "<td>\(SVG.count(entry.denied))</td><td>\(SVG.count(entry.cutOff))</td>"
                html += "<td>\(OutputText.decimal(Int128(entry.thousandths), over: 1000, decimals: 3))</td><td>\(SVG.count(entry.peaks))</td></tr>\n"
            }
        }
        return html + "</table>\n"
    }

    static func faultTable(_ summary: JSONLookup, start: Int64) -> String {
        let effects = summary["faults"]["effects"].array
        guard !effects.isEmpty else { return "" }
        var html = "<h2>Faults</h2>\n<table>\n<tr><th>fault</th><th>started</th><th>ended</th><th>messages dropped</th><th>clients touched</th><th>first denial after its start</th><th>users all served again after its end</th></tr>\n"
        func span(_ value: JSONLookup) -> String {
            guard !value.isNull, let seconds = Double(value.text) else { return "never" }
            return OutputText.span(milliseconds: Int64((seconds * 1000).rounded()))
        }
        for effect in effects.prefix(200) {
            html += "<tr><td>\(SVG.escape(effect["id"].text))</td><td>\(cell(effect["started"], start: start))</td><td>\(cell(effect["ended"], start: start))</td>"
            html += "<td>\(cell(effect["messagesDropped"], start: start))</td><td>\(cell(effect["clientsTouched"], start: start))</td>"
            html += "<td>\(span(effect["firstDenialAfterSeconds"]))</td><td>\(span(effect["recoveredAfterSeconds"]))</td></tr>\n"
        }
        if effects.count > 200 { html += "<tr><td colspan=\"7\">... and \(effects.count - 200) more (summary.json)</td></tr>\n" }
        return html + "</table>\n"
    }

    static func expectationTable(_ summary: JSONLookup, start: Int64) -> String {
        let results = summary["expectations"].array
        guard !results.isEmpty else { return "" }
        var html = "<h2>Expectations</h2>\n<table>\n<tr><th>expectation</th><th>result</th><th>actual</th><th>seen at</th></tr>\n"
        for result in results {
            let passed = result["passed"].text == "true"
            html += "<tr><td>\(SVG.escape(result["expectation"].text))</td><td class=\"\(passed ? "pass" : "fail")\">\(passed ? "PASS" : "FAIL")</td>"
                + "<td>\(SVG.escape(result["actual"].text))</td><td>\(cell(result["seenAt"], start: start))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    struct ClientRow {
        var client: String
        var feature: String
        var denied: Int64
        var muc: Int64
        var group = ""
        var cutOff: Int64 = 0
        /// Denied user-hours in thousandths, as clients.csv writes them.
        var deniedThousandths: Int64 = 0
        var peakLeased: Int64 = 0
    }

    /// The columns the page reads from clients.csv.
    static func clientsTable(_ path: String) throws(ScenarioError) -> [ClientRow] {
        let bytes = try ScenarioLoader.readFile(path, limit: 1 << 32, what: "a run's clients.csv", jsonPath: "", file: path)
        let rows = try CSVText.parse(String(decoding: bytes, as: UTF8.self), file: path)
        guard let header = rows.first, let client = header.firstIndex(of: "client"), let feature = header.firstIndex(of: "feature"),
              let denied = header.firstIndex(of: "denied_logins"), let muc = header.firstIndex(of: "muc") else { return [] }
        let group = header.firstIndex(of: "group"), cutOff = header.firstIndex(of: "users_cut_off")
        let hours = header.firstIndex(of: "denied_user_hours"), peak = header.firstIndex(of: "peak_leased")
        return rows.dropFirst().compactMap { row in
            guard row.count == header.count else { return nil }
            var entry = ClientRow(client: row[client], feature: row[feature], denied: Int64(row[denied]) ?? 0, muc: Int64(row[muc]) ?? 0)
            entry.group = group.map { row[$0] } ?? ""
            entry.cutOff = cutOff.flatMap { Int64(row[$0]) } ?? 0
            entry.deniedThousandths = hours.map { Int64(clamping: SweepStatistics.scaled(row[$0], decimals: 3)) } ?? 0
            entry.peakLeased = peak.flatMap { Int64(row[$0]) } ?? 0
            return entry
        }
    }
}
