import LeaseKernel

/// The server's side of the protocol: grants, refusals, renewals, releases and reclaims.
extension FleetModel {
    /// Handles a message from a client.
    @inline(__always) mutating func serverReceives(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        switch message.kind {
        case .reserveRequest: grantReserved(message, &sim)
        case .incrementRequest: grantIncrement(message, &sim)
        case .renew: renewLeases(ofClient: message.client, &sim)
        case .release: takeRelease(message, sim.now)
        default: preconditionFailure("server received a server message: \(message.kind)")
        }
    }

    /// R-ALLOC-5, R-CFG-3: why the server refuses anything from this client now, if it does.
    @inline(__always)
    func refusalReason(slot: Int32, _ now: SimInstant) -> RefusalReason? {
        if !leases[Int(slot)].configured { return .notConfigured }
        if now >= clients[Int(slots[Int(slot)].client)].allocationExpiry { return .allocationExpired }
        return nil
    }

    /// R-LEASE-5: a lease's expiry is min(now + duration, allocation expiry).
    @inline(__always)
    func leaseExpiry(slot: Int32, duration: SimDuration, _ now: SimInstant) -> SimInstant {
        min(now + duration, clients[Int(slots[Int(slot)].client)].allocationExpiry)
    }

    /// The lease set up for every slot at instant zero under `InitialLeases.held`.
    mutating func grantInitialReservedLease(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        guard refusalReason(slot: slot, sim.now) == nil else { return }
        let count = leases[index].allocation.reserved
        let expiry = leaseExpiry(slot: slot, duration: spec.policy.reservedLeaseDuration, sim.now)
        setReservedLease(slot, count: count, expiry: expiry, &sim)
        let before = beginChange(slot, sim.now)
        slots[index].reservedHeld = count
        slots[index].reservedExpiry = expiry
        endChange(slot, sim.now, from: before)
        watchLapse(slot, &sim)
    }

    /// Sets the server's reserved lease of a slot and arms its expiry check (R-LEASE-3, R-LEASE-6).
    mutating func setReservedLease(_ slot: Int32, count: Int32, expiry: SimInstant, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        changeUsed(serverFeatureIndex(ofSlot: slot), by: count - leases[index].reserved, sim.now)
        leases[index].reserved = count
        leases[index].reservedExpiry = expiry
        armExpiryCheck(leases[index].reservedTimer, at: expiry, .reservedExpiry(slot: slot), &sim)
    }

    @inline(__always) mutating func armExpiryCheck(_ timer: TimerID, at expiry: SimInstant, _ event: FleetEvent, _ sim: inout Simulation<FleetEvent>) {
        if expiry < horizon { counters.expiryChecksDue += 1 }
        sim.arm(timer, at: max(expiry, sim.now), event)
    }

    /// A client boots and asks for its reserved count: granted whole (R-LEASE-2, R-LEASE-3, R-LEASE-5).
    mutating func grantReserved(_ request: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = request.slot, index = Int(slot)
        counters.reserveRequests += 1
        if let reason = refusalReason(slot: slot, sim.now) {
            refuse(request, reason, &sim)
            return
        }
        // A booting client starts a fresh session: increments it held before are freed.
        if leases[index].increment > 0 {
            changeUsed(serverFeatureIndex(ofSlot: slot), by: -leases[index].increment, sim.now)
            leases[index].increment = 0
            sim.disarm(leases[index].incrementTimer)
        }
        let count = leases[index].allocation.reserved
        let expiry = leaseExpiry(slot: slot, duration: spec.policy.reservedLeaseDuration, sim.now)
        setReservedLease(slot, count: count, expiry: expiry, &sim)
        record(ProtocolRecord(time: sim.now, kind: .reserveGrant, client: request.client, server: serverOf(request),
                              feature: slots[index].feature, count: Int64(count), expiry: expiry, rule: "R-LEASE-3"))
        var reply = Message(kind: .reserveReply, client: request.client, slot: slot, count: count)
        reply.expiry = expiry
        reply.allocation = leases[index].allocation
        sendToClient(reply, &sim)
    }

    /// R-LEASE-2: within the allocation first, then only what is free, in whole quanta.
    mutating func grantIncrement(_ request: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = request.slot, index = Int(slot)
        counters.incrementRequests += 1
        var reply = Message(kind: .incrementReply, client: request.client, slot: slot)
        reply.allocation = leases[index].allocation
        if let reason = refusalReason(slot: slot, sim.now) {
            reply.reason = reason
        } else {
            let allocation = leases[index].allocation
            let held = leases[index].reserved + leases[index].increment
            let allowed = Allocation.wholeQuanta(allocation.maximum - held, allocation.quantum)
            let wanted = min(request.count, allowed)
            let featureIndex = serverFeatureIndex(ofSlot: slot)
            let free = Allocation.wholeQuanta(serverFeatures[featureIndex].free, allocation.quantum)
            let granted = min(wanted, free)
            if granted > 0 {
                changeUsed(featureIndex, by: granted, sim.now)
                leases[index].increment += granted
                let expiry = leaseExpiry(slot: slot, duration: spec.policy.incrementalLeaseDuration, sim.now)
                leases[index].incrementExpiry = expiry
                armExpiryCheck(leases[index].incrementTimer, at: expiry, .incrementExpiry(slot: slot), &sim)
                reply.count = granted
                reply.expiry = expiry
            } else {
                reply.reason = wanted == 0 ? .beyondAllocation : .noFreeLicenses
            }
        }
        record(ProtocolRecord(time: sim.now, kind: reply.count > 0 ? .incrementGrant : .refusal, client: request.client,
                              server: serverOf(request), feature: slots[index].feature, count: Int64(reply.count),
                              expiry: reply.expiry, reason: reply.reason,
                              rule: reply.reason == .allocationExpired ? "R-ALLOC-5" : "R-LEASE-2"))
        if reply.count == 0 { counters.refusals += 1 }
        sendToClient(reply, &sim)
    }

    /// R-LEASE-4, R-LEASE-5, R-CFG-2: renews every lease of the client and applies its current allocation.
    mutating func renewLeases(ofClient client: Int32, _ sim: inout Simulation<FleetEvent>) {
        counters.renewals += 1
        for slot in clientSlots(client) {
            let index = Int(slot)
            if let reason = refusalReason(slot: slot, sim.now) {
                refuse(Message(kind: .renew, client: client, slot: slot), reason, &sim)
                continue
            }
            let reservedExpiry = leaseExpiry(slot: slot, duration: spec.policy.reservedLeaseDuration, sim.now)
            setReservedLease(slot, count: leases[index].allocation.reserved, expiry: reservedExpiry, &sim)
            // R-CFG-2: a raised RUC absorbs increments, so the lease never passes MUC.
            let room = max(0, leases[index].allocation.maximum - leases[index].reserved)
            if leases[index].increment > room {
                changeUsed(serverFeatureIndex(ofSlot: slot), by: room - leases[index].increment, sim.now)
                leases[index].increment = room
                if room == 0 { sim.disarm(leases[index].incrementTimer) }
            }
            var reply = Message(kind: .renewReply, client: client, slot: slot, count: leases[index].reserved)
            reply.expiry = reservedExpiry
            if leases[index].increment > 0 {
                let expiry = leaseExpiry(slot: slot, duration: spec.policy.incrementalLeaseDuration, sim.now)
                leases[index].incrementExpiry = expiry
                armExpiryCheck(leases[index].incrementTimer, at: expiry, .incrementExpiry(slot: slot), &sim)
                reply.secondCount = leases[index].increment
                reply.secondExpiry = expiry
            }
            reply.allocation = leases[index].allocation
            record(ProtocolRecord(time: sim.now, kind: .renewed, client: client, server: clients[Int(client)].server,
                                  feature: slots[index].feature, count: Int64(reply.count + reply.secondCount),
                                  expiry: reservedExpiry, rule: "R-LEASE-5"))
            sendToClient(reply, &sim)
        }
    }

    /// R-LEASE-9: the client gives back part of its increment.
    mutating func takeRelease(_ message: Message, _ now: SimInstant) {
        let slot = message.slot, index = Int(slot)
        counters.releases += 1
        let count = min(message.count, leases[index].increment)
        guard count > 0 else { return }
        changeUsed(serverFeatureIndex(ofSlot: slot), by: -count, now)
        leases[index].increment -= count
    }

    /// R-LEASE-6: a reserved lease not renewed in time is reclaimed.
    mutating func reservedLeaseExpired(_ slot: Int32, _ now: SimInstant) {
        let index = Int(slot)
        guard leases[index].reserved > 0 else { return }
        reclaim(slot, count: leases[index].reserved, now)
        leases[index].reserved = 0
    }

    /// R-LEASE-6: an incremental lease not renewed in time is reclaimed.
    mutating func incrementLeaseExpired(_ slot: Int32, _ now: SimInstant) {
        let index = Int(slot)
        guard leases[index].increment > 0 else { return }
        reclaim(slot, count: leases[index].increment, now)
        leases[index].increment = 0
    }

    mutating func reclaim(_ slot: Int32, count: Int32, _ now: SimInstant) {
        counters.reclaims += 1
        changeUsed(serverFeatureIndex(ofSlot: slot), by: -count, now)
        let client = slots[Int(slot)].client
        record(ProtocolRecord(time: now, kind: .reclaim, client: client, server: clients[Int(client)].server,
                              feature: slots[Int(slot)].feature, count: Int64(count), rule: "R-LEASE-6"))
    }

    mutating func refuse(_ request: Message, _ reason: RefusalReason, _ sim: inout Simulation<FleetEvent>) {
        counters.refusals += 1
        record(ProtocolRecord(time: sim.now, kind: .refusal, client: request.client, server: serverOf(request),
                              feature: slots[Int(request.slot)].feature, reason: reason,
                              rule: reason == .allocationExpired ? "R-ALLOC-5" : "R-CFG-3"))
        var reply = Message(kind: .refusal, client: request.client, slot: request.slot)
        reply.reason = reason
        sendToClient(reply, &sim)
    }

    @inline(__always)
    func serverOf(_ message: Message) -> Int32 { clients[Int(message.client)].server }

    /// R-LIC-2, R-LIC-3: a license starts or ends counting.
    mutating func applyCapacityChange(_ index: Int, _ now: SimInstant) {
        let change = capacityChanges[index]
        let featureIndex = change.server * featureCount + change.feature
        accountServerFeature(featureIndex, now)
        serverFeatures[featureIndex].installed += change.delta
        if records.recordsStates { recordServerState(featureIndex, now) }
        record(ProtocolRecord(time: now, kind: change.delta > 0 ? .licenseStarted : .licenseEnded,
                              server: Int32(change.server), feature: Int32(change.feature),
                              count: Int64(abs(change.delta)), rule: change.kind.rule, license: Int32(change.license)))
    }
}
