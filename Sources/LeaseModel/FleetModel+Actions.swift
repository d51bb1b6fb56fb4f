import LeaseKernel

/// Scheduled administrative and operational actions: configuration changes, stops and starts.
extension FleetModel {
    @inline(never)
    mutating func perform(_ change: ActionSpec.Change, _ sim: inout Simulation<FleetEvent>) {
        switch change {
        case let .setAllocation(client, feature, allocation):
            setAllocation(ClientID(index: Int32(client)), FeatureID(index: Int32(feature)), allocation, &sim)
        case .deleteClient(let client): deleteClient(ClientID(index: Int32(client)), sim.now)
        case .pullState(let client):
            let client = ClientID(index: Int32(client))
            guard clients[client].isUp else { return }
            record(ProtocolRecord(time: sim.now, kind: .pullState, client: client.index, rule: "R-CFG-2"))
            sendRenewal(client, &sim)
        case .stopClient(let client): stopClient(ClientID(index: Int32(client)), &sim)
        case .startClient(let client): startClient(ClientID(index: Int32(client)), &sim)
        case let .surrenderLicense(client, license): surrenderLicense(client: client, license: license, &sim)
        case let .recallLicense(client, license): recallLicense(client: client, license: license, &sim)
        case .reinstallLicenses(let server): reinstallLicenses(ServerID(index: Int32(server)), &sim)
        case let .setHAMode(pair, mode): setPairMode(pair, mode, &sim)
        }
    }

    /// R-CFG-1, R-CFG-4: the server's allocation changes now; a lowered MUC cuts the lease at once, every other
    /// change waits for the client's next contact.
    mutating func setAllocation(_ client: ClientID, _ feature: FeatureID, _ allocation: Allocation, _ sim: inout Simulation<FleetEvent>) {
        guard let leaseID = configurations[client].leases.first(where: { pools[leases[$0].pool].feature == feature }) else { return }
        setServerAllocation(leaseID, allocation)
        let lease = leases[leaseID]
        let lowered = allocation.maximum < lease.held
        record(ProtocolRecord(time: sim.now, kind: .configChange, client: client.index, feature: feature.index,
                              count: Int64(allocation.maximum), rule: lowered ? "R-CFG-1" : "R-CFG-4"))
        guard lowered else { return } // R-CFG-2, R-CFG-4: the client learns at its next contact.
        // R-CFG-1, R-LEASE-10: down to RUC plus the whole ILQ that fit under the new MUC.
        let level = allocation.largestLease
        let reserved = min(lease.reserved, level)
        let increment = level - reserved
        setServerLease(leaseID, reserved: reserved, increment: increment, sim.now)
        if increment == 0 { sim.disarm(lease.incrementTimer) }
        record(ProtocolRecord(time: sim.now, kind: .cut, client: client.index, feature: feature.index,
                              count: Int64(level), rule: "R-CFG-1"))
        // R-CFG-1: the server tells the client at once; the cut answers no request.
        reply(to: Request(server: server(of: leaseID), client: client, requestID: 0, relayRank: relayRank(client)), about: lease.pool,
              .leaseCut(holder: lease.holder, reserved: reserved, increment: increment, allocation: allocation), &sim)
    }

    /// R-CFG-3: deleting a client's configuration frees its capacity at once, its reservation included.
    mutating func deleteClient(_ client: ClientID, _ now: SimInstant) {
        var freed: Int64 = 0
        for lease in configurations[client].leases {
            freed += Int64(leases[lease].held)
            removeConfiguration(lease, now)
        }
        record(ProtocolRecord(time: now, kind: .clientDeleted, client: client.index, server: serverIndex(of: client),
                              count: freed, rule: "R-CFG-3"))
    }

    /// The client stops: it serves nobody, renews nothing, and its leases lapse at the server (R-LEASE-6).
    ///
    /// With `keepingLeases` (a crash under `clientRestart: keepsLeases`) it keeps what it holds: it serves nobody,
    /// and each lease runs on to its own expiry (its lapse timer keeps running; R-LEASE-6).
    mutating func stopClient(_ client: ClientID, keepingLeases: Bool = false, _ sim: inout Simulation<FleetEvent>) {
        guard clients[client].isUp else { return }
        let befores = clients[client].slots.map { beginChange($0, sim.now) }
        clients[client].isUp = false
        sim.disarm(clients[client].renewalTimer)
        stopWaiting(client, &sim)
        for (slot, before) in zip(clients[client].slots, befores) {
            totals[slots[slot].feature].autoLeased -= Int64(slots[slot].autoLeased) // Counted while it runs.
            if !keepingLeases {
                slots[slot].reservedHeld = 0
                setClientIncrement(slot, 0)
                setAutoLeased(slot, 0)
                resetAutoLeaseUsage(slot, sim.now) // Its usage is lost with it (R-AUTO-5).
                sim.disarm(slots[slot].lapseTimer)
            }
            slots[slot].requestPending = false
            slots[slot].requestReports = false
            slots[slot].reserveAwaited = false
            sim.disarm(slots[slot].holdTimer)
            endChange(slot, sim.now, from: before)
            decideLogins(slot, sim.now)
        }
        record(ProtocolRecord(time: sim.now, kind: .clientStopped, client: client.index, rule: "R-LEASE-6"))
        membershipChanged(client, &sim) // R-CLU-3
    }

    /// A stopped client boots again: it asks for its reserved counts and restarts its renewal timer. With
    /// `keptLeases` it serves with what has not lapsed and renews it at once instead (R-LEASE-4); the renewal's
    /// reply lets it ask for more (R-LEASE-1).
    mutating func startClient(_ client: ClientID, keptLeases: Bool = false, _ sim: inout Simulation<FleetEvent>) {
        guard !clients[client].isUp else { return }
        let befores = clients[client].slots.map { beginChange($0, sim.now) }
        clients[client].isUp = true
        for (slot, before) in zip(clients[client].slots, befores) {
            totals[slots[slot].feature].autoLeased += Int64(slots[slot].autoLeased) // Kept across a crash (keepsLeases).
            endChange(slot, sim.now, from: before)
        }
        record(ProtocolRecord(time: sim.now, kind: .clientStarted, client: client.index, rule: keptLeases ? "R-LEASE-4" : "R-LEASE-3"))
        membershipChanged(client, &sim) // R-CLU-3: it joins a side, which may lead it.
        if keptLeases {
            clients[client].renewalOverdue = false
            sendRenewal(client, &sim)
        } else {
            bootClient(client, &sim)
        }
        sim.arm(clients[client].renewalTimer, at: sim.now + spec.policy.renewalInterval, .renewalDue(client: client))
    }
}

extension FleetModel {
    /// R-CLIENT-1, R-LIC-1..5: a license installed on a client starts or ends counting: the client serves with it at
    /// once, and asks for or gives back leases as its users now need.
    @inline(never)
    mutating func applyOwnLicenseChange(_ index: Int, _ sim: inout Simulation<FleetEvent>) {
        let change = ownLicenseChanges[index]
        let client = ClientID(index: Int32(change.server))
        guard let slot = slot(client, FeatureID(index: Int32(change.feature))) else { return }
        record(ProtocolRecord(time: sim.now, kind: change.eventKind(spec.clients[change.server].licenses[change.license], sim.now),
                              client: client.index, feature: Int32(change.feature), count: Int64(abs(change.delta)),
                              rule: change.kind.rule, license: Int32(change.license)))
        changeOwnInstalled(slot, by: change.delta, &sim)
    }

    /// R-CLIENT-1: the count installed on a client itself changes: it serves with it at once, and asks for or gives
    /// back leases as its users now need.
    mutating func changeOwnInstalled(_ slot: SlotID, by delta: Int32, _ sim: inout Simulation<FleetEvent>) {
        let before = beginChange(slot, sim.now)
        ownLicensing[slot].installed += delta
        endChange(slot, sim.now, from: before)
        reactToLoad(slot, &sim)
    }
}
