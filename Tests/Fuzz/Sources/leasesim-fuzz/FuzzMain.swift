import CFuzzDriver
import Foundation
import LeaseKernel
import LeaseModel
import LeaseScenario

/// libFuzzer entry for leasesim's input readers; built only with LEASESIM_FUZZ=1 (see Tests/Fuzz/fuzz.sh).
///
/// `LEASESIM_FUZZ_TARGET=scenario` (the default) loads each input as a scenario and, when it loads and is small,
/// runs it for at most 20,000 events with the model's invariants checked after every event, so the model's
/// arithmetic is fuzzed too. `LEASESIM_FUZZ_TARGET=trace` reads each input as a trace; `override` takes each line
/// of the input as a `--set PATH=VALUE` on the quickstart scenario (and runs what loads); `runs` reads the input as
/// a sweep's runs.csv and computes its points.csv, as `leasesim merge` does; `log` reads the input as a FlexNet
/// debug log and as an RLM report log, and builds every feature's steps. A crash, a trap or a
/// hang (libFuzzer's -timeout) is a finding; an error thrown for bad input is the expected outcome.
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        let argv = CommandLine.unsafeArgv
        let callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
        switch ProcessInfo.processInfo.environment["LEASESIM_FUZZ_TARGET"] {
        case "trace": callback = fuzzTrace
        case "override": callback = fuzzOverride
        case "runs": callback = fuzzRuns
        case "log": callback = fuzzLog
        default: callback = fuzzScenario
        }
        exit(argv.withMemoryRebound(to: UnsafeMutablePointer<CChar>?.self, capacity: Int(argc)) { arguments in
            var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = arguments
            return LLVMFuzzerRunDriver(&argc, &arguments, callback)
        })
    }
}

func fuzzScenario(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let scenario = try? ScenarioLoader.load(bytes: bytes, file: "/fuzz/input.json") { runBriefly(scenario) }
    return 0
}

/// Runs a small scenario for at most 20,000 events with the model's invariants checked after every event.
func runBriefly(_ scenario: Scenario) {
    guard scenario.spec.clients.reduce(0, { $0 + $1.allocations.count }) <= 64 else { return }
    var scenario = scenario
    scenario.limits.maxEvents = min(scenario.limits.maxEvents, 20_000)
    var options = RunOptions()
    options.checksInvariants = true
    _ = try? ScenarioRunner.run(scenario, options: options)
}

func fuzzTrace(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? TraceReader.steps(bytes, file: "fuzz.csv", jsonPath: "demand.file", startEpochMilliseconds: 1_767_571_200_000)
    return 0
}

/// The quickstart scenario, read once (fuzz.sh runs from the repository root).
let quickstart = [UInt8](FileManager.default.contents(atPath: "Scenarios/quickstart.json") ?? Data())

func fuzzOverride(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").prefix(8)
    guard let overrides = try? lines.map({ line throws(ScenarioError) in try ScenarioOverride(String(line)) }),
          let scenario = try? ScenarioLoader.load(bytes: quickstart, file: "Scenarios/quickstart.json", options: LoadOptions(overrides: overrides))
    else { return 0 }
    runBriefly(scenario)
    return 0
}

func fuzzRuns(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let table = try? RunsTable.parse(String(decoding: bytes, as: UTF8.self), file: "runs.csv") else { return 0 }
    _ = table.pointsCSV
    return 0
}

func fuzzLog(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    for format in LicenseLog.Format.allCases {
        let log = LicenseLog.read(bytes, file: "fuzz.log", format: format)
        for feature in log.features { _ = log.peak(of: feature) }
    }
    return 0
}
