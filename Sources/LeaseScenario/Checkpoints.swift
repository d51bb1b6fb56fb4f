import LeaseKernel

/// The instants at which a run stops between events, from every source, merged in order: the warm-up's end,
/// `at` expectations, always/never windows that open after the start, probes and samples. At one instant the
/// actions come in that order (the warm-up first, so what is judged then counts from it).
struct Checkpoints {
    enum Action: Equatable {
        /// The warm-up is over: every figure starts again (`FleetModel.startFigures`).
        case warmUpEnd
        /// Judge expectation `index` (an `at` expectation).
        case judge(Int)
        /// Judge the state as always/never expectation `index`'s window opens.
        case openWindow(Int)
        /// Call the run's probe.
        case probe
        /// Write a sampled timeline row set.
        case sample

        /// The order of actions at one instant.
        var rank: Int {
            switch self {
            case .warmUpEnd: return 0
            case .judge: return 1
            case .openWindow: return 2
            case .probe: return 3
            case .sample: return 4
            }
        }
    }

    /// Every checkpoint but the periodic samples, sorted by instant, then rank, then index; and the next one.
    private let fixed: [(at: SimInstant, action: Action)]
    private var position = 0
    /// The next sample, and the interval after it (nil: no samples, or none left before the horizon).
    private var nextSample: SimInstant?
    private let interval: SimDuration?
    let horizon: SimInstant

    init(_ scenario: Scenario, options: RunOptions) {
        let horizon = scenario.horizon
        self.horizon = horizon
        var entries: [(at: SimInstant, action: Action)] = []
        if let warmUp = options.warmUp, warmUp > .zero, .start + warmUp < horizon { entries.append((.start + warmUp, .warmUpEnd)) }
        for (index, expectation) in scenario.expectations.enumerated() {
            if case .at(let instant) = expectation.when { entries.append((instant, .judge(index))) }
            // Windows of always/never that open after the start: the state then is judged even if nothing changes.
            if let start = expectation.window?.lowerBound, start > .start { entries.append((start, .openWindow(index))) }
        }
        if options.probe != nil {
            for instant in Array(Set(options.probes.filter { $0 < horizon })).sorted() { entries.append((instant, .probe)) }
        }
        fixed = entries.sorted { Checkpoints.key($0) < Checkpoints.key($1) }
        interval = options.sampleInterval
        nextSample = interval.map { _ in SimInstant.start }
    }

    static func key(_ entry: (at: SimInstant, action: Action)) -> (SimInstant, Int, Int) {
        switch entry.action {
        case .judge(let index), .openWindow(let index): return (entry.at, entry.action.rank, index)
        default: return (entry.at, entry.action.rank, 0)
        }
    }

    /// The next instant to stop at (`.never` when none is left).
    var next: SimInstant {
        min(position < fixed.count ? fixed[position].at : .never, nextSample ?? .never)
    }

    /// The actions due at `instant` (the next one), in order; the checkpoints move past them.
    mutating func take(at instant: SimInstant) -> [Action] {
        var actions: [Action] = []
        while position < fixed.count && fixed[position].at == instant {
            actions.append(fixed[position].action)
            position += 1
        }
        if let sample = nextSample, sample == instant, let interval {
            actions.append(.sample)
            nextSample = sample + interval < horizon ? sample + interval : nil
        }
        return actions
    }
}
