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

    /// The lease set up for every slot at instant zero under `InitialLeases.held` (R-LEASE-3, R-LEASE-11).
    mutating func grantInitialReservedLease(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        guard refusalReason(slot: slot, sim.now) == nil else { return }
        let count = min(leases[index].allocation.reserved, max(0, coverable(slot: slot)))
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
        setServerLease(slot, reserved: count, increment: leases[index].increment, sim.now)
        leases[index].reservedExpiry = expiry
        armExpiryCheck(leases[index].reservedTimer, at: expiry, .reservedExpiry(slot: slot), &sim)
    }

    @inline(__always) mutating func armExpiryCheck(_ timer: TimerID, at expiry: SimInstant, _ event: FleetEvent, _ sim: inout Simulation<FleetEvent>) {
        if expiry < horizon { counters.expiryChecksDue += 1 }
        sim.arm(timer, at: max(expiry, sim.now), event)
    }

    /// A client boots and asks for its reserved count: granted as far as the installed count covers it
    /// (R-LEASE-2, R-LEASE-3, R-LEASE-5, R-LEASE-11).
    mutating func grantReserved(_ request: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = request.slot, index = Int(slot)
        counters.reserveRequests += 1
        if let reason = refusalReason(slot: slot, sim.now) {
            refuse(request, reason, &sim)
            return
        }
        // A booting client starts a fresh session: increments it held before are freed.
        if leases[index].increment > 0 {
            setServerLease(slot, reserved: leases[index].reserved, increment: 0, sim.now)
            sim.disarm(leases[index].incrementTimer)
        }
        // R-LEASE-11: its reservation was set aside for it, unless a license ended since.
        let wanted = leases[index].allocation.reserved
        let count = min(wanted, max(0, coverable(slot: slot)))
        let expiry = leaseExpiry(slot: slot, duration: spec.policy.reservedLeaseDuration, sim.now)
        setReservedLease(slot, count: count, expiry: expiry, &sim)
        renewedNow(slot)
        record(ProtocolRecord(time: sim.now, kind: .reserveGrant, client: request.client, server: serverOf(request),
                              feature: slots[index].feature, count: Int64(count), expiry: expiry, rule: "R-LEASE-3"))
        if count < wanted { recordNotCovered(slot, wanted - count, sim.now) }
        var reply = Message(kind: .reserveReply, client: request.client, slot: slot, count: count)
        reply.expiry = expiry
        reply.allocation = leases[index].allocation
        sendToClient(reply, &sim)
    }

    /// R-LEASE-2: within the allocation first, then only what is free, in whole quanta.
    ///
    /// R-LEASE-11: increments come only from the pool: installed minus every lease minus the reserved counts set
    /// aside for configured clients that do not hold them. Quanta are the client's as it last heard them: a new
    /// ILQ applies at its next contact (R-CFG-4).
    mutating func grantIncrement(_ request: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = request.slot, index = Int(slot)
        counters.incrementRequests += 1
        var reply = Message(kind: .incrementReply, client: request.client, slot: slot)
        reply.allocation = leases[index].allocation
        if let reason = refusalReason(slot: slot, sim.now) {
            reply.reason = reason
        } else {
            let lease = leases[index], quantum = request.allocation.quantum
            let allowed = Allocation.wholeQuanta(lease.allocation.maximum - lease.reserved - lease.increment, quantum)
            let wanted = min(request.count, allowed)
            let featureIndex = serverFeatureIndex(ofSlot: slot)
            let free = Allocation.wholeQuanta(serverFeatures[featureIndex].incrementPool, quantum) // R-LEASE-11
            let granted = min(wanted, free)
            if granted > 0 {
                setServerLease(slot, reserved: lease.reserved, increment: lease.increment + granted, sim.now)
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

    /// R-LEASE-4, R-LEASE-5: renews every lease of the client, applying its current allocation (R-CFG-2, R-CFG-4).
    mutating func renewLeases(ofClient client: Int32, _ sim: inout Simulation<FleetEvent>) {
        counters.renewals += 1
        for slot in clientSlots(client) {
            if let reason = refusalReason(slot: slot, sim.now) {
                refuse(Message(kind: .renew, client: client, slot: slot), reason, &sim)
                continue
            }
            renewLease(slot, &sim)
        }
    }

    /// Renews one slot's lease as far as the installed count covers it.
    ///
    /// R-CFG-2, R-CFG-4: the reserved part becomes the RUC configured now: a raised RUC absorbs increments (the
    /// lease keeps its size, more of it reserved), a lowered RUC's surplus is given back; increments are kept in
    /// whole ILQ of the current allocation under its MUC (R-LEASE-10). R-LEASE-11: reserved first, from installed
    /// minus every other lease not carried over a license end; increments with what the pool has left after every
    /// lease and the reservations set aside for others; what is not covered is not renewed, and the reply says so.
    mutating func renewLease(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot), client = slots[index].client
        let lease = leases[index], allocation = lease.allocation
        let pool = serverFeatures[serverFeatureIndex(ofSlot: slot)]
        let absorbed = max(0, allocation.reserved - lease.reserved)
        let increment = Allocation.wholeQuanta(min(lease.increment - absorbed, allocation.maximum - allocation.reserved),
                                               allocation.quantum)
        let reserved = min(allocation.reserved, max(0, coverable(slot: slot)))
        let othersIdle = pool.reservedIdle - FleetModel.idleReservation(lease, reserved: lease.reserved)
        let incrementRoom = pool.installed - (pool.used - lease.reserved - lease.increment) - othersIdle - allocation.reserved
        let coveredIncrement = min(increment, Allocation.wholeQuanta(incrementRoom, allocation.quantum))
        let reservedExpiry = leaseExpiry(slot: slot, duration: spec.policy.reservedLeaseDuration, sim.now)
        setReservedLease(slot, count: reserved, expiry: reservedExpiry, &sim)
        if coveredIncrement != lease.increment {
            setServerLease(slot, reserved: reserved, increment: coveredIncrement, sim.now)
            if coveredIncrement == 0 { sim.disarm(leases[index].incrementTimer) }
        }
        renewedNow(slot)
        var reply = Message(kind: .renewReply, client: client, slot: slot, count: reserved)
        reply.expiry = reservedExpiry
        if coveredIncrement > 0 {
            let expiry = leaseExpiry(slot: slot, duration: spec.policy.incrementalLeaseDuration, sim.now)
            leases[index].incrementExpiry = expiry
            armExpiryCheck(leases[index].incrementTimer, at: expiry, .incrementExpiry(slot: slot), &sim)
            reply.secondCount = coveredIncrement
            reply.secondExpiry = expiry
        }
        reply.allocation = allocation
        record(ProtocolRecord(time: sim.now, kind: .renewed, client: client, server: clients[Int(client)].server,
                              feature: slots[index].feature, count: Int64(reply.count + reply.secondCount),
                              expiry: reservedExpiry, rule: "R-LEASE-5"))
        let uncovered = allocation.reserved - reserved + increment - coveredIncrement
        if uncovered > 0 { recordNotCovered(slot, uncovered, sim.now) }
        sendToClient(reply, &sim)
    }

    /// R-LEASE-11: part of a lease the server could not cover was not granted or renewed.
    mutating func recordNotCovered(_ slot: Int32, _ count: Int32, _ now: SimInstant) {
        counters.notCovered += 1
        let client = slots[Int(slot)].client
        record(ProtocolRecord(time: now, kind: .notCovered, client: client, server: clients[Int(client)].server,
                              feature: slots[Int(slot)].feature, count: Int64(count), rule: "R-LEASE-11"))
    }

    /// R-LEASE-9: the client gives back part of its increment.
    mutating func takeRelease(_ message: Message, _ now: SimInstant) {
        let slot = message.slot, index = Int(slot)
        counters.releases += 1
        let count = min(message.count, leases[index].increment)
        guard count > 0 else { return }
        setServerLease(slot, reserved: leases[index].reserved, increment: leases[index].increment - count, now)
    }

    /// R-LEASE-6: a reserved lease not renewed in time is reclaimed; its RUC stays set aside (R-LEASE-11).
    mutating func reservedLeaseExpired(_ slot: Int32, _ now: SimInstant) {
        let index = Int(slot)
        guard leases[index].reserved > 0 else { return }
        reclaim(slot, count: leases[index].reserved, now)
        setServerLease(slot, reserved: 0, increment: leases[index].increment, now)
    }

    /// R-LEASE-6: an incremental lease not renewed in time is reclaimed and becomes free at once.
    mutating func incrementLeaseExpired(_ slot: Int32, _ now: SimInstant) {
        let index = Int(slot)
        guard leases[index].increment > 0 else { return }
        reclaim(slot, count: leases[index].increment, now)
        setServerLease(slot, reserved: leases[index].reserved, increment: 0, now)
    }

    mutating func reclaim(_ slot: Int32, count: Int32, _ now: SimInstant) {
        counters.reclaims += 1
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
        totals[change.feature].installed += Int64(change.delta)
        if change.delta < 0 { carryOverLeases(serverFeature: featureIndex) } // R-LEASE-11
        if records.recordsStates { recordServerState(featureIndex, now) }
        record(ProtocolRecord(time: now, kind: change.delta > 0 ? .licenseStarted : .licenseEnded,
                              server: Int32(change.server), feature: Int32(change.feature),
                              count: Int64(abs(change.delta)), rule: change.kind.rule, license: Int32(change.license)))
    }
}
