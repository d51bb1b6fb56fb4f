import LeaseKernel
import LeaseModel

/// What runs.csv holds for each run, beside its id, point, replication, seed and swept values: the run's figures
/// as exact decimal text (counts, user-hours with 3 decimals, ratios with 4).
public enum RunMetrics {
    /// Figures of the whole run, first, then each feature's fleet figures as `FEATURE.name`.
    static let runColumns = ["events", "messages", "deniedLogins", "deniedUserHours"] + ReportedCounters.runs.map(\.name)
        + ["expectationsPassed", "expectationsFailed"]

    /// The metric columns of a scenario's runs.
    public static func columns(_ scenario: Scenario) -> [String] {
        let quantities = Quantities.summary(of: .fleet)
        return runColumns + scenario.spec.features.flatMap { feature in quantities.map { feature + "." + $0.name } }
    }

    /// A finished run's cells, in `columns` order.
    public static func cells(_ report: RunReport) -> [String] {
        let figures = report.figures, counters = figures.counters, features = report.scenario.spec.features.indices
        let denied = features.reduce(Int64(0)) { $0 + figures.featureTotals[$1].deniedLogins }
        let deniedTime = features.reduce(Int128(0)) { $0 + figures.fleetIntegrals(feature: $1).deniedUserMilliseconds }
        let passed = report.results.filter(\.passed).count
        var cells = [report.eventsProcessed, counters.messages, denied].map(String.init)
        cells.append(Figure.userTime(deniedTime).json)
        cells += (ReportedCounters.runs.map { $0.read(counters) } + [Int64(passed), Int64(report.results.count - passed)]).map(String.init)
        let quantities = Quantities.summary(of: .fleet)
        for feature in features {
            cells += figures.figures(quantities, of: .fleet, feature: feature).map(\.json)
        }
        return cells
    }
}

/// runs.csv as cells: the table a sweep writes and `merge` reads back, and what points.csv is computed from
/// (so a merge of shards gives points.csv byte for byte as one machine would).
public struct RunsTable: Sendable, Equatable {
    public static let leading = ["run", "point", "replication", "seed"]
    /// Swept field paths, then metric columns.
    public var swept: [String]
    public var metrics: [String]
    /// One row per run, in run order: `leading`, swept values, `status`, metrics, `error`.
    public var rows: [[String]]

    public init(swept: [String], metrics: [String], rows: [[String]] = []) {
        self.swept = swept
        self.metrics = metrics
        self.rows = rows
    }

    public var header: [String] { RunsTable.leading + swept + ["status"] + metrics + ["error"] }

    var statusColumn: Int { RunsTable.leading.count + swept.count }

    public var csv: String { CSVText.rows([header] + rows) }

    /// A table read back from runs.csv text.
    public static func parse(_ text: String, file: String) throws(ScenarioError) -> RunsTable {
        let rows = try CSVText.parse(text, file: file)
        guard let header = rows.first, header.count >= RunsTable.leading.count + 2, Array(header.prefix(4)) == RunsTable.leading,
              header.last == "error", let status = header.firstIndex(of: "status") else {
            throw ScenarioError(file: file, position: TextPosition(line: 1, column: 1), path: "",
                                expected: "a runs.csv header (run,point,replication,seed,...,status,...,error)", found: Excerpt.quoted(rows.first?.joined(separator: ",") ?? ""))
        }
        var table = RunsTable(swept: Array(header[4..<status]), metrics: Array(header[(status + 1)..<(header.count - 1)]))
        let metrics = (status + 1)..<(header.count - 1)
        for (number, row) in rows.dropFirst().enumerated() {
            func fail(_ expected: String, _ found: String) -> ScenarioError {
                ScenarioError(file: file, position: TextPosition(line: number + 2, column: 1), path: "", expected: expected, found: found)
            }
            guard row.count == header.count else { throw fail("\(header.count) cells", "\(row.count)") }
            guard row[status] == "ok" || row[status] == "failed" else { throw fail("status ok or failed", Excerpt.quoted(row[status])) }
            for column in metrics where !SweepStatistics.isFigure(row[column]) {
                throw fail("\(header[column]): a figure leasesim writes (at most 24 digits and 4 decimals) or nothing", Excerpt.quoted(row[column]))
            }
            table.rows.append(row)
        }
        return table
    }

    /// points.csv: for every point and metric, over the point's runs that finished: how many finished and failed,
    /// the mean, the minimum, the 5th, 50th and 95th percentiles and the maximum.
    public var pointsCSV: String { CSVText.rows(pointTable) }

    /// points.csv's rows after its header.
    public var pointRows: [[String]] { Array(pointTable.dropFirst()) }

    var pointTable: [[String]] {
        var out = [["point"] + swept + ["metric", "ok", "failed"] + SweepStatistics.columns]
        let pointColumn = 1, first = RunsTable.leading.count
        var start = 0
        while start < rows.count {
            var end = start + 1
            while end < rows.count && rows[end][pointColumn] == rows[start][pointColumn] { end += 1 }
            let runs = rows[start..<end]
            let finished = runs.filter { $0[statusColumn] == "ok" }
            for (offset, metric) in metrics.enumerated() {
                let column = statusColumn + 1 + offset
                let stats = SweepStatistics(finished.map { $0[column] }.filter { !$0.isEmpty })
                out.append([rows[start][pointColumn]] + Array(rows[start][first..<(first + swept.count)])
                           + [metric, String(finished.count), String(runs.count - finished.count)] + stats.cells)
            }
            start = end
        }
        return out
    }
}

/// A metric's statistics over replications, exactly: values are read as decimals scaled to integers, and every
/// statistic is an exact fraction written with two more decimals than the values have (the mean rounded half
/// away from zero; percentiles need no rounding).
///
/// Percentiles interpolate linearly between the closest ranks (NumPy's default, R's type 7): for `n` sorted values
/// the p-th percentile is at rank `h = (n - 1) p / 100`, `x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])`.
///
/// The spread is the sample standard deviation (divisor n - 1) and the 95% confidence interval of the mean is
/// mean -/+ t(0.975, n - 1) s / sqrt(n), Student's t from a table (`tQuantiles`); these three are worked in binary
/// floating point with IEEE operations only (correctly rounded everywhere, no libm), then written with the mean's
/// decimals; empty for fewer than two values.
public struct SweepStatistics: Sendable, Equatable {
    public static let columns = ["mean", "min", "p5", "p50", "p95", "max", "stddev", "ci95_low", "ci95_high"]
    public let count: Int
    /// `columns`, as text (empty when there are no values).
    public let cells: [String]

    /// t(0.975, df) for df 1...30, then for 40, 60 and 120 (a larger df takes the value of the largest tabulated df
    /// not above it, which is conservative); 1.960 beyond 120 would be the normal's, but 1.980 is kept there too.
    static let tQuantiles: [(df: Int, t: Double)] = [
        (1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571), (6, 2.447), (7, 2.365), (8, 2.306), (9, 2.262), (10, 2.228),
        (11, 2.201), (12, 2.179), (13, 2.160), (14, 2.145), (15, 2.131), (16, 2.120), (17, 2.110), (18, 2.101), (19, 2.093), (20, 2.086),
        (21, 2.080), (22, 2.074), (23, 2.069), (24, 2.064), (25, 2.060), (26, 2.056), (27, 2.052), (28, 2.048), (29, 2.045), (30, 2.042),
        (40, 2.021), (60, 2.000), (120, 1.980),
    ]

    public static func t975(degreesOfFreedom df: Int) -> Double { tQuantiles.last { $0.df <= df }!.t }

    public init(_ texts: [String]) {
        count = texts.count
        guard !texts.isEmpty else {
            cells = Array(repeating: "", count: SweepStatistics.columns.count)
            return
        }
        let decimals = texts.map(SweepStatistics.decimals).max()!
        let values = texts.map { SweepStatistics.scaled($0, decimals: decimals) }.sorted()
        var scale: Int128 = 1
        for _ in 0..<decimals { scale *= 10 }
        let sum = values.reduce(Int128(0), +)
        let shown = decimals + 2
        func percentile(_ p: Int) -> String {
            let h = (values.count - 1) * p, low = h / 100, fraction = Int128(h % 100)
            let hundredths = 100 * values[low] + (fraction == 0 ? 0 : fraction * (values[low + 1] - values[low]))
            return OutputText.decimal(hundredths, over: 100 * scale, decimals: shown)
        }
        var spread = ["", "", ""]
        if values.count >= 2 {
            // Deviations from the exact mean, in units of the values' last decimal.
            let n = Double(values.count), mean = Double(sum) / n
            var squares = 0.0
            for value in values { squares += (Double(value) - mean) * (Double(value) - mean) }
            let deviation = (squares / (n - 1)).squareRoot()
            let half = SweepStatistics.t975(degreesOfFreedom: values.count - 1) * deviation / n.squareRoot()
            // Shown with two more decimals than the values: hundredths of a unit, rounded half away from zero.
            func text(_ units: Double) -> String {
                OutputText.decimal(Int128((units * 100).rounded(.toNearestOrAwayFromZero)), over: 100 * scale, decimals: shown)
            }
            spread = [text(deviation), text(mean - half), text(mean + half)]
        }
        cells = [OutputText.decimal(sum, over: Int128(values.count) * scale, decimals: shown),
                 OutputText.decimal(values.first!, over: scale, decimals: decimals),
                 percentile(5), percentile(50), percentile(95),
                 OutputText.decimal(values.last!, over: scale, decimals: decimals)] + spread
    }

    /// Whether a cell is a figure as runs.csv writes it (or empty): `-?D{1,24}(.D{1,4})?`, so no statistic of a
    /// million of them can overflow.
    static func isFigure(_ text: String) -> Bool {
        var digits = text.utf8[...]
        if digits.first == UInt8(ascii: "-") { digits = digits.dropFirst() }
        if digits.isEmpty { return text.isEmpty }
        let parts = digits.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let isDigits = { (part: Substring.UTF8View.SubSequence) in part.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard parts.count <= 2, (1...24).contains(parts[0].count), isDigits(parts[0]) else { return false }
        return parts.count == 1 || ((1...4).contains(parts[1].count) && isDigits(parts[1]))
    }

    static func decimals(_ text: String) -> Int {
        guard let point = text.firstIndex(of: ".") else { return 0 }
        return min(4, text.distance(from: text.index(after: point), to: text.endIndex))
    }

    /// `-12.5` at 3 decimals is -12500. Cells are leasesim's own decimal text (at most 4 decimals, 30 digits).
    static func scaled(_ text: String, decimals: Int) -> Int128 {
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : Substring(text)
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1].prefix(decimals)) : ""
        var value: Int128 = 0
        for digit in (String(parts[0]) + fraction + String(repeating: "0", count: decimals - fraction.count)).utf8
        where digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") {
            value = value * 10 + Int128(digit - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}

/// CSV text: RFC 4180 rows out, and back in (quoted cells may hold commas, quotes and line breaks).
enum CSVText {
    static func rows(_ rows: [[String]]) -> String {
        rows.map { $0.map(OutputText.csvCell).joined(separator: ",") + "\n" }.joined()
    }

    static func parse(_ text: String, file: String) throws(ScenarioError) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false, line = 1, cellStarted = false
        var characters = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? characters.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = characters.next()
                    if next == "\"" { cell.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                } else {
                    if scalar == "\n" { line += 1 }
                    cell.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                guard cell.isEmpty && !cellStarted else {
                    throw ScenarioError(file: file, position: TextPosition(line: line, column: 1), path: "",
                                        expected: "a quote only at the start of a cell", found: "a quote inside a cell")
                }
                quoted = true
                cellStarted = true
            case ",":
                row.append(cell)
                cell = ""
                cellStarted = false
            case "\n":
                row.append(cell)
                rows.append(row)
                row = []
                cell = ""
                cellStarted = false
                line += 1
            case "\r":
                continue
            default:
                cell.unicodeScalars.append(scalar)
                cellStarted = true
            }
        }
        guard !quoted else {
            throw ScenarioError(file: file, position: TextPosition(line: line, column: 1), path: "", expected: "a closing quote", found: "end of file")
        }
        if cellStarted || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }
}
