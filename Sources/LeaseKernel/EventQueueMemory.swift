/// The plain-value records an `EventQueue` keeps in raw memory, and how its blocks grow.

/// One event in a bucket's array; its time and priority are its bucket's.
@usableFromInline struct EventQueueEntry<Payload: BitwiseCopyable>: BitwiseCopyable {
    /// The timer the event belongs to, -1 for a plain event, `removed` for a tombstone.
    @usableFromInline var timerSlot: Int32
    @usableFromInline var payload: Payload
    @usableFromInline static var removed: Int32 { Int32.min }
    @inlinable init(timerSlot: Int32, payload: Payload) {
        self.timerSlot = timerSlot
        self.payload = payload
    }
}

/// One bucket: its key, its array of entries in insertion order, the first live one, and its heap position.
/// A closed bucket keeps its array for reuse and links the free list through `head`.
@usableFromInline struct EventQueueBucket<Payload: BitwiseCopyable>: BitwiseCopyable {
    @usableFromInline var entries: UnsafeMutablePointer<EventQueueEntry<Payload>>
    @usableFromInline var capacity: Int32
    @usableFromInline var count: Int32 = 0
    @usableFromInline var head: Int32 = 0
    @usableFromInline var live: Int32 = 0
    @usableFromInline var heapIndex: Int32 = 0
    @usableFromInline var time: Int64 = 0
    @usableFromInline var priority: UInt8 = 0
    @inlinable init(entries: UnsafeMutablePointer<EventQueueEntry<Payload>>, capacity: Int32) {
        self.entries = entries
        self.capacity = capacity
    }
}

/// A heap entry: a bucket's key, with its priority and first sequence packed into one word.
@usableFromInline struct EventQueueHeapEntry: BitwiseCopyable {
    @usableFromInline var time: Int64
    @usableFromInline var order: UInt64
    @usableFromInline var bucket: Int32
    @inlinable init(time: Int64, order: UInt64, bucket: Int32) {
        self.time = time
        self.order = order
        self.bucket = bucket
    }
    @inlinable func runsBefore(_ other: EventQueueHeapEntry) -> Bool {
        time != other.time ? time < other.time : order < other.order
    }
}

/// A timer's pending firing (bucket -1 when none) and its deadline in milliseconds.
@usableFromInline struct EventQueueTimer: BitwiseCopyable {
    @usableFromInline var firing: EventHandle
    @usableFromInline var deadline: Int64
    @inlinable init(firing: EventHandle, deadline: Int64) {
        self.firing = firing
        self.deadline = deadline
    }
}

/// A line of the key-to-bucket cache.
@usableFromInline struct EventQueueCacheEntry: BitwiseCopyable {
    @usableFromInline var time: Int64
    @usableFromInline var priority: UInt8
    @usableFromInline var bucket: Int32
    @inlinable init(time: Int64, priority: UInt8, bucket: Int32) {
        self.time = time
        self.priority = priority
        self.bucket = bucket
    }
}

extension EventQueue {
    /// Doubles a block of plain values: copies the first `count`, frees the old block.
    @inlinable static func grow<Element: BitwiseCopyable>(_ pointer: UnsafeMutablePointer<Element>, count: Int,
                                                                 to capacity: inout Int) -> UnsafeMutablePointer<Element> {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        grown.update(from: pointer, count: count)
        pointer.deallocate()
        capacity *= 2
        return grown
    }
}
