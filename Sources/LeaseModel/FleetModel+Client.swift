import LeaseKernel

/// The client's side of the protocol: demand, logins, requests, renewals, releases, replies.
extension FleetModel {
    /// Sets a slot's users and reacts as the client does: ask for more, give back, decide logins.
    mutating func setUsers(_ slot: Int32, _ users: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        counters.demandChanges += 1
        let before = beginChange(slot, sim.now)
        let previous = slots[index].users
        if users > previous {
            // R-LEASE-8: new logins; the users already waiting are not counted again.
            if slots[index].arrivalsAwaiting == 0 {
                slots[index].unservedBeforeArrivals = max(0, previous - capacity(ofSlot: index))
            }
            slots[index].arrivalsAwaiting += users - previous
        }
        // Logins waiting beyond the users there now cannot be denied (denials are at most the unserved users),
        // so the count is bounded by the users without changing any result, even while a reply takes days.
        slots[index].arrivalsAwaiting = min(slots[index].arrivalsAwaiting, users)
        slots[index].users = users
        endChange(slot, sim.now, from: before)
        reactToLoad(slot, &sim)
    }

    /// R-LEASE-1, R-LEASE-9: after a change of load, request more or give back; then decide waiting logins.
    @inline(__always) mutating func reactToLoad(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        if clients[Int(slots[index].client)].isUp && !requestIfShort(slot, &sim)
            && spec.policy.releasePolicy == .onDrop
            && slots[index].users < slots[index].held - slots[index].allocation.quantum {
            releaseUnneeded(slot, &sim)
        }
        if !slots[index].requestPending { decideLogins(slot, sim.now) }
    }

    /// R-LEASE-1: asks for whole quanta, never above MUC, when users exceed the lease; logins wait for the reply.
    /// R-LEASE-1b: one quantum per request by default, or every quantum needed (`quantaPerRequest`).
    /// - Returns: whether a request is (now) in flight.
    @inline(__always) mutating func requestIfShort(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) -> Bool {
        let index = Int(slot)
        let state = slots[index]
        guard !state.requestPending else { return true }
        var want = state.allocation.incrementWanted(users: state.users, leased: state.held)
        guard want > 0 else { return false }
        if spec.policy.quantaPerRequest == .one { want = state.allocation.quantum }
        slots[index].requestPending = true
        record(ProtocolRecord(time: sim.now, kind: .incrementRequest, client: state.client, feature: state.feature,
                              count: Int64(want), rule: "R-LEASE-1"))
        var request = Message(kind: .incrementRequest, client: state.client, slot: slot, count: want)
        request.allocation = state.allocation // The quanta the client knows (R-CFG-4).
        sendToServer(request, &sim)
        return true
    }

    /// R-LEASE-8: logins that arrived short of capacity are denied unless capacity came in time.
    @inline(__always) mutating func decideLogins(_ slot: Int32, _ now: SimInstant) {
        let index = Int(slot)
        let arrivals = slots[index].arrivalsAwaiting
        guard arrivals > 0 else { return }
        slots[index].arrivalsAwaiting = 0
        let unserved = max(0, slots[index].users - capacity(ofSlot: index))
        let denied = min(arrivals, max(0, unserved - slots[index].unservedBeforeArrivals))
        guard denied > 0 else { return }
        slots[index].deniedLogins += Int64(denied)
        totals[Int(slots[index].feature)].deniedLogins += Int64(denied)
        record(ProtocolRecord(time: now, kind: .loginsDenied, client: slots[index].client,
                              feature: slots[index].feature, count: Int64(denied), rule: "R-LEASE-8"))
        if records.recordsStates { recordSlotState(slot, now) }
    }

    /// R-LEASE-7, R-LEASE-9, R-LEASE-10: gives back, in whole quanta, increments the users no longer need and
    /// whose hold has ended (the oldest first).
    mutating func releaseUnneeded(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        let state = slots[index]
        let unneeded = min(state.incrementHeld, state.held - state.allocation.countNeeded(users: state.users))
        guard unneeded > 0 else { return }
        let hold = spec.policy.minimumHold
        let releasable = blocks(slot).releasable(at: sim.now, hold: hold) // R-LEASE-7
        // Under onDrop, a release the hold blocks is looked at again when the next hold ends; after every
        // event due then, so a demand change at that instant is seen first.
        if releasable < unneeded && spec.policy.releasePolicy == .onDrop,
           let holdEnd = blocks(slot).nextHoldEnd(after: sim.now, hold: hold), sim.deadline(of: state.holdTimer) != holdEnd {
            sim.arm(state.holdTimer, at: holdEnd, priority: .last, .holdEnds(slot: slot))
        }
        let release = Allocation.wholeQuanta(min(unneeded, releasable), state.allocation.quantum)
        guard release > 0 else { return }
        let before = beginChange(slot, sim.now)
        slots[index].incrementHeld -= release
        blocks(slot).removeOldest(release)
        endChange(slot, sim.now, from: before)
        record(ProtocolRecord(time: sim.now, kind: .release, client: state.client, feature: state.feature,
                              count: Int64(release), rule: "R-LEASE-9"))
        sendToServer(Message(kind: .release, client: state.client, slot: slot, count: release), &sim)
    }

    /// R-LEASE-4: the renewal timer fires: give back what is unneeded (by policy), renew, re-arm.
    mutating func renewalDue(_ client: Int32, _ sim: inout Simulation<FleetEvent>) {
        guard clients[Int(client)].isUp else { return }
        counters.renewalTimers += 1
        if spec.policy.releasePolicy == .atRenewal {
            for slot in clientSlots(client) { releaseUnneeded(slot, &sim) }
        }
        sendRenewal(client, &sim)
        sim.arm(clients[Int(client)].renewalTimer, at: sim.now + spec.policy.renewalInterval, .renewalDue(client: client))
    }

    mutating func sendRenewal(_ client: Int32, _ sim: inout Simulation<FleetEvent>) {
        record(ProtocolRecord(time: sim.now, kind: .renewal, client: client, server: clients[Int(client)].server,
                              rule: "R-LEASE-4"))
        sendToServer(Message(kind: .renew, client: client), &sim)
    }

    /// A client boots: it asks for the reserved count of each of its features.
    mutating func bootClient(_ client: Int32, _ sim: inout Simulation<FleetEvent>) {
        for slot in clientSlots(client) {
            let state = slots[Int(slot)]
            record(ProtocolRecord(time: sim.now, kind: .reserveRequest, client: client, feature: state.feature,
                                  count: Int64(state.allocation.reserved), rule: "R-LEASE-3"))
            sendToServer(Message(kind: .reserveRequest, client: client, slot: slot), &sim)
        }
    }

    /// Handles a message from the server.
    @inline(__always) mutating func clientReceives(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let client = Int(message.client)
        guard clients[client].isUp else { return } // A stopped client hears nothing.
        clients[client].messagesReceived += 1
        switch message.kind {
        case .reserveReply: reservedGranted(message, &sim)
        case .incrementReply: incrementAnswered(message, &sim)
        case .renewReply: renewalAnswered(message, &sim)
        case .refusal: refused(message, &sim)
        case .leaseCut: leaseCut(message, &sim)
        default: preconditionFailure("client received a client message: \(message.kind)")
        }
    }

    mutating func reservedGranted(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = message.slot, index = Int(slot)
        let before = beginChange(slot, sim.now)
        slots[index].allocation = message.allocation
        slots[index].reservedHeld = message.count
        slots[index].reservedExpiry = message.expiry
        setClientIncrement(slot, 0)
        slots[index].incrementExpiry = .never
        endChange(slot, sim.now, from: before)
        watchLapse(slot, &sim)
        reactToLoad(slot, &sim)
    }

    @inline(__always) mutating func incrementAnswered(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = message.slot, index = Int(slot)
        counters.incrementReplies += 1
        slots[index].requestPending = false
        if message.count > 0 {
            let before = beginChange(slot, sim.now)
            slots[index].incrementHeld += message.count
            slots[index].incrementExpiry = message.expiry
            blocks(slot).grant(message.count, at: sim.now, spec.policy.holdPolicy)
            endChange(slot, sim.now, from: before)
            watchLapse(slot, &sim)
            // R-LEASE-1b: still short after a grant of one quantum: ask again; waiting logins wait on.
            if spec.policy.quantaPerRequest == .one && requestIfShort(slot, &sim) { return }
        }
        decideLogins(slot, sim.now)
    }

    /// R-LEASE-5, R-CFG-2: new expiries, and the allocation as the server now has it.
    mutating func renewalAnswered(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = message.slot, index = Int(slot)
        counters.renewReplies += 1
        slots[index].allocation = message.allocation
        // R-CFG-2, R-CFG-4, R-LEASE-11: the reserved count as renewed now; increments the server did not renew
        // (a surplus given back, or what it could not cover) are gone, the newest first.
        if slots[index].reservedHeld != message.count || slots[index].incrementHeld > message.secondCount {
            let before = beginChange(slot, sim.now)
            slots[index].reservedHeld = message.count
            setClientIncrement(slot, min(slots[index].incrementHeld, message.secondCount))
            endChange(slot, sim.now, from: before)
        }
        slots[index].reservedExpiry = message.expiry
        if slots[index].incrementHeld > 0 && message.secondCount > 0 { slots[index].incrementExpiry = message.secondExpiry }
        watchLapse(slot, &sim)
        // R-LEASE-1 (assumed): still short after a renewal, with the allocation just learnt (R-CFG-2): ask again.
        if spec.policy.requestsAtRenewal { _ = requestIfShort(slot, &sim) }
    }

    mutating func refused(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = message.slot, index = Int(slot)
        if message.reason == .notConfigured {
            // R-CFG-3: the configuration is gone; so are the client's leases.
            let before = beginChange(slot, sim.now)
            slots[index].reservedHeld = 0
            setClientIncrement(slot, 0)
            endChange(slot, sim.now, from: before)
        }
    }

    /// R-CFG-1: the server lowered MUC and cut the lease; the client holds less at once.
    mutating func leaseCut(_ message: Message, _ sim: inout Simulation<FleetEvent>) {
        let slot = message.slot, index = Int(slot)
        let before = beginChange(slot, sim.now)
        slots[index].allocation = message.allocation
        slots[index].reservedHeld = min(slots[index].reservedHeld, message.count)
        setClientIncrement(slot, min(slots[index].incrementHeld, message.secondCount))
        endChange(slot, sim.now, from: before)
    }

    /// Lowers the increment a client holds, taking from the newest blocks (a cut, a short renewal, a loss).
    @inline(__always) mutating func setClientIncrement(_ slot: Int32, _ increment: Int32) {
        slots[Int(slot)].incrementHeld = increment
        blocks(slot).trimNewest(toTotal: increment)
    }

    /// Keeps the slot's lapse timer at or before its earliest lease expiry (re-armed lazily when it fires).
    @inline(__always) mutating func watchLapse(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let state = slots[Int(slot)]
        var earliest = SimInstant.never
        if state.reservedHeld > 0 { earliest = state.reservedExpiry }
        if state.incrementHeld > 0 { earliest = min(earliest, state.incrementExpiry) }
        guard earliest != .never, earliest < sim.deadline(of: state.lapseTimer) else { return }
        sim.arm(state.lapseTimer, at: max(earliest, sim.now), .clientLapse(slot: slot))
    }

    /// R-LEASE-7, R-LEASE-9: the hold on a slot's increments ended; release now if the load is still low (`onDrop`).
    mutating func holdEnded(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        guard clients[Int(slots[index].client)].isUp,
              slots[index].users < slots[index].held - slots[index].allocation.quantum else { return }
        releaseUnneeded(slot, &sim)
    }

    /// The client's own clock reaches a lease expiry: what was not renewed is gone (R-LEASE-6).
    mutating func clientLapseDue(_ slot: Int32, _ sim: inout Simulation<FleetEvent>) {
        let index = Int(slot)
        let now = sim.now
        let state = slots[index]
        let incrementLapsed = state.incrementHeld > 0 && state.incrementExpiry <= now
        let reservedLapsed = state.reservedHeld > 0 && state.reservedExpiry <= now
        if incrementLapsed || reservedLapsed {
            counters.lapses += 1
            let before = beginChange(slot, now)
            if incrementLapsed { setClientIncrement(slot, 0) }
            if reservedLapsed { slots[index].reservedHeld = 0 }
            endChange(slot, now, from: before)
            record(ProtocolRecord(time: now, kind: .lapse, client: state.client, feature: state.feature,
                                  count: Int64(state.held - slots[index].held), rule: "R-LEASE-6"))
        }
        watchLapse(slot, &sim)
    }
}
