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
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(TimeChart.width) \(TimeChart.height)\" width=\"\(TimeChart.width)\" height=\"\(TimeChart.height)\" role=\"img\" data-points=\"\(pointCount)\">\n"
        out += "<title>\(SVG.escape(title))</title>\n"
        out += "<text x=\"\(TimeChart.left)\" y=\"18\" class=\"title\">\(SVG.escape(title))</text>\n"
        for band in bands where band.to > band.from {
            out += "<rect x=\"\(SVG.d(x(band.from)))\" y=\"\(TimeChart.top)\" width=\"\(SVG.d(max(10, x(band.to) - x(band.from))))\" height=\"\(plotHeight)\" fill=\"\(band.color)\" fill-opacity=\"0.18\"><title>\(SVG.escape(band.name))</title></rect>\n"
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
        var items = series.map { (name: $0.name, color: $0.color) }
        for band in bands where !items.contains(where: { $0.name == band.name }) { items.append((band.name, band.color)) }
        return out + SVG.legend(items, left: TimeChart.left, height: TimeChart.height) + "</svg>\n"
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

    /// The legend along the bottom of a chart: a swatch and a name per item.
    static func legend(_ items: [(name: String, color: String)], left: Int64, height: Int64) -> String {
        var out = "", x = left
        for item in items {
            out += "<rect x=\"\(x)\" y=\"\(height - 14)\" width=\"12\" height=\"10\" fill=\"\(item.color)\"/>"
            out += "<text x=\"\(x + 16)\" y=\"\(height - 5)\">\(escape(item.name))</text>\n"
            x += 24 + Int64(item.name.count) * 7
        }
        return out
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
