import Foundation
import LeaseScenario

/// `leasesim report`: report.html for a run's or a sweep's output directory.
extension LeaseSimCLI {
    static let reportOptions = CommandOptions("report", values: ["--client", "--calibrate"], switches: ["--quiet"])

    static let reportHelp = """
    leasesim report OUT_DIR [--client ID]... [--calibrate IMPORT_DIR] [--quiet]: write OUT_DIR/report.html, a page to open in
    a browser (--quiet: print nothing but errors)

    For a run's outputs (summary.json, clients.csv, timeline.csv): per feature, demand, served, leased and installed
    over time for the fleet, denied logins over time, and the chosen clients (--client, repeatable; by default the
    three with most denied logins), with faults, penalties and HA splits as bands; the summary, faults and
    expectations as tables. For a sweep's outputs (sweep.json, points.csv): each figure against the first swept
    field, its mean with the band from the 5th to the 95th percentile of the replications.
    The page holds everything it shows (inline SVG, no script, no other file). 'leasesim run --report' writes it too.
    --calibrate IMPORT_DIR adds, for the replay of a log ('leasesim import LOG --out IMPORT_DIR --scenario'), the
    denials per day and feature the log recorded beside those the run simulated.
    """

    static func report(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, reportOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(reportHelp); return 0 }
        guard parsed.positional.count == 1 else {
            throw UsageError(message: "report: expected one output directory, found \(parsed.positional.count); see 'leasesim report --help'")
        }
        let directory = parsed.positional[0]
        if FileManager.default.fileExists(atPath: directory + "/sweep.json") {
            try SweepReportPage.write(directory: directory)
        } else {
            var options = ReportPage.Options()
            options.clients = parsed.allValues["--client"] ?? []
            options.calibration = parsed.values["--calibrate"]
            try ReportPage.write(directory: directory, options: options)
        }
        if !parsed.switches.contains("--quiet") { print("wrote \(directory)/\(ReportPage.fileName)") }
        return ExitCode.success.rawValue
    }
}
