import LeaseKernel

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
    /// R-LIC-8: a hardware license server without a license-server license serves nothing.
    case noServerLicense
    /// R-SUR-1: surrender refused: not a perpetual user-count license; no member license (LICENSE-MBR) on the
    /// client; the license is not installed on it now; it is surrendered already; the client is down (surrender
    /// and recall happen only at the running client).
    case notSurrenderable, noMemberLicense, licenseNotInstalled, alreadySurrendered, clientDown
    /// R-SUR-3: recall refused: the license is not surrendered.
    case notSurrendered
    /// R-VLS-1: a virtual license server out of touch with the vendor's cloud for too long leases nothing.
    case licensingStopped
    /// R-VLS-3: a VLS restored from a backup without its licenses re-installed, past its grace period.
    case restoreGraceEnded

    /// The rule behind the refusal.
    public var rule: StaticString {
        switch self {
        case .none, .noFreeLicenses, .beyondAllocation: return "R-LEASE-2"
        case .notConfigured: return "R-CFG-3"
        case .allocationExpired: return "R-ALLOC-5"
        case .noServerLicense: return "R-LIC-8"
        case .notSurrenderable, .noMemberLicense, .licenseNotInstalled, .alreadySurrendered, .clientDown: return "R-SUR-1"
        case .notSurrendered: return "R-SUR-3"
        case .licensingStopped: return "R-VLS-1"
        case .restoreGraceEnded: return "R-VLS-3"
        }
    }
}

/// A count leased until an instant (R-LEASE-5).
public struct LeaseGrant: Sendable, Equatable, BitwiseCopyable {
    public var count: Int32
    public var expiry: SimInstant
    @inlinable public init(count: Int32, expiry: SimInstant) {
        self.count = count
        self.expiry = expiry
    }
    /// Nothing leased.
    @inlinable public static var none: LeaseGrant { LeaseGrant(count: 0, expiry: .never) }
    /// The grant as a client holds it at `now`: nothing once its expiry has come (a reply that took longer
    /// than the lease had left, or one that arrives after the allocation expired).
    @inlinable public func live(at now: SimInstant) -> LeaseGrant { expiry > now ? self : LeaseGrant(count: 0, expiry: expiry) }
}

/// What a protocol message says; each case names its fields, and every reply carries the allocation as the
/// server has it now (R-CFG-2).
public enum MessageContents: Sendable, BitwiseCopyable {
    /// Client to server: lease my reserved count (at boot, R-LEASE-3).
    case reserveRequest(holder: HolderID)
    /// Client to server: lease `count` more, in whole quanta of `quantum`, the ILQ the client knows (R-LEASE-1,
    /// R-CFG-4).
    case incrementRequest(holder: HolderID, count: Int32, quantum: Int32)
    /// Client to server: renew all my leases (R-LEASE-4).
    case renewRequest
    /// Client to server: I give back `count` of my increment (R-LEASE-9).
    case release(holder: HolderID, count: Int32)
    /// Client to server, back in contact: I hold `count` auto-leased, in quanta of `quantum`, and auto-leased at most
    /// `usage` at once while cut off; reconcile it, the count held as an increment (R-AUTO-5). Answered by an
    /// `incrementReply`.
    case autoLeaseReport(holder: HolderID, count: Int32, usage: Int32, quantum: Int32)
    /// Server to client: the reserved lease (R-LEASE-3, R-LEASE-5).
    case reserveReply(holder: HolderID, allocation: Allocation, reserved: LeaseGrant)
    /// Server to client: `granted` more (count 0, with a reason, when refused) (R-LEASE-2).
    case incrementReply(holder: HolderID, allocation: Allocation, granted: LeaseGrant, reason: RefusalReason)
    /// Server to client: the leases as renewed (R-LEASE-5, R-CFG-2, R-LEASE-11).
    case renewReply(holder: HolderID, allocation: Allocation, reserved: LeaseGrant, increment: LeaseGrant)
    /// Client to server: where a surrendered license is now (`generation`: odd surrendered, even recalled;
    /// R-SUR-2, R-SUR-3). Sent at once and every contact interval.
    case surrenderNotice(surrender: Int32, generation: UInt32)
    /// Server to client: it has heard of that generation.
    case surrenderAck(surrender: Int32, generation: UInt32)
    /// Server to cloud: a virtual license server's heartbeat (R-VLS-1); cloud to server: its acknowledgement.
    case heartbeat
    case heartbeatAck
    /// Server to cloud: send me my licenses (R-DL-1); cloud to server: those available as of `asOf`.
    case downloadRequest
    case downloadReply(asOf: SimInstant)
    /// Server to client: a request or renewal refused (R-ALLOC-5, R-CFG-3).
    case refusal(holder: HolderID, reason: RefusalReason)
    /// Server to client: the lease is cut to these counts now (R-CFG-1).
    case leaseCut(holder: HolderID, reserved: Int32, increment: Int32, allocation: Allocation)
}

/// The kind of a message, without its fields (for records).
public enum MessageKind: UInt8, Sendable, CaseIterable, BitwiseCopyable {
    case reserveRequest, incrementRequest, renewRequest, release, autoLeaseReport, surrenderNotice
    case reserveReply, incrementReply, renewReply, refusal, leaseCut, surrenderAck
    case heartbeat, heartbeatAck, downloadRequest, downloadReply
}

extension MessageContents {
    /// The message's kind.
    public var kind: MessageKind {
        switch self {
        case .reserveRequest: return .reserveRequest
        case .incrementRequest: return .incrementRequest
        case .renewRequest: return .renewRequest
        case .release: return .release
        case .autoLeaseReport: return .autoLeaseReport
        case .reserveReply: return .reserveReply
        case .incrementReply: return .incrementReply
        case .renewReply: return .renewReply
        case .refusal: return .refusal
        case .leaseCut: return .leaseCut
        case .surrenderNotice: return .surrenderNotice
        case .surrenderAck: return .surrenderAck
        case .heartbeat: return .heartbeat
        case .heartbeatAck: return .heartbeatAck
        case .downloadRequest: return .downloadRequest
        case .downloadReply: return .downloadReply
        }
    }

    /// The holder the message is about, if it is about one.
    public var holder: HolderID? {
        switch self {
        case .reserveRequest(let holder), .incrementRequest(let holder, _, _), .release(let holder, _),
             .autoLeaseReport(let holder, _, _, _), .reserveReply(let holder, _, _), .incrementReply(let holder, _, _, _),
             .renewReply(let holder, _, _, _), .refusal(let holder, _), .leaseCut(let holder, _, _, _):
            return holder
        case .renewRequest, .surrenderNotice, .surrenderAck, .heartbeat, .heartbeatAck, .downloadRequest, .downloadReply: return nil
        }
    }
}

/// A protocol message: who sent it, to whom, the request it belongs to, and what it says. A plain value,
/// kept in the network while in flight (64 bytes, in this field order).
public struct Message: Sendable, BitwiseCopyable {
    public var from: Endpoint
    public var to: Endpoint
    public var contents: MessageContents
    /// R-AUTO-2: from a server, whether auto-leasing is enabled now for the feature of the holder the message is
    /// about (every reply says it); false from a client.
    public var autoLeasing: Bool
    /// R-CLU-1: between a cluster member and its server, the rank of the lease leader that carries the message (the
    /// member itself when it leads); `Message.direct` for anyone else (a reply then needs no look-up of its route).
    public var relayRank: UInt8 = Message.direct
    /// The `relayRank` of a message that no cluster member carries.
    public static let direct: UInt8 = .max
    /// The sender's number for a request; a reply carries its request's (0 for messages that answer nothing).
    public var requestID: UInt32

    @inlinable public init(from: Endpoint, to: Endpoint, requestID: UInt32 = 0, autoLeasing: Bool = false, relayRank: UInt8 = Message.direct,
                           _ contents: MessageContents) {
        self.from = from
        self.to = to
        self.relayRank = relayRank
        self.requestID = requestID
        self.autoLeasing = autoLeasing
        self.contents = contents
    }
}

/// Every kind of event in a fleet run.
public enum FleetEvent: Sendable, BitwiseCopyable {
    /// A slot's demand pattern changes its value (or a random session arrives).
    case demand(slot: SlotID)
    /// A random session on a slot ends.
    case sessionEnd(slot: SlotID)
    /// A client's renewal timer fires (R-LEASE-4).
    case renewalDue(client: ClientID)
    /// A client's own view of a lease reaches its expiry.
    case clientLapse(slot: SlotID)
    /// The 24 h hold on a slot's increments ends (R-LEASE-7); under `onDrop` a blocked release is retried.
    case holdEnds(slot: SlotID)
    /// A server's reserved lease reaches its expiry (R-LEASE-6).
    case reservedExpiry(lease: LeaseID)
    /// A server's incremental lease reaches its expiry (R-LEASE-6).
    case incrementExpiry(lease: LeaseID)
    /// A message arrives at a client, or at a server node; it waits in the network until then.
    case deliverToClient(message: MessageSlot)
    case deliverToServer(message: MessageSlot)
    /// A slot's request got no reply in time, or the wait before its retry is over.
    case requestTimer(slot: SlotID)
    /// A client's renewal got no reply in time, or the wait before its retry is over.
    case renewalTimer(client: ClientID)
    /// Everything that happens seldom (license calendar, actions, faults, auto-leasing reviews, surrenders, the
    /// cloud), in one case: each kind the enum adds costs the event loop's dispatch (two more cases cost the
    /// canonical run 6 million instructions).
    case rare(RareEvent)
}

/// An event that happens seldom: its kind and one argument in four bytes (`FleetEvent.rare`).
public struct RareEvent: Sendable, BitwiseCopyable, CustomStringConvertible {
    public enum Kind: UInt32, Sendable, BitwiseCopyable {
        /// An installed count changes as a license starts or ends (R-LIC-2, R-LIC-3); the argument indexes
        /// `FleetModel.capacityChanges`.
        case capacityChange
        /// A scheduled administrative or operational action.
        case action
        /// A scheduled fault starts or ends.
        case faultStarts, faultEnds
        /// Every server reviews its auto-leasing decision (R-AUTO-2).
        case autoLeaseReview
        /// A server's auto-leasing penalty ends (R-AUTO-6).
        case penaltyEnds
        /// A hardware server's license-server license starts or stops covering it (R-LIC-7, R-LIC-8).
        case serverLicenseStarts, serverLicenseEnds
        /// A license installed on a client starts or ends counting (R-CLIENT-1).
        case ownLicenseChange
        /// A client tells its server where a surrendered license is; the server's hold on it runs out (R-SUR-2).
        case surrenderContact, surrenderExpiry
        /// A virtual license server's heartbeat is due; a message reaches the cloud, or a server from it; a VLS has
        /// gone `maxSilence` without an acknowledged heartbeat (R-VLS-1); a restored VLS's grace ends (R-VLS-3).
        case heartbeatDue, deliverToCloud, deliverFromCloud, cloudSilence, restoreGraceEnds
        /// A server's automatic download is due; a downloaded license starts or ends counting (R-DL-1).
        case downloadDue, downloadedLicenseChange
        /// A pair's passive node takes over after failed checks (R-HA-1); its grace ends (R-HA-2, R-HA-3); a day of
        /// its grace passes (the timeline's days left).
        case haFailover, haGraceEnds, haGraceDay
        /// A license is installed on a server during the run (R-AUTO-7: a user-count subscription ends the penalty when
        /// added; R-DL-1: the download schedule follows what is installed); the argument indexes
        /// `FleetModel.licenseInstalls`.
        case licenseInstalled
    }
    /// The kind in the top 5 bits, the argument (an index: a server, a message's place, a change, an action, a
    /// fault, a surrender) in the low 27: four bytes, so a `FleetEvent` stays eight.
    let raw: UInt32
    static let argumentBits: UInt32 = 27

    init(_ kind: Kind, _ argument: Int32 = 0) {
        precondition(argument >= 0 && UInt32(argument) < 1 << RareEvent.argumentBits, "rare event argument \(argument) out of range")
        raw = kind.rawValue << RareEvent.argumentBits | UInt32(argument)
    }
    public var kind: Kind { Kind(rawValue: raw >> RareEvent.argumentBits)! }
    public var argument: Int32 { Int32(raw & (1 << RareEvent.argumentBits - 1)) }
    public var description: String { "\(kind)(\(argument))" }
}

/// The seldom events by their former names, so every place that schedules one reads as before.
extension FleetEvent {
    static func capacityChange(index: Int32) -> FleetEvent { .rare(RareEvent(.capacityChange, index)) }
    static func action(index: Int32) -> FleetEvent { .rare(RareEvent(.action, index)) }
    static func faultStarts(index: Int32) -> FleetEvent { .rare(RareEvent(.faultStarts, index)) }
    static func faultEnds(index: Int32) -> FleetEvent { .rare(RareEvent(.faultEnds, index)) }
    static var autoLeaseReview: FleetEvent { .rare(RareEvent(.autoLeaseReview)) }
    static func penaltyEnds(server: ServerID) -> FleetEvent { .rare(RareEvent(.penaltyEnds, server.index)) }
    static func serverLicenseStarts(server: ServerID) -> FleetEvent { .rare(RareEvent(.serverLicenseStarts, server.index)) }
    static func serverLicenseEnds(server: ServerID) -> FleetEvent { .rare(RareEvent(.serverLicenseEnds, server.index)) }
    static func ownLicenseChange(index: Int32) -> FleetEvent { .rare(RareEvent(.ownLicenseChange, index)) }
    static func surrenderContact(surrender: Int32) -> FleetEvent { .rare(RareEvent(.surrenderContact, surrender)) }
    static func surrenderExpiry(surrender: Int32) -> FleetEvent { .rare(RareEvent(.surrenderExpiry, surrender)) }
    static func heartbeatDue(server: ServerID) -> FleetEvent { .rare(RareEvent(.heartbeatDue, server.index)) }
    static func deliverToCloud(message: MessageSlot) -> FleetEvent { .rare(RareEvent(.deliverToCloud, message.index)) }
    static func deliverFromCloud(message: MessageSlot) -> FleetEvent { .rare(RareEvent(.deliverFromCloud, message.index)) }
    static func cloudSilence(server: ServerID) -> FleetEvent { .rare(RareEvent(.cloudSilence, server.index)) }
    static func restoreGraceEnds(server: ServerID) -> FleetEvent { .rare(RareEvent(.restoreGraceEnds, server.index)) }
    static func downloadDue(server: ServerID) -> FleetEvent { .rare(RareEvent(.downloadDue, server.index)) }
    static func downloadedLicenseChange(index: Int32) -> FleetEvent { .rare(RareEvent(.downloadedLicenseChange, index)) }
    static func haFailover(pair: Int32) -> FleetEvent { .rare(RareEvent(.haFailover, pair)) }
    static func haGraceEnds(pair: Int32) -> FleetEvent { .rare(RareEvent(.haGraceEnds, pair)) }
    static func haGraceDay(pair: Int32) -> FleetEvent { .rare(RareEvent(.haGraceDay, pair)) }
    static func licenseInstalled(index: Int32) -> FleetEvent { .rare(RareEvent(.licenseInstalled, index)) }
}
