import LeaseKernel

/// Scheduled administrative and operational actions: configuration changes, stops and starts.
extension FleetModel {
    mutating func perform(_ change: ActionSpec.Change, _ sim: inout Simulation<FleetEvent>) {
        switch change {
        case let .setAllocation(client, feature, allocation): setAllocation(client, feature, allocation, &sim)
        case .deleteClient(let client): deleteClient(Int32(client), sim.now)
        case .pullState(let client):
            let client = Int32(client)
            guard clients[Int(client)].isUp else { return }
            record(ProtocolRecord(time: sim.now, kind: .pullState, client: client, rule: "R-CFG-2"))
            sendRenewal(client, &sim)
        case .stopClient(let client): stopClient(Int32(client), &sim)
        case .startClient(let client): startClient(Int32(client), &sim)
        }
    }

    /// R-CFG-1, R-CFG-4: the server's allocation changes now; a lowered MUC cuts the lease at once, every other
    /// change waits for the client's next contact.
    mutating func setAllocation(_ client: Int, _ feature: Int, _ allocation: Allocation, _ sim: inout Simulation<FleetEvent>) {
        guard let slotIndex = slot(client: client, feature: feature) else { return }
        let slot = Int32(slotIndex)
        setServerAllocation(slot, allocation)
        let lease = leases[slotIndex]
        let held = lease.reserved + lease.increment
        let lowered = allocation.maximum < held
        record(ProtocolRecord(time: sim.now, kind: .configChange, client: Int32(client), feature: Int32(feature),
                              count: Int64(allocation.maximum), rule: lowered ? "R-CFG-1" : "R-CFG-4"))
        guard lowered else { return } // R-CFG-2, R-CFG-4: the client learns at its next contact.
        // R-CFG-1, R-LEASE-10: down to RUC plus the whole ILQ that fit under the new MUC.
        let level = allocation.largestLease
        let reserved = min(lease.reserved, level)
        let increment = level - reserved
        setServerLease(slot, reserved: reserved, increment: increment, sim.now)
        if increment == 0 { sim.disarm(lease.incrementTimer) }
        record(ProtocolRecord(time: sim.now, kind: .cut, client: Int32(client), feature: Int32(feature),
                              count: Int64(level), rule: "R-CFG-1"))
        var cut = Message(kind: .leaseCut, client: Int32(client), slot: slot, count: reserved)
        cut.secondCount = increment
        cut.allocation = allocation
        sendToClient(cut, &sim)
    }

    /// R-CFG-3: deleting a client's configuration frees its capacity at once, its reservation included.
    mutating func deleteClient(_ client: Int32, _ now: SimInstant) {
        var freed: Int64 = 0
        for slot in clientSlots(client) {
            freed += Int64(leases[Int(slot)].reserved + leases[Int(slot)].increment)
            removeConfiguration(slot, now)
        }
        record(ProtocolRecord(time: now, kind: .clientDeleted, client: client, server: clients[Int(client)].server,
                              count: freed, rule: "R-CFG-3"))
    }

    /// The client stops: it serves nobody, renews nothing, and its leases lapse at the server (R-LEASE-6).
    mutating func stopClient(_ client: Int32, _ sim: inout Simulation<FleetEvent>) {
        guard clients[Int(client)].isUp else { return }
        let befores = clientSlots(client).map { beginChange($0, sim.now) }
        clients[Int(client)].isUp = false
        sim.disarm(clients[Int(client)].renewalTimer)
        for (slot, before) in zip(clientSlots(client), befores) {
            let index = Int(slot)
            slots[index].reservedHeld = 0
            setClientIncrement(slot, 0)
            slots[index].requestPending = false
            sim.disarm(slots[index].lapseTimer)
            sim.disarm(slots[index].holdTimer)
            endChange(slot, sim.now, from: before)
            decideLogins(slot, sim.now)
        }
        record(ProtocolRecord(time: sim.now, kind: .clientStopped, client: client, rule: "R-LEASE-6"))
    }

    /// A stopped client boots again: it asks for its reserved counts and restarts its renewal timer.
    mutating func startClient(_ client: Int32, _ sim: inout Simulation<FleetEvent>) {
        guard !clients[Int(client)].isUp else { return }
        let befores = clientSlots(client).map { beginChange($0, sim.now) }
        clients[Int(client)].isUp = true
        for (slot, before) in zip(clientSlots(client), befores) { endChange(slot, sim.now, from: before) }
        record(ProtocolRecord(time: sim.now, kind: .clientStarted, client: client, rule: "R-LEASE-3"))
        bootClient(client, &sim)
        sim.arm(clients[Int(client)].renewalTimer, at: sim.now + spec.policy.renewalInterval, .renewalDue(client: client))
    }
}
