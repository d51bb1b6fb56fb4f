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
    /// The timer this event belongs to, or `-1` for a plain event.
    @usableFromInline var timerSlot: Int32
    public var payload: Payload

    @inlinable init(time: SimInstant, priority: EventPriority, timerSlot: Int32, payload: Payload) {
        self.time = time
        self.priority = priority
        self.timerSlot = timerSlot
        self.payload = payload
    }
}

/// Pending events in FIFO buckets of equal (time, priority), ordered by a heap of bucket keys;
/// any pending event can be removed in O(1) (timers re-armed or disarmed leave nothing behind).
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
/// Buckets are doubly linked and know their place on the heap, so `remove`
/// unlinks any pending event in O(1) (O(log k) when its bucket empties).
/// Nodes and buckets are reused through free lists: no allocation per event
/// once the slab has grown to the run's high-water mark.
public struct EventQueue<Payload: BitwiseCopyable> {
    @usableFromInline typealias Node = EventQueueNode<Payload>
    @usableFromInline static var cacheSize: Int { 64 }
    @usableFromInline static var sequenceMask: UInt64 { (1 << 56) - 1 }

    /// Owns the memory behind the pointers below (frees it, and tells whether it is shared).
    @usableFromInline var owner: EventQueueMemory
    @usableFromInline var nodes: UnsafeMutablePointer<Node>
    /// Next node in a bucket, or in the free list.
    @usableFromInline var nextNode: UnsafeMutablePointer<Int32>
    /// Previous node in a bucket (-1 at its head).
    @usableFromInline var previousNode: UnsafeMutablePointer<Int32>
    @usableFromInline var buckets: UnsafeMutablePointer<EventQueueBucket>
    @usableFromInline var heap: UnsafeMutablePointer<EventQueueHeapEntry>
    @usableFromInline var cache: UnsafeMutablePointer<EventQueueCacheEntry>
    @usableFromInline var nodeCapacity = 64
    /// Nodes ever handed out (live or on the free list).
    @usableFromInline var nodeCount = 0
    @usableFromInline var freeNode: Int32 = -1
    @usableFromInline var bucketCapacity = 16
    @usableFromInline var bucketCount = 0
    @usableFromInline var freeBucket: Int32 = -1
    @usableFromInline var heapCapacity = 16
    @usableFromInline var heapCount = 0
    @usableFromInline var pendingCount = 0
    @usableFromInline var nextSequence: UInt64 = 0

    public init() {
        owner = EventQueueMemory()
        nodes = owner.adopt(.allocate(capacity: nodeCapacity))
        nextNode = owner.adopt(.allocate(capacity: nodeCapacity))
        previousNode = owner.adopt(.allocate(capacity: nodeCapacity))
        buckets = owner.adopt(.allocate(capacity: bucketCapacity))
        heap = owner.adopt(.allocate(capacity: heapCapacity))
        cache = owner.adopt(.allocate(capacity: EventQueue.cacheSize))
        cache.initialize(repeating: EventQueueCacheEntry(time: Int64.min, priority: 0, bucket: -1), count: EventQueue.cacheSize)
    }

    /// The number of pending events (including stale timer firings not yet reached).
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
        let old = (nodes, nextNode, buckets, heap, cache, previousNode)
        owner = EventQueueMemory()
        nodes = owner.adopt(.allocate(capacity: nodeCapacity))
        nodes.update(from: old.0, count: nodeCount)
        nextNode = owner.adopt(.allocate(capacity: nodeCapacity))
        nextNode.update(from: old.1, count: nodeCount)
        previousNode = owner.adopt(.allocate(capacity: nodeCapacity))
        previousNode.update(from: old.5, count: nodeCount)
        buckets = owner.adopt(.allocate(capacity: bucketCapacity))
        buckets.update(from: old.2, count: bucketCount)
        heap = owner.adopt(.allocate(capacity: heapCapacity))
        heap.update(from: old.3, count: heapCount)
        cache = owner.adopt(.allocate(capacity: EventQueue.cacheSize))
        cache.update(from: old.4, count: EventQueue.cacheSize)
    }

    @inlinable static func cacheIndex(time: Int64, priority: UInt8) -> Int {
        let mixed = UInt64(bitPattern: time) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(priority)
        return Int(truncatingIfNeeded: mixed >> 58) // 64 entries
    }

    /// Adds an event and returns its handle, valid until the event is popped or removed.
    /// Complexity: O(1) into an open bucket, O(log k) for a new one (k open buckets).
    @inlinable @discardableResult
    public mutating func push(time: SimInstant, priority: EventPriority, timerSlot: Int32 = -1, payload: Payload) -> Int32 {
        makeUnique()
        precondition(nextSequence <= EventQueue.sequenceMask, "event sequence space exhausted")
        let sequence = nextSequence
        nextSequence &+= 1
        let node = allocateNode()
        pendingCount += 1
        let timeValue = time.millisecondsSinceStart, rank = priority.rank
        let slot = EventQueue.cacheIndex(time: timeValue, priority: rank)
        let cached = cache[slot]
        if cached.bucket >= 0 && cached.time == timeValue && cached.priority == rank {
            let bucket = Int(cached.bucket)
            let tail = buckets[bucket].tail
            nodes[Int(node)] = Node(timerSlot: timerSlot, bucket: cached.bucket, payload: payload)
            nextNode[Int(tail)] = node
            previousNode[Int(node)] = tail
            buckets[bucket].tail = node
            return node
        }
        if heapCount == heapCapacity { heap = owner.grow(heap, count: heapCount, to: &heapCapacity) }
        let bucket = openBucket(EventQueueBucket(time: timeValue, priority: rank, head: node, tail: node, heapIndex: Int32(heapCount)))
        nodes[Int(node)] = Node(timerSlot: timerSlot, bucket: bucket, payload: payload)
        previousNode[Int(node)] = -1
        cache[slot] = EventQueueCacheEntry(time: timeValue, priority: rank, bucket: bucket)
        heap[heapCount] = EventQueueHeapEntry(time: timeValue, order: UInt64(rank) << 56 | sequence, bucket: bucket)
        heapCount += 1
        siftUp(from: heapCount - 1)
        return node
    }

    /// Removes a pending event by its handle. Complexity: O(1); O(log k) when its bucket empties.
    @inlinable
    public mutating func remove(_ node: Int32) {
        makeUnique()
        let index = Int(node)
        let bucketIndex = Int(nodes[index].bucket)
        let previous = previousNode[index], next = nextNode[index]
        if previous >= 0 { nextNode[Int(previous)] = next } else { buckets[bucketIndex].head = next }
        if next >= 0 { previousNode[Int(next)] = previous } else { buckets[bucketIndex].tail = previous }
        nextNode[index] = freeNode
        freeNode = node
        pendingCount -= 1
        if buckets[bucketIndex].head < 0 { closeBucket(bucketIndex) }
    }

    /// A node off the free list (or a new one), with no successor; the caller fills it in.
    @inlinable mutating func allocateNode() -> Int32 {
        if freeNode < 0 {
            if nodeCount == nodeCapacity {
                precondition(nodeCapacity < Int(Int32.max) / 2, "too many pending events")
                var capacity = nodeCapacity
                nodes = owner.grow(nodes, count: nodeCount, to: &capacity)
                capacity = nodeCapacity
                previousNode = owner.grow(previousNode, count: nodeCount, to: &capacity)
                nextNode = owner.grow(nextNode, count: nodeCount, to: &nodeCapacity)
            }
            nextNode[nodeCount] = -1
            nodeCount += 1
            return Int32(nodeCount - 1)
        }
        let index = freeNode
        freeNode = nextNode[Int(index)]
        nextNode[Int(index)] = -1
        return index
    }

    @inlinable mutating func openBucket(_ bucket: EventQueueBucket) -> Int32 {
        if freeBucket >= 0 {
            let index = freeBucket
            freeBucket = buckets[Int(index)].head
            buckets[Int(index)] = bucket
            return index
        }
        if bucketCount == bucketCapacity { buckets = owner.grow(buckets, count: bucketCount, to: &bucketCapacity) }
        buckets[bucketCount] = bucket
        bucketCount += 1
        return Int32(bucketCount - 1)
    }

    /// Removes and returns the first event in (time, priority, sequence) order.
    /// Complexity: O(1) within a bucket; O(log k) when a bucket drains.
    @inlinable
    public mutating func popFirst() -> ScheduledEvent<Payload>? {
        guard heapCount > 0 else { return nil }
        makeUnique()
        let bucketIndex = Int(heap[0].bucket)
        let bucket = buckets[bucketIndex]
        let nodeIndex = Int(bucket.head)
        let body = nodes[nodeIndex]
        let next = nextNode[nodeIndex]
        nextNode[nodeIndex] = freeNode
        freeNode = Int32(nodeIndex)
        pendingCount -= 1
        if next >= 0 {
            buckets[bucketIndex].head = next
            previousNode[Int(next)] = -1
        } else {
            buckets[bucketIndex].head = -1
            closeBucket(bucketIndex)
        }
        return ScheduledEvent(time: SimInstant(millisecondsSinceStart: bucket.time), priority: EventPriority(rank: bucket.priority),
                              timerSlot: body.timerSlot, payload: body.payload)
    }

    /// Retires an emptied bucket: off the heap and the cache, onto the free list.
    @inlinable mutating func closeBucket(_ index: Int) {
        let bucket = buckets[index]
        let slot = EventQueue.cacheIndex(time: bucket.time, priority: bucket.priority)
        if cache[slot].bucket == Int32(index) { cache[slot].bucket = -1 }
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

    /// Checks the heap order, the bucket lists, the cache and the node accounting (for tests). Complexity: O(n).
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
            var node = bucket.head, last: Int32 = -1
            while node >= 0 {
                pending += 1
                precondition(previousNode[Int(node)] == last && nodes[Int(node)].bucket == entry.bucket, "broken bucket links")
                last = node
                node = nextNode[Int(node)]
            }
            precondition(last == bucket.tail, "bucket tail is not its last node")
        }
        for slot in 0..<EventQueue.cacheSize where cache[slot].bucket >= 0 {
            precondition(open.contains(cache[slot].bucket), "cache points at a closed bucket")
        }
        var free = 0, node = freeNode
        while node >= 0 { free += 1; node = nextNode[Int(node)] }
        precondition(pending == pendingCount && pending + free == nodeCount, "node accounting mismatch")
    }
}

/// One pending event's body in the slab; its time and priority are its bucket's.
@usableFromInline struct EventQueueNode<Payload: BitwiseCopyable>: BitwiseCopyable {
    @usableFromInline var timerSlot: Int32
    /// The bucket the node is linked into.
    @usableFromInline var bucket: Int32
    @usableFromInline var payload: Payload
    @inlinable init(timerSlot: Int32, bucket: Int32, payload: Payload) {
        self.timerSlot = timerSlot
        self.bucket = bucket
        self.payload = payload
    }
}

/// One open bucket: its key, the ends of its node list (`head` links the free list when closed)
/// and its position on the heap.
@usableFromInline struct EventQueueBucket: BitwiseCopyable {
    @usableFromInline var time: Int64
    @usableFromInline var priority: UInt8
    @usableFromInline var head: Int32
    @usableFromInline var tail: Int32
    @usableFromInline var heapIndex: Int32
    @inlinable init(time: Int64, priority: UInt8, head: Int32, tail: Int32, heapIndex: Int32) {
        self.time = time
        self.priority = priority
        self.head = head
        self.tail = tail
        self.heapIndex = heapIndex
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
/// tell whether the memory is shared and when a slab grows.
@usableFromInline final class EventQueueMemory {
    @usableFromInline var blocks: [UnsafeMutableRawPointer] = []

    @usableFromInline init() {}

    deinit {
        for block in blocks { block.deallocate() }
    }

    /// Records a fresh allocation so that it is freed with this object.
    @usableFromInline func adopt<Element>(_ pointer: UnsafeMutablePointer<Element>) -> UnsafeMutablePointer<Element> {
        blocks.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// Doubles a slab of plain values: copies the first `count`, frees the old block.
    @usableFromInline func grow<Element: BitwiseCopyable>(_ pointer: UnsafeMutablePointer<Element>, count: Int,
                                                          to capacity: inout Int) -> UnsafeMutablePointer<Element> {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        grown.update(from: pointer, count: count)
        if let index = blocks.firstIndex(of: UnsafeMutableRawPointer(pointer)) { blocks.remove(at: index) }
        pointer.deallocate()
        blocks.append(UnsafeMutableRawPointer(grown))
        capacity *= 2
        return grown
    }
}
