/// The model side of the run loop: receives each due event in order.
///
/// A generic parameter rather than a closure or existential, so the compiler
/// specialises the loop for the model and no dispatch or allocation happens
/// per event.
public protocol EventHandler {
    associatedtype Payload: BitwiseCopyable
    /// Called at the start of every `run`, before its first event. The handler is held
    /// exclusively (`inout`) until `run` returns, so work that need not repeat per event
    /// (such as making copy-on-write storage unique) can be done once here.
    mutating func willRun()
    /// Handles one due event; may schedule more through `simulation`.
    mutating func handle(_ payload: Payload, simulation: inout Simulation<Payload>)
    /// The first of the model's invariants that does not hold now, described, or nil; called after every event
    /// when `Simulation.checksInvariantsEveryEvent` is on (tests, `--check-invariants`): a violation stops the run.
    func invariantViolation(at now: SimInstant) -> String?
}

extension EventHandler {
    /// Nothing to prepare, by default.
    @inlinable public mutating func willRun() {}
}

/// A handle to a re-armable timer: at most one pending firing at a time.
///
/// Re-arming moves the pending firing (removed from the queue in O(1)) to
/// its new time, with the order an event scheduled at that moment would
/// have; disarming removes it. Nothing stale is ever left in the queue.
public struct TimerID: Hashable, Sendable {
    public let slot: Int32
    @inlinable public init(slot: Int32) { self.slot = slot }
}

/// Safety limits for one run; exceeding one stops the run with `RunLimitExceeded`.
public struct RunLimits: Sendable, Equatable {
    /// The most events the run may process.
    public var maxEvents: Int64
    /// The latest instant the run may reach.
    public var maxTime: SimInstant
    /// The most events that may be pending at once.
    public var maxPendingEvents: Int

    public init(maxEvents: Int64 = 2_000_000_000, maxTime: SimInstant = SimInstant(millisecondsSinceStart: SimDuration.days(3_660).milliseconds),
                maxPendingEvents: Int = 100_000_000) {
        self.maxEvents = maxEvents
        self.maxTime = maxTime
        self.maxPendingEvents = maxPendingEvents
    }
}

/// A run stopped because it hit one of its `RunLimits`.
public struct RunLimitExceeded: Error, Equatable, CustomStringConvertible {
    public enum Limit: String, Sendable {
        case maxEvents = "maximum events", maxTime = "maximum simulated time", maxPendingEvents = "maximum pending events"
        /// The model's invariants bound what it may do: one did not hold after an event.
        case invariant = "invariant"
    }
    public let limit: Limit
    public let now: SimInstant
    public let eventsProcessed: Int64
    /// For `.invariant`: the invariant, and the event after which it failed.
    public let detail: String
    @inlinable init(limit: Limit, now: SimInstant, eventsProcessed: Int64, detail: String = "") {
        self.limit = limit
        self.now = now
        self.eventsProcessed = eventsProcessed
        self.detail = detail
    }
    public var description: String {
        limit == .invariant ? "run stopped at \(now) after \(eventsProcessed) events: invariant violated: \(detail)"
            : "run stopped at \(now) after \(eventsProcessed) events: \(limit.rawValue) limit reached"
    }
}

/// The simulation kernel: a virtual clock, an event queue, re-armable timers and a run loop.
///
/// Knows nothing of licenses. Payloads are plain values (`BitwiseCopyable`): an event never
/// owns memory, so scheduling one never allocates. Single-threaded and synchronous: one
/// `Simulation` is one world; run many worlds in parallel if you like. Not copyable, like
/// the queue it owns: a handler gets it `inout` and cannot keep a second copy of it.
public struct Simulation<Payload: BitwiseCopyable>: ~Copyable {
    /// The current virtual time; never moves backwards.
    @inlinable public var now: SimInstant { currentTime }
    @usableFromInline var currentTime: SimInstant = .start
    @usableFromInline var queue = EventQueue<Payload>()
    /// Events processed so far.
    @inlinable public var eventsProcessed: Int64 { processedCount }
    @usableFromInline var processedCount: Int64 = 0
    public var limits: RunLimits
    /// When true, the handler's `checkInvariants` runs after every event.
    public var checksInvariantsEveryEvent = false

    public init(limits: RunLimits = RunLimits()) { self.limits = limits }

    /// Pending events.
    @inlinable public var pendingEventCount: Int { queue.count }
    /// The time of the next pending event, if any.
    @inlinable public var nextEventTime: SimInstant? { queue.nextTime }

    /// Schedules a plain (not cancellable) event at an absolute time, never in the past.
    @inlinable @inline(__always)
    public mutating func schedule(at time: SimInstant, priority: EventPriority = .normal, _ payload: Payload) {
        precondition(time >= now, "cannot schedule in the past: \(time) < \(now)")
        queue.push(time: time, priority: priority, payload: payload)
    }

    /// Schedules a plain event after a delay from now.
    @inlinable
    public mutating func schedule(after delay: SimDuration, priority: EventPriority = .normal, _ payload: Payload) {
        schedule(at: now + delay, priority: priority, payload)
    }

    /// Creates a timer, initially disarmed. Timers live as long as the simulation.
    public mutating func makeTimer() -> TimerID {
        TimerID(slot: queue.makeTimer())
    }

    /// Arms a timer to fire at `time`; a pending firing is removed first, in O(1).
    ///
    /// The firing takes its place among events at `time` as if scheduled now.
    @inlinable
    public mutating func arm(_ timer: TimerID, at time: SimInstant, priority: EventPriority = .normal, _ payload: Payload) {
        precondition(time >= now, "cannot arm a timer in the past: \(time) < \(now)")
        queue.arm(timer: timer.slot, at: time, priority: priority, payload: payload)
    }

    /// Disarms a timer: its pending firing, if any, is removed in O(1).
    @inlinable
    public mutating func disarm(_ timer: TimerID) {
        queue.disarm(timer: timer.slot)
    }

    /// When the timer fires next, or `.never` when disarmed.
    @inlinable public func deadline(of timer: TimerID) -> SimInstant { queue.deadline(timer: timer.slot) }

    /// Runs events in order until none is due before `end` (or at `end` too, when `includingEnd`).
    ///
    /// - Returns: normally, with `now` advanced to `end` when the queue was
    ///   not exhausted earlier; the clock never moves backwards.
    /// - Throws: `RunLimitExceeded` when a limit in `limits` is hit; the
    ///   event that would have exceeded it is left unprocessed.
    @inlinable
    public mutating func run<Handler: EventHandler>(until end: SimInstant, includingEnd: Bool = false,
                                                    handler: inout Handler) throws(RunLimitExceeded)
    where Handler.Payload == Payload {
        precondition(end >= now, "cannot run backwards to \(end) from \(now)")
        guard end <= limits.maxTime else {
            throw RunLimitExceeded(limit: .maxTime, now: now, eventsProcessed: eventsProcessed)
        }
        handler.willRun()
        // Times are whole milliseconds: "before end, or at end too" is one comparison.
        let lastDue = end.millisecondsSinceStart - (includingEnd ? 0 : 1)
        let maxEvents = limits.maxEvents, maxPending = limits.maxPendingEvents
        while let next = queue.nextTime, next.millisecondsSinceStart <= lastDue {
            guard processedCount < maxEvents else {
                throw RunLimitExceeded(limit: .maxEvents, now: now, eventsProcessed: eventsProcessed)
            }
            let event = queue.popFirst().unsafelyUnwrapped
            currentTime = event.time
            processedCount &+= 1 // Below maxEvents.
            handler.handle(event.payload, simulation: &self)
            if checksInvariantsEveryEvent, let violation = handler.invariantViolation(at: now) {
                throw RunLimitExceeded(limit: .invariant, now: now, eventsProcessed: eventsProcessed,
                                       detail: "\(violation), after the event \(event.payload)")
            }
            guard queue.count <= maxPending else {
                throw RunLimitExceeded(limit: .maxPendingEvents, now: now, eventsProcessed: eventsProcessed)
            }
        }
        currentTime = end
    }
}
