import LeaseKernel

/// Invariants checked after every event in tests (and with `--check-invariants`).
extension FleetModel {
    public func checkInvariants(at now: SimInstant) {
        for slot in slots.ids { checkSlot(slot, now) }
        var usedByLeases = EntityTable<ServerFeatureID, Int64>(repeating: 0, count: pools.count)
        var idleByLeases = EntityTable<ServerFeatureID, Int64>(repeating: 0, count: pools.count)
        var carriedByLeases = EntityTable<ServerFeatureID, Int64>(repeating: 0, count: pools.count)
        for server in servers.ids {
            for lease in servers[server].leases {
                let state = leases[lease]
                checkLease(lease, at: server, now)
                usedByLeases[state.pool] += Int64(state.held)
                idleByLeases[state.pool] += Int64(FleetModel.idleReservation(state, reserved: state.reserved))
                carriedByLeases[state.pool] += Int64(state.carriedOver)
            }
        }
        for pool in pools.ids {
            let state = pools[pool]
            precondition(Int64(state.used) == usedByLeases[pool], "\(pool) used \(state.used) != leases \(usedByLeases[pool]) at \(now)")
            precondition(Int64(state.reservedIdle) == idleByLeases[pool],
                         "\(pool) idle reservations \(state.reservedIdle) != \(idleByLeases[pool]) at \(now)")
            precondition(Int64(state.carriedOver) == carriedByLeases[pool],
                         "\(pool) carried over \(state.carriedOver) != \(carriedByLeases[pool]) at \(now)")
            // R-LEASE-11: the server never leases more than it holds, but for leases carried over a license end.
            precondition(state.used - state.carriedOver <= state.installed,
                         "\(pool) leases \(state.used) (\(state.carriedOver) carried over) of \(state.installed) installed at \(now)")
        }
    }

    /// A slot's counts, and its increment blocks (R-LEASE-7).
    func checkSlot(_ slot: SlotID, _ now: SimInstant) {
        let state = slots[slot]
        precondition(state.users >= 0 && state.reservedHeld >= 0 && state.incrementHeld >= 0,
                     "negative client count on \(slot) at \(now)")
        precondition(state.held <= max(state.allocation.maximum, state.reservedHeld), "client holds above its MUC on \(slot) at \(now)")
        checkBlocks(slot, now)
    }

    /// A lease record: in its node's table, within its allocation, nothing leased once deleted.
    func checkLease(_ lease: LeaseID, at server: ServerID, _ now: SimInstant) {
        let state = leases[lease]
        precondition(pools[state.pool].server == server && leaseIndex[state.holder] == lease,
                     "\(lease) is not \(state.holder)'s record at \(server) at \(now)")
        precondition(state.reserved >= 0 && state.increment >= 0, "negative lease \(lease) at \(now)")
        precondition(state.held <= max(state.allocation.maximum, state.allocation.reserved), "server lease above MUC: \(lease) at \(now)")
        precondition(state.configured || state.held == 0, "deleted client still leases: \(lease) at \(now)")
        precondition(state.carriedOver >= 0 && state.carriedOver <= state.held, "carried-over count outside \(lease) at \(now)")
    }

    /// R-LEASE-7: a slot's blocks add up to the increment its client holds, in grant order, within their storage.
    func checkBlocks(_ slot: SlotID, _ now: SimInstant) {
        let count = blockTable.counts[slot]
        precondition(count >= 0 && count <= blockTable.perSlot, "more blocks than storage on \(slot) at \(now)")
        precondition(blockTable.total(of: slot) == slots[slot].incrementHeld,
                     "increment blocks \(blockTable.total(of: slot)) != increment \(slots[slot].incrementHeld) on \(slot) at \(now)")
        for position in 0..<count {
            let block = blockTable[slot, position]
            precondition(block.count > 0 && block.grantedAt <= now, "empty or future block on \(slot) at \(now)")
            precondition(position == 0 || blockTable[slot, position - 1].grantedAt <= block.grantedAt,
                         "blocks out of grant order on \(slot) at \(now)")
        }
    }
}
