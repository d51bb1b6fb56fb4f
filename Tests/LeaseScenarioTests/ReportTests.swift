import Foundation
import Testing
import LeaseKernel
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
