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

/// A place in the table of increment blocks.
struct BlockCell: EntityID {
    let index: Int32
    init(index: Int32) { self.index = index }
}

/// The increments each client holds for one feature, as blocks in grant order (R-LEASE-7).
///
/// Each grant is a block held for the minimum hold from its own grant. Blocks are added at the back, released
/// from the front (the oldest, whose hold ends first) and cut from the back (the newest). Storage is fixed per
/// slot, in one table: under `perIncrement`, ten blocks (R-ALLOC-3 makes ILQ at least a tenth of MUC - RUC, so a
/// lease holds at most ten quanta above RUC); under `latestGrant`, one (the whole block is held from the latest
/// grant). Should more blocks ever arrive (blocks trimmed below a quantum by an ILQ change), the two newest stored
/// blocks merge into one held from the later grant before the new grant is added, so no hold is shortened.
struct IncrementBlockTable {
    /// Blocks per slot under `perIncrement`.
    static let perIncrementCapacity: Int32 = 10

    var cells: EntityTable<BlockCell, IncrementBlock>
    /// How many of each slot's blocks are held.
    var counts: EntityTable<SlotID, Int32>
    /// Blocks stored per slot.
    let perSlot: Int32

    /// A table of empty block lists for `slotCount` slots.
    init(slotCount: Int, perSlot: Int32) {
        self.perSlot = perSlot
        cells = EntityTable(repeating: IncrementBlock(grantedAt: .start, count: 0), count: slotCount * Int(perSlot))
        counts = EntityTable(repeating: 0, count: slotCount)
    }

    mutating func makeUnique() {
        cells.makeUnique()
        counts.makeUnique()
    }

    /// The cell of a slot's block at `position`, oldest first.
    @inline(__always) func cell(_ slot: SlotID, _ position: Int32) -> BlockCell {
        BlockCell(index: slot.index &* perSlot &+ position)
    }

    /// The block at `position` of a slot's blocks, oldest first.
    @inline(__always) subscript(slot: SlotID, position: Int32) -> IncrementBlock {
        get {
            precondition(position >= 0 && position < counts[slot], "block \(position) out of range")
            return cells[cell(slot, position)]
        }
        set { cells[cell(slot, position)] = newValue }
    }

    /// The slot's blocks, oldest first, as values.
    func blocks(of slot: SlotID) -> [IncrementBlock] { (0..<counts[slot]).map { self[slot, $0] } }

    /// The sum of a slot's blocks.
    func total(of slot: SlotID) -> Int32 {
        var sum: Int32 = 0
        for position in 0..<counts[slot] { sum += cells[cell(slot, position)].count }
        return sum
    }

    /// Adds a grant; under `latestGrant` the whole block is held from this grant (one block).
    @inline(__always)
    mutating func grant(_ slot: SlotID, _ granted: Int32, at now: SimInstant, _ policy: HoldPolicy) {
        let count = counts[slot]
        if policy == .latestGrant && count > 0 {
            cells[cell(slot, 0)] = IncrementBlock(grantedAt: now, count: cells[cell(slot, 0)].count + granted)
            return
        }
        if count == perSlot {
            cells[cell(slot, count - 2)] = IncrementBlock(grantedAt: cells[cell(slot, count - 1)].grantedAt,
                                                   count: cells[cell(slot, count - 2)].count + cells[cell(slot, count - 1)].count)
            counts[slot] -= 1
        }
        counts[slot] += 1
        cells[cell(slot, counts[slot] - 1)] = IncrementBlock(grantedAt: now, count: granted)
    }

    /// R-LEASE-7: the count whose hold has ended by `now` (a prefix of the blocks: grants come in time order).
    @inline(__always)
    func releasable(_ slot: SlotID, at now: SimInstant, hold: SimDuration) -> Int32 {
        var sum: Int32 = 0
        for position in 0..<counts[slot] {
            let block = cells[cell(slot, position)]
            guard block.grantedAt + hold <= now else { break }
            sum += block.count
        }
        return sum
    }

    /// When the next hold ends after `now`, if a block is still held.
    func nextHoldEnd(_ slot: SlotID, after now: SimInstant, hold: SimDuration) -> SimInstant? {
        for position in 0..<counts[slot] where cells[cell(slot, position)].grantedAt + hold > now {
            return cells[cell(slot, position)].grantedAt + hold
        }
        return nil
    }

    /// Removes `amount` from the oldest blocks (a release of increments past their hold).
    @inline(__always)
    mutating func removeOldest(_ slot: SlotID, _ amount: Int32) {
        var left = amount, dropped: Int32 = 0
        let count = counts[slot]
        while left > 0 && dropped < count {
            let take = min(left, cells[cell(slot, dropped)].count)
            cells[cell(slot, dropped)].count -= take
            left -= take
            if cells[cell(slot, dropped)].count == 0 { dropped += 1 }
        }
        precondition(left == 0, "released more increments than held")
        guard dropped > 0 else { return }
        for position in dropped..<count { cells[cell(slot, position - dropped)] = cells[cell(slot, position)] }
        counts[slot] = count - dropped
    }

    /// Keeps at most `limit` in all, taking from the newest blocks (a cut, an uncovered renewal, a loss).
    @inline(__always)
    mutating func trimNewest(_ slot: SlotID, toTotal limit: Int32) {
        var excess = total(of: slot) - max(0, limit)
        while excess > 0 {
            let last = counts[slot] - 1
            let take = min(excess, cells[cell(slot, last)].count)
            cells[cell(slot, last)].count -= take
            excess -= take
            if cells[cell(slot, last)].count == 0 { counts[slot] -= 1 }
        }
    }
}
