import Foundation
import LeaseKernel

/// `report.html` for a sweep's output directory: each figure of points.csv against the first swept field, one
/// line per combination of the other swept fields, the mean with a band from the 5th to the 95th percentile.
public enum SweepReportPage {
    /// The figures charted, when the sweep has them (per feature: every `FEATURE.` figure named here too).
    static let figures = ["deniedLogins", "deniedUserHours", "messages", "renewals", "refusals", "peakLeased", "utilisation", "hoursUsed"]

    public static func write(directory: String) throws {
        try OutputSet.add(named: ReportPage.fileName, text: try html(directory: directory), to: directory)
    }

    public static func html(directory: String) throws(ScenarioError) -> String {
        let manifestPath = directory + "/sweep.json", pointsPath = directory + "/points.csv"
        let manifest = try SweepManifest.parse(try ScenarioLoader.readFile(manifestPath, limit: 1 << 20, what: "a sweep's sweep.json", jsonPath: "",
                                                                          file: manifestPath), file: manifestPath)
        let bytes = try ScenarioLoader.readFile(pointsPath, limit: 1 << 32, what: "a sweep's points.csv (a whole sweep, or a merge of its shards)",
                                                jsonPath: "", file: pointsPath)
        let rows = try CSVText.parse(String(decoding: bytes, as: UTF8.self), file: pointsPath)
        guard let header = rows.first, header.first == "point", let metricColumn = header.firstIndex(of: "metric"),
              let mean = header.firstIndex(of: "mean"), let low = header.firstIndex(of: "p5"), let high = header.firstIndex(of: "p95") else {
            throw ScenarioError(file: pointsPath, position: TextPosition(line: 1, column: 1), path: "", expected: "a points.csv header leasesim writes",
                                found: Excerpt.quoted(rows.first?.joined(separator: ",") ?? ""))
        }
        let swept = Array(header[1..<metricColumn])
        let body = rows.dropFirst().filter { $0.count == header.count }
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>leasesim sweep report: \(SVG.escape(manifest.name))</title>\n<style>\n\(ReportPage.style)\n</style>\n</head>\n<body>\n"
        html += "<h1>\(SVG.escape(manifest.name))</h1>\n<p class=\"meta\">\(SVG.escape(manifest.scenario)) &middot; \(manifest.points) points &times; \(manifest.replications) replications = \(manifest.runs) runs (\(manifest.failed) failed) &middot; base seed \(manifest.baseSeed)</p>\n"
        // Per-feature figures, unless the run's total is the same figure (one feature).
        let all = Set(body.map { $0[metricColumn] })
        let features = Set(all.compactMap { $0.split(separator: ".").count > 1 ? String($0.split(separator: ".")[0]) : nil })
        let charted = all.filter { metric in
            if figures.contains(metric) { return true }
            guard let base = figures.first(where: { metric.hasSuffix("." + $0) }) else { return false }
            return features.count > 1 || !all.contains(base)
        }.sorted { (rank($0), $0) < (rank($1), $1) }
        guard let xField = swept.first else {
            return html + "<p>The sweep has one point; see points.csv.</p>\n</body>\n</html>\n"
        }
        // The x positions: the first field's values in the order the points give them.
        var xValues: [String] = []
        for row in body where !xValues.contains(row[1]) { xValues.append(row[1]) }
        for metric in charted {
            let lines = body.filter { $0[metricColumn] == metric }
            var groups: [String] = []
            for row in lines {
                let key = zip(swept.dropFirst(), row[2..<metricColumn]).map { "\($0)=\($1)" }.joined(separator: " ")
                if !groups.contains(key) { groups.append(key) }
            }
            let decimals = lines.flatMap { [$0[mean], $0[low], $0[high]] }.map(SweepStatistics.decimals).max() ?? 0
            var chart = PointChart(title: "\(metric) against \(xField) (mean, 5-95% of replications)", xLabels: xValues, decimals: decimals)
            for (index, group) in groups.enumerated() {
                let color = ReportPalette.series[index % ReportPalette.series.count]
                var points: [(x: Int, mean: Int64, low: Int64, high: Int64)] = []
                for row in lines where zip(swept.dropFirst(), row[2..<metricColumn]).map({ "\($0)=\($1)" }).joined(separator: " ") == group {
                    guard !row[mean].isEmpty, let x = xValues.firstIndex(of: row[1]) else { continue }
                    points.append((x, SweepStatistics.scaled(row[mean], decimals: decimals).clamped,
                                   SweepStatistics.scaled(row[low], decimals: decimals).clamped, SweepStatistics.scaled(row[high], decimals: decimals).clamped))
                }
                chart.series.append(PointChart.Series(name: group.isEmpty ? metric : group, color: color, points: points))
            }
            html += chart.series.contains { !$0.points.isEmpty } ? chart.svg() : "<p>\(SVG.escape(metric)): no run finished.</p>\n"
        }
        return html + "</body>\n</html>\n"
    }

    static func rank(_ metric: String) -> Int {
        let base = metric.split(separator: ".").last.map(String.init) ?? metric
        return (figures.firstIndex(of: base) ?? figures.count) * 2 + (metric.contains(".") ? 1 : 0)
    }
}

private extension Int128 {
    /// Clamped into Int64 (a sweep's figures are far inside it).
    var clamped: Int64 { self > Int128(Int64.max) ? .max : self < Int128(Int64.min) ? .min : Int64(self) }
}

/// A chart of figures against the values of a swept field: a line through the means and a band from the 5th to
/// the 95th percentile per series; values are decimals scaled by 10^decimals, in integers.
struct PointChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Int, mean: Int64, low: Int64, high: Int64)]
    }
    var title: String
    var xLabels: [String]
    var decimals: Int
    var series: [Series] = []

    func svg() -> String {
        let (width, height, left, right, top, bottom) = (TimeChart.width, TimeChart.height, TimeChart.left + 16, TimeChart.right + 16, TimeChart.top, TimeChart.bottom)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let top95 = series.flatMap { $0.points.map(\.high) }.max() ?? 0
        let yMax = SVG.niceCeiling(max(1, (top95 + scale - 1) / scale)) * scale
        let yStep = SVG.niceStep(yMax / scale) * scale
        let count = Int64(max(1, xLabels.count - 1))
        func x(_ index: Int) -> Int64 { left * 10 + Int64(index) * plotWidth * 10 / count }
        func y(_ value: Int64) -> Int64 { (top + plotHeight) * 10 - max(0, value) * plotHeight * 10 / max(1, yMax) }
        let points = series.reduce(0) { $0 + $1.points.count }
        let items = series.enumerated().map { SVG.LegendItem(name: $0.element.name, color: $0.element.color, kind: .marker($0.offset)) }
        let legend = SVG.legend(items, left: left, right: width - right, top: height - 18)
        let fullHeight = height - 18 + legend.height
        // Lines of equal figures would hide one another: each series is set off by a few pixels at every x
        // (dodged), at most 12 in all, and has its own marker (and, past the palette, its own dash).
        let spread = min(Int64(12), Int64(max(0, series.count - 1)) * 3)
        func dodge(_ index: Int) -> Int64 { series.count <= 1 ? 0 : (Int64(index) * spread * 10 / Int64(series.count - 1)) - spread * 5 }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(fullHeight)\" width=\"\(width)\" height=\"\(fullHeight)\" role=\"img\" data-points=\"\(points)\">\n"
        out += "<title>\(SVG.escape(title))</title>\n<text x=\"\(left)\" y=\"18\" class=\"title\">\(SVG.escape(title))</text>\n"
        out += SVG.valueGrid(upTo: yMax, step: yStep, left: left, right: width - right, y: y) { tick in
            SVG.count(tick / scale) + (tick % scale == 0 ? "" : "." + String(String(tick % scale + scale).dropFirst()))
        }
        for (index, label) in xLabels.enumerated() {
            out += "<line x1=\"\(SVG.d(x(index)))\" x2=\"\(SVG.d(x(index)))\" y1=\"\(top)\" y2=\"\(top + plotHeight + 4)\" class=\"grid\"/>"
            out += "<text x=\"\(SVG.d(x(index)))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">\(SVG.escape(label))</text>\n"
        }
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" class=\"frame\"/>\n"
        for (index, series) in series.enumerated() where !series.points.isEmpty {
            let shift = dodge(index)
            let upper = series.points.map { "\(SVG.d(x($0.x) + shift)),\(SVG.d(y($0.high)))" }
            let lower = series.points.reversed().map { "\(SVG.d(x($0.x) + shift)),\(SVG.d(y($0.low)))" }
            out += "<polygon fill=\"\(series.color)\" fill-opacity=\"0.14\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"><title>\(SVG.escape(series.name)): 5-95%</title></polygon>\n"
            out += "<polyline fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"1.8\"\(SVG.dash(index)) points=\"\(series.points.map { "\(SVG.d(x($0.x) + shift)),\(SVG.d(y($0.mean)))" }.joined(separator: " "))\"><title>\(SVG.escape(series.name)): mean</title></polyline>\n"
            for point in series.points {
                out += SVG.marker(index, x: x(point.x) + shift, y: y(point.mean), color: series.color)
            }
            out += "\n"
        }
        return out + legend.svg + "</svg>\n"
    }
}
