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

/// A due event as the queue hands it out.
public struct ScheduledEvent<Payload> {
    public var time: SimInstant
    public var priority: EventPriority
    /// The timer this event belongs to, or `-1` for a plain event.
    @usableFromInline var timerSlot: Int32
    /// The timer generation the event was armed with; stale when it differs.
    @usableFromInline var timerGeneration: UInt32
    public var payload: Payload

    @inlinable init(time: SimInstant, priority: EventPriority, timerSlot: Int32, timerGeneration: UInt32, payload: Payload) {
        self.time = time
        self.priority = priority
        self.timerSlot = timerSlot
        self.timerGeneration = timerGeneration
        self.payload = payload
    }
}

/// Pending events in FIFO buckets of equal (time, priority), ordered by a heap of bucket keys.
///
/// Events bunch: a fleet's demand changes on the hour, zero-latency replies
/// come at the instant of their request, renewals every few hours. Each
/// event lives in one node of a slab (never moved until it is popped), linked
/// into the FIFO bucket of its (time, priority). A heap orders the open
/// buckets by (time, priority, sequence of the bucket's first event), so the
/// total order (time, priority, insertion sequence) is exact for arbitrary
/// times. A small direct-mapped cache finds the open bucket of a recent key;
/// a key it misses gets a new bucket, which the heap orders after the older
/// one, so the cache affects speed only, never order. Pushing into an open
/// bucket is O(1); a new bucket costs one push on a heap of 24-byte entries.
/// Nodes and buckets are reused through free lists: no allocation per event
/// once the slab has grown to the run's high-water mark.
public struct EventQueue<Payload> {
    @usableFromInline struct Node {
        @usableFromInline var timerSlot: Int32
        @usableFromInline var timerGeneration: UInt32
        @usableFromInline var next: Int32
        @usableFromInline var payload: Payload
        @inlinable init(timerSlot: Int32, timerGeneration: UInt32, next: Int32, payload: Payload) {
            self.timerSlot = timerSlot
            self.timerGeneration = timerGeneration
            self.next = next
            self.payload = payload
        }
    }

    /// One open bucket: its key and the ends of its node list.
    @usableFromInline struct Bucket {
        @usableFromInline var time: Int64
        @usableFromInline var priority: UInt8
        @usableFromInline var head: Int32
        @usableFromInline var tail: Int32
        @inlinable init(time: Int64, priority: UInt8, head: Int32, tail: Int32) {
            self.time = time
            self.priority = priority
            self.head = head
            self.tail = tail
        }
    }

    /// A heap entry: the bucket's key, with the priority and first sequence packed into one word.
    @usableFromInline struct HeapEntry {
        @usableFromInline var time: Int64
        @usableFromInline var order: UInt64
        @usableFromInline var bucket: Int32
        @inlinable init(time: Int64, order: UInt64, bucket: Int32) {
            self.time = time
            self.order = order
            self.bucket = bucket
        }
        @inlinable func runsBefore(_ other: HeapEntry) -> Bool {
            time != other.time ? time < other.time : order < other.order
        }
    }

    @usableFromInline struct CacheEntry {
        @usableFromInline var time: Int64
        @usableFromInline var priority: UInt8
        @usableFromInline var bucket: Int32
        @inlinable init(time: Int64, priority: UInt8, bucket: Int32) {
            self.time = time
            self.priority = priority
            self.bucket = bucket
        }
    }

    @usableFromInline static var cacheSize: Int { 64 }
    @usableFromInline static var sequenceMask: UInt64 { (1 << 56) - 1 }

    @usableFromInline var nodes: ContiguousArray<Node> = []
    @usableFromInline var freeNode: Int32 = -1
    @usableFromInline var buckets: ContiguousArray<Bucket> = []
    @usableFromInline var freeBuckets: ContiguousArray<Int32> = []
    @usableFromInline var heap: ContiguousArray<HeapEntry> = []
    @usableFromInline var cache = ContiguousArray(repeating: CacheEntry(time: Int64.min, priority: 0, bucket: -1),
                                                  count: EventQueue.cacheSize)
    @usableFromInline var pendingCount = 0
    @usableFromInline var nextSequence: UInt64 = 0

    public init() {}

    /// The number of pending events (including stale timer firings not yet reached).
    @inlinable public var count: Int { pendingCount }
    @inlinable public var isEmpty: Bool { pendingCount == 0 }
    /// The earliest pending event's time, if any.
    @inlinable public var nextTime: SimInstant? {
        heap.isEmpty ? nil : SimInstant(millisecondsSinceStart: heap[0].time)
    }
    /// Open buckets: runs of pending events with equal (time, priority).
    @inlinable public var bucketCount: Int { heap.count }

    @inlinable static func cacheIndex(time: Int64, priority: UInt8) -> Int {
        let mixed = UInt64(bitPattern: time) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(priority)
        return Int(truncatingIfNeeded: mixed >> 58) // 64 entries
    }

    /// Adds an event. Complexity: O(1) into an open bucket, O(log k) for a new one (k open buckets).
    @inlinable
    public mutating func push(time: SimInstant, priority: EventPriority, timerSlot: Int32 = -1,
                              timerGeneration: UInt32 = 0, payload: Payload) {
        precondition(nextSequence <= EventQueue.sequenceMask, "event sequence space exhausted")
        let sequence = nextSequence
        nextSequence &+= 1
        let node = allocateNode(Node(timerSlot: timerSlot, timerGeneration: timerGeneration, next: -1, payload: payload))
        pendingCount += 1
        let timeValue = time.millisecondsSinceStart
        let slot = EventQueue.cacheIndex(time: timeValue, priority: priority.rank)
        let cached = cache[slot]
        if cached.bucket >= 0 && cached.time == timeValue && cached.priority == priority.rank {
            let bucket = Int(cached.bucket)
            nodes[Int(buckets[bucket].tail)].next = node
            buckets[bucket].tail = node
            return
        }
        let bucket = openBucket(Bucket(time: timeValue, priority: priority.rank, head: node, tail: node))
        cache[slot] = CacheEntry(time: timeValue, priority: priority.rank, bucket: bucket)
        heap.append(HeapEntry(time: timeValue, order: UInt64(priority.rank) << 56 | sequence, bucket: bucket))
        siftUp(from: heap.count - 1)
    }

    @inlinable mutating func allocateNode(_ node: Node) -> Int32 {
        if freeNode >= 0 {
            let index = freeNode
            freeNode = nodes[Int(index)].next
            nodes[Int(index)] = node
            return index
        }
        precondition(nodes.count < Int(Int32.max), "too many pending events")
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    @inlinable mutating func openBucket(_ bucket: Bucket) -> Int32 {
        if let reused = freeBuckets.popLast() {
            buckets[Int(reused)] = bucket
            return reused
        }
        buckets.append(bucket)
        return Int32(buckets.count - 1)
    }

    /// Removes and returns the first event in (time, priority, sequence) order.
    /// Complexity: O(1) within a bucket; O(log k) when a bucket drains.
    @inlinable
    public mutating func popFirst() -> ScheduledEvent<Payload>? {
        guard !heap.isEmpty else { return nil }
        let bucketIndex = Int(heap[0].bucket)
        let bucket = buckets[bucketIndex]
        let nodeIndex = Int(bucket.head)
        let node = nodes[nodeIndex]
        nodes[nodeIndex].next = freeNode
        freeNode = Int32(nodeIndex)
        pendingCount -= 1
        if node.next >= 0 {
            buckets[bucketIndex].head = node.next
        } else {
            closeFrontBucket(bucketIndex, bucket)
        }
        return ScheduledEvent(time: SimInstant(millisecondsSinceStart: bucket.time), priority: EventPriority(rank: bucket.priority),
                              timerSlot: node.timerSlot, timerGeneration: node.timerGeneration, payload: node.payload)
    }

    /// Retires the drained front bucket: off the heap and the cache, back to the pool.
    @inlinable mutating func closeFrontBucket(_ index: Int, _ bucket: Bucket) {
        let slot = EventQueue.cacheIndex(time: bucket.time, priority: bucket.priority)
        if cache[slot].bucket == Int32(index) { cache[slot].bucket = -1 }
        freeBuckets.append(Int32(index))
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(from: 0)
        }
    }

    @inlinable mutating func siftUp(from start: Int) {
        var child = start
        let moving = heap[child]
        while child > 0 {
            let parent = (child - 1) >> 1
            guard moving.runsBefore(heap[parent]) else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = moving
    }

    @inlinable mutating func siftDown(from start: Int) {
        let count = heap.count
        var parent = start
        let moving = heap[parent]
        while true {
            var child = 2 * parent + 1
            guard child < count else { break }
            if child + 1 < count && heap[child + 1].runsBefore(heap[child]) { child += 1 }
            guard heap[child].runsBefore(moving) else { break }
            heap[parent] = heap[child]
            parent = child
        }
        heap[parent] = moving
    }

    /// Checks the heap order, the bucket lists, the cache and the count (for tests). Complexity: O(n).
    public func checkInvariants() {
        for index in 1..<max(heap.count, 1) {
            precondition(!heap[index].runsBefore(heap[(index - 1) / 2]), "heap order broken at \(index)")
        }
        var pending = 0
        for entry in heap {
            let bucket = buckets[Int(entry.bucket)]
            precondition(bucket.time == entry.time && UInt64(bucket.priority) == entry.order >> 56, "bucket key mismatch")
            var node = bucket.head, last: Int32 = -1
            while node >= 0 {
                pending += 1
                last = node
                node = nodes[Int(node)].next
            }
            precondition(last == bucket.tail, "bucket tail is not its last node")
        }
        for entry in cache where entry.bucket >= 0 {
            precondition(heap.contains { $0.bucket == entry.bucket }, "cache points at a closed bucket")
        }
        precondition(pending == pendingCount, "pending count mismatch: \(pending) != \(pendingCount)")
    }
}
