import LeaseKernel

/// The license fleet: server nodes, clients and the network between them, driven by kernel events.
///
/// Each kind of entity lives in its own `EntityTable`, indexed by a typed ID:
/// clients and their slots (one client's one feature, as the client sees
/// it), server nodes with their lease tables and license pools, and the
/// network's links. Tables are sized by the fleet, so a run allocates with
/// fleet size and not with simulated time. Handlers live in
/// `FleetModel+*.swift` by concern.
public struct FleetModel: EventHandler {
    public typealias Payload = FleetEvent

    public let spec: FleetSpec
    /// The end of the run; work due at or after it is not counted.
    public let horizon: SimInstant
    var clients: EntityTable<ClientID, ClientState>
    /// Every client's every feature, as the client sees it.
    public internal(set) var slots: EntityTable<SlotID, SlotState>
    /// Each slot's increments as the client holds them, in blocks (R-LEASE-7).
    var blockTable: IncrementBlockTable
    /// Server nodes: state, lease tables and pools.
    public internal(set) var servers: EntityTable<ServerID, ServerNodeState>
    /// R-VLS-1, R-DL-1: the servers' contacts with the vendor's cloud, one row per server that has one.
    public internal(set) var cloudContacts = EntityTable<CloudContactID, CloudContact>()
    /// A server's contact with the cloud, if it has one.
    public func cloudContact(of server: ServerID) -> CloudContact? { servers[server].cloud.map { cloudContacts[$0] } }
    /// What the server nodes know of each client they are configured for.
    var configurations: EntityTable<ClientID, ClientConfiguration>
    /// Every node's lease records, grouped by node (each node's table is a range, in holder order).
    public internal(set) var leases: EntityTable<LeaseID, LeaseState>
    /// Each holder's record in the lease table of the node that serves it.
    var leaseIndex: EntityTable<HolderID, LeaseID>
    /// Every node's license pool of every feature.
    public internal(set) var pools: EntityTable<ServerFeatureID, ServerFeatureState>
    /// Fleet totals by feature.
    public internal(set) var totals: EntityTable<FeatureID, FeatureTotals>
    /// R-CLIENT-1: each slot's own licenses and platform maximum (read only for clients that have them).
    public internal(set) var ownLicensing: EntityTable<SlotID, OwnLicensing>
    var demands: EntityTable<SlotID, DemandSpec?>
    var demandStreams: EntityTable<SlotID, RandomStream>
    /// Installed-count changes of every server, in time order.
    public let capacityChanges: [CapacityChange]
    /// R-CLIENT-1: changes of the counts installed on clients themselves, in time order (`server` is the client).
    public let ownLicenseChanges: [CapacityChange]
    public internal(set) var counters = ProtocolCounters()
    /// The most users a slot may have: every demand value is at most 1e7 scaled by at most 1.999, and random
    /// sessions stop here, so a slot's user-millisecond integrals fit Int64 over the longest run.
    public static let maxUsersPerSlot: Int32 = 20_000_000
    /// The users a slot may reach in this run: the spec's bound, never above `maxUsersPerSlot`.
    public var usersPerSlotBound: Int32 { min(spec.maxUsersPerSlot, FleetModel.maxUsersPerSlot) }
    /// Set when random sessions would have passed `usersPerSlotBound`: the run's result is no longer exact.
    public internal(set) var demandOverflow: DemandOverflow?
    var network: Network
    /// What each scheduled fault did so far.
    public internal(set) var faults: EntityTable<FaultID, FaultState>
    /// The links each fault acts on.
    var faultLinks: [[LinkID]]
    /// Which faults reached which clients, and the latest fault to reach each client (to keep the list short).
    var faultTouches: [FaultTouch] = []
    /// Every fault's start, in time order, and how many have started (see `replyDeadline`).
    let faultStartTimes: [SimInstant]
    var nextFault = 0
    /// No request timer can ever fire: no timeout, or no faults and every round trip beats the timeout.
    let timeoutsNeverFire: Bool
    var latestTouch: EntityTable<ClientID, Int32>
    /// R-AUTO-5: each slot's auto-lease usage in its current disconnection (empty unless auto-leasing may happen and
    /// clients report the usage of the whole disconnection, `reconcileUsage: peak`).
    var autoLeaseUsage: EntityTable<SlotID, AutoLeaseUsage>
    /// R-AUTO-2: per pool, the integral of its available count at each of the last window's reviews (a ring of
    /// `AutoLeasePolicy.reviewsPerWindow` entries per pool), and the number of the next review.
    var availability: [Int128] = []
    var reviewNumber: Int64 = 0
    /// R-LIC-6: the platform tallies of the pools that may have licenses bound to a family.
    public internal(set) var platformPools: [PlatformPool] = []
    /// R-SUR-1..3: every client license the schedule surrenders.
    public internal(set) var surrenders: [SurrenderState] = []
    /// R-AUTO-7, R-DL-1: the licenses installed on servers during the run that are events when they are added.
    var licenseInstalls: [LicenseInstall] = []
    /// R-DL-1: starts and ends of downloaded licenses, appended as they are scheduled (at most two per vendor license).
    var downloadedChanges: [CapacityChange] = []
    /// R-DL-1: per server, when it downloaded each of its vendor licenses (nil: not yet).
    public internal(set) var downloadedLicenses: [[SimInstant?]] = []
    public var records = ModelLog()
    /// R-AUTO-1, R-AUTO-2: whether any server may ever enable auto-leasing (the policy allows it and some feature
    /// is a user capacity not platform bound); when not, replies say nothing of it and clients keep no track.
    let autoLeases: Bool
    /// R-CLU-1: whether shares of a cluster side's capacity are being moved (they move once per change).
    var rebalancingShares = false
    /// R-CLU-3: which members' cluster affiliation their server has learned (empty without clusters).
    var affiliationKnown: [Bool] = []
    /// R-HA-1..5: every highly available pair.
    public internal(set) var pairs: [HAPairState] = []
    /// For planners: when each slot's peaks and first denial were reached, and the time-at-level histograms of
    /// slots (leased against MUC), pools (used against installed) and the fleet (leased against installed), each
    /// `LevelBins.count` milliseconds per entity.
    public internal(set) var planners: EntityTable<SlotID, SlotPlanner>
    public internal(set) var levelTime: [Int64]
    public internal(set) var poolLevelTime: [Int64]
    public internal(set) var fleetLevelTime: [Int64]
    var fleetLevelSince: [SimInstant]
    /// What each fault did to the fleet's users; how many acting faults wait for a first denial, and how many
    /// ended ones for recovery.
    public internal(set) var faultImpact: [FaultImpact]
    var faultsAwaitingDenial = 0
    var faultsAwaitingRecovery = 0

    /// Builds the world's state; call `start(_:)` to schedule the first events.
    public init(spec: FleetSpec, horizon: SimInstant, simulation: inout Simulation<FleetEvent>) {
        self.spec = spec
        self.horizon = horizon
        autoLeases = spec.policy.autoLease.enabled && spec.features.indices.contains { spec.traits(of: $0).autoLeases }
        let tracksUsage = autoLeases && spec.policy.autoLease.reconcileUsage == .peak
        autoLeaseUsage = EntityTable(repeating: AutoLeaseUsage(), count: tracksUsage ? spec.clients.reduce(0) { $0 + $1.allocations.count } : 0)
        let featureCount = Int32(spec.features.count)
        var totals = EntityTable<FeatureID, FeatureTotals>(repeating: FeatureTotals(), count: spec.features.count)
        var servers = EntityTable<ServerID, ServerNodeState>(capacity: spec.servers.count)
        var pools = EntityTable<ServerFeatureID, ServerFeatureState>(capacity: spec.servers.count * spec.features.count)
        var changes: [CapacityChange] = []
        for (serverIndex, server) in spec.servers.enumerated() {
            let id = ServerID(index: Int32(serverIndex))
            let schedule = LicenseSchedule.capacity(server: serverIndex, licenses: server.licenses, featureCount: Int(featureCount))
            let first = Int32(pools.count)
            for feature in EntityIDs<FeatureID>(count: featureCount) {
                var pool = ServerFeatureState(server: id, feature: feature)
                pool.installed = schedule.initial[feature.offset]
                pools.append(pool)
                totals[feature].installed += Int64(pool.installed)
            }
            var node = ServerNodeState(leases: EntityIDs(end: 0), pools: EntityIDs(first: first, end: Int32(pools.count)),
                                       penaltyTimer: simulation.makeTimer())
            if server.reachesCloud {
                var contact = CloudContact(heartbeatTimer: simulation.makeTimer(), silenceTimer: simulation.makeTimer())
                contact.isVLS = server.vls
                if server.autoDownload { contact.downloadTimer = simulation.makeTimer() } // R-DL-1
                // R-VLS-2: its authorization code, as the number of the first server that reports it.
                let code = server.authorizationCode ?? server.id
                let first = spec.servers.firstIndex { $0.vls && ($0.authorizationCode ?? $0.id) == code } ?? serverIndex
                contact.authorizationGroup = Int32(first)
                node.cloud = cloudContacts.append(contact)
                for pool in node.pools { pools[pool].cloudContact = true } // In touch at the start.
            }
            servers.append(node)
            changes += schedule.changes
        }
        for feature in totals.ids { totals[feature].installedAtPeakLeased = totals[feature].installed }
        changes.sort { ($0.at, $0.server, $0.license, $0.delta) < ($1.at, $1.server, $1.license, $1.delta) }
        capacityChanges = changes
        var clients = EntityTable<ClientID, ClientState>(capacity: spec.clients.count)
        let slotCount = spec.clients.reduce(0) { $0 + $1.allocations.count }
        var slots = EntityTable<SlotID, SlotState>(capacity: slotCount)
        var demands = EntityTable<SlotID, DemandSpec?>(capacity: slotCount)
        var demandStreams = EntityTable<SlotID, RandomStream>(capacity: slotCount)
        var ownChanges: [CapacityChange] = []
        var ownLicensing = EntityTable<SlotID, OwnLicensing>(capacity: slotCount)
        for (clientIndex, client) in spec.clients.enumerated() {
            let first = Int32(slots.count)
            // R-CLIENT-1: the client's own licenses, on the same calendar as a server's.
            let own = LicenseSchedule.capacity(server: clientIndex, licenses: client.licenses, featureCount: Int(featureCount))
            ownChanges += own.changes
            for entry in client.allocations {
                slots.append(SlotState(client: ClientID(index: Int32(clientIndex)), feature: FeatureID(index: Int32(entry.feature)),
                                       allocation: entry.allocation, requestTimer: simulation.makeTimer(),
                                       lapseTimer: simulation.makeTimer(), holdTimer: simulation.makeTimer()))
                ownLicensing.append(OwnLicensing(installed: own.initial[entry.feature], maximum: client.maxUsers ?? .max))
                // R-CLIENT-1: what the client's own licenses serve counts from the start, before any lease.
                totals[FeatureID(index: Int32(entry.feature))].effective += Int64(min(own.initial[entry.feature], client.maxUsers ?? .max))
                demands.append(entry.demand)
                demandStreams.append(RandomStream(seed: spec.seed, key: entry.demand?.streamKey ?? 0))
            }
            var state = ClientState(server: spec.serverEnd(ofClient: clientIndex),
                                    slots: EntityIDs(first: first, end: Int32(slots.count)), leader: ClientID(index: Int32(clientIndex)),
                                    renewalTimer: simulation.makeTimer(), replyTimer: simulation.makeTimer())
            state.roundTripBeatsTimeout = spec.policy.requestTimeout.map { client.latency + client.latency < $0 } ?? true
            state.ownsLicenses = !client.licenses.isEmpty || client.maxUsers != nil
            clients.append(state)
        }
        FleetModel.formClusters(spec, clients: &clients, slots: &slots)
        ownChanges.sort { ($0.at, $0.server, $0.license, $0.delta) < ($1.at, $1.server, $1.license, $1.delta) }
        ownLicenseChanges = ownChanges
        platformPools = FleetModel.platformPools(spec, pools: &pools)
        (configurations, leases, leaseIndex) = FleetModel.leaseTables(spec, clients: clients, slots: slots,
                                                                      servers: &servers, pools: &pools, &simulation)
        pairs = FleetModel.formPairs(spec, servers: &servers, pools: &pools, &simulation)
        var network = Network(clients: clients, specs: spec.clients, servers: spec.servers, cloudLatency: spec.policy.cloud.latency,
                              clusters: spec.clusters, pairs: spec.haPairs)
        faultLinks = FleetModel.resolveFaultLinks(spec, &network)
        self.network = network
        faults = EntityTable(repeating: FaultState(), count: spec.faults.count)
        faultImpact = Array(repeating: FaultImpact(), count: spec.faults.count)
        faultStartTimes = spec.faults.map(\.at).sorted()
        // A cluster's leader may change without a fault (a member stops), and a reply it carried is lost with it.
        timeoutsNeverFire = spec.policy.requestTimeout == nil
            || (spec.faults.isEmpty && spec.clusters.isEmpty && clients.allSatisfy(\.roundTripBeatsTimeout))
        latestTouch = EntityTable(repeating: -1, count: clients.count)
        // R-LEASE-7: one block per slot holds the whole increment under latestGrant.
        blockTable = IncrementBlockTable(slotCount: slotCount,
                                         perSlot: spec.policy.holdPolicy == .latestGrant ? 1 : IncrementBlockTable.perIncrementCapacity)
        (self.totals, self.servers, self.pools, self.clients, self.slots) = (totals, servers, pools, clients, slots)
        planners = EntityTable(repeating: SlotPlanner(), count: slots.count)
        levelTime = Array(repeating: 0, count: slots.count * LevelBins.count)
        poolLevelTime = Array(repeating: 0, count: pools.count * LevelBins.count)
        fleetLevelTime = Array(repeating: 0, count: totals.count * LevelBins.count)
        fleetLevelSince = Array(repeating: .start, count: totals.count)
        (self.demands, self.demandStreams, self.ownLicensing) = (demands, demandStreams, ownLicensing)
        tallyInitialReservations()
        downloadedLicenses = spec.servers.map { Array(repeating: nil, count: $0.vendorLicenses.count) }
        surrenders = FleetModel.surrenderTable(spec, slots: slots, clients: clients, servers: servers, &simulation)
        if !spec.clusters.isEmpty { affiliationKnown = Array(repeating: false, count: clients.count) }
    }

    /// R-CLU-1: marks each cluster's members: their rank, their slots as clustered (served from the side's pooled
    /// capacity, so through `OwnLicensing`), and the lowest-named as the leader of all at the start.
    static func formClusters(_ spec: FleetSpec, clients: inout EntityTable<ClientID, ClientState>,
                             slots: inout EntityTable<SlotID, SlotState>) {
        for (index, cluster) in spec.clusters.enumerated() {
            let leader = ClientID(index: Int32(cluster.members[0]))
            for (rank, member) in cluster.members.enumerated() {
                let id = ClientID(index: Int32(member))
                clients[id].cluster = Int32(index)
                clients[id].rank = Int32(rank)
                clients[id].leader = leader
                clients[id].leads = rank == 0
                clients[id].ownsLicenses = true
                for slot in clients[id].slots { slots[slot].clustered = true }
            }
        }
    }

    /// Every node's lease table, one record per holder it serves, grouped by node; each client's configuration.
    static func leaseTables(_ spec: FleetSpec, clients: EntityTable<ClientID, ClientState>, slots: EntityTable<SlotID, SlotState>,
                            servers: inout EntityTable<ServerID, ServerNodeState>,
                            pools: inout EntityTable<ServerFeatureID, ServerFeatureState>, _ simulation: inout Simulation<FleetEvent>)
        -> (EntityTable<ClientID, ClientConfiguration>, EntityTable<LeaseID, LeaseState>, EntityTable<HolderID, LeaseID>) {
        var served = Array(repeating: [ClientID](), count: servers.count)
        for client in clients.ids { served[Int(spec.clients[client.offset].server)].append(client) }
        var configurations = EntityTable<ClientID, ClientConfiguration>(
            repeating: ClientConfiguration(leases: EntityIDs(end: 0), allocationExpiry: .never), count: clients.count)
        var leases = EntityTable<LeaseID, LeaseState>(capacity: slots.count)
        var leaseIndex = EntityTable<HolderID, LeaseID>(repeating: LeaseID(index: -1), count: slots.count)
        for server in servers.ids {
            let tableStart = Int32(leases.count)
            for client in served[server.offset] {
                let first = Int32(leases.count)
                for slot in clients[client].slots {
                    let state = slots[slot], pool = servers[server].pool(state.feature)
                    var lease = LeaseState(holder: HolderID(slot: slot), client: client, pool: pool, allocation: state.allocation,
                                           reservedTimer: simulation.makeTimer(), incrementTimer: simulation.makeTimer())
                    lease.platformClass = spec.platformClass(ofClient: client.offset) // R-LIC-6
                    leaseIndex[HolderID(slot: slot)] = leases.append(lease)
                    // R-LEASE-11: a configured client's RUC is set aside for it until it holds it.
                    pools[pool].reservedIdle += state.allocation.reserved
                    pools[pool].maximumSum += Int64(state.allocation.maximum) // R-AUTO-2
                }
                configurations[client] = ClientConfiguration(leases: EntityIDs(first: first, end: Int32(leases.count)),
                                                             allocationExpiry: spec.clients[client.offset].allocationExpiry)
            }
            servers[server].leases = EntityIDs(first: tableStart, end: Int32(leases.count))
            let licensedAtStart = spec.serves(ofServer: server.offset).contains { $0.contains(.start) } // R-LIC-8
            servers[server].licensed = licensedAtStart
            servers[server].stop = licensedAtStart ? .none : .noServerLicense
            for lease in servers[server].leases { leases[lease].serverStop = servers[server].stop }
            for pool in servers[server].pools { pools[pool].licensing = licensedAtStart }
            // One run of consecutive holders: found by offset, without a look-up in the index.
            if tableStart < Int32(leases.count) {
                let first = leases[LeaseID(index: tableStart)].holder.index
                let consecutive = servers[server].leases.allSatisfy { leases[$0].holder.index - first == $0.index - tableStart }
                if consecutive { servers[server].holderShift = tableStart - first }
            }
        }
        return (configurations, leases, leaseIndex)
    }

    // MARK: Storage

    /// Makes every table this model's own before it changes: the model's one copy-on-write point. Every mutating
    /// entry point (`start`, `willRun`, the public mutators) calls it first. Between `willRun` and the end of a
    /// run the kernel holds the model `inout`, and the model never copies itself, so nothing can come to share
    /// its storage during a run (debug builds check it at every write).
    mutating func makeUnique() {
        clients.makeUnique()
        slots.makeUnique()
        blockTable.makeUnique()
        servers.makeUnique()
        cloudContacts.makeUnique()
        configurations.makeUnique()
        leases.makeUnique()
        leaseIndex.makeUnique()
        pools.makeUnique()
        totals.makeUnique()
        demandStreams.makeUnique()
        ownLicensing.makeUnique()
        network.makeUnique()
        faults.makeUnique()
        latestTouch.makeUnique()
        planners.makeUnique()
        autoLeaseUsage.makeUnique()
    }

    /// Every slot: one client's one feature, as the client sees it.
    public var slotStates: EntityTable<SlotID, SlotState> { slots }
    /// A slot's increments as its client holds them, in blocks, oldest first (R-LEASE-7).
    public func incrementBlocks(ofSlot slot: Int) -> [IncrementBlock] { blockTable.blocks(of: SlotID(index: Int32(slot))) }
    /// Every node's every feature pool (index: server * featureCount + feature).
    public var serverFeatureStates: EntityTable<ServerFeatureID, ServerFeatureState> { pools }
    /// Fleet totals by feature.
    public var featureTotals: EntityTable<FeatureID, FeatureTotals> { totals }
    /// Every node's lease records, grouped by node (`ServerNodeState.leases` is a node's range).
    public var leaseStates: EntityTable<LeaseID, LeaseState> { leases }
    /// The record of a holder's lease at the node that serves it.
    public func lease(of holder: HolderID) -> LeaseState { leases[leaseIndex[holder]] }

    /// Schedules the run's first events: initial leases, demand, renewals, license changes, actions.
    public mutating func start(_ sim: inout Simulation<FleetEvent>) {
        makeUnique()
        records.prepare(entities: slots.count + pools.count)
        for (index, change) in capacityChanges.enumerated() {
            sim.schedule(at: change.at, priority: .first, .capacityChange(index: Int32(index)))
        }
        for (index, change) in ownLicenseChanges.enumerated() where change.at < horizon {
            sim.schedule(at: change.at, priority: .first, .ownLicenseChange(index: Int32(index)))
        }
        for (index, action) in spec.actions.enumerated() {
            sim.schedule(at: action.at, priority: .first, .action(index: Int32(index)))
        }
        // R-AUTO-7, R-DL-1: a license installed during the run is an event when it is added (a user-count subscription
        // ends the penalty then; the download schedule knows its end from then), whenever it starts counting.
        for (server, serverSpec) in spec.servers.enumerated() {
            for (license, spec) in serverSpec.licenses.enumerated() where spec.installedAt > .start && spec.installedAt < horizon
                && (endsPenalty(spec, installedAt: spec.installedAt) || serverSpec.autoDownload) {
                licenseInstalls.append(LicenseInstall(server: ServerID(index: Int32(server)), license: Int32(license)))
                sim.schedule(at: spec.installedAt, priority: .first, .licenseInstalled(index: Int32(licenseInstalls.count - 1)))
            }
        }
        // R-LIC-8: a hardware server serves while a license-server license covers it.
        for index in spec.servers.indices {
            for span in spec.serves(ofServer: index) {
                let id = ServerID(index: Int32(index))
                if span.lowerBound > .start && span.lowerBound < horizon {
                    sim.schedule(at: span.lowerBound, priority: .first, .serverLicenseStarts(server: id))
                }
                if span.upperBound < horizon { sim.schedule(at: span.upperBound, priority: .first, .serverLicenseEnds(server: id)) }
            }
        }
        // R-VLS-1: virtual license servers send their first heartbeat at instant zero, in touch with the cloud then.
        for server in servers.ids {
            guard let id = servers[server].cloud else { continue }
            let contact = cloudContacts[id]
            // R-DL-1: the first automatic download at instant zero.
            if let timer = contact.downloadTimer { sim.arm(timer, at: .start, .downloadDue(server: server)) }
            guard contact.isVLS else { continue }
            sim.arm(contact.heartbeatTimer, at: .start, .heartbeatDue(server: server))
            sim.arm(contact.silenceTimer, at: .start + spec.policy.cloud.maxSilence, .cloudSilence(server: server))
            // R-VLS-3: a restored server's grace ends (at instant zero if it ended before).
            if let restored = spec.servers[server.offset].restoredAt, restored + spec.policy.cloud.restoreGrace < horizon {
                sim.schedule(at: max(.start, restored + spec.policy.cloud.restoreGrace), priority: .first, .restoreGraceEnds(server: server))
            }
        }
        // A fault that ends at an instant ends before one that starts then (one node's crash windows may touch).
        for (index, fault) in spec.faults.enumerated() where fault.until < horizon {
            sim.schedule(at: fault.until, priority: .first, .faultEnds(index: Int32(index)))
        }
        for (index, fault) in spec.faults.enumerated() where fault.at < horizon {
            sim.schedule(at: fault.at, priority: .first, .faultStarts(index: Int32(index)))
        }
        // R-HA-5: each pair starts whole: its leases at its pool, which counts the cluster license.
        for pair in pairs.indices {
            placePairLeases(pair, .start)
            refreshPairRows(pair, &sim)
        }
        if spec.policy.initialLeases == .held {
            // The fleet starts in steady state: every reserved lease granted just now.
            for slot in slots.ids { grantInitialReservedLease(slot, &sim) }
        }
        startAutoLeasing(&sim)
        for client in clients.ids {
            for slot in clients[client].slots where demands[slot] != nil {
                sim.schedule(at: .start, .demand(slot: slot))
            }
            if spec.policy.initialLeases == .request { bootClient(client, &sim) }
            sim.arm(clients[client].renewalTimer, at: .start + spec.policy.renewalInterval, .renewalDue(client: client))
        }
    }

    /// A run starts: the model owns its storage for the whole run (see `makeUnique()`).
    public mutating func willRun() { makeUnique() }

    /// Dispatches one event to its handler; only `Simulation.run` calls it (after `willRun`). Inlined into the run
    /// loop; handlers of rare events are kept out of line so it stays small.
    @inline(__always)
    public mutating func handle(_ event: FleetEvent, simulation sim: inout Simulation<FleetEvent>) {
        switch event {
        case .demand(let slot): demandDue(slot, &sim)
        case .sessionEnd(let slot): sessionEnded(slot, &sim)
        case .renewalDue(let client): renewalDue(client, &sim)
        case .clientLapse(let slot): clientLapseDue(slot, &sim)
        case .holdEnds(let slot): holdEnded(slot, &sim)
        case .reservedExpiry(let lease): reservedLeaseExpired(lease, sim.now)
        case .incrementExpiry(let lease): incrementLeaseExpired(lease, sim.now)
        case .deliverToClient(let message): deliverToClient(message, &sim)
        case .deliverToServer(let message): deliverToServer(message, &sim)
        case .requestTimer(let slot): requestTimerFired(slot, &sim)
        case .renewalTimer(let client): renewalTimerFired(client, &sim)
        case .rare(let event): handleRare(event, &sim)
        }
    }

    /// The seldom events (`FleetEvent.rare`), out of the event loop's way.
    @inline(never)
    mutating func handleRare(_ event: RareEvent, _ sim: inout Simulation<FleetEvent>) {
        switch event.kind {
        case .capacityChange: applyCapacityChange(Int(event.argument), &sim)
        case .action: perform(spec.actions[Int(event.argument)].change, &sim)
        case .faultStarts: faultStarts(FaultID(index: event.argument), &sim)
        case .faultEnds: faultEnds(FaultID(index: event.argument), &sim)
        case .autoLeaseReview: reviewAutoLeasing(&sim)
        case .penaltyEnds: endPenalty(ServerID(index: event.argument), rule: "R-AUTO-6", &sim)
        case .serverLicenseStarts: setServerLicensed(ServerID(index: event.argument), true, sim.now)
        case .serverLicenseEnds: setServerLicensed(ServerID(index: event.argument), false, sim.now)
        case .ownLicenseChange: applyOwnLicenseChange(Int(event.argument), &sim)
        case .surrenderContact: contactAboutSurrender(Int(event.argument), &sim)
        case .surrenderExpiry: surrenderExpired(Int(event.argument), sim.now)
        case .heartbeatDue: sendHeartbeat(ServerID(index: event.argument), &sim)
        case .deliverToCloud: deliverToCloud(MessageSlot(index: event.argument), &sim)
        case .deliverFromCloud: deliverFromCloud(MessageSlot(index: event.argument), &sim)
        case .cloudSilence: cloudSilenceReached(ServerID(index: event.argument), sim.now)
        case .restoreGraceEnds: restoreGraceEnds(ServerID(index: event.argument), sim.now)
        case .downloadDue: downloadDue(ServerID(index: event.argument), &sim)
        case .downloadedLicenseChange: applyDownloaded(downloadedChanges[Int(event.argument)], &sim)
        case .haFailover: failover(Int(event.argument), &sim)
        case .haGraceEnds: pairGraceEnded(Int(event.argument), &sim)
        case .haGraceDay: graceDayPassed(Int(event.argument), &sim)
        case .licenseInstalled: licenseInstalled(licenseInstalls[Int(event.argument)], &sim)
        }
    }

    // MARK: Lookups

    @inlinable public var featureCount: Int { spec.features.count }
    /// The leased count a slot can serve with now: what the client holds while it is up.
    @inline(__always)
    public func capacity(ofSlot slot: SlotID) -> Int32 {
        let client = clients[slots[slot].client]
        return client.isUp ? (client.ownsLicenses ? ownLicensing[slot].effective(held: slots[slot].held) : slots[slot].held) : 0
    }
    /// The leased count a slot can serve with now, by position.
    public func capacity(ofSlot slot: Int) -> Int32 { capacity(ofSlot: SlotID(index: Int32(slot))) }
    /// Whether a client is running.
    public func isUp(client: Int) -> Bool { clients[ClientID(index: Int32(client))].isUp }
    /// R-CLU-3: whether a client leads its side of its cluster now.
    public func leads(client: Int) -> Bool { clients[ClientID(index: Int32(client))].leads }
    /// Messages a client has sent and received.
    public func messages(ofClient client: Int) -> (sent: Int64, received: Int64) {
        let state = clients[ClientID(index: Int32(client))]
        return (state.messagesSent, state.messagesReceived)
    }
    /// The slot of a client's feature, if the client leases it.
    public func slot(client: Int, feature: Int) -> Int? {
        slot(ClientID(index: Int32(client)), FeatureID(index: Int32(feature))).map(\.offset)
    }
    func slot(_ client: ClientID, _ feature: FeatureID) -> SlotID? {
        clients[client].slots.first { slots[$0].feature == feature }
    }
}

/// Random sessions on a slot reached `FleetModel.maxUsersPerSlot`; later arrivals were not counted.
public struct DemandOverflow: Sendable, Equatable {
    public var slot: SlotID
    public var at: SimInstant
}
