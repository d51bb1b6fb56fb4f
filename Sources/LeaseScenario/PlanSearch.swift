import Foundation
import LeaseKernel
import LeaseModel

/// What `leasesim plan` must reach: a figure of each run compared with a value (`deniedLogins<=10`).
///
/// The figure is a runs.csv metric (the fleet's and the run's: `deniedLogins`, `users.peakLeased`, ...), or a
/// client's or server's metric as expectations name them, `ID.METRIC` (`gw-1.deniedLogins`), of its only feature
/// or of `ID.METRIC@FEATURE`.
public struct PlanTarget: Sendable, CustomStringConvertible {
    public let text: String
    public let figure: String
    public let comparison: Comparison
    public let value: Double

    public var description: String { text }

    public init(_ text: String) throws(ScenarioError) {
        self.text = text
        let fail = ScenarioError(file: "--target", position: nil, path: "", expected: "FIGURE OP VALUE, such as deniedLogins<=10 or gw-1.deniedUserHours<2.5 (OP: <=, <, >=, >, ==)",
                                 found: Excerpt.quoted(text))
        let operators: [Comparison] = [.lessOrEqual, .greaterOrEqual, .equal, .less, .greater]
        guard let comparison = operators.first(where: { text.contains($0.rawValue) }),
              let range = text.range(of: comparison.rawValue) else { throw fail }
        let figure = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let number = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard !figure.isEmpty, let value = Double(number), value.isFinite else { throw fail }
        self.figure = figure
        self.comparison = comparison
        self.value = value
    }

    /// How a run's figure is read: a runs.csv column, or a subject's metric.
    enum Reading: Sendable {
        case column(Int)
        case metric(Metric, MetricSubject, feature: Int)
    }

    /// Where the figure is found in runs of `scenario` (errors list what there is).
    func reading(in scenario: Scenario) throws(ScenarioError) -> Reading {
        let columns = RunMetrics.columns(scenario)
        if let column = columns.firstIndex(of: figure) { return .column(column) }
        let fail = { (found: String) in
            ScenarioError(file: "--target", position: nil, path: "", expected: "a runs.csv figure (\(columns.joined(separator: ", "))) or ID.METRIC of a client or server",
                          found: found)
        }
        guard let dot = figure.firstIndex(of: ".") else {
            let hint = SpellingHint.closest(to: figure, in: columns).map { " (did you mean \(Excerpt.quoted($0))?)" } ?? ""
            throw fail(Excerpt.quoted(figure) + hint)
        }
        let entity = String(figure[..<dot])
        var rest = String(figure[figure.index(after: dot)...]), featureName: String? = nil
        if let at = rest.firstIndex(of: "@") {
            featureName = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        }
        let spec = scenario.spec
        let subject: MetricSubject, features: [Int]
        if let client = spec.clients.firstIndex(where: { $0.id == entity }) {
            subject = .client(client)
            features = spec.clients[client].allocations.map(\.feature)
        } else if let server = spec.servers.firstIndex(where: { $0.id == entity }) {
            subject = .server(server)
            features = Array(spec.features.indices)
        } else {
            throw fail("no client or server \(Excerpt.quoted(entity))")
        }
        let role: Role = if case .client = subject { .client } else { .server }
        guard let metric = Metric(rawValue: rest), Quantities.metrics(of: role).contains(metric) else {
            throw fail("\(Excerpt.quoted(rest)), not a metric of \(entity): \(Quantities.metrics(of: role).map(\.rawValue).joined(separator: ", "))")
        }
        if let featureName {
            guard let feature = spec.features.firstIndex(of: featureName), features.contains(feature) else {
                throw fail("no feature \(Excerpt.quoted(featureName)) of \(entity)")
            }
            return .metric(metric, subject, feature: feature)
        }
        guard features.count == 1 else { throw fail("\(entity) has \(features.count) features; name one: \(figure)@FEATURE") }
        return .metric(metric, subject, feature: features[0])
    }

    /// The figure of a finished run.
    func value(of report: RunReport, _ reading: Reading) -> Double {
        switch reading {
        case .column(let column):
            return Double(RunMetrics.cells(report)[column]) ?? .nan
        case let .metric(metric, subject, feature):
            return report.figures.metricValue(metric, of: subject, feature: feature)
        }
    }
}

/// A search for the smallest whole value of one scenario field that meets a target, by bisection over runs.
///
/// Assumption (documented, and checked): meeting the target is monotone in the value, so that every value above
/// one that meets it meets it too (more licenses, a larger RUC or MUC, deny no more logins). Each value tried runs
/// the same replications (the seeds a sweep gives them), and meets the target when at least `share` of them do.
public struct PlanSearch: Sendable {
    public var scenarioPath: String
    public var loadOptions = LoadOptions()
    /// The field varied, as `--set` names it.
    public var path: String
    public var target: PlanTarget
    public var replications = 1
    /// The share of replications that must meet the target (1: every one).
    public var share = 1.0
    public var low: Int64?
    public var high: Int64?
    public var jobs = 1
    /// The largest value the search tries when no `high` is given.
    public static let ceiling: Int64 = 10_000_000

    public init(scenarioPath: String, path: String, target: PlanTarget) {
        self.scenarioPath = scenarioPath
        self.path = path
        self.target = target
    }

    /// What one value gave.
    public struct Trial: Sendable {
        public var value: Int64
        public var figures: [Double]
        public var met: Int
        public var meets: Bool
    }

    public struct Result: Sendable {
        /// The smallest value that meets the target, if one in the range does.
        public var answer: Int64?
        /// Every value tried, in the order tried.
        public var trials: [Trial]
        /// Where the runs broke the monotonicity the search assumes.
        public var warnings: [String]
        /// The base seed the replications' seeds were drawn from.
        public var baseSeed: UInt64
    }

    /// Replications a value when the scenario draws from its seed and `--replications` is not given: one run of a
    /// random scenario answers for one draw (morning-peak: 175 licenses with 1, 200 with 10, 20 or 50).
    public static let randomReplications = 20

    /// Checks the scenario, the target and the field before any run (the errors a search would meet first); the
    /// scenario as loaded with the field at its probe value.
    @discardableResult
    public func check() throws -> Scenario {
        let bytes = try ScenarioLoader.readFile(scenarioPath, limit: ScenarioLimits.maxScenarioBytes, what: "a readable scenario file",
                                                jsonPath: "", file: scenarioPath)
        var options = loadOptions
        let probe = try currentValue(bytes) ?? low ?? high ?? 1
        options.overrides.append(try varied(probe))
        let scenario = try ScenarioLoader.load(bytes: bytes, file: scenarioPath, options: options)
        _ = try target.reading(in: scenario)
        return scenario
    }

    /// The override that sets the varied field to `value` (errors name it as `--vary PATH=VALUE`).
    func varied(_ value: Int64) throws(ScenarioError) -> ScenarioOverride {
        var override = try ScenarioOverride(path: path, value: JSONNode(value: .number(String(value)), offset: 0), valueText: String(value))
        override.option = "--vary"
        return override
    }

    /// Runs the search; `tried` is called after each value.
    public func run(tried: (Trial) -> Void = { _ in }) throws -> Result {
        let bytes = try ScenarioLoader.readFile(scenarioPath, limit: ScenarioLimits.maxScenarioBytes, what: "a readable scenario file",
                                                jsonPath: "", file: scenarioPath)
        let base = try ScenarioLoader.load(bytes: bytes, file: scenarioPath, options: loadOptions)
        let reading = try target.reading(in: base)
        let seeds = (0..<replications).map { SweepPlan.seed(base: base.spec.seed, replication: $0) }
        let current = try currentValue(bytes)
        var trials: [Int64: Trial] = [:] // lookups only; the order tried is kept apart
        var order: [Trial] = []
        var invalid: [String] = []
        // nil: the value makes the scenario invalid (a MUC doubled past R-ALLOC-3's quantum, say): it is out of range.
        func trial(_ value: Int64) throws -> Bool? {
            if let known = trials[value] { return known.meets }
            var options = loadOptions
            options.overrides.append(try varied(value))
            let scenarios: [Scenario]
            do {
                scenarios = try seeds.map { seed throws(ScenarioError) in
                    var seeded = options
                    seeded.seed = seed
                    return try ScenarioLoader.load(bytes: bytes, file: scenarioPath, options: seeded)
                }
            } catch {
                invalid.append("--vary \(path)=\(value) makes the scenario invalid, so the search goes no further that way: \(error)")
                return nil
            }
            let figures = try ParallelRuns.tryMap(count: scenarios.count, jobs: jobs) { index in
                target.value(of: try ScenarioRunner.run(scenarios[index]), reading)
            }
            let met = figures.filter { target.comparison.holds($0, target.value) }.count
            let result = Trial(value: value, figures: figures, met: met, meets: Double(met) >= share * Double(figures.count) - 1e-9)
            trials[value] = result
            order.append(result)
            tried(result)
            return result.meets
        }
        func result(_ answer: Int64?) -> Result {
            Result(answer: answer, trials: order, warnings: invalid + warnings(order), baseSeed: base.spec.seed)
        }
        // A bracket: the largest value known to fail (or none) and the smallest known to meet the target.
        var failing: Int64?, meeting: Int64?
        if let low, try trial(low) == true { return result(low) }
        failing = low
        if let high {
            guard try trial(high) == true else { return result(nil) }
            meeting = high
        } else {
            var probe = max(current ?? 1, (failing ?? 0) + 1, 1)
            while true {
                let meets = try trial(probe)
                if meets == true { meeting = probe; break }
                guard meets != nil else { return result(nil) } // Past the valid values: none of them met it.
                failing = probe
                guard probe < PlanSearch.ceiling else { return result(nil) }
                probe = min(PlanSearch.ceiling, probe * 2)
            }
            if failing == nil { // Met at the start: halve down to a value that fails (or is invalid), or to the floor.
                var down = meeting!
                while down > 0 {
                    down /= 2
                    if try trial(down) == true { meeting = down } else { failing = down; break }
                }
                if failing == nil { return result(meeting) }
            }
        }
        while meeting! - failing! > 1 {
            let middle = failing! + (meeting! - failing!) / 2
            if try trial(middle) == true { meeting = middle } else { failing = middle }
        }
        return result(meeting)
    }

    /// The field's value in the scenario file (with the command line's overrides), when it is a whole number.
    func currentValue(_ bytes: [UInt8]) throws -> Int64? {
        var root: JSONNode
        do { root = try StrictJSONReader.parse(bytes) } catch { return nil }
        root = try ScenarioOverride.apply(loadOptions.overrides, to: root, file: scenarioPath)
        let steps = try ScenarioOverride(path + "=0").steps
        var node = root
        for step in steps {
            switch (step, node.value) {
            case (.key(let key), .object(let members)), (.select(let key), .object(let members)):
                guard let member = members.first(where: { $0.key == key }) else { return nil }
                node = member.value
            case (.select(let selector), .array(let elements)):
                guard let index = ScenarioOverride.index(of: selector, in: elements) else { return nil }
                node = elements[index]
            default:
                return nil
            }
        }
        if case .number(let text) = node.value { return Int64(text) }
        return nil
    }

    /// Pairs of values tried that break the assumed monotonicity: a value meets the target and a larger one does
    /// not, or the figure's mean moves against the target as the value grows; and a figure that never moves.
    func warnings(_ trials: [Trial]) -> [String] {
        let sorted = trials.sorted { $0.value < $1.value }
        var warnings: [String] = []
        for (lower, higher) in zip(sorted, sorted.dropFirst()) {
            if lower.meets && !higher.meets {
                warnings.append("\(path)=\(lower.value) meets the target but \(higher.value) does not: the figure is not monotone in the value, so the answer may not be the smallest")
            }
            let (a, b) = (lower.figures.reduce(0, +) / Double(max(1, lower.figures.count)), higher.figures.reduce(0, +) / Double(max(1, higher.figures.count)))
            let against: Bool
            switch target.comparison {
            case .lessOrEqual, .less: against = b > a
            case .greaterOrEqual, .greater: against = b < a
            case .equal: against = false
            }
            if against {
                warnings.append("the mean of \(target.figure) moves against the target from \(path)=\(lower.value) (\(PlanSearch.text(a))) to \(higher.value) (\(PlanSearch.text(b)))")
            }
        }
        // A figure that does not move over the values tried: the field is not what limits it.
        let means = Set(sorted.map { $0.figures.reduce(0, +) / Double(max(1, $0.figures.count)) })
        if sorted.count > 1, means.count == 1, let mean = means.first {
            warnings.append("the mean of \(target.figure) is \(PlanSearch.text(mean)) for every value tried (\(path) from \(sorted.first!.value) to \(sorted.last!.value)): it does not depend on the field there; something else limits it")
        }
        return warnings
    }

    /// A figure for people: whole numbers as such, others with up to 3 decimals.
    public static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)
    }
}

/// Runs work items on `jobs` threads and returns their results in item order (so the outcome does not depend on
/// the number of jobs).
enum ParallelRuns {
    static func map<Result: Sendable>(count: Int, jobs: Int, _ work: @Sendable (Int) -> Result) -> [Result] {
        let slots = Slots<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, count))) { _ in
            while let index = slots.next() { slots.store(work(index), at: index) }
        }
        return slots.results
    }

    /// As `map`; the first error in item order is rethrown once every item has finished.
    static func tryMap<Value: Sendable>(count: Int, jobs: Int, _ work: @Sendable (Int) throws -> Value) throws -> [Value] {
        let results = map(count: count, jobs: jobs) { index in Result { try work(index) }.mapError(SendableError.init) }
        return try results.map { result in
            switch result {
            case .success(let value): return value
            case .failure(let failure): throw failure.error
            }
        }
    }

    struct SendableError: Error, @unchecked Sendable {
        let error: Error
        init(_ error: Error) { self.error = error }
    }

    /// Results filled by many threads, each slot once.
    final class Slots<Value: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var cursor = 0
        private var values: [Value?]

        init(count: Int) { values = Array(repeating: nil, count: count) }

        func next() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard cursor < values.count else { return nil }
            cursor += 1
            return cursor - 1
        }

        func store(_ value: Value, at index: Int) {
            lock.lock()
            defer { lock.unlock() }
            values[index] = value
        }

        var results: [Value] {
            lock.lock()
            defer { lock.unlock() }
            return values.map { $0! }
        }
    }
}
