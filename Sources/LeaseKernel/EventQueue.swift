/// The priority of an event among events due at the same instant; lower runs first.
///
/// Events at one instant run in the total order (time, priority, insertion
/// sequence): priority separates classes of work (administrative changes
/// before protocol traffic, observations last), the sequence keeps FIFO order
/// within a class.
public struct EventPriority: Hashable, Comparable, Sendable {
    public var rank: UInt8
    @inlinable public init(rank: UInt8) { self.rank = rank }
    @inlinable public static func < (lhs: EventPriority, rhs: EventPriority) -> Bool { lhs.rank < rhs.rank }

    /// Runs before anything else at the same instant (configuration and license changes).
    public static let first = EventPriority(rank: 0)
    /// Ordinary work: messages, timers, demand changes.
    public static let normal = EventPriority(rank: 1)
    /// Runs after all ordinary work at the same instant (deferred decisions, observations).
    public static let last = EventPriority(rank: 2)
}

/// A scheduled event: when it is due, its place in the total order, and what it carries.
public struct ScheduledEvent<Payload> {
    /// When the event is due.
    public var time: SimInstant
    /// Priority in the top 8 bits, insertion sequence in the low 56: one integer compare.
    @usableFromInline var order: UInt64
    /// The timer this event belongs to, or `-1` for a plain event.
    @usableFromInline var timerSlot: Int32
    /// The timer generation the event was armed with; stale when it differs.
    @usableFromInline var timerGeneration: UInt32
    public var payload: Payload

    /// The priority the event was scheduled with.
    @inlinable public var priority: EventPriority { EventPriority(rank: UInt8(truncatingIfNeeded: order >> 56)) }
    /// The insertion sequence number (unique within one queue).
    @inlinable public var sequence: UInt64 { order & EventQueueLimits.sequenceMask }

    @inlinable init(time: SimInstant, order: UInt64, timerSlot: Int32, timerGeneration: UInt32, payload: Payload) {
        self.time = time
        self.order = order
        self.timerSlot = timerSlot
        self.timerGeneration = timerGeneration
        self.payload = payload
    }

    @inlinable func runsBefore(_ other: ScheduledEvent) -> Bool {
        if time.millisecondsSinceStart != other.time.millisecondsSinceStart {
            return time.millisecondsSinceStart < other.time.millisecondsSinceStart
        }
        return order < other.order
    }
}

@usableFromInline enum EventQueueLimits {
    @usableFromInline static let sequenceMask: UInt64 = (1 << 56) - 1
}

/// A min-heap of value-type events in one contiguous array, ordered by (time, priority, sequence).
///
/// No allocation per event once the array has grown to the run's high-water
/// mark; ties never depend on the heap's shape because every event has a
/// unique sequence number.
public struct EventQueue<Payload> {
    @usableFromInline var storage: [ScheduledEvent<Payload>] = []
    @usableFromInline var nextSequence: UInt64 = 0

    public init() {}

    /// The number of pending events (including stale timer firings not yet reached).
    @inlinable public var count: Int { storage.count }
    @inlinable public var isEmpty: Bool { storage.isEmpty }
    /// The earliest pending event's time, if any.
    @inlinable public var nextTime: SimInstant? { storage.first?.time }

    /// Adds an event. Complexity: O(log n).
    @inlinable
    public mutating func push(time: SimInstant, priority: EventPriority, timerSlot: Int32 = -1,
                              timerGeneration: UInt32 = 0, payload: Payload) {
        precondition(nextSequence <= EventQueueLimits.sequenceMask, "event sequence space exhausted")
        let order = UInt64(priority.rank) << 56 | nextSequence
        nextSequence &+= 1
        storage.append(ScheduledEvent(time: time, order: order, timerSlot: timerSlot,
                                      timerGeneration: timerGeneration, payload: payload))
        siftUp(from: storage.count - 1)
    }

    /// Removes and returns the first event in (time, priority, sequence) order. Complexity: O(log n).
    @inlinable
    public mutating func popFirst() -> ScheduledEvent<Payload>? {
        guard !storage.isEmpty else { return nil }
        let last = storage.removeLast()
        guard !storage.isEmpty else { return last }
        let first = storage[0]
        storage[0] = last
        siftDown(from: 0)
        return first
    }

    @inlinable mutating func siftUp(from start: Int) {
        var child = start
        let moving = storage[child]
        while child > 0 {
            let parent = (child - 1) >> 1
            guard moving.runsBefore(storage[parent]) else { break }
            storage[child] = storage[parent]
            child = parent
        }
        storage[child] = moving
    }

    @inlinable mutating func siftDown(from start: Int) {
        let count = storage.count
        var parent = start
        let moving = storage[parent]
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && storage[child + 1].runsBefore(storage[child]) { child += 1 }
            guard storage[child].runsBefore(moving) else { break }
            storage[parent] = storage[child]
            parent = child
        }
        storage[parent] = moving
    }

    /// Checks the heap property over the whole array (for tests). Complexity: O(n).
    public func checkInvariants() {
        for index in 1..<max(storage.count, 1) {
            precondition(!storage[index].runsBefore(storage[(index - 1) / 2]), "heap order broken at \(index)")
        }
    }
}
