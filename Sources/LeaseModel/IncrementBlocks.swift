import LeaseKernel

/// One grant of increments, held from its own grant time (R-LEASE-7).
public struct IncrementBlock: Sendable, Equatable, BitwiseCopyable {
    public var grantedAt: SimInstant
    public var count: Int32

    public init(grantedAt: SimInstant, count: Int32) {
        self.grantedAt = grantedAt
        self.count = count
    }
}

/// Every slot's increment blocks in one block of memory, `perSlot` blocks for each slot, owned by `FleetStore`.
struct IncrementBlockTable {
    let blocks: UnsafeMutablePointer<IncrementBlock>
    /// How many of each slot's blocks are held.
    let counts: UnsafeMutablePointer<Int32>
    let perSlot: Int
    let slotCount: Int

    /// A table of empty block lists for `slotCount` slots.
    init(slotCount: Int, perSlot: Int) {
        (self.slotCount, self.perSlot) = (slotCount, perSlot)
        blocks = .allocate(capacity: max(slotCount * perSlot, 1))
        blocks.initialize(repeating: IncrementBlock(grantedAt: .start, count: 0), count: slotCount * perSlot)
        counts = .allocate(capacity: max(slotCount, 1))
        counts.initialize(repeating: 0, count: slotCount)
    }

    /// A slot's blocks.
    @inline(__always)
    subscript(slot: Int) -> IncrementBlocks {
        IncrementBlocks(base: blocks + slot * perSlot, countPointer: counts + slot, capacity: perSlot)
    }

    /// A copy in new memory.
    func copy() -> IncrementBlockTable {
        let copy = IncrementBlockTable(slotCount: slotCount, perSlot: perSlot)
        copy.blocks.update(from: blocks, count: slotCount * perSlot)
        copy.counts.update(from: counts, count: slotCount)
        return copy
    }

    func deallocate() {
        blocks.deinitialize(count: slotCount * perSlot).deallocate()
        counts.deinitialize(count: slotCount).deallocate()
    }
}

/// The increments a client holds for one feature, as blocks in grant order (R-LEASE-7): a view of the slot's
/// part of the fleet's block table.
///
/// Each grant is a block held for the minimum hold from its own grant. Blocks are added at the back, released
/// from the front (the oldest, whose hold ends first) and cut from the back (the newest). Storage is fixed per
/// slot: under `perIncrement`, ten blocks (R-ALLOC-3 makes ILQ at least a tenth of MUC - RUC, so a lease holds
/// at most ten quanta above RUC); under `latestGrant`, one (the whole block is held from the latest grant).
/// Should more blocks ever arrive (blocks trimmed below a quantum by an ILQ change), the two newest stored blocks
/// merge into one held from the later grant before the new grant is added, so no hold is shortened.
struct IncrementBlocks {
    /// Blocks per slot under `perIncrement`.
    static let perIncrementCapacity = 10

    let base: UnsafeMutablePointer<IncrementBlock>
    let countPointer: UnsafeMutablePointer<Int32>
    let capacity: Int

    /// How many blocks the slot holds.
    @inline(__always) var count: Int { Int(countPointer.pointee) }

    /// The block at `position`, oldest first.
    subscript(position: Int) -> IncrementBlock {
        precondition(position >= 0 && position < count, "block \(position) out of range")
        return base[position]
    }

    /// The sum of every block's count.
    var total: Int32 {
        var sum: Int32 = 0
        for position in 0..<count { sum += base[position].count }
        return sum
    }

    /// Adds a grant; under `latestGrant` the whole block is held from this grant (one block).
    @inline(__always)
    func grant(_ granted: Int32, at now: SimInstant, _ policy: HoldPolicy) {
        let count = self.count
        if policy == .latestGrant && count > 0 {
            base[0] = IncrementBlock(grantedAt: now, count: base[0].count + granted)
            return
        }
        if count == capacity {
            base[count - 2] = IncrementBlock(grantedAt: base[count - 1].grantedAt, count: base[count - 2].count + base[count - 1].count)
            countPointer.pointee -= 1
        }
        base[self.count] = IncrementBlock(grantedAt: now, count: granted)
        countPointer.pointee += 1
    }

    /// R-LEASE-7: the count whose hold has ended by `now` (a prefix of the blocks: grants come in time order).
    @inline(__always)
    func releasable(at now: SimInstant, hold: SimDuration) -> Int32 {
        var sum: Int32 = 0
        for position in 0..<count {
            guard base[position].grantedAt + hold <= now else { break }
            sum += base[position].count
        }
        return sum
    }

    /// When the next hold ends after `now`, if a block is still held.
    func nextHoldEnd(after now: SimInstant, hold: SimDuration) -> SimInstant? {
        for position in 0..<count where base[position].grantedAt + hold > now {
            return base[position].grantedAt + hold
        }
        return nil
    }

    /// Removes `amount` from the oldest blocks (a release of increments past their hold).
    @inline(__always)
    func removeOldest(_ amount: Int32) {
        var left = amount, dropped = 0
        let count = self.count
        while left > 0 && dropped < count {
            let take = min(left, base[dropped].count)
            base[dropped].count -= take
            left -= take
            if base[dropped].count == 0 { dropped += 1 }
        }
        precondition(left == 0, "released more increments than held")
        guard dropped > 0 else { return }
        for position in dropped..<count { base[position - dropped] = base[position] }
        countPointer.pointee = Int32(count - dropped)
    }

    /// Keeps at most `limit` in all, taking from the newest blocks (a cut, an uncovered renewal, a loss).
    @inline(__always)
    func trimNewest(toTotal limit: Int32) {
        var excess = total - max(0, limit)
        while excess > 0 {
            let last = count - 1
            let take = min(excess, base[last].count)
            base[last].count -= take
            excess -= take
            if base[last].count == 0 { countPointer.pointee -= 1 }
        }
    }

    /// The blocks, oldest first, as values.
    var blocks: [IncrementBlock] { (0..<count).map { base[$0] } }
}
