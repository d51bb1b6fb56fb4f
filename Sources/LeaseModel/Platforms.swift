import LeaseKernel

/// R-LIC-6: which licenses of a pool a lease may be served from. Clients without a platform family are class 0
/// and take only licenses bound to no platform; a client of family `f` (0-based) is class `1 + 2f`, or `2 + 2f`
/// with a member license (LICENSE-MBR), which it needs to lease the family's perpetual licenses.
public struct PlatformClass: Sendable, Equatable, Hashable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// A client with no platform family.
    public static let unbound = PlatformClass(rawValue: 0)
    /// A client of family `family`, with or without a member license.
    @inlinable public init(family: Int, member: Bool) { rawValue = UInt8(1 + 2 * family + (member ? 1 : 0)) }

    /// The family, or nil for a client without one.
    @inlinable public var family: Int? { rawValue == 0 ? nil : Int(rawValue - 1) / 2 }
    @inlinable public var member: Bool { rawValue != 0 && (rawValue - 1) % 2 == 1 }

    /// The number of classes for `families` families.
    @inlinable public static func count(families: Int) -> Int { 1 + 2 * families }
}

/// R-LIC-6: a pool whose licenses are not all for every client: its installed count split by platform family,
/// and what each class of lease demands of it.
///
/// Family-bound licenses come in two kinds: perpetual ones (surrendered licenses among them, R-SUR-1), which only
/// the family's clients with a member license may lease, and the rest (subscriptions and the like), which any
/// client of the family may. Licenses bound to no family serve anyone. Who may take what nests (members within
/// their family, families within everyone), so a set of demands can be served iff serving each family from its
/// own licenses first (members from the perpetual ones first) leaves an overflow the unbound licenses cover:
/// Hall's condition on a laminar family, decided greedily and exactly.
public struct PlatformPool: Sendable, Equatable {
    /// Installed counts bound to each family: perpetual (member license needed) and other.
    public var perpetual: [Int64]
    public var other: [Int64]
    /// Per class: the sum of its leases, of its idle reservations, and of its leases carried over a license end.
    public var used: [Int64]
    public var idle: [Int64]
    public var carried: [Int64]

    public init(families: Int) {
        perpetual = Array(repeating: 0, count: families)
        other = perpetual
        let classes = PlatformClass.count(families: families)
        used = Array(repeating: 0, count: classes)
        idle = used
        carried = used
    }

    /// The licenses bound to any family (the rest of the pool's installed count is bound to none).
    public var bound: Int64 { perpetual.reduce(0, +) + other.reduce(0, +) }

    /// What a demand is made of: every lease and idle reservation (increments come after all of them), every
    /// lease, or only what must be covered (leases not carried over a license end).
    public enum Demand: Sendable { case leasedAndIdle, leased, covered }

    /// The demand of one class.
    @inlinable func demand(_ kind: Demand, _ index: Int) -> Int64 {
        switch kind {
        case .leasedAndIdle: return used[index] + idle[index]
        case .leased: return used[index]
        case .covered: return used[index] - carried[index]
        }
    }

    /// The most a lease of `platformClass` may add to the demand (`kind`, with `adjust` added to its own class)
    /// so that the pool can still serve it all, given `installed` in all; 0 when it cannot even now.
    public func room(for platformClass: PlatformClass, _ kind: Demand, adjust: Int64 = 0, installed: Int64) -> Int64 {
        let balance = self.balance(for: platformClass, kind, adjust: adjust, installed: installed)
        return balance.slack < 0 ? 0 : balance.own + balance.slack
    }

    /// Whether the pool can serve the whole demand (`kind`) with `installed` in all.
    public func serves(_ kind: Demand, installed: Int64) -> Bool {
        balance(for: .unbound, kind, installed: installed).slack >= 0
    }

    /// Each family serves its members first from its perpetual licenses, then its other members and non-members
    /// from its other licenses; what is left over, and every unbound client, takes the unbound licenses
    /// (installed minus every bound one). `slack` is what the unbound licenses have left after every overflow
    /// (negative: the demand cannot be served); `own` is what the class's own family has free for it.
    func balance(for platformClass: PlatformClass, _ kind: Demand, adjust: Int64 = 0, installed: Int64) -> (own: Int64, slack: Int64) {
        var unbound = installed, overflow: Int64 = 0, own: Int64 = 0
        for family in perpetual.indices {
            unbound -= perpetual[family] + other[family]
            let nonMember = PlatformClass(family: family, member: false), member = PlatformClass(family: family, member: true)
            var members = demand(kind, Int(member.rawValue)), nonMembers = demand(kind, Int(nonMember.rawValue))
            if platformClass == member { members += adjust }
            if platformClass == nonMember { nonMembers += adjust }
            let beyondPerpetual = max(0, members - perpetual[family])
            let freeOther = max(0, other[family] - beyondPerpetual - nonMembers)
            overflow += max(0, beyondPerpetual + nonMembers - other[family])
            if platformClass == member { own = max(0, perpetual[family] - members) + freeOther }
            if platformClass == nonMember { own = freeOther }
        }
        overflow += demand(kind, 0) + (platformClass == .unbound ? adjust : 0)
        return (own, unbound - overflow)
    }
}

/// What becomes of a surrendered license the server has not heard about for longer than its expiry (R-SUR-2).
public enum SurrenderAfterExpiry: String, Sendable, CaseIterable {
    /// It stays unusable until the client recalls it (the default: "the server can no longer lease these
    /// licenses ... they are returned only with the recall function").
    case lostUntilRecall
    /// The client's next contact renews the transfer and the server may lease it again.
    case renewedOnContact
}

/// R-SUR-2: how a surrendered license is kept alive at the server.
public struct SurrenderPolicy: Sendable, Equatable {
    /// How long the server may lease a surrendered license after the client's latest contact (10 days).
    public var expiry: SimDuration = .days(10)
    /// How often the client contacts the server about it (4 h).
    public var contactInterval: SimDuration = .hours(4)
    public var afterExpiry: SurrenderAfterExpiry = .lostUntilRecall

    public init() {}
}
