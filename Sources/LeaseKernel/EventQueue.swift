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
/// is exact. Bucket arrays are pooled by size and reused; large ones are
/// freed when their bucket closes. No allocation per event once the pools
/// have grown to the run's high-water mark.
public struct EventQueue<Payload: BitwiseCopyable> {
    @usableFromInline typealias Entry = EventQueueEntry<Payload>
    @usableFromInline static var cacheSize: Int { 64 }
    @usableFromInline static var sequenceMask: UInt64 { (1 << 56) - 1 }
    /// Smallest bucket array, in entries (a power of two).
    @usableFromInline static var smallestBucket: Int32 { 8 }
    /// Bucket arrays up to this many entries are pooled for reuse; larger ones are freed.
    @usableFromInline static var largestPooledBucket: Int32 { 1 << 16 }

    /// Owns every block of memory the pointers below point into.
    @usableFromInline var owner: EventQueueMemory
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
    @usableFromInline var nextSequence: UInt64 = 0

    public init() {
        owner = EventQueueMemory()
        buckets = owner.adopt(.allocate(capacity: bucketCapacity))
        heap = owner.adopt(.allocate(capacity: heapCapacity))
        cache = owner.adopt(.allocate(capacity: EventQueue.cacheSize))
        cache.initialize(repeating: EventQueueCacheEntry(time: Int64.min, priority: 0, bucket: -1), count: EventQueue.cacheSize)
        timers = owner.adopt(.allocate(capacity: timerCapacity))
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

    /// Gives this queue its own copy of the memory when it shares it with another (copy on write).
    @inlinable mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&owner) { copyMemory() }
    }

    @usableFromInline mutating func copyMemory() {
        let old = (buckets, heap, cache, timers)
        owner = EventQueueMemory()
        buckets = owner.adopt(.allocate(capacity: bucketCapacity))
        buckets.update(from: old.0, count: bucketCount)
        for index in 0..<heapCount {
            let bucket = Int(heap[index].bucket)
            let entries = owner.adopt(UnsafeMutablePointer<Entry>.allocate(capacity: Int(buckets[bucket].capacity)))
            entries.update(from: buckets[bucket].entries, count: Int(buckets[bucket].count))
            buckets[bucket].entries = entries
        }
        var free = freeBucket
        while free >= 0 { // Closed buckets keep no array in a copy.
            buckets[Int(free)].capacity = 0
            free = buckets[Int(free)].head
        }
        heap = owner.adopt(.allocate(capacity: heapCapacity))
        heap.update(from: old.1, count: heapCount)
        cache = owner.adopt(.allocate(capacity: EventQueue.cacheSize))
        cache.update(from: old.2, count: EventQueue.cacheSize)
        timers = owner.adopt(.allocate(capacity: timerCapacity))
        timers.update(from: old.3, count: timerCount)
    }

    // MARK: Timers

    /// Creates a timer, initially disarmed; returns its slot.
    public mutating func makeTimer() -> Int32 {
        makeUnique()
        precondition(timerCount < Int(Int32.max), "too many timers")
        if timerCount == timerCapacity { timers = owner.grow(timers, count: timerCount, to: &timerCapacity) }
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
    @inlinable @discardableResult
    public mutating func push(time: SimInstant, priority: EventPriority, timerSlot: Int32 = -1, payload: Payload) -> EventHandle {
        makeUnique()
        precondition(nextSequence <= EventQueue.sequenceMask, "event sequence space exhausted")
        let sequence = nextSequence
        nextSequence &+= 1
        pendingCount += 1
        let timeValue = time.millisecondsSinceStart, rank = priority.rank
        let slot = EventQueue.cacheIndex(time: timeValue, priority: rank)
        let cached = cache[slot]
        let bucket: Int
        if cached.bucket >= 0 && cached.time == timeValue && cached.priority == rank {
            bucket = Int(cached.bucket)
        } else {
            if heapCount == heapCapacity { heap = owner.grow(heap, count: heapCount, to: &heapCapacity) }
            bucket = Int(openBucket(time: timeValue, priority: rank))
            cache[slot] = EventQueueCacheEntry(time: timeValue, priority: rank, bucket: Int32(bucket))
            heap[heapCount] = EventQueueHeapEntry(time: timeValue, order: UInt64(rank) << 56 | sequence, bucket: Int32(bucket))
            heapCount += 1
            siftUp(from: heapCount - 1)
        }
        if buckets[bucket].count == buckets[bucket].capacity { growBucket(bucket) }
        let position = buckets[bucket].count
        buckets[bucket].entries[Int(position)] = Entry(timerSlot: timerSlot, payload: payload)
        buckets[bucket].count = position + 1
        buckets[bucket].live += 1
        return EventHandle(bucket: Int32(bucket), position: position)
    }

    /// Removes a pending event by its handle. Complexity: O(1); O(log k) when its bucket empties.
    @inlinable
    public mutating func remove(_ handle: EventHandle) {
        makeUnique()
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
        makeUnique()
        let bucket = Int(heap[0].bucket)
        let entry = buckets[bucket].entries[Int(buckets[bucket].head)]
        let time = buckets[bucket].time, rank = buckets[bucket].priority
        buckets[bucket].live -= 1
        pendingCount -= 1
        skipRemoved(bucket)
        if entry.timerSlot >= 0 { // The timer's firing is no longer pending.
            timers[Int(entry.timerSlot)] = EventQueueTimer(firing: EventHandle(bucket: -1, position: 0), deadline: Int64.max)
        }
        return ScheduledEvent(time: SimInstant(millisecondsSinceStart: time), priority: EventPriority(rank: rank),
                              payload: entry.payload)
    }

    /// Moves a bucket's head past its first entry and any removed ones; closes it when nothing live is left.
    @inlinable mutating func skipRemoved(_ bucket: Int) {
        if buckets[bucket].live == 0 {
            closeBucket(bucket)
            return
        }
        var head = buckets[bucket].head + 1
        while buckets[bucket].entries[Int(head)].timerSlot == EventQueueEntry<Payload>.removed { head += 1 }
        buckets[bucket].head = head
    }

    @inlinable mutating func openBucket(time: Int64, priority: UInt8) -> Int32 {
        let index: Int32
        if freeBucket >= 0 {
            index = freeBucket
            freeBucket = buckets[Int(index)].head
        } else {
            if bucketCount == bucketCapacity { buckets = owner.grow(buckets, count: bucketCount, to: &bucketCapacity) }
            buckets[bucketCount] = EventQueueBucket(entries: UnsafeMutablePointer(bitPattern: 0x10)!, capacity: 0)
            index = Int32(bucketCount)
            bucketCount += 1
        }
        let slot = Int(index)
        if buckets[slot].capacity == 0 {
            buckets[slot].entries = owner.adopt(.allocate(capacity: Int(EventQueue.smallestBucket)))
            buckets[slot].capacity = EventQueue.smallestBucket
        }
        buckets[slot].time = time
        buckets[slot].priority = priority
        buckets[slot].head = 0
        buckets[slot].count = 0
        buckets[slot].live = 0
        buckets[slot].heapIndex = Int32(heapCount)
        return index
    }

    /// Doubles a full bucket's array; positions (and so handles) stay valid.
    @usableFromInline mutating func growBucket(_ bucket: Int) {
        var capacity = Int(buckets[bucket].capacity)
        precondition(capacity < Int(Int32.max) / 2, "too many events at one instant")
        buckets[bucket].entries = owner.grow(buckets[bucket].entries, count: Int(buckets[bucket].count), to: &capacity)
        buckets[bucket].capacity = Int32(capacity)
    }

    /// Retires an emptied bucket: off the heap and the cache, onto the free list; a large array is freed.
    @inlinable mutating func closeBucket(_ index: Int) {
        let bucket = buckets[index]
        let slot = EventQueue.cacheIndex(time: bucket.time, priority: bucket.priority)
        if cache[slot].bucket == Int32(index) { cache[slot].bucket = -1 }
        if bucket.capacity > EventQueue.largestPooledBucket {
            owner.release(bucket.entries)
            buckets[index].capacity = 0
        }
        buckets[index].head = freeBucket
        freeBucket = Int32(index)
        let position = Int(bucket.heapIndex)
        heapCount -= 1
        if position < heapCount {
            let moved = heap[heapCount]
            heap[position] = moved
            buckets[Int(moved.bucket)].heapIndex = Int32(position)
            if position > 0 && moved.runsBefore(heap[(position - 1) >> 1]) {
                siftUp(from: position)
            } else {
                siftDown(from: position)
            }
        }
    }

    @inlinable func siftUp(from start: Int) {
        var child = start
        let moving = heap[child]
        while child > 0 {
            let parent = (child - 1) >> 1
            guard moving.runsBefore(heap[parent]) else { break }
            heap[child] = heap[parent]
            buckets[Int(heap[child].bucket)].heapIndex = Int32(child)
            child = parent
        }
        heap[child] = moving
        buckets[Int(moving.bucket)].heapIndex = Int32(child)
    }

    @inlinable func siftDown(from start: Int) {
        var parent = start
        let moving = heap[parent]
        while true {
            var child = 2 * parent + 1
            guard child < heapCount else { break }
            if child + 1 < heapCount && heap[child + 1].runsBefore(heap[child]) { child += 1 }
            guard heap[child].runsBefore(moving) else { break }
            heap[parent] = heap[child]
            buckets[Int(heap[parent].bucket)].heapIndex = Int32(parent)
            parent = child
        }
        heap[parent] = moving
        buckets[Int(moving.bucket)].heapIndex = Int32(parent)
    }

    /// Checks the heap, the buckets, the cache and the counts (for tests). Complexity: O(n).
    public func checkInvariants() {
        for index in 1..<max(heapCount, 1) {
            precondition(!heap[index].runsBefore(heap[(index - 1) / 2]), "heap order broken at \(index)")
        }
        var pending = 0
        var open = Set<Int32>()
        for index in 0..<heapCount {
            let entry = heap[index]
            let bucket = buckets[Int(entry.bucket)]
            precondition(open.insert(entry.bucket).inserted, "bucket on the heap twice")
            precondition(bucket.time == entry.time && UInt64(bucket.priority) == entry.order >> 56, "bucket key mismatch")
            precondition(Int(bucket.heapIndex) == index, "bucket does not know its heap position")
            precondition(bucket.head < bucket.count && bucket.entries[Int(bucket.head)].timerSlot != Entry.removed,
                         "an open bucket must start with a live event")
            var live: Int32 = 0
            for position in Int(bucket.head)..<Int(bucket.count) where bucket.entries[position].timerSlot != Entry.removed {
                live += 1
            }
            precondition(live == bucket.live && live > 0, "live count mismatch in a bucket")
            pending += Int(live)
        }
        for slot in 0..<EventQueue.cacheSize where cache[slot].bucket >= 0 {
            precondition(open.contains(cache[slot].bucket), "cache points at a closed bucket")
        }
        precondition(pending == pendingCount, "pending count mismatch: \(pending) != \(pendingCount)")
    }
}

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

/// Owns an `EventQueue`'s raw memory: frees it with the last queue that uses it.
///
/// The queue keeps its counts and pointers in its own (value-type) fields, so
/// the hot path touches no class property; this object is consulted only to
/// tell whether the memory is shared and when a block is allocated or freed.
@usableFromInline final class EventQueueMemory {
    /// Live blocks; lookups only, never iterated into anything ordered.
    @usableFromInline var blocks: Set<UnsafeMutableRawPointer> = []

    @usableFromInline init() {}

    deinit {
        for block in blocks { block.deallocate() }
    }

    /// Records a fresh allocation so that it is freed with this object.
    @usableFromInline func adopt<Element>(_ pointer: UnsafeMutablePointer<Element>) -> UnsafeMutablePointer<Element> {
        blocks.insert(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// Frees a block now.
    @usableFromInline func release<Element>(_ pointer: UnsafeMutablePointer<Element>) {
        blocks.remove(UnsafeMutableRawPointer(pointer))
        pointer.deallocate()
    }

    /// Doubles a block of plain values: copies the first `count`, frees the old block.
    @usableFromInline func grow<Element: BitwiseCopyable>(_ pointer: UnsafeMutablePointer<Element>, count: Int,
                                                          to capacity: inout Int) -> UnsafeMutablePointer<Element> {
        let grown = adopt(UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2))
        grown.update(from: pointer, count: count)
        release(pointer)
        capacity *= 2
        return grown
    }
}
