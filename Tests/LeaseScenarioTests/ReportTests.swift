import Foundation
import Testing
import LeaseKernel
import LeaseModel
@testable import LeaseScenario

/// The report's drawing: envelopes keep every peak, axes get round ticks, all in integers.
@Test func envelopesKeepPeaksInRoundBuckets() {
    var envelope = LevelEnvelope(duration: 86_400_000) // a day: 2-minute buckets would be 720; 5 minutes is the round span
    #expect(envelope.width == 300_000 && envelope.buckets == 288)
    envelope.record(0, 10)
    envelope.record(60_000, 50)       // a spike inside the first bucket
    envelope.record(120_000, 10)
    envelope.record(3_600_000, 20)
    let points = envelope.points()
    #expect(points.prefix(4).map { [$0.x, $0.y] } == [[0, 10], [0, 50], [0, 10], [3_600_000, 10]])
    #expect(points.last.map { [$0.x, $0.y] } == [86_400_000, 20] && envelope.maximum == 50)
    var counts = LevelEnvelope(duration: 86_400_000)
    counts.record(0, 0)
    counts.record(600_000, 3)
    counts.record(700_000, 5)
    counts.record(7_200_000, 9)
    #expect(counts.increments().map { [$0.x, $0.y] } == [[600_000, 5], [7_200_000, 4]])
}

@Test func axesHaveRoundTicks() {
    #expect([1, 4, 5, 6, 11, 49, 250, 1001, 45_000].map(SVG.niceStep) == [1, 1, 1, 2, 2, 10, 50, 200, 10_000])
    #expect([7, 11, 199, 45_000].map(SVG.niceCeiling) == [8, 12, 200, 50_000])
    #expect(SVG.d(12_345) == "1234.5" && SVG.d(120) == "12" && SVG.d(-5) == "-0.5" && SVG.count(1_234_567) == "1,234,567")
    let start = Int64(20_514) * 86_400_000 // 2026-03-02T00:00Z
    let week = CalendarTicks.ticks(startEpoch: start, duration: 7 * 86_400_000)
    #expect(week.map(\.1) == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"])
    let day = CalendarTicks.ticks(startEpoch: start + 3_600_000, duration: 86_400_000)
    #expect(day.map(\.1) == ["03-02 03:00", "06:00", "09:00", "12:00", "15:00", "18:00", "21:00"] && day[0].0 == 2 * 3_600_000)
}

/// A run's report: the same bytes every time, a chart with data for each feature, the chosen clients, the faults
/// as bands; `report` adds it to the output set, and the next run replaces the whole set.
@Test func reportsAreSelfContainedAndDeterministic() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    let out = NSTemporaryDirectory() + "leasesim-report-\(ProcessInfo.processInfo.processIdentifier)"
    let scenario = try ScenarioLoader.load(path: root + "/Scenarios/branch-cutoff.json")
    var options = RunOptions(outputDirectory: out)
    options.report = ReportPage.Options()
    _ = try ScenarioRunner.run(scenario, options: options)
    let first = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    #expect(first == (try ReportPage.html(directory: out)))
    #expect(!first.contains("<script") && !first.contains("http://") || first.contains("xmlns=\"http://www.w3.org/2000/svg\""))
    #expect(!first.contains("data-points=\"0\"") && first.components(separatedBy: "<svg ").count == 4)
    #expect(first.contains("<title>users: demand, served, leased and installed (fleet)</title>"))
    #expect(first.contains("gw-branch / users: demand, served and leased") && first.contains("<title>fault: partition</title>"))
    try ReportPage.write(directory: out, options: { var o = ReportPage.Options(); o.clients = ["gw-hq"]; return o }())
    let chosen = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
    #expect(chosen.contains("gw-hq / users") && !chosen.contains("gw-branch / users"))
    #expect(try String(contentsOfFile: out + "/.leasesim-outputs", encoding: .utf8).contains("report.html\n"))
    _ = try ScenarioRunner.run(scenario, options: RunOptions(outputDirectory: out))
    #expect(!FileManager.default.fileExists(atPath: out + "/report.html"))
}

/// Spans read as people say them, in their two largest units.
@Test func spansReadInTheirTwoLargestUnits() {
    #expect(OutputText.span(milliseconds: 129_600_160) == "1 d 12 h")
    #expect(OutputText.span(milliseconds: 171_000) == "2 min 51 s")
    #expect(OutputText.span(milliseconds: 19_200_000) == "5 h 20 min")
    #expect(OutputText.span(milliseconds: 3_600_000) == "1 h")
    #expect(OutputText.span(milliseconds: 45_900) == "45 s")
    #expect(OutputText.span(milliseconds: 250) == "250 ms")
    #expect(OutputText.span(milliseconds: 0) == "0 s")
    #expect(OutputText.span(milliseconds: -90_000) == "-1 min 30 s")
}

/// Charts that cannot mislead: every series and band kind has its own colour (a crash band is never the denials'
/// red), model states are hatched, the two nodes of a pair differ, and a long legend wraps onto more rows.
@Test func chartsKeepEverySeriesAndBandApart() {
    let colours = [ReportPalette.demand, ReportPalette.served, ReportPalette.leased, ReportPalette.installed, ReportPalette.muc,
                   ReportPalette.denied] + ReportPalette.faults.values.sorted() + [ReportPalette.otherFault] + ReportPalette.penalties + ReportPalette.splits
    #expect(Set(colours).count == colours.count)
    var chart = TimeChart(title: "t", startEpoch: 0, duration: 86_400_000)
    chart.series = [.init(name: "denied logins", color: ReportPalette.denied, points: [(0, 1), (3_600_000, 2)], bars: true)]
    chart.bands = [.init(name: "fault: crash", color: ReportPalette.fault("crash"), from: 0, to: 7_200_000),
                   .init(name: "penalty (ls-1)", color: ReportPalette.penalties[0], from: 0, to: 3_600_000, hatched: true)]
    let svg = chart.svg()
    // Bands first, bars after: the bars are drawn above them.
    #expect(svg.range(of: "fault: crash</title></rect>")!.lowerBound < svg.range(of: "<g fill=\"\(ReportPalette.denied)\">")!.lowerBound)
    #expect(svg.contains("fill=\"url(#hatch-882255)\"") && svg.contains("<pattern id=\"hatch-882255\""))
    #expect(svg.contains("height=\"278\" role=\"img\"")) // one legend row
    chart.bands += (1...12).map { .init(name: "HA pair split (a-long-node-name-\($0))", color: ReportPalette.splits[$0 % 2], from: 0, to: 60_000, hatched: true) }
    let wrapped = chart.svg()
    #expect(wrapped.contains("height=\"342\" role=\"img\"")) // 14 entries of about 280 in 896: four more rows of 16
}

/// Concurrent use for planners, exactly: over two days from 2026-01-31, demand is 10 for 12 h, 20 for 24 h and 5 for
/// 12 h: 5 is the level for 25% of the time, 10 up to 50%, 20 beyond; the months split at midnight on the 1st, each
/// with its own peak, installed range and denied logins.
@Test func concurrentUseHasTimeWeightedPercentilesAndMonthlyPeaks() {
    let start = CivilCalendar.days(year: 2026, month: 1, day: 31) * 86_400_000, hour: Int64 = 3_600_000
    var use = ConcurrentUse(startEpoch: start, duration: 48 * hour)
    use.record(0, .init(users: 10, leased: 10, installed: 15, denied: 0))
    use.record(12 * hour, .init(users: 20, leased: 15, installed: 15, denied: 3))
    use.record(30 * hour, .init(users: 20, leased: 15, installed: 25, denied: 7))
    use.record(36 * hour, .init(users: 5, leased: 5, installed: 25, denied: 7))
    use.finish()
    #expect([25, 26, 50, 51, 90, 100].map { use.percentile($0, leased: false) } == [5, 10, 10, 20, 20, 20])
    #expect(use.percentile(50, leased: true) == 10 && use.percentile(100, leased: true) == 15)
    #expect(use.months.map(\.label) == ["2026-01", "2026-02"])
    #expect(use.months.map { [$0.peakUsers, $0.peakLeased, $0.installedLow, $0.installedHigh, $0.denied] } == [[20, 15, 15, 15, 3], [20, 15, 15, 25, 4]])
    #expect(use.shareAbove(10, leased: false) == 5000)
}
