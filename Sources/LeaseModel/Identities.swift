import LeaseKernel

/// A license client: one machine (or gateway) that leases for its users (R-ROLE-1).
public struct ClientID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// A license server node (R-ROLE-1).
public struct ServerID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// A licensed feature; its index is its identity everywhere in the model (R-ROLE-2).
public struct FeatureID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// One client's one feature, as the client sees it: its users, what it holds, its accounting.
public struct SlotID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// Who a lease is granted to, as servers key their lease tables. Each slot is its own holder today
/// (`HolderID(slot:)`); a cluster's one shared lease will be a holder that several slots serve.
public struct HolderID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
    /// The holder a slot leases as.
    @inlinable public init(slot: SlotID) { index = slot.index }
    /// The slot that serves this holder's users.
    @inlinable public var slot: SlotID { SlotID(index: index) }
}

/// One record in a server node's lease table: one holder's lease of one feature at that node.
public struct LeaseID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// One feature's license pool at one server node: installed and leased counts.
public struct ServerFeatureID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }

    /// The pool of `feature` at node `server`: pools are kept node by node, each with every feature of the fleet
    /// (`featureCount`). The one place that arithmetic lives.
    @inlinable public init(server: Int, feature: Int, featureCount: Int) { index = Int32(server * featureCount + feature) }

    /// The node whose pool this is.
    @inlinable public func server(featureCount: Int) -> Int { Int(index) / featureCount }
}

/// A server's contact with the vendor's cloud (R-VLS-1, R-DL-1): a row of `FleetModel.cloudContacts`.
public struct CloudContactID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// A fault on the schedule (its index in `FleetSpec.faults`).
public struct FaultID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// One direction of a network link between two endpoints.
public struct LinkID: EntityID {
    public let index: Int32
    @inlinable public init(index: Int32) { self.index = index }
}

/// Where a message is addressed: a client, a server node, a virtual address that resolves to a node when the
/// message is sent (a highly available pair), or the vendor's cloud.
///
/// Four bytes: the kind in the top two bits, the index below (a message in flight stays small).
public struct Endpoint: Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public enum Kind: UInt32, Sendable, BitwiseCopyable { case client, server, virtualAddress, cloud }
    @usableFromInline var bits: UInt32

    /// The largest index an endpoint holds (scenario limits keep every table far below it: 1e6 clients, 1e4 servers).
    public static let maxIndex: Int32 = 1 << 30 - 1


    @inlinable public var kind: Kind { Kind(rawValue: bits >> 30).unsafelyUnwrapped }
    /// The client's or server's index, or the virtual address's.
    @inlinable public var index: Int32 { Int32(bitPattern: bits & UInt32(Endpoint.maxIndex)) }

    /// A client (an entity table's index is below `maxIndex`: scenario limits allow 1e6 clients and 1e4 servers).
    @inlinable public static func client(_ id: ClientID) -> Endpoint { Endpoint(.client, id.index) }
    @inlinable public static func server(_ id: ServerID) -> Endpoint { Endpoint(.server, id.index) }
    /// R-HA-1: the virtual address of a highly available pair (an index into `FleetSpec.haPairs`).
    @inlinable public static func virtualAddress(_ pair: Int32) -> Endpoint { Endpoint(.virtualAddress, pair) }
    /// The vendor's cloud (R-VLS-1): one for the fleet.
    @inlinable public static var cloud: Endpoint { Endpoint(.cloud, 0) }
    @inlinable init(bits: UInt32) { self.bits = bits }
    /// An endpoint of a kind; traps on an index outside 0...maxIndex (one unsigned compare).
    @inlinable init(_ kind: Kind, _ index: Int32) {
        precondition(UInt32(bitPattern: index) <= UInt32(Endpoint.maxIndex), "endpoint index \(index) out of range")
        bits = kind.rawValue << 30 | UInt32(bitPattern: index)
    }

    /// The client this endpoint is; nil for any other kind.
    @inlinable public var client: ClientID? { bits >> 30 == Kind.client.rawValue ? ClientID(index: Int32(bitPattern: bits)) : nil }
    /// The server node this endpoint is; nil for any other kind (a virtual address resolves through the network).
    @inlinable public var server: ServerID? { bits >> 30 == Kind.server.rawValue ? ServerID(index: index) : nil }

    public var description: String { "\(kind)(\(index))" }
}
