import Foundation
import LeaseScenario

/// Shows progress on stderr once a second, from a thread of its own: runs done of all, events per second,
/// simulated days per second and the time left. The wall clock is read here only; it never reaches an output.
final class ProgressReporter: @unchecked Sendable {
    enum Mode: String, CaseIterable {
        /// One line, rewritten in place (only when stderr is a terminal: the default there).
        case line
        /// One JSON object per line, for tools.
        case json
        case none
    }

    let mode: Mode
    let counters: ProgressCounters
    let label: String
    let started = ContinuousClock.now
    private let condition = NSCondition()
    private var stopped = false
    private var thread: Thread?
    private var shown = false

    init(mode: Mode, counters: ProgressCounters, label: String) {
        self.mode = mode
        self.counters = counters
        self.label = label
    }

    /// The mode a `--progress` value asks for; by default a line when stderr is a terminal, else nothing.
    static func mode(_ text: String?) throws -> Mode {
        guard let text else { return isatty(2) == 1 ? .line : .none }
        guard let mode = Mode(rawValue: text) else {
            throw UsageError(message: "--progress: expected one of line, json, none, found \(Excerpt.quoted(text))")
        }
        return mode
    }

    func start() {
        guard mode != .none else { return }
        let thread = Thread { [self] in
            condition.lock()
            while !stopped {
                _ = condition.wait(until: Date().addingTimeInterval(1))
                if !stopped { show(done: false) }
            }
            condition.unlock()
        }
        thread.name = "leasesim-progress"
        self.thread = thread
        thread.start()
    }

    /// Stops the display: a JSON stream ends with a line marked done; a line is cleared.
    func finish() {
        guard mode != .none else { return }
        condition.lock()
        stopped = true
        condition.signal()
        if mode == .json { show(done: true) }
        if mode == .line && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        condition.unlock()
    }

    /// Called with the condition's lock held.
    private func show(done: Bool) {
        let state = counters.snapshot
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let eventsPerSecond = seconds > 0 ? Double(state.events) / seconds : 0
        let daysDone = Double(state.simulatedDone) / 86_400_000
        let daysPerSecond = seconds > 0 ? daysDone / seconds : 0
        let left = state.simulatedDone > 0 ? seconds * Double(state.simulatedTotal - state.simulatedDone) / Double(state.simulatedDone) : nil
        switch mode {
        case .json:
            let eta = left.map { String(format: "%.1f", $0) } ?? "null"
            let line = "{\"runsDone\": \(state.runsDone), \"runs\": \(state.runs), \"events\": \(state.events), "
                + "\"simulatedDays\": \(String(format: "%.3f", daysDone)), \"elapsedSeconds\": \(String(format: "%.1f", seconds)), "
                + "\"eventsPerSecond\": \(String(format: "%.0f", eventsPerSecond)), \"simulatedDaysPerSecond\": \(String(format: "%.3f", daysPerSecond)), "
                + "\"etaSeconds\": \(eta), \"done\": \(done)}\n"
            FileHandle.standardError.write(Data(line.utf8))
        case .line:
            let runs = state.runs > 1 ? "\(state.runsDone) of \(state.runs) runs, " : ""
            let percent = state.simulatedTotal > 0 ? state.simulatedDone * 100 / state.simulatedTotal : 0
            let line = "\r\(label): \(runs)\(percent)%, \(ProgressReporter.rate(eventsPerSecond)) events/s, "
                + "\(String(format: "%.2f", daysPerSecond)) simulated days/s, ETA \(left.map(ProgressReporter.clock) ?? "?")\u{1B}[K"
            FileHandle.standardError.write(Data(line.utf8))
            shown = true
        case .none:
            break
        }
    }

    static func rate(_ value: Double) -> String {
        if value >= 1e6 { return String(format: "%.2fM", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1fk", value / 1e3) }
        return String(format: "%.0f", value)
    }

    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole >= 3600 { return "\(whole / 3600)h\(String(format: "%02d", whole % 3600 / 60))m" }
        if whole >= 60 { return "\(whole / 60)m\(String(format: "%02d", whole % 60))s" }
        return "\(whole)s"
    }
}
