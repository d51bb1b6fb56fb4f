import LeaseKernel

/// The license fleet: servers, clients and the network between them, driven by kernel events.
///
/// State lives in fixed-size raw slabs (`FleetStore`) indexed by client, slot
/// (one client's one feature) and server-feature, so a run allocates with
/// fleet size and not with simulated time. Handlers live in
/// `FleetModel+*.swift` by concern.
public struct FleetModel: EventHandler {
    public typealias Payload = FleetEvent

    public let spec: FleetSpec
    /// The end of the run; work due at or after it is not counted.
    public let horizon: SimInstant
    /// Per-entity state (clients, slots, leases, server features, fleet totals) in raw slabs.
    var store: FleetStore
    /// The store's slabs, kept beside it so a handler reaches an entity with one load, not two.
    private(set) var clients: UnsafeMutablePointer<ClientState>
    private(set) var slots: UnsafeMutablePointer<SlotState>
    private(set) var leases: UnsafeMutablePointer<LeaseState>
    private(set) var blockTable: IncrementBlockTable
    private(set) var serverFeatures: UnsafeMutablePointer<ServerFeatureState>
    private(set) var totals: UnsafeMutablePointer<FeatureTotals>
    var demands: [DemandSpec?] = []
    var demandStreams: [RandomStream] = []
    /// Installed-count changes of every server, in time order.
    public let capacityChanges: [CapacityChange]
    public internal(set) var counters = ProtocolCounters()
    /// The most users a slot may have: every demand value is at most 1e7 scaled by at most 1.999, and random
    /// sessions stop here, so a slot's user-millisecond integrals fit Int64 over the longest run.
    public static let maxUsersPerSlot: Int32 = 20_000_000
    /// The users a slot may reach in this run: the spec's bound, never above `maxUsersPerSlot`.
    public var usersPerSlotBound: Int32 { min(spec.maxUsersPerSlot, FleetModel.maxUsersPerSlot) }
    /// Set when random sessions would have passed `usersPerSlotBound`: the run's result is no longer exact.
    public internal(set) var demandOverflow: DemandOverflow?
    var network = MessagesInFlight()
    public var records = ModelLog()

    /// Builds the world's state; call `start(_:)` to schedule the first events.
    public init(spec: FleetSpec, horizon: SimInstant, simulation: inout Simulation<FleetEvent>) {
        self.spec = spec
        self.horizon = horizon
        let featureCount = spec.features.count
        var totals = Array(repeating: FeatureTotals(), count: featureCount)
        var serverFeatures = Array(repeating: ServerFeatureState(), count: spec.servers.count * featureCount)
        var clients: [ClientState] = [], slots: [SlotState] = [], leases: [LeaseState] = []
        var demands: [DemandSpec?] = [], demandStreams: [RandomStream] = []
        var changes: [CapacityChange] = []
        for (serverIndex, server) in spec.servers.enumerated() {
            let schedule = LicenseSchedule.capacity(server: serverIndex, licenses: server.licenses, featureCount: featureCount)
            for feature in 0..<featureCount {
                serverFeatures[serverIndex * featureCount + feature].installed = schedule.initial[feature]
                totals[feature].installed += Int64(schedule.initial[feature])
            }
            changes += schedule.changes
        }
        for feature in 0..<featureCount { totals[feature].installedAtPeakLeased = totals[feature].installed }
        changes.sort { ($0.at, $0.server, $0.license, $0.delta) < ($1.at, $1.server, $1.license, $1.delta) }
        capacityChanges = changes
        clients.reserveCapacity(spec.clients.count)
        for client in spec.clients {
            let first = Int32(slots.count)
            for entry in client.allocations {
                slots.append(SlotState(client: Int32(clients.count), feature: Int32(entry.feature),
                                       allocation: entry.allocation, lapseTimer: simulation.makeTimer(),
                                       holdTimer: simulation.makeTimer()))
                leases.append(LeaseState(allocation: entry.allocation, reservedTimer: simulation.makeTimer(),
                                         incrementTimer: simulation.makeTimer()))
                // R-LEASE-11: a configured client's RUC is set aside for it until it holds it.
                serverFeatures[client.server * featureCount + entry.feature].reservedIdle += entry.allocation.reserved
                demands.append(entry.demand)
                demandStreams.append(RandomStream(seed: spec.seed, key: entry.demand?.streamKey ?? 0))
            }
            clients.append(ClientState(server: Int32(client.server), latency: client.latency,
                                       allocationExpiry: client.allocationExpiry, firstSlot: first,
                                       endSlot: Int32(slots.count), renewalTimer: simulation.makeTimer()))
        }
        self.demands = demands
        self.demandStreams = demandStreams
        // R-LEASE-7: one block per slot holds the whole increment under latestGrant.
        let blocksPerSlot = spec.policy.holdPolicy == .latestGrant ? 1 : IncrementBlocks.perIncrementCapacity
        store = FleetStore(clients: clients, slots: slots, leases: leases,
                           blocks: IncrementBlockTable(slotCount: slots.count, perSlot: blocksPerSlot),
                           serverFeatures: serverFeatures, totals: totals)
        blockTable = store.blocks
        (self.clients, self.slots, self.leases, self.serverFeatures, self.totals) =
            (store.clients, store.slots, store.leases, store.serverFeatures, store.totals)
    }

    // MARK: Storage

    var slotCount: Int { store.slotCount }

    /// Makes the store and the network this model's own before they change (copy on write).
    /// Every mutating entry point (`start`, `willRun`, the public mutators) calls it first.
    /// Between `willRun` and the end of a run the kernel holds the model `inout`, and the
    /// model never copies itself, so nothing can come to share its storage during a run.
    @inline(__always)
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&store) {
            store = store.copy()
            (clients, slots, leases, blockTable, serverFeatures, totals) =
                (store.clients, store.slots, store.leases, store.blocks, store.serverFeatures, store.totals)
        }
        network.makeUnique()
    }

    /// Every slot: one client's one feature, as the client sees it.
    public var slotStates: EntityView<SlotState> { EntityView(owner: store, base: store.slots, count: store.slotCount) }
    /// A slot's increments as its client holds them, in blocks, oldest first (R-LEASE-7).
    public func incrementBlocks(ofSlot slot: Int) -> [IncrementBlock] {
        precondition(slot >= 0 && slot < slotCount, "slot \(slot) out of range")
        return blocks(Int32(slot)).blocks
    }

    /// A slot's increment blocks, to read and change (the store stays this model's own during a run).
    @inline(__always)
    func blocks(_ slot: Int32) -> IncrementBlocks { blockTable[Int(slot)] }
    /// The server's lease record of every slot.
    public var leaseStates: EntityView<LeaseState> { EntityView(owner: store, base: store.leases, count: store.slotCount) }
    /// Every server's every feature (index: server * featureCount + feature).
    public var serverFeatureStates: EntityView<ServerFeatureState> {
        EntityView(owner: store, base: store.serverFeatures, count: store.serverFeatureCount)
    }
    /// Fleet totals by feature.
    public var featureTotals: EntityView<FeatureTotals> { EntityView(owner: store, base: store.totals, count: store.featureCount) }

    /// Schedules the run's first events: initial leases, demand, renewals, license changes, actions.
    public mutating func start(_ sim: inout Simulation<FleetEvent>) {
        makeUnique()
        records.prepare(entities: slotCount + store.serverFeatureCount)
        for (index, change) in capacityChanges.enumerated() {
            sim.schedule(at: change.at, priority: .first, .capacityChange(index: Int32(index)))
        }
        for (index, action) in spec.actions.enumerated() {
            sim.schedule(at: action.at, priority: .first, .action(index: Int32(index)))
        }
        if spec.policy.initialLeases == .held {
            // The fleet starts in steady state: every reserved lease granted just now.
            for slot in 0..<slotCount { grantInitialReservedLease(Int32(slot), &sim) }
        }
        for client in 0..<store.clientCount {
            let client = Int32(client)
            for slot in clientSlots(client) where demands[Int(slot)] != nil {
                sim.schedule(at: .start, .demand(slot: slot))
            }
            if spec.policy.initialLeases == .request { bootClient(client, &sim) }
            sim.arm(clients[Int(client)].renewalTimer, at: .start + spec.policy.renewalInterval, .renewalDue(client: client))
        }
    }

    /// A run starts: the model owns its storage for the whole run (see `makeUnique()`).
    public mutating func willRun() { makeUnique() }

    /// Debug builds check that the storage is still this model's own.
    @inline(__always)
    mutating func assertUnique() {
        #if DEBUG
        precondition(isKnownUniquelyReferenced(&store), "the store is shared during a run")
        network.assertUnique()
        #endif
    }

    /// Dispatches one event to its handler; only `Simulation.run` calls it (after `willRun`).
    public mutating func handle(_ event: FleetEvent, simulation sim: inout Simulation<FleetEvent>) {
        assertUnique()
        switch event {
        case .demand(let slot): demandDue(slot, &sim)
        case .sessionEnd(let slot): sessionEnded(slot, &sim)
        case .renewalDue(let client): renewalDue(client, &sim)
        case .clientLapse(let slot): clientLapseDue(slot, &sim)
        case .holdEnds(let slot): holdEnded(slot, &sim)
        case .reservedExpiry(let slot): reservedLeaseExpired(slot, sim.now)
        case .incrementExpiry(let slot): incrementLeaseExpired(slot, sim.now)
        case .deliver(let message): deliver(message, &sim)
        case .capacityChange(let index): applyCapacityChange(Int(index), sim.now)
        case .action(let index): perform(spec.actions[Int(index)].change, &sim)
        }
    }

    // MARK: Lookups

    @inlinable public var featureCount: Int { spec.features.count }
    @inline(__always)
    func clientSlots(_ client: Int32) -> Range<Int32> { clients[Int(client)].firstSlot..<clients[Int(client)].endSlot }
    @inline(__always)
    func serverFeatureIndex(ofSlot slot: Int32) -> Int {
        Int(clients[Int(slots[Int(slot)].client)].server) * featureCount + Int(slots[Int(slot)].feature)
    }
    /// The leased count a slot can serve with now: what the client holds while it is up.
    @inline(__always)
    public func capacity(ofSlot slot: Int) -> Int32 {
        clients[Int(slots[slot].client)].isUp ? slots[slot].reservedHeld + slots[slot].incrementHeld : 0
    }
    /// Whether a client is running.
    public func isUp(client: Int) -> Bool { clients[client].isUp }
    /// Messages a client has sent and received.
    public func messages(ofClient client: Int) -> (sent: Int64, received: Int64) {
        (clients[client].messagesSent, clients[client].messagesReceived)
    }
    /// The slot of a client's feature, if the client leases it.
    public func slot(client: Int, feature: Int) -> Int? {
        clientSlots(Int32(client)).first { slots[Int($0)].feature == Int32(feature) }.map(Int.init)
    }
}

/// Random sessions on a slot reached `FleetModel.maxUsersPerSlot`; later arrivals were not counted.
public struct DemandOverflow: Sendable, Equatable {
    public var slot: Int32
    public var at: SimInstant
}
