import LeaseKernel

/// Everything a run needs to build its world: the model's input, free of file formats.
public struct FleetSpec: Sendable {
    /// Epoch milliseconds (UTC) of instant zero, for license dates and daily profiles.
    public var startEpochMilliseconds: Int64 = 0
    public var seed: UInt64 = 0
    public var policy = LeasePolicy()
    /// Feature names; a feature's index is its identity everywhere in the model (R-ROLE-2).
    public var features: [String] = []
    /// What each feature is (R-AUTO-1), by feature index; a feature without an entry has the defaults.
    public var featureTraits: [FeatureTraits] = []
    /// R-LIC-6: platform family names; a family's index is its identity in licenses and clients.
    public var platforms: [String] = []
    public var servers: [ServerSpec] = []
    public var clients: [ClientSpec] = []
    public var demandPatterns: [DemandPattern] = []
    public var actions: [ActionSpec] = []
    /// Faults on the schedule, in the order written (a fault's index is its identity in the model).
    public var faults: [FaultSpec] = []
    /// R-CLU-1: clusters of clients that lease through a lease leader.
    public var clusters: [ClusterSpec] = []
    /// R-HA-1..5: pairs of server nodes that serve as one.
    public var haPairs: [HAPairSpec] = []

    /// R-HA-1: the pair a server node belongs to, if it does.
    public func pair(ofServer server: Int) -> Int? { haPairs.firstIndex { $0.nodes.contains(server) } }

    /// R-LIC-8: when a server node may serve: its own license-server licenses; for a node of a pair, either node's
    /// ("unlike other licenses which need to be installed on both the nodes, this license is required only on one
    /// node in the cluster"), so a pair with one license-server license serves from whichever node is active.
    /// In time order, not overlapping.
    public func serves(ofServer server: Int) -> [Range<SimInstant>] {
        guard let pair = pair(ofServer: server) else { return servers[server].serves }
        var merged: [Range<SimInstant>] = []
        for span in haPairs[pair].nodes.flatMap({ servers[$0].serves }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, span.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                merged.append(span)
            }
        }
        return merged
    }

    /// R-HA-1: where a client's link ends: its server node, or the virtual address of the pair its node belongs to.
    public func serverEnd(ofClient client: Int) -> Endpoint {
        let server = clients[client].server
        return pair(ofServer: server).map { .virtualAddress(Int32($0)) } ?? .server(ServerID(index: Int32(server)))
    }
    /// The most users a slot may have: `FleetModel.maxUsersPerSlot`, or fewer (a test may lower it; a higher
    /// value is ignored, since the slot integrals are only bounded up to that).
    public var maxUsersPerSlot = FleetModel.maxUsersPerSlot

    public init() {}

    /// R-LIC-6: the class of a client's leases: its family, and whether it has a member license (in a cluster,
    /// whether every member has one).
    public func platformClass(ofClient client: Int) -> PlatformClass {
        guard let family = clients[client].platform else { return .unbound }
        let members = clusters.first { $0.members.contains(client) }?.members ?? [client]
        return PlatformClass(family: family, member: members.allSatisfy { clients[$0].memberLicense != nil })
    }

    /// What a feature is: its entry in `featureTraits`, or the defaults.
    public func traits(of feature: Int) -> FeatureTraits {
        feature < featureTraits.count ? featureTraits[feature] : FeatureTraits()
    }
}

/// A license server and its installed licenses (R-ROLE-1).
public struct ServerSpec: Sendable {
    public var id: String
    public var licenses: [License]
    /// R-LIC-7, R-LIC-8: when the server may serve, in time order: always for a virtual server, while a
    /// license-server license covers it for a hardware server (empty: never).
    public var serves: [Range<SimInstant>] = [SimInstant.start..<SimInstant.never]
    /// R-VLS-1: a virtual license server that must reach the vendor's cloud: it sends a heartbeat every
    /// `CloudPolicy.heartbeatInterval`, and its licensing stops after `CloudPolicy.maxSilence` without a successful one.
    public var vls = false
    /// R-HA-5: the platform a virtual license server runs on (cloud platforms pair active/active only).
    public var vlsPlatform = VLSPlatform.esxi
    /// R-VLS-2: the authorization code the VLS reports to the cloud (nil: its own, shared with no other).
    public var authorizationCode: String? = nil
    /// R-VLS-3: when a secondary VLS was restored from a backup without its licenses re-installed (nil: it was not):
    /// it runs on a grace period from then.
    public var restoredAt: SimInstant? = nil
    /// R-DL-1: whether the server downloads its license keys from the vendor automatically, and the licenses the
    /// vendor makes available to it, each from an instant (installed at the first download after it).
    public var autoDownload = false
    public var vendorLicenses: [VendorLicense] = []
    /// Whether the server has a link to the vendor's cloud: a VLS (R-VLS-1), or one that downloads (R-DL-1).
    public var reachesCloud: Bool { vls || autoDownload }
    public init(id: String, licenses: [License] = []) {
        self.id = id
        self.licenses = licenses
    }
}

/// A license client: its server, link latency, allocations and demand.
public struct ClientSpec: Sendable {
    public var id: String
    /// R-ROLE-1: the one server this client leases from.
    public var server: Int
    /// One-way latency of the client's link to its server.
    public var latency: SimDuration
    /// R-ALLOC-1/R-ALLOC-5: the allocation's expiry date, as an instant (`.never` when none).
    public var allocationExpiry: SimInstant
    /// One entry per feature the client leases, sorted by feature index.
    public var allocations: [ClientAllocationSpec]
    /// Key of the random streams of the client's links (derived from its id, so adding a client changes no other's draws).
    public var linkKey: UInt64
    /// R-CLIENT-1: the most concurrent users its platform serves (nil: no limit).
    public var maxUsers: Int32?
    /// R-CLIENT-1: licenses installed on the client itself; they serve its users before any lease. Features the
    /// client is allocated only.
    public var licenses: [License] = []
    /// R-LIC-6: the client's platform family (an index into `FleetSpec.platforms`), or nil.
    public var platform: Int? = nil
    /// R-LIC-6, R-SUR-1: the SKU of its member license (LICENSE-MBR), if it has one.
    public var memberLicense: String? = nil

    /// R-LIC-6: the class of its leases: its family, and whether it has a member license.
    public var platformClass: PlatformClass {
        platform.map { PlatformClass(family: $0, member: memberLicense != nil) } ?? .unbound
    }

    public init(id: String, server: Int, latency: SimDuration = .zero, allocationExpiry: SimInstant = .never,
                allocations: [ClientAllocationSpec], linkKey: UInt64? = nil) {
        self.linkKey = linkKey ?? RandomStream.key(of: id + "/link")
        self.id = id
        self.server = server
        self.latency = latency
        self.allocationExpiry = allocationExpiry
        self.allocations = allocations
    }
}

/// One feature of one client: allocation and demand.
public struct ClientAllocationSpec: Sendable {
    public var feature: Int
    public var allocation: Allocation
    public var demand: DemandSpec?
    public init(feature: Int, allocation: Allocation, demand: DemandSpec? = nil) {
        self.feature = feature
        self.allocation = allocation
        self.demand = demand
    }
}

/// An administrative or operational change at an instant.
public struct ActionSpec: Sendable {
    public enum Change: Sendable {
        /// R-CFG-1/R-CFG-2: the server's allocation for a client's feature changes.
        case setAllocation(client: Int, feature: Int, allocation: Allocation)
        /// R-CFG-3: the client's configuration is deleted at the server.
        case deleteClient(client: Int)
        /// The client contacts the server now ("Pull State from Server", R-CFG-2).
        case pullState(client: Int)
        /// The client stops: no renewals, no service, leases left to lapse (R-LEASE-6).
        case stopClient(client: Int)
        /// A stopped client boots again and requests its reserved counts.
        case startClient(client: Int)
        /// R-SUR-1: the client surrenders one of its own licenses (an index into its `licenses`) to its server.
        case surrenderLicense(client: Int, license: Int)
        /// R-SUR-3: the client recalls a license it surrendered.
        case recallLicense(client: Int, license: Int)
        /// R-VLS-3: a restored VLS gets its licenses re-installed: its grace period no longer limits it.
        case reinstallLicenses(server: Int)
        /// R-HA-5: a pair switches between active/passive and active/active.
        case setHAMode(pair: Int, mode: HAMode)
    }
    public var at: SimInstant
    public var change: Change
    public init(at: SimInstant, change: Change) {
        self.at = at
        self.change = change
    }
}
