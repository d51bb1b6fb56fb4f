/// The fleet's per-entity state in fixed-size slabs of raw memory.
///
/// A fleet's size is known when it is built, so the slabs never grow. The
/// model checks once per run that it owns its store (copying it if a
/// copy of the model shares it) and then reads and writes through the
/// pointers with no per-access bounds, uniqueness or exclusivity checks.
/// Invariant: every element of every slab is initialized for the store's life.
final class FleetStore {
    let clients: UnsafeMutablePointer<ClientState>
    let clientCount: Int
    let slots: UnsafeMutablePointer<SlotState>
    let leases: UnsafeMutablePointer<LeaseState>
    /// Each slot's increments as the client holds them, in blocks (R-LEASE-7).
    let blocks: IncrementBlockTable
    let slotCount: Int
    let serverFeatures: UnsafeMutablePointer<ServerFeatureState>
    let serverFeatureCount: Int
    let totals: UnsafeMutablePointer<FeatureTotals>
    let featureCount: Int

    init(clients: [ClientState], slots: [SlotState], leases: [LeaseState], blocks: IncrementBlockTable,
         serverFeatures: [ServerFeatureState], totals: [FeatureTotals]) {
        precondition(slots.count == leases.count, "one lease record per slot")
        self.clients = FleetStore.slab(clients)
        clientCount = clients.count
        self.slots = FleetStore.slab(slots)
        self.leases = FleetStore.slab(leases)
        precondition(blocks.slotCount == slots.count, "one block list per slot")
        self.blocks = blocks
        slotCount = slots.count
        self.serverFeatures = FleetStore.slab(serverFeatures)
        serverFeatureCount = serverFeatures.count
        self.totals = FleetStore.slab(totals)
        featureCount = totals.count
    }

    static func slab<Element>(_ elements: [Element]) -> UnsafeMutablePointer<Element> {
        let pointer = UnsafeMutablePointer<Element>.allocate(capacity: max(elements.count, 1))
        _ = UnsafeMutableBufferPointer(start: pointer, count: elements.count).initialize(from: elements)
        return pointer
    }

    /// A deep copy, for a model copy that is about to change.
    func copy() -> FleetStore {
        FleetStore(clients: Array(UnsafeBufferPointer(start: clients, count: clientCount)),
                   slots: Array(UnsafeBufferPointer(start: slots, count: slotCount)),
                   leases: Array(UnsafeBufferPointer(start: leases, count: slotCount)),
                   blocks: blocks.copy(),
                   serverFeatures: Array(UnsafeBufferPointer(start: serverFeatures, count: serverFeatureCount)),
                   totals: Array(UnsafeBufferPointer(start: totals, count: featureCount)))
    }

    deinit {
        clients.deinitialize(count: clientCount).deallocate()
        slots.deinitialize(count: slotCount).deallocate()
        leases.deinitialize(count: slotCount).deallocate()
        blocks.deallocate()
        serverFeatures.deinitialize(count: serverFeatureCount).deallocate()
        totals.deinitialize(count: featureCount).deallocate()
    }
}

/// A read-only view of one of the fleet's slabs, as a collection (it keeps the memory alive).
public struct EntityView<Element>: RandomAccessCollection {
    let owner: AnyObject
    let base: UnsafePointer<Element>
    public let count: Int

    init(owner: AnyObject, base: UnsafeMutablePointer<Element>, count: Int) {
        self.owner = owner
        self.base = UnsafePointer(base)
        self.count = count
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "index \(position) out of range")
        return withExtendedLifetime(owner) { base[position] }
    }
}
