import LeaseKernel

/// Invariants checked after every event in tests (and with `--check-invariants`).
extension FleetModel {
    public func checkInvariants(at now: SimInstant) {
        var usedBySlots = [Int64](repeating: 0, count: store.serverFeatureCount)
        var idleBySlots = usedBySlots, carriedBySlots = usedBySlots
        for slot in 0..<slotCount {
            let lease = leases[slot]
            let state = slots[slot]
            let held = lease.reserved + lease.increment
            precondition(lease.reserved >= 0 && lease.increment >= 0, "negative lease on slot \(slot) at \(now)")
            precondition(held <= max(lease.allocation.maximum, lease.allocation.reserved),
                         "server lease above MUC on slot \(slot) at \(now)")
            precondition(state.users >= 0 && state.reservedHeld >= 0 && state.incrementHeld >= 0,
                         "negative client count on slot \(slot) at \(now)")
            precondition(state.held <= max(state.allocation.maximum, state.reservedHeld),
                         "client holds above its MUC on slot \(slot) at \(now)")
            precondition(lease.configured || held == 0, "deleted client still leases on slot \(slot) at \(now)")
            precondition(lease.carriedOver >= 0 && lease.carriedOver <= held, "carried-over count outside the lease on slot \(slot) at \(now)")
            checkBlocks(slot, now)
            let featureIndex = serverFeatureIndex(ofSlot: Int32(slot))
            usedBySlots[featureIndex] += Int64(held)
            idleBySlots[featureIndex] += Int64(FleetModel.idleReservation(lease, reserved: lease.reserved))
            carriedBySlots[featureIndex] += Int64(lease.carriedOver)
        }
        for index in 0..<store.serverFeatureCount {
            let pool = serverFeatures[index]
            precondition(Int64(pool.used) == usedBySlots[index], "server feature \(index) used \(pool.used) != leases \(usedBySlots[index]) at \(now)")
            precondition(Int64(pool.reservedIdle) == idleBySlots[index],
                         "server feature \(index) idle reservations \(pool.reservedIdle) != \(idleBySlots[index]) at \(now)")
            precondition(Int64(pool.carriedOver) == carriedBySlots[index],
                         "server feature \(index) carried over \(pool.carriedOver) != \(carriedBySlots[index]) at \(now)")
            // R-LEASE-11: the server never leases more than it holds, but for leases carried over a license end.
            precondition(pool.used - pool.carriedOver <= pool.installed,
                         "server feature \(index) leases \(pool.used) (\(pool.carriedOver) carried over) of \(pool.installed) installed at \(now)")
        }
    }

    /// R-LEASE-7: a slot's blocks add up to the increment its client holds, in grant order, within their storage.
    func checkBlocks(_ slot: Int, _ now: SimInstant) {
        let list = blocks(Int32(slot))
        precondition(list.count <= list.capacity, "more blocks than storage on slot \(slot) at \(now)")
        precondition(list.total == slots[slot].incrementHeld,
                     "increment blocks \(list.total) != increment \(slots[slot].incrementHeld) on slot \(slot) at \(now)")
        for position in 0..<list.count {
            precondition(list[position].count > 0 && list[position].grantedAt <= now, "empty or future block on slot \(slot) at \(now)")
            precondition(position == 0 || list[position - 1].grantedAt <= list[position].grantedAt,
                         "blocks out of grant order on slot \(slot) at \(now)")
        }
    }
}
