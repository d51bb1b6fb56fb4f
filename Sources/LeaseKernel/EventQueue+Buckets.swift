/// The queue's bucket and heap mechanics: opening, growing and closing buckets, and keeping the heap ordered.
extension EventQueue {
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

    /// Opens a bucket for a key the cache missed: a new FIFO run after any older bucket of the same key.
    ///
    /// A bucket gets events only while the cache names it, and a cache line names only the bucket
    /// opened last for its key, so every event of an older bucket of the same key was pushed before
    /// this bucket's first: ordering buckets by opening keeps the insertion order exact.
    @inlinable mutating func openBucket(time: Int64, priority: UInt8, cacheSlot: Int,
                                               capacity: Int32 = EventQueue.smallestBucket) -> Int32 {
        precondition(bucketsOpened <= EventQueue.openingMask, "bucket sequence space exhausted")
        precondition(time != EventQueue.noTime, "no event can be due at Int64.min")
        let index: Int32
        if freeBucket >= 0 {
            index = freeBucket
            freeBucket = buckets[Int(index)].head
        } else {
            if bucketCount == bucketCapacity { buckets = EventQueue.grow(buckets, count: bucketCount, to: &bucketCapacity) }
            buckets[bucketCount] = EventQueueBucket(entries: UnsafeMutablePointer(bitPattern: 0x10)!, capacity: 0)
            index = Int32(bucketCount)
            bucketCount += 1
        }
        let slot = Int(index)
        if buckets[slot].capacity < capacity {
            if buckets[slot].capacity > 0 { buckets[slot].entries.deallocate() }
            buckets[slot].entries = .allocate(capacity: Int(capacity))
            buckets[slot].capacity = capacity
        }
        buckets[slot].time = time
        buckets[slot].priority = priority
        buckets[slot].head = 0
        buckets[slot].count = 0
        buckets[slot].live = 0
        cache[cacheSlot] = EventQueueCacheEntry(time: time, priority: priority, bucket: index)
        if heapCount == heapCapacity { heap = EventQueue.grow(heap, count: heapCount, to: &heapCapacity) }
        heap[heapCount] = EventQueueHeapEntry(time: time, order: UInt64(priority) << 56 | bucketsOpened, bucket: index)
        bucketsOpened += 1
        buckets[slot].heapIndex = Int32(heapCount)
        heapCount += 1
        siftUp(from: heapCount - 1)
        return index
    }

    /// Room for one more event of a full bucket: its array doubled (positions, and so handles, stay
    /// valid), or, at `largestBucket`, a new bucket of the same key that continues it.
    /// - Returns: the bucket to push into.
    @inlinable mutating func makeRoom(in bucket: Int, cacheSlot: Int) -> Int {
        var capacity = Int(buckets[bucket].capacity)
        guard capacity < Int(EventQueue.largestBucket) else {
            // The cache now names the continuation, so the full bucket gets nothing more:
            // ordering by opening keeps FIFO order across the two.
            return Int(openBucket(time: buckets[bucket].time, priority: buckets[bucket].priority, cacheSlot: cacheSlot,
                                  capacity: EventQueue.largestBucket))
        }
        buckets[bucket].entries = EventQueue.grow(buckets[bucket].entries, count: Int(buckets[bucket].count), to: &capacity)
        buckets[bucket].capacity = Int32(capacity)
        return bucket
    }

    /// Retires an emptied bucket: off the heap and the cache, onto the free list (keeping its array).
    @inlinable mutating func closeBucket(_ index: Int) {
        let bucket = buckets[index]
        let slot = EventQueue.cacheIndex(time: bucket.time, priority: bucket.priority)
        if cache[slot].bucket == Int32(index) { cache[slot] = EventQueueCacheEntry(time: EventQueue.noTime, priority: 0, bucket: -1) }
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
        for slot in 0..<EventQueue.cacheSize where cache[slot].time != EventQueue.noTime {
            precondition(open.contains(cache[slot].bucket), "cache points at a closed bucket")
        }
        precondition(pending == pendingCount, "pending count mismatch: \(pending) != \(pendingCount)")
    }
}
