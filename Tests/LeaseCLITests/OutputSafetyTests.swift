import Foundation
import Testing

/// The path of the built `leasesim` executable.
func leasesimExecutable() throws -> String {
    let candidates = [Bundle.main.bundleURL.appendingPathComponent("leasesim").path, repositoryRoot + "/.build/debug/leasesim"]
    guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw CocoaError(.fileNoSuchFile)
    }
    return executable
}

/// A scenario that runs for several seconds (20,000 clients over 20 days), written into `directory`.
func longScenario(in directory: String) throws -> String {
    let text = """
    {"format": "leasesim/1", "duration": "20d",
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 2000000}]}],
     "clients": [{"group": "b", "count": 20000, "server": "ls", "variation": {"scale": 0.3, "shift": "2h"},
                  "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}},
                  "demand": {"users": {"kind": "daily", "weekday": [5,5,5,5,5,10,40,90,150,140,130,120,110,100,90,80,70,60,50,40,30,20,10,5]}}}]}
    """
    let path = directory + "/long.json"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Starts `leasesim run` in the background.
func startRun(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try leasesimExecutable())
    process.arguments = ["run"] + arguments + ["--quiet"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Waits (up to 20 s) until a staging directory for `out` exists beside it.
func waitForStaging(of out: String) -> Bool {
    let parent = (out as NSString).deletingLastPathComponent, prefix = "." + (out as NSString).lastPathComponent + ".leasesim-"
    for _ in 0..<400 {
        if listing(parent).contains(where: { $0.hasPrefix(prefix) }) { return true }
        usleep(50_000)
    }
    return false
}



/// SIGINT, SIGTERM and SIGHUP end a run like the signal would, after removing its staging directory; the output
/// directory keeps the previous complete set.
@Test(arguments: [SIGINT, SIGTERM, SIGHUP])
func aSignalLeavesThePreviousSetAndNoLeftovers(signal: Int32) throws {
    let directory = scratch("signal-\(signal)"), out = directory + "/out"
    let scenario = try longScenario(in: directory)
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--quiet"]).code == 0)
    let before = try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))
    let run = try startRun([scenario, "--out", out])
    try #require(waitForStaging(of: out))
    kill(run.processIdentifier, signal)
    run.waitUntilExit()
    #expect(run.terminationReason == .uncaughtSignal && run.terminationStatus == signal)
    #expect(listing(directory) == ["long.json", "out"])
    #expect(listing(out) == [".leasesim-outputs", "clients.csv", "events.csv", "summary.json", "timeline.csv"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/summary.json")) == before)
}

/// SIGKILL cannot be caught: the staging directory stays until the next run into the same directory removes it.
@Test func aKilledRunsLeftoversAreRemovedByTheNextRun() throws {
    let directory = scratch("sigkill"), out = directory + "/out"
    let scenario = try longScenario(in: directory)
    let run = try startRun([scenario, "--out", out])
    try #require(waitForStaging(of: out))
    kill(run.processIdentifier, SIGKILL)
    run.waitUntilExit()
    #expect(listing(directory).count == 3) // long.json, out and the killed run's staging directory
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--quiet"]).code == 0)
    #expect(listing(directory) == ["long.json", "out"])
}

/// A second run into a directory another run is writing fails at once (exit 4) with a clear message.
@Test func aConcurrentRunIntoTheSameDirectoryFails() throws {
    let directory = scratch("concurrent"), out = directory + "/out"
    let scenario = try longScenario(in: directory)
    let first = try startRun([scenario, "--out", out])
    defer { first.terminate(); first.waitUntilExit() }
    try #require(waitForStaging(of: out))
    let second = try leasesim(["run", "Scenarios/quickstart.json", "--out", out])
    #expect(second.code == 4)
    #expect(second.stderr == "leasesim: \(out): cannot write output: another leasesim run is writing its outputs there now; wait for it or choose another --out\n")
}

/// --no-events after a run with events leaves no stale events.csv; a directory named like an output is never deleted.
@Test func theOutputDirectoryHoldsExactlyTheLatestSet() throws {
    let directory = scratch("exact-set"), out = directory + "/out"
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--quiet"]).code == 0)
    #expect(try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--quiet", "--no-events"]).code == 0)
    #expect(listing(out) == [".leasesim-outputs", "clients.csv", "summary.json", "timeline.csv"])
    let other = directory + "/other"
    try FileManager.default.createDirectory(atPath: other + "/timeline.csv", withIntermediateDirectories: true)
    try "notes".write(toFile: other + "/timeline.csv/keep.txt", atomically: true, encoding: .utf8)
    let result = try leasesim(["run", "Scenarios/quickstart.json", "--out", other])
    #expect(result.code == 4)
    #expect(result.stderr.contains("it holds \"timeline.csv\", which leasesim did not write (left alone)"))
    #expect(listing(other + "/timeline.csv") == ["keep.txt"])
}

/// The host limits stop a run with exit 3 and name the limit: output bytes, and a sample interval below 1 s is refused.
@Test func outputAndSampleLimitsAreClearErrors() throws {
    let directory = scratch("host-limits"), out = directory + "/out"
    let limited = try quickstart(limits: "{\"maxOutputBytes\": 20000}", at: directory + "/limited.json")
    let result = try leasesim(["run", limited, "--out", out])
    #expect(result.code == 3)
    #expect(result.stderr.contains("maximum output bytes (limits.maxOutputBytes) limit reached"))
    #expect(listing(out) == [".leasesim-outputs", "error.txt"])
    let walled = try quickstart(limits: "{\"maxWallTime\": \"1ms\"}", at: directory + "/walled.json")
    let wall = try leasesim(["run", walled, "--out", out])
    #expect(wall.code == 3)
    #expect(wall.stderr.contains("maximum wall time (limits.maxWallTime) limit reached: the limit is 0.001 seconds"))
    let sample = try leasesim(["run", "Scenarios/quickstart.json", "--out", out, "--sample", "1ms"])
    #expect(sample.code == 2)
    #expect(sample.stderr == "leasesim: --sample: expected a duration with units like \"250ms\", \"90s\", \"15m\", \"4h\", \"10d\", \"8w\" or \"1h30m\" of at least 1s, found \"1ms\"\n")
}

/// The names in a directory, sorted.
func listing(_ path: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
