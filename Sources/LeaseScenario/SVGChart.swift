import LeaseKernel
import LeaseModel

/// A step series over simulated time, kept as an envelope of a fixed number of buckets (open, low, high and
/// close in each), so a run of any length and fleet of any size draws as a few thousand points that still show
/// every peak.
struct LevelEnvelope {
    struct Bucket {
        var open: Int64
        var low: Int64
        var high: Int64
        var close: Int64
    }
    let buckets: Int
    let duration: Int64
    /// Each bucket's span: a round duration (`LevelEnvelope.width(for:)`).
    let width: Int64
    var cells: [Bucket?]
    var current: Int64 = 0
    var bucket = 0
    var seen = false

    init(duration: Int64) {
        self.duration = max(1, duration)
        width = LevelEnvelope.width(for: self.duration)
        buckets = Int((self.duration + width - 1) / width)
        cells = Array(repeating: nil, count: buckets)
    }

    /// The span of a bucket: the smallest round duration that gives at most `maxBuckets` over the run.
    static func width(for duration: Int64) -> Int64 {
        let spans: [Int64] = [1, 10, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604_800].map { $0 * 1000 }
        return spans.first { (duration + $0 - 1) / $0 <= Int64(maxBuckets) } ?? (duration + Int64(maxBuckets) - 1) / Int64(maxBuckets)
    }

    /// The level is `value` from `time` (milliseconds since the start) on.
    mutating func record(_ time: Int64, _ value: Int64) {
        if !seen { current = value } // nothing before the first value is drawn
        let index = Int(min(Int64(buckets - 1), max(0, time) / width))
        fill(upTo: index)
        if var cell = cells[index] {
            cell.low = min(cell.low, value)
            cell.high = max(cell.high, value)
            cell.close = value
            cells[index] = cell
        } else {
            cells[index] = Bucket(open: current, low: min(current, value), high: max(current, value), close: value)
        }
        current = value
        seen = true
    }

    /// Buckets before `index` with no change hold the level.
    mutating func fill(upTo index: Int) {
        while bucket < index {
            if cells[bucket] == nil { cells[bucket] = Bucket(open: current, low: current, high: current, close: current) }
            bucket += 1
        }
    }

    /// The polyline: at each bucket's left edge its range, then the level it closes at until the next bucket.
    func points() -> [(x: Int64, y: Int64)] {
        var filled = self
        filled.fill(upTo: buckets)
        var points: [(x: Int64, y: Int64)] = []
        func add(_ x: Int64, _ y: Int64) {
            if let last = points.last, last.x == x, last.y == y { return }
            // A level that holds extends its segment instead of adding a point per bucket.
            if points.count >= 2, points[points.count - 1].y == y, points[points.count - 2].y == y {
                points[points.count - 1].x = x
                return
            }
            points.append((x, y))
        }
        for (index, cell) in filled.cells.enumerated() {
            guard let cell else { continue }
            let x = Int64(index) * width
            add(x, cell.open)
            if cell.high != cell.open || cell.low != cell.close {
                add(x, cell.high)
                add(x, cell.low)
            }
            add(x, cell.close)
        }
        add(duration, filled.current)
        return points
    }

    var maximum: Int64 { cells.compactMap { $0?.high }.max() ?? current }
}

/// One chart as inline SVG: series over simulated time (lines, or bars of counts per bucket), bands for periods
/// (faults, penalties, splits), axes with readable ticks in calendar time, and a legend. Every coordinate is
/// integer arithmetic written with one decimal, so a report is the same bytes on every machine.
struct TimeChart {
    struct Series {
        var name: String
        var color: String
        var points: [(x: Int64, y: Int64)]
        var bars = false
        var dashed = false
    }
    struct Band {
        var name: String
        var color: String
        var from: Int64
        var to: Int64
        /// States of the model (a penalty, a split) are hatched; inputs (faults) are plain, so neither hides the other.
        var hatched = false
    }

    var title: String
    var startEpoch: Int64
    var duration: Int64
    var series: [Series] = []
    var bands: [Band] = []
    var yLabel = ""
    /// The span of a bar (bars of counts per bucket).
    var barSpan: Int64 = 0

    static let width: Int64 = 960, height: Int64 = 280
    static let left: Int64 = 64, right: Int64 = 16, top: Int64 = 28, bottom: Int64 = 44

    var plotWidth: Int64 { TimeChart.width - TimeChart.left - TimeChart.right }
    var plotHeight: Int64 { TimeChart.height - TimeChart.top - TimeChart.bottom }

    /// Points drawn (a chart with none is an error a report test looks for).
    var pointCount: Int { series.reduce(0) { $0 + $1.points.count } }

    func svg() -> String {
        let yMax = SVG.niceCeiling(max(1, series.flatMap { $0.points.map(\.y) }.max() ?? 1))
        let yStep = SVG.niceStep(yMax)
        func x(_ time: Int64) -> Int64 { TimeChart.left * 10 + min(max(time, 0), duration) * plotWidth * 10 / max(1, duration) }
        func y(_ value: Int64) -> Int64 { (TimeChart.top + plotHeight) * 10 - max(0, value) * plotHeight * 10 / yMax }
        var items = series.map { SVG.LegendItem(name: $0.name, color: $0.color, kind: $0.bars ? .area : $0.dashed ? .dashed : .line) }
        for band in bands where !items.contains(where: { $0.name == band.name }) {
            items.append(SVG.LegendItem(name: band.name, color: band.color, kind: band.hatched ? .hatched : .band))
        }
        let legend = SVG.legend(items, left: TimeChart.left, right: TimeChart.width - TimeChart.right, top: TimeChart.height - 18)
        let height = TimeChart.height - 18 + legend.height
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(TimeChart.width) \(height)\" width=\"\(TimeChart.width)\" height=\"\(height)\" role=\"img\" data-points=\"\(pointCount)\">\n"
        out += "<title>\(SVG.escape(title))</title>\n"
        out += SVG.hatchPatterns(bands.filter(\.hatched).map(\.color) + items.filter { $0.kind == .hatched }.map(\.color))
        out += "<text x=\"\(TimeChart.left)\" y=\"18\" class=\"title\">\(SVG.escape(title))</text>\n"
        for band in bands where band.to > band.from {
            let fill = band.hatched ? "url(#\(SVG.hatchID(band.color)))\" fill-opacity=\"0.7" : "\(band.color)\" fill-opacity=\"0.22"
            out += "<rect x=\"\(SVG.d(x(band.from)))\" y=\"\(TimeChart.top)\" width=\"\(SVG.d(max(10, x(band.to) - x(band.from))))\" height=\"\(plotHeight)\" fill=\"\(fill)\"><title>\(SVG.escape(band.name))</title></rect>\n"
        }
        // The value axis: gridlines and labels.
        out += SVG.valueGrid(upTo: yMax, step: yStep, left: TimeChart.left, right: TimeChart.width - TimeChart.right, y: y, label: SVG.short)
        if !yLabel.isEmpty { out += "<text x=\"14\" y=\"\(TimeChart.top + plotHeight / 2)\" transform=\"rotate(-90 14 \(TimeChart.top + plotHeight / 2))\" text-anchor=\"middle\">\(SVG.escape(yLabel))</text>\n" }
        // The time axis: calendar ticks.
        for (instant, label) in CalendarTicks.ticks(startEpoch: startEpoch, duration: duration) {
            let position = SVG.d(x(instant))
            out += "<line x1=\"\(position)\" x2=\"\(position)\" y1=\"\(TimeChart.top)\" y2=\"\(TimeChart.top + plotHeight + 4)\" class=\"grid\"/>"
            out += "<text x=\"\(position)\" y=\"\(TimeChart.top + plotHeight + 18)\" text-anchor=\"middle\">\(SVG.escape(label))</text>\n"
        }
        out += "<rect x=\"\(TimeChart.left)\" y=\"\(TimeChart.top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" class=\"frame\"/>\n"
        // Series after the bands and the grid: bars and lines are drawn above every band.
        for series in series where !series.points.isEmpty {
            if series.bars {
                let barWidth = max(10, x(barSpan) - x(0))
                out += "<g fill=\"\(series.color)\"><title>\(SVG.escape(series.name))</title>"
                for point in series.points where point.y > 0 {
                    out += "<rect x=\"\(SVG.d(x(point.x)))\" y=\"\(SVG.d(y(point.y)))\" width=\"\(SVG.d(barWidth))\" height=\"\(SVG.d(y(0) - y(point.y)))\"/>"
                }
                out += "</g>\n"
            } else {
                let path = series.points.map { "\(SVG.d(x($0.x))),\(SVG.d(y($0.y)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"1.6\"\(series.dashed ? " stroke-dasharray=\"6 4\"" : "") points=\"\(path)\"><title>\(SVG.escape(series.name))</title></polyline>\n"
            }
        }
        return out + legend.svg + "</svg>\n"
    }
}

extension LevelEnvelope {
    /// The most buckets a chart has: a little under one per pixel of the plot.
    static let maxBuckets = 720
}

/// Ticks of the time axis at round calendar instants (UTC): the step is the smallest of a fixed list that gives
/// at most eight ticks.
enum CalendarTicks {
    static let steps: [Int64] = [60, 300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172_800, 604_800, 1_209_600,
                                 2_592_000, 7_776_000, 31_536_000].map { $0 * 1000 }

    static func ticks(startEpoch: Int64, duration: Int64) -> [(Int64, String)] {
        let step: Int64 = steps.first { duration / $0 <= 8 } ?? 31_536_000_000
        var ticks: [(Int64, String)] = []
        // The first multiple of the step (in UTC) at or after the start.
        var epoch = (startEpoch + step - 1) / step * step
        if startEpoch < 0 { epoch = startEpoch }
        // A tick too near the end would have its label cut at the frame's edge.
        while epoch <= startEpoch + duration - duration / 20 && ticks.count < 12 {
            let iso = CivilCalendar.iso8601(epochMilliseconds: epoch) // 2026-03-02T09:00:00.000Z
            let date = String(iso.prefix(10)), clock = String(iso.dropFirst(11).prefix(5))
            let label = step >= 86_400_000 ? date : clock == "00:00" || ticks.isEmpty ? "\(date.dropFirst(5)) \(clock)" : clock
            ticks.append((epoch - startEpoch, label))
            epoch += step
        }
        return ticks
    }
}

/// SVG text: escaped text, fixed-point coordinates, readable counts, nice axis bounds, all in integers.
enum SVG {
    static func escape(_ text: String) -> String { CheckResults.xml(text) }

    /// Tenths as decimal text: 1234 is "123.4".
    static func d(_ tenths: Int64) -> String {
        let sign = tenths < 0 ? "-" : "", magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }

    /// A count with thousands separated: 45,000.
    static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Horizontal gridlines at every `step` up to `maximum` (chart units), labelled at the left.
    static func valueGrid(upTo maximum: Int64, step: Int64, left: Int64, right: Int64, y: (Int64) -> Int64, label: (Int64) -> String) -> String {
        var out = "", tick: Int64 = 0
        while tick <= maximum {
            out += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(d(y(tick)))\" y2=\"\(d(y(tick)))\" class=\"grid\"/>"
            out += "<text x=\"\(left - 6)\" y=\"\(d(y(tick) + 35))\" text-anchor=\"end\">\(label(tick))</text>\n"
            tick += max(1, step)
        }
        return out
    }

    /// A legend entry: a name and how its swatch is drawn.
    struct LegendItem {
        enum Kind: Equatable { case line, dashed, area, band, hatched, marker(Int) }
        var name: String
        var color: String
        var kind: Kind
    }

    /// The most characters of a legend name shown (a longer one ends in "...", its whole text in a tooltip).
    static let legendNameLimit = 120

    /// The legend below a chart: a swatch and a name per item, in rows that wrap at `right`. Returns the SVG and
    /// the height it takes (16 per row). Text width is estimated at 7 per character (11px system fonts).
    static func legend(_ items: [LegendItem], left: Int64, right: Int64, top: Int64) -> (svg: String, height: Int64) {
        var out = "", x = left, row: Int64 = 0
        for item in items {
            let shown = item.name.count <= legendNameLimit ? item.name : String(item.name.prefix(legendNameLimit - 3)) + "..."
            let width = 24 + Int64(shown.count) * 7
            if x > left && x + width > right {
                row += 1
                x = left
            }
            let y = top + row * 16
            switch item.kind {
            case .line: out += "<line x1=\"\(x)\" x2=\"\(x + 14)\" y1=\"\(y + 6)\" y2=\"\(y + 6)\" stroke=\"\(item.color)\" stroke-width=\"2\"/>"
            case .dashed: out += "<line x1=\"\(x)\" x2=\"\(x + 14)\" y1=\"\(y + 6)\" y2=\"\(y + 6)\" stroke=\"\(item.color)\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>"
            case .area: out += "<rect x=\"\(x)\" y=\"\(y + 1)\" width=\"12\" height=\"10\" fill=\"\(item.color)\"/>"
            case .band: out += "<rect x=\"\(x)\" y=\"\(y + 1)\" width=\"12\" height=\"10\" fill=\"\(item.color)\" fill-opacity=\"0.35\" stroke=\"\(item.color)\"/>"
            case .hatched: out += "<rect x=\"\(x)\" y=\"\(y + 1)\" width=\"12\" height=\"10\" fill=\"url(#\(hatchID(item.color)))\" stroke=\"\(item.color)\"/>"
            case .marker(let index):
                out += "<line x1=\"\(x)\" x2=\"\(x + 14)\" y1=\"\(y + 6)\" y2=\"\(y + 6)\" stroke=\"\(item.color)\" stroke-width=\"2\"\(dash(index))/>"
                out += marker(index, x: (x + 7) * 10, y: (y + 6) * 10, color: item.color)
            }
            out += "<text x=\"\(x + 18)\" y=\"\(y + 10)\">\(escape(shown))\(shown == item.name ? "" : "<title>\(escape(item.name))</title>")</text>\n"
            x += width
        }
        return (out, items.isEmpty ? 16 : (row + 1) * 16)
    }

    /// A diagonal hatch pattern per colour, once each (ids from `hatchID`).
    static func hatchPatterns(_ colors: [String]) -> String {
        var seen: [String] = [], out = ""
        for color in colors where !seen.contains(color) {
            seen.append(color)
            out += "<defs><pattern id=\"\(hatchID(color))\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
            out += "<rect width=\"6\" height=\"6\" fill=\"\(color)\" fill-opacity=\"0.12\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"\(color)\" stroke-width=\"2.5\"/></pattern></defs>\n"
        }
        return out
    }

    static func hatchID(_ color: String) -> String { "hatch-" + color.filter { $0.isLetter || $0.isNumber } }

    /// Marker shapes and dash patterns that tell apart series of one colour (a sweep's ninth line and its first).
    static let dashes = ["", "6 3", "2 2", "8 3 2 3"]
    static func dash(_ index: Int) -> String {
        let pattern = dashes[(index / ReportPalette.series.count) % dashes.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }

    /// A marker at (x, y) in tenths: a circle, square, triangle, diamond, cross, then again, by `index`.
    static func marker(_ index: Int, x: Int64, y: Int64, color: String) -> String {
        switch index % 5 {
        case 0: return "<circle cx=\"\(d(x))\" cy=\"\(d(y))\" r=\"3.2\" fill=\"\(color)\"/>"
        case 1: return "<rect x=\"\(d(x - 30))\" y=\"\(d(y - 30))\" width=\"6\" height=\"6\" fill=\"\(color)\"/>"
        case 2: return "<polygon points=\"\(d(x)),\(d(y - 38)) \(d(x + 35)),\(d(y + 25)) \(d(x - 35)),\(d(y + 25))\" fill=\"\(color)\"/>"
        case 3: return "<polygon points=\"\(d(x)),\(d(y - 40)) \(d(x + 40)),\(d(y)) \(d(x)),\(d(y + 40)) \(d(x - 40)),\(d(y))\" fill=\"\(color)\"/>"
        default: return "<path d=\"M\(d(x - 35)) \(d(y - 35))L\(d(x + 35)) \(d(y + 35))M\(d(x + 35)) \(d(y - 35))L\(d(x - 35)) \(d(y + 35))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        }
    }

    /// An axis label that fits the margin: 950, 12,500, 150k, 2.5M.
    static func short(_ value: Int64) -> String {
        let magnitude = value.magnitude, sign = value < 0 ? "-" : ""
        if magnitude >= 1_000_000 {
            let tenths = magnitude / 100_000
            return sign + (tenths % 10 == 0 ? "\(tenths / 10)M" : "\(tenths / 10).\(tenths % 10)M")
        }
        if magnitude >= 100_000 { return sign + "\(magnitude / 1000)k" }
        return count(value)
    }

    /// The step of about five gridlines up to `maximum`: 1, 2 or 5 times a power of ten.
    static func niceStep(_ maximum: Int64) -> Int64 {
        var power: Int64 = 1
        while true {
            for factor: Int64 in [1, 2, 5] where maximum / (factor * power) <= 5 { return factor * power }
            power *= 10
        }
    }

    /// `value` rounded up to a multiple of its nice step.
    static func niceCeiling(_ value: Int64) -> Int64 {
        let step = niceStep(value)
        return (value + step - 1) / step * step
    }
}

/// The report's colours: Okabe and Ito's colour-blind-safe set for the series, Paul Tol's for the bands, so that
/// every series and every kind of band differs from every other (bars of denials are never a fault's colour).
enum ReportPalette {
    static let demand = "#0072B2", served = "#009E73", leased = "#E69F00", installed = "#000000", muc = "#666666", denied = "#D55E00"
    /// Faults by kind: plain bands.
    static let faults = ["partition": "#56B4E9", "crash": "#999933", "loss": "#DDCC77", "latency": "#88CCEE"]
    static let otherFault = "#BBBBBB"
    /// Model states, hatched: a penalty and an HA split, by entity in turn (the two nodes of a pair differ).
    static let penalties = ["#882255", "#AA4499"]
    static let splits = ["#117733", "#44AA99"]
    /// Lines of a sweep chart, in turn; after these, the same colours with a dash pattern (`SVG.dash`).
    static let series = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

    static func fault(_ kind: String) -> String {
        faults.first { $0.key == kind }?.value ?? otherFault
    }
}
