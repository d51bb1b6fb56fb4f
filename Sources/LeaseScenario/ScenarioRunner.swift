import Foundation
import LeaseKernel
import LeaseModel

/// How to run a scenario and what to write.
public struct RunOptions {
    /// The shortest `sampleInterval`: one row per entity per simulated second at most.
    public static let minimumSampleInterval = SimDuration.seconds(1)
    /// Where timeline.csv, events.csv, summary.json and clients.csv go; nil writes nothing.
    public var outputDirectory: String?
    /// One timeline row per entity per interval instead of one per change.
    public var sampleInterval: SimDuration?
    /// Run the model's invariant checks after every event.
    public var checksInvariants = false
    /// Whether events.csv is written (it holds every protocol message: large for big fleets).
    public var writesEvents = true
    /// A timeline table per role (timeline-client.csv, timeline-server.csv, timeline-fleet.csv, each with only its
    /// role's columns) instead of the one timeline.csv.
    public var timelineByRole = false
    /// Which clients' and servers' rows the timeline and events keep (fleet rows are always kept).
    public var entities = EntityFilter()
    /// Write report.html too, with these clients' charts (`run --report`).
    public var report: ReportPage.Options?
    /// Called between chunks of simulated time with the current instant and the events processed so far (for
    /// progress displays).
    public var progress: ((SimInstant, Int64) -> Void)?
    /// Instants at which `probe` reads the model, after every event at or before each (for a tool that follows a
    /// figure through the run, such as the benchmark's reference tally). Instants outside the run are ignored.
    public var probes: [SimInstant] = []
    public var probe: ((SimInstant, FleetModel) -> Void)?
    /// A warm-up: every figure the run reports (and every expectation) counts from this long after the start, after
    /// every event at that instant (`FleetModel.startFigures`); nil or zero counts from the start.
    public var warmUp: SimDuration?

    public init(outputDirectory: String? = nil, sampleInterval: SimDuration? = nil) {
        self.outputDirectory = outputDirectory
        self.sampleInterval = sampleInterval
    }
}

/// What a run produced: a plain `Sendable` value (the model stays behind).
public struct RunReport: Sendable {
    public var scenario: Scenario
    public var figures: FleetFigures
    public var eventsProcessed: Int64
    public var results: [ExpectationResult]
    public var allPassed: Bool { results.allSatisfy(\.passed) }
}

/// A run stopped by a limit on what it may use of the host (output bytes, wall time) or on what the model can
/// count exactly (users per client); exit code 3, like the kernel's `RunLimitExceeded`.
public struct ScenarioLimitExceeded: Error, Equatable, CustomStringConvertible {
    public enum Limit: String, Sendable {
        case maxOutputBytes = "maximum output bytes (limits.maxOutputBytes)"
        case maxWallTime = "maximum wall time (limits.maxWallTime)"
        case maxUsersPerClient = "maximum users per client"
        case invariant = "invariant"
    }
    public let limit: Limit
    public let now: SimInstant
    public let detail: String
    public var description: String {
        limit == .invariant ? "run stopped at \(now): invariant violated: \(detail)"
            : "run stopped at \(now): \(limit.rawValue) limit reached: \(detail)"
    }
}

/// Run options that cannot be honoured (exit code 2).
public struct RunOptionError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Runs scenarios: drives the world through checkpoints, judges expectations, writes outputs.
public enum ScenarioRunner {
    public static let version = "0.1.0"
    /// Records are drained at least this often in simulated time, bounding memory.
    static let drainInterval = SimDuration.hours(1)

    /// Runs a scenario to its end.
    /// - Throws: `RunLimitExceeded` or `ScenarioLimitExceeded` when a limit is hit, `OutputError` when an output
    ///   cannot be written, `RunOptionError` for options that cannot be honoured. A run that fails after its output
    ///   directory was claimed leaves there only `error.txt`, saying why.
    public static func run(_ scenario: Scenario, options: RunOptions = RunOptions()) throws -> RunReport {
        if let interval = options.sampleInterval, interval < RunOptions.minimumSampleInterval {
            throw RunOptionError(message: "--sample: expected an interval of at least \(RunOptions.minimumSampleInterval), found \(interval)")
        }
        let writer = try options.outputDirectory.map { (directory) throws(OutputError) in
            try RunWriter(directory: directory, scenario: scenario, entities: options.entities, writesEvents: options.writesEvents,
                          byRole: options.timelineByRole)
        }
        do {
            let report = try drive(scenario, options: options, writer: writer)
            try writer?.finish(report, page: options.report)
            return report
        } catch {
            // The run's own error is the one reported, even if error.txt cannot be written either.
            try? writer?.fail("leasesim \(version) could not finish \(scenario.file): \(error)")
            throw error
        }
    }

    /// Runs the world on; an invariant violation is reported with the seed that reproduces it.
    static func advance(_ world: inout FleetWorld, until end: SimInstant, includingEnd: Bool = false, seed: UInt64) throws {
        let stop: RunLimitExceeded
        do {
            try world.run(until: end, includingEnd: includingEnd)
            return
        } catch {
            stop = error
        }
        guard stop.limit == .invariant else { throw stop }
        throw ScenarioLimitExceeded(limit: .invariant, now: stop.now, detail: "\(stop.detail) (event \(stop.eventsProcessed), seed \(seed))")
    }

    static func drive(_ scenario: Scenario, options: RunOptions, writer: RunWriter?) throws -> RunReport {
        let horizon = scenario.horizon
        let watches = scenario.expectations.contains { $0.when == .always || $0.when == .never }
        var records = ModelLog()
        records.recordsStates = watches || (writer != nil && options.sampleInterval == nil)
        records.recordsProtocol = writer != nil && options.writesEvents
        var world = FleetWorld(spec: scenario.spec, horizon: horizon, limits: scenario.limits, records: records)
        world.simulation.checksInvariantsEveryEvent = options.checksInvariants
        var tracker = ExpectationTracker(expectations: scenario.expectations, model: world.model)
        if options.sampleInterval == nil { writer?.startChangeRows(world.model) }
        var results: [Int: ExpectationResult] = [:]
        var checkpoints = Checkpoints(scenario, options: options)
        let wallStart = ContinuousClock.now
        func checkHostLimits() throws(ScenarioLimitExceeded) {
            try ScenarioRunner.checkHostLimits(scenario, world.model, now: world.simulation.now, writer: writer, since: wallStart)
        }

        func drain() { ScenarioRunner.drain(&world.model, &tracker, writer: writer, changeRows: options.sampleInterval == nil) }

        while true {
            let now = world.simulation.now
            let checkpoint = checkpoints.next
            let chunkEnd = min(now + drainInterval, horizon)
            if checkpoint < horizon && checkpoint <= chunkEnd {
                try advance(&world, until: checkpoint, includingEnd: true, seed: scenario.spec.seed)
                drain()
                var accounted = false
                for action in checkpoints.take(at: checkpoint) {
                    switch action {
                    case .warmUpEnd:
                        world.model.startFigures(at: checkpoint)
                        drain()
                    case .judge(let index):
                        // Integrals are brought up to date only for expectations (sampled rows read current levels).
                        if !accounted { world.model.accountAll(upTo: checkpoint) }
                        accounted = true
                        results[index] = judge(scenario.expectations[index], world.model, at: checkpoint)
                    case .openWindow(let index):
                        tracker.check(index, at: checkpoint)
                    case .probe:
                        options.probe?(checkpoint, world.model)
                    case .sample:
                        writer?.sampleRows(world.model, at: checkpoint)
                    }
                }
                try checkHostLimits()
            } else if chunkEnd < horizon {
                try advance(&world, until: chunkEnd, seed: scenario.spec.seed)
                drain()
                try checkHostLimits()
            } else {
                try advance(&world, until: horizon, seed: scenario.spec.seed)
                drain()
                try checkHostLimits()
                break
            }
            options.progress?(world.simulation.now, world.simulation.eventsProcessed)
        }
        options.progress?(horizon, world.simulation.eventsProcessed)
        world.model.accountAll(upTo: horizon)
        judgeAtEnd(scenario, world.model, tracker, into: &results)
        var measured = scenario
        if let warmUp = options.warmUp, warmUp > .zero, .start + warmUp < horizon { measured.warmUp = warmUp }
        return RunReport(scenario: measured, figures: world.model.figures(at: horizon), eventsProcessed: world.simulation.eventsProcessed,
                         results: scenario.expectations.indices.compactMap { results[$0] })
    }

    /// Hands the records of the chunk just run to the expectation tracker and the writer, then clears them.
    static func drain(_ model: inout FleetModel, _ tracker: inout ExpectationTracker, writer: RunWriter?, changeRows: Bool) {
        for record in model.records.states {
            if tracker.isWatching { tracker.observe(record) }
            if changeRows { writer?.timelineRow(record, model) }
        }
        if tracker.isWatching { tracker.finishInstant() }
        if changeRows { writer?.finishInstant() }
        for record in model.records.protocolEvents { writer?.eventRow(record, model) }
        model.records.states.removeAll(keepingCapacity: true)
        model.records.protocolEvents.removeAll(keepingCapacity: true)
    }

    /// The verdicts judged at the end: `end` expectations, and always/never ones from what the tracker saw.
    static func judgeAtEnd(_ scenario: Scenario, _ model: FleetModel, _ tracker: ExpectationTracker, into results: inout [Int: ExpectationResult]) {
        for (index, expectation) in scenario.expectations.enumerated() {
            switch expectation.when {
            case .end:
                results[index] = judge(expectation, model, at: scenario.horizon)
            case .always, .never:
                if let (value, time) = tracker.violations[index] {
                    results[index] = ExpectationResult(expectation: expectation, passed: false, actual: value, seenAt: time)
                } else if let window = expectation.window {
                    results[index] = ExpectationResult(expectation: expectation, passed: true,
                                                       actual: tracker.lastJudged[index] ?? tracker.current(index), seenAt: window.upperBound)
                } else {
                    results[index] = ExpectationResult(expectation: expectation, passed: true,
                                                       actual: tracker.current(index), seenAt: scenario.horizon)
                }
            case .at: break
            }
    }
    }

    /// The limits the kernel does not know: checked between chunks of simulated time.
    static func checkHostLimits(_ scenario: Scenario, _ model: FleetModel, now: SimInstant, writer: RunWriter?,
                                since wallStart: ContinuousClock.Instant) throws(ScenarioLimitExceeded) {
        if let overflow = model.demandOverflow {
            let client = scenario.spec.clients[model.slotStates[overflow.slot].client.offset].id
            throw ScenarioLimitExceeded(limit: .maxUsersPerClient, now: now,
                                        detail: "random sessions of \(client) reached \(model.usersPerSlotBound) users at \(overflow.at)")
        }
        if let writer, writer.bytesProduced > scenario.hostLimits.maxOutputBytes {
            throw ScenarioLimitExceeded(limit: .maxOutputBytes, now: now,
                                        detail: "\(writer.bytesProduced) bytes written, the limit is \(scenario.hostLimits.maxOutputBytes)")
        }
        if let maxWallTime = scenario.hostLimits.maxWallTime, ContinuousClock.now - wallStart > maxWallTime {
            throw ScenarioLimitExceeded(limit: .maxWallTime, now: now, detail: "the limit is \(maxWallTime)")
        }
    }

    static func judge(_ expectation: Expectation, _ model: FleetModel, at instant: SimInstant) -> ExpectationResult {
        let actual = model.metricValue(expectation.metric, of: expectation.subject, feature: expectation.feature)
        return ExpectationResult(expectation: expectation, passed: expectation.compares(actual), actual: actual, seenAt: instant)
    }
}
