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
    @inlinable public static var first: EventPriority { EventPriority(rank: 0) }
    /// Ordinary work: messages, timers, demand changes.
    @inlinable public static var normal: EventPriority { EventPriority(rank: 1) }
    /// Runs after all ordinary work at the same instant (deferred decisions, observations).
    @inlinable public static var last: EventPriority { EventPriority(rank: 2) }
}

/// A due event as the queue hands it out.
public struct ScheduledEvent<Payload: BitwiseCopyable> {
    public var time: SimInstant
    public var priority: EventPriority
    public var payload: Payload

    @inlinable init(time: SimInstant, priority: EventPriority, payload: Payload) {
        self.time = time
        self.priority = priority
        self.payload = payload
    }
}

/// A pending event's place in the queue, for removing it before it is due.
public struct EventHandle: Hashable, Sendable, BitwiseCopyable {
    @usableFromInline var bucket: Int32
    @usableFromInline var position: Int32
    @inlinable init(bucket: Int32, position: Int32) {
        self.bucket = bucket
        self.position = position
    }
}

/// Pending events in FIFO buckets of equal (time, priority), ordered by a heap of bucket keys.
///
/// Events bunch: a fleet's demand changes on the hour, zero-latency replies
/// come at the instant of their request, renewals every few hours. Each
/// bucket is a contiguous array of events in insertion order, read front to
/// back, so draining it streams through memory. A heap orders the open
/// buckets by (time, priority, sequence of the bucket's first event), so the
/// total order (time, priority, insertion sequence) is exact for arbitrary
/// times. A small direct-mapped cache finds the open bucket of a recent key;
/// a key it misses gets a new bucket, which the heap orders after the older
/// one, so the cache affects speed only, never order. Removing an event
/// (a timer re-armed or disarmed) leaves a tombstone that the front of the
/// bucket skips; every open bucket starts with a live event, so `nextTime`
/// is exact. A bucket's array doubles up to `largestBucket` entries; past
/// that, pushes continue in a new bucket of the same key, which the heap
/// orders after the full one. A closed bucket keeps its array for its next
/// use, so no allocation happens per event once the run has reached its
/// high-water mark, and memory follows the peak number of pending events.
///
/// Not copyable: the queue owns its raw memory outright and frees it in
/// `deinit`, so no operation pays for a copy-on-write check, and no copy
/// can ever share (and see changes to) another queue's buckets.
public struct EventQueue<Payload: BitwiseCopyable>: ~Copyable {
    @usableFromInline typealias Entry = EventQueueEntry<Payload>
    @usableFromInline static var cacheSize: Int { 64 }
    @usableFromInline static var openingMask: UInt64 { (1 << 56) - 1 }
    /// Smallest bucket array, in entries (a power of two).
    @usableFromInline static var smallestBucket: Int32 { 8 }
    /// The time a cache line holds when it names no open bucket (no event is ever due then).
    @usableFromInline static var noTime: Int64 { Int64.min }
    /// The largest bucket array, in entries: a full one is continued in a new bucket of the same
    /// key (never copied), so growth costs no more than this per copy and arrays stay reusable.
    @usableFromInline static var largestBucket: Int32 { 1 << 13 }

    @usableFromInline var buckets: UnsafeMutablePointer<EventQueueBucket<Payload>>
    @usableFromInline var bucketCapacity = 16
    @usableFromInline var bucketCount = 0
    @usableFromInline var freeBucket: Int32 = -1
    @usableFromInline var heap: UnsafeMutablePointer<EventQueueHeapEntry>
    @usableFromInline var heapCapacity = 16
    @usableFromInline var heapCount = 0
    @usableFromInline var cache: UnsafeMutablePointer<EventQueueCacheEntry>
    /// Timers: each one's pending firing (bucket -1 when none) and deadline.
    @usableFromInline var timers: UnsafeMutablePointer<EventQueueTimer>
    @usableFromInline var timerCapacity = 16
    @usableFromInline var timerCount = 0
    @usableFromInline var pendingCount = 0
    /// Buckets opened so far: orders buckets of equal (time, priority) by when they opened.
    @usableFromInline var bucketsOpened: UInt64 = 0

    public init() {
        buckets = .allocate(capacity: bucketCapacity)
        heap = .allocate(capacity: heapCapacity)
        cache = .allocate(capacity: EventQueue.cacheSize)
        cache.initialize(repeating: EventQueueCacheEntry(time: EventQueue.noTime, priority: 0, bucket: -1), count: EventQueue.cacheSize)
        timers = .allocate(capacity: timerCapacity)
    }

    deinit {
        // Every bucket ever made keeps its array (open, or pooled on the free list) unless it was freed (capacity 0).
        for index in 0..<bucketCount where buckets[index].capacity > 0 { buckets[index].entries.deallocate() }
        buckets.deallocate()
        heap.deallocate()
        cache.deallocate()
        timers.deallocate()
    }

    /// The number of pending events.
    @inlinable public var count: Int { pendingCount }
    @inlinable public var isEmpty: Bool { pendingCount == 0 }
    /// The earliest pending event's time, if any.
    @inlinable public var nextTime: SimInstant? {
        heapCount == 0 ? nil : SimInstant(millisecondsSinceStart: heap[0].time)
    }
    /// Open buckets: runs of pending events with equal (time, priority).
    @inlinable public var openBucketCount: Int { heapCount }

    // MARK: Timers

    /// Creates a timer, initially disarmed; returns its slot.
    public mutating func makeTimer() -> Int32 {
        precondition(timerCount < Int(Int32.max), "too many timers")
        if timerCount == timerCapacity { timers = EventQueue.grow(timers, count: timerCount, to: &timerCapacity) }
        timers[timerCount] = EventQueueTimer(firing: EventHandle(bucket: -1, position: 0), deadline: Int64.max)
        timerCount += 1
        return Int32(timerCount - 1)
    }

    /// Arms a timer: its pending firing, if any, is removed in O(1) and a new one is pushed.
    @inlinable
    public mutating func arm(timer: Int32, at time: SimInstant, priority: EventPriority, payload: Payload) {
        let slot = Int(timer)
        if timers[slot].firing.bucket >= 0 { remove(timers[slot].firing) }
        timers[slot] = EventQueueTimer(firing: push(time: time, priority: priority, timerSlot: timer, payload: payload),
                                       deadline: time.millisecondsSinceStart)
    }

    /// Disarms a timer: its pending firing, if any, is removed in O(1).
    @inlinable
    public mutating func disarm(timer: Int32) {
        let slot = Int(timer)
        if timers[slot].firing.bucket >= 0 { remove(timers[slot].firing) }
        timers[slot] = EventQueueTimer(firing: EventHandle(bucket: -1, position: 0), deadline: Int64.max)
    }

    /// When a timer fires next (`.never` when disarmed).
    @inlinable public func deadline(timer: Int32) -> SimInstant {
        SimInstant(millisecondsSinceStart: timers[Int(timer)].deadline)
    }

    @inlinable static func cacheIndex(time: Int64, priority: UInt8) -> Int {
        let mixed = UInt64(bitPattern: time) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(priority)
        return Int(truncatingIfNeeded: mixed >> 58) // 64 entries
    }

    /// Adds an event and returns its handle, valid until the event is popped or removed.
    /// Complexity: amortised O(1) into an open bucket, O(log k) for a new one (k open buckets).
    ///
    /// The common case (the key's bucket is cached and has room) is inlined into the caller;
    /// everything else is in `pushOpeningRoom`, out of line.
    @inlinable @inline(__always) @discardableResult
    public mutating func push(time: SimInstant, priority: EventPriority, timerSlot: Int32 = -1, payload: Payload) -> EventHandle {
        let timeValue = time.millisecondsSinceStart, rank = priority.rank
        let slot = EventQueue.cacheIndex(time: timeValue, priority: rank)
        // A closed bucket's line holds an impossible time, so a hit is always an open bucket.
        if cache[slot].time == timeValue && cache[slot].priority == rank {
            let bucket = Int(cache[slot].bucket)
            let position = buckets[bucket].count
            if position < buckets[bucket].capacity {
                append(Entry(timerSlot: timerSlot, payload: payload), to: bucket, at: position)
                return EventHandle(bucket: Int32(truncatingIfNeeded: bucket), position: position) // Bucket indices are Int32.
            }
        }
        return pushOpeningRoom(time: timeValue, priority: rank, cacheSlot: slot, entry: Entry(timerSlot: timerSlot, payload: payload))
    }

    /// Pushes an event whose bucket is not cached (a new one opens) or is full (it grows or continues).
    @inlinable @inline(never)
    mutating func pushOpeningRoom(time: Int64, priority: UInt8, cacheSlot: Int, entry: Entry) -> EventHandle {
        var bucket = Int(cache[cacheSlot].bucket)
        if cache[cacheSlot].time != time || cache[cacheSlot].priority != priority {
            bucket = Int(openBucket(time: time, priority: priority, cacheSlot: cacheSlot))
        }
        if buckets[bucket].count == buckets[bucket].capacity { bucket = makeRoom(in: bucket, cacheSlot: cacheSlot) }
        let position = buckets[bucket].count
        append(entry, to: bucket, at: position)
        return EventHandle(bucket: Int32(truncatingIfNeeded: bucket), position: position)
    }

    @inlinable @inline(__always)
    mutating func append(_ entry: Entry, to bucket: Int, at position: Int32) {
        buckets[bucket].entries[Int(position)] = entry
        buckets[bucket].count = position &+ 1 // Below largestBucket.
        buckets[bucket].live &+= 1
        pendingCount &+= 1 // Bounded by memory, far below Int.max.
    }

    /// Removes a pending event by its handle. Complexity: O(1); O(log k) when its bucket empties.
    @inlinable
    public mutating func remove(_ handle: EventHandle) {
        let bucket = Int(handle.bucket)
        buckets[bucket].entries[Int(handle.position)].timerSlot = EventQueueEntry<Payload>.removed
        buckets[bucket].live -= 1
        pendingCount -= 1
        if handle.position == buckets[bucket].head { skipRemoved(bucket) }
    }

    /// Removes and returns the first event in (time, priority, sequence) order.
    /// Complexity: O(1) within a bucket; O(log k) when a bucket drains.
    @inlinable
    public mutating func popFirst() -> ScheduledEvent<Payload>? {
        guard heapCount > 0 else { return nil }
        let bucket = Int(heap[0].bucket)
        let entry = buckets[bucket].entries[Int(buckets[bucket].head)]
        let time = buckets[bucket].time, rank = buckets[bucket].priority
        buckets[bucket].live &-= 1 // An open bucket has a live event.
        pendingCount &-= 1
        skipRemoved(bucket)
        if entry.timerSlot >= 0 { // The timer's firing is no longer pending.
            timers[Int(entry.timerSlot)] = EventQueueTimer(firing: EventHandle(bucket: -1, position: 0), deadline: Int64.max)
        }
        return ScheduledEvent(time: SimInstant(millisecondsSinceStart: time), priority: EventPriority(rank: rank),
                              payload: entry.payload)
    }
}
