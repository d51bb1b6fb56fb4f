import CFuzzDriver
import Foundation
import LeaseKernel
import LeaseModel
import LeaseScenario

/// libFuzzer entry for leasesim's input readers; built only with LEASESIM_FUZZ=1 (see Tests/Fuzz/fuzz.sh).
///
/// `LEASESIM_FUZZ_TARGET=scenario` (the default) loads each input as a scenario and, when it loads and is small,
/// runs it for at most 20,000 events with the model's invariants checked after every event, so the model's
/// arithmetic is fuzzed too. `LEASESIM_FUZZ_TARGET=trace` reads each input as a trace. A crash, a trap or a
/// hang (libFuzzer's -timeout) is a finding; an error thrown for bad input is the expected outcome.
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        let argv = CommandLine.unsafeArgv
        let callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 =
            ProcessInfo.processInfo.environment["LEASESIM_FUZZ_TARGET"] == "trace" ? fuzzTrace : fuzzScenario
        exit(argv.withMemoryRebound(to: UnsafeMutablePointer<CChar>?.self, capacity: Int(argc)) { arguments in
            var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = arguments
            return LLVMFuzzerRunDriver(&argc, &arguments, callback)
        })
    }
}

func fuzzScenario(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard var scenario = try? ScenarioLoader.load(bytes: bytes, file: "/fuzz/input.json") else { return 0 }
    guard scenario.spec.clients.reduce(0, { $0 + $1.allocations.count }) <= 64 else { return 0 }
    scenario.limits.maxEvents = min(scenario.limits.maxEvents, 20_000)
    var options = RunOptions()
    options.checksInvariants = true
    _ = try? ScenarioRunner.run(scenario, options: options)
    return 0
}

func fuzzTrace(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    _ = try? TraceReader.steps(bytes, file: "fuzz.csv", jsonPath: "demand.file", startEpochMilliseconds: 1_767_571_200_000)
    return 0
}
