import LeaseKernel

/// Invariants checked after every event in tests (and with `--check-invariants`).
extension FleetModel {
    public func checkInvariants(at now: SimInstant) {
        var usedBySlots = [Int64](repeating: 0, count: store.serverFeatureCount)
        for slot in 0..<slotCount {
            let lease = leases[slot]
            let state = slots[slot]
            precondition(lease.reserved >= 0 && lease.increment >= 0, "negative lease on slot \(slot) at \(now)")
            precondition(lease.reserved + lease.increment <= max(lease.allocation.maximum, lease.allocation.reserved),
                         "server lease above MUC on slot \(slot) at \(now)")
            precondition(state.users >= 0 && state.reservedHeld >= 0 && state.incrementHeld >= 0,
                         "negative client count on slot \(slot) at \(now)")
            precondition(state.held <= max(state.allocation.maximum, state.reservedHeld),
                         "client holds above its MUC on slot \(slot) at \(now)")
            precondition(lease.configured || lease.reserved + lease.increment == 0,
                         "deleted client still leases on slot \(slot) at \(now)")
            usedBySlots[serverFeatureIndex(ofSlot: Int32(slot))] += Int64(lease.reserved + lease.increment)
        }
        for index in 0..<store.serverFeatureCount {
            precondition(Int64(serverFeatures[index].used) == usedBySlots[index],
                         "server feature \(index) used \(serverFeatures[index].used) != leases \(usedBySlots[index]) at \(now)")
        }
    }
}
