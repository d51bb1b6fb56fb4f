import LeaseKernel

/// The increments a client holds for one feature, as blocks in grant order (R-LEASE-7).
///
/// Each grant is a block (grant time, count) held for the minimum hold from
/// its own grant. Blocks are added at the back, released from the front
/// (the oldest, whose hold ends first) and cut from the back (the newest).
/// Storage is fixed: R-ALLOC-3 makes ILQ at least a tenth of MUC - RUC, so a
/// lease holds at most ten quanta above RUC and so at most ten blocks. Should
/// more ever arrive (blocks trimmed to less than a quantum by an ILQ change),
/// the two newest merge into one held from the later grant, so no hold is shortened.
public struct IncrementBlocks: Sendable, BitwiseCopyable {
    public struct Block: Sendable, Equatable, BitwiseCopyable {
        public var grantedAt: SimInstant
        public var count: Int32
    }

    /// The most blocks kept (R-ALLOC-3: at most ten quanta above RUC).
    public static let capacity = 10

    public private(set) var count = 0
    var storage = InlineArray<10, Block>(repeating: Block(grantedAt: .start, count: 0))

    public init() {}

    public subscript(position: Int) -> Block {
        precondition(position >= 0 && position < count, "block \(position) out of range")
        return storage[position]
    }

    /// The sum of every block's count.
    public var total: Int32 {
        var sum: Int32 = 0
        for position in 0..<count { sum += storage[position].count }
        return sum
    }

    /// Adds a grant; under `latestGrant` the whole block is held from this grant (one block).
    @inline(__always)
    public mutating func grant(_ granted: Int32, at now: SimInstant, _ policy: HoldPolicy) {
        if policy == .latestGrant && count > 0 {
            storage[0] = Block(grantedAt: now, count: storage[0].count + granted)
            return
        }
        if count == IncrementBlocks.capacity {
            let merged = storage[count - 2].count + storage[count - 1].count
            storage[count - 2] = Block(grantedAt: storage[count - 1].grantedAt, count: merged)
            count -= 1
        }
        storage[count] = Block(grantedAt: now, count: granted)
        count += 1
    }

    /// R-LEASE-7: the count whose hold has ended by `now` (a prefix of the blocks: grants come in time order).
    @inline(__always)
    public func releasable(at now: SimInstant, hold: SimDuration) -> Int32 {
        var sum: Int32 = 0
        for position in 0..<count {
            guard storage[position].grantedAt + hold <= now else { break }
            sum += storage[position].count
        }
        return sum
    }

    /// When the next hold ends after `now`, if a block is still held.
    public func nextHoldEnd(after now: SimInstant, hold: SimDuration) -> SimInstant? {
        for position in 0..<count where storage[position].grantedAt + hold > now {
            return storage[position].grantedAt + hold
        }
        return nil
    }

    /// Removes `amount` from the oldest blocks (a release of increments past their hold).
    @inline(__always)
    public mutating func removeOldest(_ amount: Int32) {
        var left = amount
        var dropped = 0
        while left > 0 && dropped < count {
            let take = min(left, storage[dropped].count)
            storage[dropped].count -= take
            left -= take
            if storage[dropped].count == 0 { dropped += 1 }
        }
        precondition(left == 0, "released more increments than held")
        guard dropped > 0 else { return }
        for position in dropped..<count { storage[position - dropped] = storage[position] }
        count -= dropped
    }

    /// Keeps at most `total` in all, taking from the newest blocks (a cut or an uncovered renewal).
    public mutating func trimNewest(toTotal limit: Int32) {
        var excess = total - max(0, limit)
        while excess > 0 {
            let take = min(excess, storage[count - 1].count)
            storage[count - 1].count -= take
            excess -= take
            if storage[count - 1].count == 0 { count -= 1 }
        }
    }

    /// Drops every block (a new session, a lapse, a stop).
    @inline(__always)
    public mutating func removeAll() { count = 0 }
}
