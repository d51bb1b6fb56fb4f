import Dispatch
import Foundation
import LeaseKernel
import LeaseModel

/// Which of a sweep's runs one process runs: the `index`-th of `count` slices (runs `index`, `index + count`, ...),
/// so every slice gets a share of every point.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    public func runs(of total: Int) -> [Int] { Array(stride(from: index, to: total, by: count)) }
}

/// How a sweep's runs go.
public struct SweepOptions: Sendable {
    /// Runs at the same time, each on its own thread with its own world.
    public var jobs = 1
    public var shard = Shard.whole
    /// Where each run's own outputs go (`DIR/run-0007/`), if anywhere.
    public var runOutputs: String?
    public var writesEvents = true
    public var timelineByRole = false
    public var sampleInterval: SimDuration?

    public init() {}
}

/// Work done so far, for a progress display: updated by the runs' threads, read by whoever shows it.
public final class ProgressCounters: @unchecked Sendable {
    private let lock = NSLock()
    private var state = Snapshot()

    public struct Snapshot: Sendable {
        public var runsDone = 0
        public var runs = 0
        public var events: Int64 = 0
        /// Simulated time done and to do in all, in milliseconds.
        public var simulatedDone: Int64 = 0
        public var simulatedTotal: Int64 = 0
    }

    public init(runs: Int, simulatedTotal: Int64) {
        state.runs = runs
        state.simulatedTotal = simulatedTotal
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    func add(events: Int64, simulated: Int64, runDone: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        state.events += events
        state.simulatedDone += simulated
        if runDone { state.runsDone += 1 }
    }

    /// One run is done (a single run's display counts it; a sweep's runs are counted as they end).
    public func runFinished() { add(events: 0, simulated: 0, runDone: true) }

    /// A run's progress callback: it reports what the run did since its last call.
    public func callback() -> (SimInstant, Int64) -> Void {
        var reported = (instant: Int64(0), events: Int64(0))
        return { [self] now, events in
            add(events: events - reported.events, simulated: now.millisecondsSinceStart - reported.instant)
            reported = (now.millisecondsSinceStart, events)
        }
    }
}

/// What became of one run: its cells in runs.csv, or why it failed.
public struct RunOutcome: Sendable {
    public enum Failure: Sendable { case badInput, runLimit, output }
    public var run: Int
    /// The run's figures, one per metric column of the sweep (empty where its scenario has no such figure, and
    /// all empty when it failed).
    public var cells: [String] = []
    public var failure: Failure?
    public var error = ""
}

/// A sweep point whose scenario the loader refuses: no run of the sweep is started.
public struct SweepPointError: Error, CustomStringConvertible {
    public var point: Int
    /// The point's swept values, as `PATH=VALUE` separated by spaces.
    public var values: String
    public var error: ScenarioError

    public var description: String {
        "sweep point \(point)\(values.isEmpty ? "" : " (\(values))") is invalid, so no run was started: \(error)"
    }
}

/// Runs a sweep's runs in parallel (one world per run, nothing shared but a work counter and the results) and
/// puts the results in run order, so the tables are the same whatever the number of jobs.
public enum SweepRunner {
    /// The metric columns: those of every point's scenario, in point order. Every point is loaded once here, so a
    /// value the loader refuses (a `30m` where hours are needed) stops the sweep before any run, naming its point.
    /// Every shard computes the same columns.
    public static func metricColumns(_ plan: SweepPlan) throws(SweepPointError) -> (columns: [String], simulated: [Int64]) {
        var columns: [String] = [], seen = Set<String>(), durations: [Int64] = []
        for point in plan.points.indices {
            let scenario: Scenario
            do {
                scenario = try plan.scenario(run: point * plan.replications)
            } catch {
                throw SweepPointError(point: point, values: plan.pointText(point), error: error)
            }
            if let warmUp = plan.warmUp, warmUp >= scenario.duration {
                throw SweepPointError(point: point, values: plan.pointText(point), error: ScenarioError(
                    file: plan.file, position: nil, path: "warmUp", expected: "a warm-up shorter than the run (\(scenario.duration))", found: warmUp.description))
            }
            durations.append(scenario.duration.milliseconds)
            for column in RunMetrics.columns(scenario) where seen.insert(column).inserted { columns.append(column) }
        }
        return (columns, durations)
    }

    /// Runs the shard's runs of `plan` and returns runs.csv's table (only this shard's rows).
    public static func run(_ plan: SweepPlan, options: SweepOptions, progress: ProgressCounters? = nil,
                           columns: [String]) -> (table: RunsTable, outcomes: [RunOutcome]) {
        let runs = options.shard.runs(of: plan.runCount)
        let outcomes = ParallelRuns.map(count: runs.count, jobs: options.jobs) { slot in
            runOne(plan, run: runs[slot], options: options, progress: progress, columns: columns)
        }
        var table = RunsTable(swept: plan.swept, metrics: columns)
        for outcome in outcomes {
            let point = outcome.run / plan.replications, replication = outcome.run % plan.replications
            var row = [String(outcome.run), String(point), String(replication), String(plan.seed(replication: replication))]
            row += plan.pointCells[point].map { $0 ?? "" }
            row.append(outcome.failure == nil ? "ok" : "failed")
            row += outcome.cells.isEmpty ? Array(repeating: "", count: columns.count) : outcome.cells
            row.append(outcome.error)
            table.rows.append(row)
        }
        return (table, outcomes)
    }

    static func runOne(_ plan: SweepPlan, run: Int, options: SweepOptions, progress: ProgressCounters?, columns: [String]) -> RunOutcome {
        let width = String(plan.runCount - 1).count
        var outcome = RunOutcome(run: run)
        var planned: Int64 = 0, done: Int64 = 0
        do {
            let scenario = try plan.scenario(run: run)
            planned = scenario.duration.milliseconds
            var runOptions = RunOptions(outputDirectory: options.runOutputs.map { directory in
                let number = String(run)
                return directory + "/run-" + String(repeating: "0", count: max(0, width - number.count)) + number
            }, sampleInterval: options.sampleInterval)
            runOptions.writesEvents = options.writesEvents
            runOptions.timelineByRole = options.timelineByRole
            runOptions.warmUp = plan.warmUp
            if let progress {
                let report = progress.callback()
                runOptions.progress = { now, events in
                    report(now, events)
                    done = now.millisecondsSinceStart
                }
            }
            let report = try ScenarioRunner.run(scenario, options: runOptions)
            var byColumn: [String: String] = [:] // lookups only
            for (column, cell) in zip(RunMetrics.columns(scenario), RunMetrics.cells(report)) { byColumn[column] = cell }
            outcome.cells = columns.map { byColumn[$0] ?? "" }
        } catch {
            switch error {
            case is ScenarioError, is RunOptionError: outcome.failure = .badInput
            case is RunLimitExceeded, is ScenarioLimitExceeded: outcome.failure = .runLimit
            default: outcome.failure = .output
            }
            outcome.error = "\(error)"
        }
        // A run that stopped early (or never started) counts as done for the progress display.
        progress?.add(events: 0, simulated: max(0, planned - done), runDone: true)
        return outcome
    }
}
