import LeaseKernel

/// What a protocol message says.
public enum MessageKind: UInt8, Sendable, BitwiseCopyable {
    /// Client to server: lease my reserved count (at boot).
    case reserveRequest
    /// Client to server: lease `count` more, in whole quanta (R-LEASE-1).
    case incrementRequest
    /// Client to server: renew all my leases (R-LEASE-4).
    case renew
    /// Client to server: I give back `count` of my increment (R-LEASE-9).
    case release
    /// Server to client: reserved lease granted, `count` until `expiry` (R-LEASE-3, R-LEASE-5).
    case reserveReply
    /// Server to client: `count` more granted (possibly 0, with a reason) until `expiry` (R-LEASE-2).
    case incrementReply
    /// Server to client: leases renewed; reserved `count` until `expiry`, increment until `secondExpiry`.
    case renewReply
    /// Server to client: a request or renewal refused, with a reason (R-ALLOC-5, R-CFG-3).
    case refusal
    /// Server to client: leases cut to reserved `count` and increment `secondCount` (R-CFG-1).
    case leaseCut
}

/// Why the server refused or cut a request.
public enum RefusalReason: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    case none
    /// R-CFG-3: the server has no configuration for the client.
    case notConfigured
    /// R-ALLOC-5: the client's allocation has expired.
    case allocationExpired
    /// R-LEASE-2: not enough free licenses at the time of the request.
    case noFreeLicenses
    /// R-LEASE-1/R-LEASE-2: the request would pass the client's MUC.
    case beyondAllocation

}

/// A protocol message between a client and its server; a plain value, carried inside an event.
public struct Message: Sendable, BitwiseCopyable {
    public var kind: MessageKind
    public var reason: RefusalReason = .none
    public var client: Int32
    /// The allocation slot (client and feature) the message is about; -1 for whole-client messages.
    public var slot: Int32 = -1
    public var count: Int32 = 0
    public var secondCount: Int32 = 0
    public var expiry: SimInstant = .never
    public var secondExpiry: SimInstant = .never
    /// The allocation as the server has it, sent with replies (R-CFG-2).
    public var allocation = Allocation(reserved: 0, quantum: 0, maximum: 0)

    public init(kind: MessageKind, client: Int32, slot: Int32 = -1, count: Int32 = 0) {
        self.kind = kind
        self.client = client
        self.slot = slot
        self.count = count
    }

    /// Whether the client sends this kind (the rest go from server to client).
    @inlinable public var isFromClient: Bool { kind.rawValue <= MessageKind.release.rawValue }
}

/// Every kind of event in a fleet run.
public enum FleetEvent: Sendable, BitwiseCopyable {
    /// A slot's demand pattern changes its value (or a random session arrives).
    case demand(slot: Int32)
    /// A random session on a slot ends.
    case sessionEnd(slot: Int32)
    /// A client's renewal timer fires (R-LEASE-4).
    case renewalDue(client: Int32)
    /// A client's own view of a lease reaches its expiry.
    case clientLapse(slot: Int32)
    /// The 24 h hold on a slot's increments ends (R-LEASE-7); under `onDrop` a blocked release is retried.
    case holdEnds(slot: Int32)
    /// The server's reserved lease of a slot reaches its expiry (R-LEASE-6).
    case reservedExpiry(slot: Int32)
    /// The server's incremental lease of a slot reaches its expiry (R-LEASE-6).
    case incrementExpiry(slot: Int32)
    /// A message arrives at its destination; the message waits in the network's slab at this index.
    case deliver(message: Int32)
    /// An installed count changes as a license starts or ends (R-LIC-2, R-LIC-3).
    case capacityChange(index: Int32)
    /// A scheduled administrative or operational action.
    case action(index: Int32)
}
