#if canImport(Glibc)
import Glibc
#endif
import FleetBenchmark
import LeaseKernel
import LeaseScenario

/// leasesim-bench: the canonical fleet workload and a kernel queue microbenchmark, one line of figures each.
let usage = """
Usage:
  leasesim-bench fleet --clients N --days D     the canonical fleet workload through leasesim's model
      [--out DIR [--sample 1h] [--entity ID]... [--no-events]]  ... through the scenario runner, writing its outputs
  leasesim-bench minimal --clients N --days D   the same workload as a minimal hand-written binary-heap model
  leasesim-bench queue --pending N [--ops M]    schedule-and-pop throughput with N events pending (hold model)
  leasesim-bench extreme --seed N [--count K] [--print]
                                                runs K (default 1) valid extreme scenarios from seed N on, invariants
                                                checked after every event; --print shows the scenario instead
"""

func option(_ name: String, in arguments: [String]) -> Int? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return Int(arguments[index + 1])
}

func peakResidentMebibytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024 // kilobytes on Linux
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func format(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let fraction = text[text.index(after: dot)...].count
        if fraction < decimals { text += String(repeating: "0", count: decimals - fraction) }
    }
    return text
}

/// A handler that keeps the queue at a steady size: every event schedules one more.
struct HoldModel: EventHandler {
    typealias Payload = Int32
    var stream = RandomStream(seed: 1, key: 2)
    let meanGap: UInt64
    var remaining: Int
    mutating func handle(_ payload: Int32, simulation: inout Simulation<Int32>) {
        guard remaining > 0 else { return }
        remaining -= 1
        simulation.schedule(after: .milliseconds(Int64(1 + stream.next(below: 2 * meanGap))), payload)
    }
    func invariantViolation(at now: SimInstant) -> String? { nil }
}

func queueBenchmark(pending: Int, operations: Int) {
    var simulation = Simulation<Int32>(limits: RunLimits(maxEvents: Int64.max, maxTime: .never))
    var stream = RandomStream(seed: 3, key: 4)
    let meanGap = UInt64(pending) * 10
    for index in 0..<pending {
        simulation.schedule(at: .start + .milliseconds(Int64(stream.next(below: 2 * meanGap))), Int32(truncatingIfNeeded: index))
    }
    var model = HoldModel(meanGap: meanGap, remaining: operations)
    let clock = ContinuousClock()
    let started = clock.now
    try! simulation.run(until: .never - .milliseconds(1), handler: &model)
    let wall = seconds(clock.now - started)
    let processed = simulation.eventsProcessed
    print("queue pending=\(pending) events=\(processed) wall_s=\(format(wall, 3)) events_per_s=\(Int(Double(processed) / wall)) peak_rss_mib=\(format(peakResidentMebibytes(), 1))")
}

func values(_ name: String, in arguments: [String]) -> [String] {
    arguments.indices.filter { arguments[$0] == name && $0 + 1 < arguments.count }.map { arguments[$0 + 1] }
}

func fleetBenchmark(clients: Int, days: Int, arguments: [String]) throws {
    let clock = ContinuousClock()
    let started = clock.now
    let outcome: CanonicalFleet.Outcome
    if let directory = values("--out", in: arguments).last {
        // The same workload through the scenario runner and its writers (timeline, events, summary).
        var options = RunOptions(outputDirectory: directory)
        options.sampleInterval = values("--sample", in: arguments).last.flatMap(TimeSyntax.duration)
        options.entities = EntityFilter(patterns: values("--entity", in: arguments))
        options.writesEvents = !arguments.contains("--no-events")
        outcome = try CanonicalFleet.run(clients: clients, days: Int64(days), options: options)
    } else {
        outcome = try CanonicalFleet.run(clients: clients, days: Int64(days))
    }
    let wall = seconds(clock.now - started)
    print("N=\(clients) days=\(days) events=\(outcome.events) wall_s=\(format(wall, 3)) events_per_s=\(Int(Double(outcome.events) / wall)) denied_user_hours=\(outcome.deniedUserHours) final_leased=\(outcome.finalLeased) peak_rss_mib=\(format(peakResidentMebibytes(), 1)) kernel_events=\(outcome.kernelEvents)")
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "fleet":
    guard let clients = option("--clients", in: arguments), let days = option("--days", in: arguments), clients > 0, days > 0 else {
        print(usage); exit(2)
    }
    do { try fleetBenchmark(clients: clients, days: days, arguments: arguments) } catch { print("leasesim-bench: \(error)"); exit(3) }
case "minimal":
    guard let clients = option("--clients", in: arguments), let days = option("--days", in: arguments), clients > 0, days > 0 else {
        print(usage); exit(2)
    }
    let clock = ContinuousClock()
    let started = clock.now
    let outcome = MinimalHeapFleet.run(clients: clients, days: Int64(days))
    let wall = seconds(clock.now - started)
    print("N=\(clients) days=\(days) events=\(outcome.events) wall_s=\(format(wall, 3)) events_per_s=\(Int(Double(outcome.events) / wall)) denied_user_hours=\(outcome.deniedUserHours) final_leased=\(outcome.finalLeased) peak_rss_mib=\(format(peakResidentMebibytes(), 1)) model=minimal-binary-heap")
case "queue":
    guard let pending = option("--pending", in: arguments), pending > 0 else { print(usage); exit(2) }
    queueBenchmark(pending: pending, operations: option("--ops", in: arguments) ?? 10_000_000)
case "extreme":
    guard let first = option("--seed", in: arguments), first >= 0 else { print(usage); exit(2) }
    if arguments.contains("--print") {
        print(ExtremeScenarios.scenario(seed: UInt64(first)))
        exit(0)
    }
    var failures = 0
    for seed in first..<(first + (option("--count", in: arguments) ?? 1)) {
        do {
            switch try ExtremeScenarios.run(seed: UInt64(seed)) {
            case .completed(let events): print("seed \(seed): completed, \(events) events")
            case .stoppedAtLimit(let limit): print("seed \(seed): stopped at the \(limit) limit")
            }
        } catch {
            failures += 1
            print("seed \(seed): FAILED: \(error)\n  reproduce: swift run -c release leasesim-bench extreme --seed \(seed)")
        }
    }
    exit(failures == 0 ? 0 : 1)
default:
    print(usage)
    exit(arguments.first == "--help" ? 0 : 2)
}
