/// A client's allocation of one feature: reserved, incremental and maximum counts (R-ALLOC-1).
public struct Allocation: Sendable, Equatable, BitwiseCopyable {
    /// Reserved user count, RUC: always leased to the client.
    public var reserved: Int32
    /// Incremental lease quantum, ILQ: the step of every increase or decrease.
    public var quantum: Int32
    /// Maximum user count, MUC: the most the client may lease.
    public var maximum: Int32

    public init(reserved: Int32, quantum: Int32, maximum: Int32) {
        self.reserved = reserved
        self.quantum = quantum
        self.maximum = maximum
    }

    /// A broken allocation rule: which rule, which field, and what was expected.
    public struct Violation: Sendable, Equatable {
        public enum Field: String, Sendable { case ruc, ilq, muc }
        public let rule: String
        public let field: Field
        public let expected: String
    }

    /// The first allocation rule this allocation breaks, or nil (R-ALLOC-2, R-ALLOC-3).
    public var violation: Violation? {
        if reserved < 0 { return Violation(rule: "R-ALLOC-1", field: .ruc, expected: "a count >= 0") }
        // R-ALLOC-2: MUC >= RUC.
        if maximum < reserved {
            return Violation(rule: "R-ALLOC-2", field: .muc, expected: "a count >= ruc (\(reserved))")
        }
        // R-ALLOC-3: ILQ >= 25 unless MUC - RUC < 25, and ILQ >= ceil(10% of (MUC - RUC));
        // ILQ may be 0 when MUC = RUC (nothing is ever incremented: the guide's cores example 200/0/200).
        let spread = maximum - reserved
        if spread == 0 {
            return quantum < 0 ? Violation(rule: "R-ALLOC-3", field: .ilq, expected: "a quantum >= 0 for muc = ruc") : nil
        }
        let floorByRule = max(spread < 25 ? 1 : 25, (spread + 9) / 10)
        if quantum < floorByRule {
            return Violation(rule: "R-ALLOC-3", field: .ilq, expected: "a quantum >= \(floorByRule) for muc - ruc = \(spread)")
        }
        return nil
    }

    /// R-LEASE-1: the request, in whole quanta, for `users` users while `leased` are held; 0 when none fits under MUC.
    @inlinable @inline(__always)
    public func incrementWanted(users: Int32, leased: Int32) -> Int32 {
        guard users > leased, quantum > 0 else { return 0 }
        let needed = (users - leased + quantum - 1) / quantum * quantum
        let room = maximum - leased
        return needed <= room ? needed : Allocation.wholeQuanta(room, quantum) // No partial quantum.
    }

    /// The most whole quanta that fit in `limit` (0 when it is below one quantum, or there is no quantum), as a count.
    @inlinable
    public static func wholeQuanta(_ limit: Int32, _ quantum: Int32) -> Int32 {
        limit < quantum || quantum <= 0 ? 0 : limit / quantum * quantum
    }

    /// R-LEASE-9: the count to keep for `users` users: RUC plus whole quanta above it.
    @inlinable
    public func countNeeded(users: Int32) -> Int32 {
        guard users > reserved, quantum > 0 else { return reserved }
        return reserved + (users - reserved + quantum - 1) / quantum * quantum
    }

    /// R-LEASE-10, R-CFG-1: the most a lease may be under this allocation: RUC plus the whole ILQ that fit under MUC
    /// (RUC 40, ILQ 30, MUC 140: 130).
    @inlinable
    public var largestLease: Int32 { reserved + Allocation.wholeQuanta(maximum - reserved, quantum) }
}
