import LeaseKernel
import LeaseModel

/// The fleet's counts by feature, kept as the sums of every slot's and server feature's latest levels, so a fleet
/// figure is known after each state change without reading the model mid-chunk (watched expectations; the
/// timeline's fleet rows).
struct FleetSums {
    /// Each slot's latest levels, and each server feature's.
    private(set) var slots: [Levels]
    private(set) var servers: [Levels]
    /// Each feature's fleet levels: the sums of the above.
    private(set) var fleet: [Levels]

    /// The sums of the model's levels now.
    init(model: FleetModel) {
        slots = model.slotStates.indices.map { model.levels(ofSlot: SlotID(index: Int32($0))) }
        servers = model.serverFeatureStates.map { Levels(pool: $0) }
        fleet = Array(repeating: Levels(), count: model.featureCount)
        for (slot, levels) in slots.enumerated() { fleet[Int(model.slotStates[slot].feature.index)].add(levels, sign: 1, server: false) }
        for (index, levels) in servers.enumerated() { fleet[Int(model.serverFeatureStates[index].feature.index)].add(levels, sign: 1, server: true) }
    }

    /// Nothing kept (a run with no fleet figure to follow).
    init() { (slots, servers, fleet) = ([], [], []) }

    /// Takes in one entity's new levels.
    mutating func observe(_ record: StateRecord) {
        let feature = Int(record.feature), index = Int(record.index)
        switch record.entity {
        case .client:
            fleet[feature].add(slots[index], sign: -1, server: false)
            slots[index] = record.levels
        case .server:
            fleet[feature].add(servers[index], sign: -1, server: true)
            servers[index] = record.levels
        }
        fleet[feature].add(record.levels, sign: 1, server: record.entity == .server)
    }
}
