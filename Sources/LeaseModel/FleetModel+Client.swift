import LeaseKernel

/// The client's side of the protocol: demand, logins, requests, renewals, releases, replies.
extension FleetModel {
    /// Sets a slot's users and reacts as the client does: ask for more, give back, decide logins.
    mutating func setUsers(_ slot: SlotID, _ users: Int32, _ sim: inout Simulation<FleetEvent>) {
        counters.demandChanges &+= 1
        let before = beginChange(slot, sim.now)
        let previous = slots[slot].users
        if users > previous {
            // R-LEASE-8: new logins; the users already waiting are not counted again.
            if slots[slot].arrivalsAwaiting == 0 {
                // R-CLU-1: a cluster member's users are served by its side together.
                slots[slot].unservedBeforeArrivals = slots[slot].clustered ? sideUnserved(slot) : max(0, previous - capacity(ofSlot: slot))
            }
            slots[slot].arrivalsAwaiting += users - previous
        }
        // Logins waiting beyond the users there now cannot be denied (denials are at most the unserved users),
        // so the count is bounded by the users without changing any result, even while a reply takes days.
        slots[slot].arrivalsAwaiting = min(slots[slot].arrivalsAwaiting, users)
        slots[slot].users = users
        endChange(slot, sim.now, from: before)
        reactToLoad(slot, &sim)
    }

    /// R-LEASE-1, R-LEASE-9: after a change of load, request more or give back; then decide waiting logins.
    @inline(__always) mutating func reactToLoad(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        if _slowPath(slots[slot].clustered) { return clusterReactToLoad(slot, &sim) } // R-CLU-2
        if clients[slots[slot].client].isUp && !requestIfShort(slot, &sim)
            && spec.policy.releasePolicy == .onDrop
            && usersToLease(slot) < slots[slot].held - slots[slot].allocation.quantum {
            releaseUnneeded(slot, &sim)
        }
        if !slots[slot].requestPending && !slots[slot].reserveAwaited { decideLogins(slot, sim.now) }
    }

    /// R-LEASE-1: asks for whole quanta, never above MUC, when users exceed the lease; logins wait for the reply.
    /// R-LEASE-1b: one quantum per request by default, or every quantum needed (`quantaPerRequest`).
    /// - Returns: whether a request is (now) in flight.
    @inline(__always) mutating func requestIfShort(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) -> Bool {
        let state = slots[slot]
        // A booting client first learns what its reserve brings (R-LEASE-3): it asks for no increment before.
        guard !state.requestPending && !state.reserveAwaited else { return true }
        if _slowPath(state.clustered) { return clusterRequestIfShort(slot, &sim) } // R-CLU-2
        var want = state.allocation.incrementWanted(users: usersToLease(slot), leased: state.held)
        guard want > 0 else { return false }
        if spec.policy.quantaPerRequest == .one { want = state.allocation.quantum }
        startRequest(slot, want, &sim)
        return true
    }

    /// Asks the slot's server for `want` more (the slot waits for the reply).
    @inline(__always) mutating func startRequest(_ slot: SlotID, _ want: Int32, _ sim: inout Simulation<FleetEvent>) {
        let state = slots[slot]
        slots[slot].requestPending = true
        // Numbered per slot: the server matches a retry to its lease's last request (one lease per slot).
        slots[slot].requestID = state.requestID &+ 1
        slots[slot].requestCount = want
        slots[slot].requestTries = 1
        if records.recordsProtocol { recordRequest(slot, want, sim.now) }
        sendIncrementRequest(slot, &sim)
    }

    /// Records an increment request (out of line, so the request path stays small when nothing is recorded).
    @inline(never) mutating func recordRequest(_ slot: SlotID, _ want: Int32, _ now: SimInstant) {
        record(ProtocolRecord(time: now, kind: .incrementRequest, client: slots[slot].client.index, feature: slots[slot].feature.index,
                              count: Int64(want), rule: "R-LEASE-1"))
    }

    /// Sends (or sends again) the slot's pending increment request, and waits for its reply at most the timeout.
    @inline(__always) mutating func sendIncrementRequest(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        let state = slots[slot]
        let deadline = timeoutsNeverFire ? nil : replyDeadline(state.client, sim.now)
        // The quanta the client knows (R-CFG-4).
        let holder = HolderID(slot: slot)
        send(from: state.client, state.requestReports
                ? .autoLeaseReport(holder: holder, count: state.requestCount, usage: reportedUsage(slot),
                                   quantum: state.allocation.quantum) // R-AUTO-5
                : .incrementRequest(holder: holder, count: state.requestCount, quantum: state.allocation.quantum),
             requestID: state.requestID, &sim)
        if let deadline {
            slots[slot].requestTimerArmed = true
            sim.arm(state.requestTimer, at: deadline, .requestTimer(slot: slot))
        }
    }

    /// The number the client gives its next renewal or boot requests.
    @inline(__always) mutating func newRequestID(_ client: ClientID) -> UInt32 {
        clients[client].renewalRequestID &+= 1
        return clients[client].renewalRequestID
    }

    /// R-LEASE-8: logins that arrived short of capacity are denied unless capacity came in time.
    @inline(__always) mutating func decideLogins(_ slot: SlotID, _ now: SimInstant) {
        if _slowPath(slots[slot].clustered) { return decideClusterLogins(slot, now) } // R-CLU-1
        decideOwnLogins(slot, now)
    }

    /// R-LEASE-8: the slot's own logins, against its own capacity.
    @inline(__always) mutating func decideOwnLogins(_ slot: SlotID, _ now: SimInstant) {
        let arrivals = slots[slot].arrivalsAwaiting
        guard arrivals > 0 else { return }
        slots[slot].arrivalsAwaiting = 0
        let unserved = max(0, slots[slot].users - capacity(ofSlot: slot))
        let denied = min(arrivals, max(0, unserved - slots[slot].unservedBeforeArrivals))
        guard denied > 0 else { return }
        deny(slot, denied, now)
    }

    /// R-LEASE-8: logins on the slot are denied.
    @inline(__always) mutating func deny(_ slot: SlotID, _ denied: Int32, _ now: SimInstant) {
        if _slowPath(slots[slot].deniedLogins == 0 || faultsAwaitingDenial > 0) { noteFirstDenial(slot, now) }
        slots[slot].deniedLogins += Int64(denied)
        totals[slots[slot].feature].deniedLogins += Int64(denied)
        if records.recordsProtocol || records.recordsStates { recordDenial(slot, denied, now) }
    }

    /// Records denied logins (out of line, like `recordRequest`).
    @inline(never) mutating func recordDenial(_ slot: SlotID, _ denied: Int32, _ now: SimInstant) {
        record(ProtocolRecord(time: now, kind: .loginsDenied, client: slots[slot].client.index,
                              feature: slots[slot].feature.index, count: Int64(denied), rule: "R-LEASE-8"))
        if records.recordsStates { recordSlotState(slot, now) }
    }

    /// R-LEASE-7, R-LEASE-9, R-LEASE-10: gives back, in whole quanta, increments the users no longer need and
    /// whose hold has ended (the oldest first).
    mutating func releaseUnneeded(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        if _slowPath(slots[slot].clustered) { return releaseClusterSurplus(slot, &sim) } // R-CLU-2
        if slots[slot].autoLeased > 0 { dropUnneededAutoLeased(slot, sim.now) }
        let state = slots[slot]
        release(slot, upTo: min(state.incrementHeld, state.held - state.allocation.countNeeded(users: usersToLease(slot))), &sim)
    }

    /// R-LEASE-7, R-LEASE-10: gives back at most `unneeded` of the slot's increments, in whole quanta, from those
    /// whose hold has ended (the oldest first).
    /// - Returns: what it gave back.
    @discardableResult
    mutating func release(_ slot: SlotID, upTo unneeded: Int32, _ sim: inout Simulation<FleetEvent>) -> Int32 {
        let state = slots[slot]
        guard unneeded > 0 else { return 0 }
        let hold = spec.policy.minimumHold
        let releasable = blockTable.releasable(slot, at: sim.now, hold: hold) // R-LEASE-7
        // Under onDrop, a release the hold blocks is looked at again when the next hold ends; after every
        // event due then, so a demand change at that instant is seen first.
        if releasable < unneeded && spec.policy.releasePolicy == .onDrop,
           let holdEnd = blockTable.nextHoldEnd(slot, after: sim.now, hold: hold), sim.deadline(of: state.holdTimer) != holdEnd {
            sim.arm(state.holdTimer, at: holdEnd, priority: .last, .holdEnds(slot: slot))
        }
        let release = Allocation.wholeQuanta(min(unneeded, releasable), state.allocation.quantum)
        guard release > 0 else { return 0 }
        let before = beginChange(slot, sim.now)
        slots[slot].incrementHeld -= release
        blockTable.removeOldest(slot, release)
        // Saturates: over a renewal interval of years a slot may give back more than Int32 holds, and any count at
        // or above the increment a renewal reply states means the same (nothing of it is taken again).
        slots[slot].releasedSinceRenewal = Int32(min(Int64(slots[slot].releasedSinceRenewal) + Int64(release), Int64(Int32.max)))
        endChange(slot, sim.now, from: before)
        record(ProtocolRecord(time: sim.now, kind: .release, client: state.client.index, feature: state.feature.index,
                              count: Int64(release), rule: "R-LEASE-9"))
        send(from: state.client, .release(holder: HolderID(slot: slot), count: release), &sim)
        return release
    }

    /// R-LEASE-4: the renewal timer fires: give back what is unneeded (by policy), renew, re-arm.
    mutating func renewalDue(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        guard clients[client].isUp else { return }
        counters.renewalTimers &+= 1
        if _slowPath(clients[client].cluster >= 0) { // R-CLU-1: the leader renews for its side.
            renewSide(client, &sim)
            return sim.arm(clients[client].renewalTimer, at: sim.now + spec.policy.renewalInterval, .renewalDue(client: client))
        }
        if spec.policy.releasePolicy == .atRenewal {
            for slot in clients[client].slots { releaseUnneeded(slot, &sim) }
        }
        clients[client].renewalOverdue = false
        sendRenewal(client, &sim)
        sim.arm(clients[client].renewalTimer, at: sim.now + spec.policy.renewalInterval, .renewalDue(client: client))
    }

    mutating func sendRenewal(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        record(ProtocolRecord(time: sim.now, kind: .renewal, client: client.index, server: serverIndex(of: client),
                              rule: "R-LEASE-4"))
        awaitReply(client, tries: 1, &sim)
        resendRenewal(client, &sim)
    }

    /// Sends the renewal request (a first try or a retry) under a new number: replies to older tries are stale.
    mutating func resendRenewal(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        clients[client].renewalRequestID = newRequestID(client)
        for slot in clients[client].slots { slots[slot].releasedSinceRenewal = 0 }
        send(from: client, .renewRequest, requestID: clients[client].renewalRequestID, &sim)
    }

    /// The client waits for the reply to its renewal (or its boot requests) at most the timeout.
    @inline(__always) mutating func awaitReply(_ client: ClientID, tries: Int32, _ sim: inout Simulation<FleetEvent>) {
        clients[client].renewalAwaited = true
        clients[client].renewalTries = tries
        clients[client].renewalRetryWaiting = false
        if !timeoutsNeverFire, let deadline = replyDeadline(client, sim.now) {
            sim.arm(clients[client].replyTimer, at: deadline, .renewalTimer(client: client))
        }
    }

    /// A reply to the client's latest renewal or boot requests arrived: it waits no more.
    @inline(__always) mutating func replyArrived(_ client: ClientID, requestID: UInt32, _ sim: inout Simulation<FleetEvent>) {
        guard clients[client].renewalAwaited, requestID == clients[client].renewalRequestID else { return }
        clients[client].renewalAwaited = false
        sim.disarm(clients[client].replyTimer)
    }

    /// A client boots: it asks for the reserved count of each of its features, under one request number.
    mutating func bootClient(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        let requestID = newRequestID(client)
        clients[client].renewalRequestID = requestID
        // With no reply in time, the client renews instead: a renewal grants the reserved counts too (R-CFG-4).
        awaitReply(client, tries: 1, &sim)
        for slot in clients[client].slots {
            let state = slots[slot]
            slots[slot].reserveAwaited = true
            record(ProtocolRecord(time: sim.now, kind: .reserveRequest, client: client.index, feature: state.feature.index,
                                  count: Int64(state.allocation.reserved), rule: "R-LEASE-3"))
            send(from: client, .reserveRequest(holder: HolderID(slot: slot)), requestID: requestID, &sim)
        }
    }

    /// Handles a message from a server at a running client.
    @inline(__always) mutating func clientReceives(_ message: Message, at client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        clients[client].messagesReceived &+= 1
        if autoLeases { clients[client].lastContact = sim.now } // R-AUTO-4
        switch message.contents {
        case .reserveReply, .refusal, .leaseCut, .surrenderAck: clientReceivesRarely(message, at: client, &sim)
        case let .incrementReply(holder, _, granted, _):
            heard(holder.slot, autoLeasing: message.autoLeasing, sim.now)
            incrementAnswered(holder.slot, message.requestID, granted.live(at: sim.now), &sim)
        case let .renewReply(holder, allocation, reserved, increment):
            // A reply to an earlier try of a renewal is stale: the latest try's reply says more.
            guard message.requestID == clients[client].renewalRequestID else { return }
            heard(holder.slot, autoLeasing: message.autoLeasing, sim.now)
            replyArrived(client, requestID: message.requestID, &sim)
            renewalAnswered(holder.slot, reserved.live(at: sim.now), increment.live(at: sim.now), allocation, &sim)
        case .reserveRequest, .incrementRequest, .renewRequest, .release, .autoLeaseReport, .surrenderNotice, .heartbeat, .heartbeatAck,
             .downloadRequest, .downloadReply:
            preconditionFailure("client \(client) received a request: \(message.contents)")
        }
        if clients[client].renewalOverdue || clients[client].holdsAutoLeased { afterReconnecting(client, &sim) }
    }

    /// The replies a client gets seldom: reserve grants (at boot), refusals and cuts (kept out of line, so the
    /// frequent replies' path stays small).
    @inline(never)
    mutating func clientReceivesRarely(_ message: Message, at client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        switch message.contents {
        case let .reserveReply(holder, allocation, reserved):
            heard(holder.slot, autoLeasing: message.autoLeasing, sim.now)
            replyArrived(client, requestID: message.requestID, &sim)
            reservedGranted(holder.slot, reserved.live(at: sim.now), allocation, &sim)
        case let .refusal(holder, reason):
            heard(holder.slot, autoLeasing: message.autoLeasing, sim.now)
            replyArrived(client, requestID: message.requestID, &sim)
            refused(holder.slot, reason, sim.now)
        case let .leaseCut(holder, reserved, increment, allocation):
            heard(holder.slot, autoLeasing: message.autoLeasing, sim.now)
            leaseCut(holder.slot, reserved, increment, allocation, sim.now)
        case let .surrenderAck(entry, generation): surrenderAcknowledged(Int(entry), generation: generation)
        default: preconditionFailure("not a rare reply: \(message.contents)")
        }
    }

    /// A message reached a client that had lost contact: it renews a renewal that went unanswered (and, at its
    /// reply, asks again if short), and reports its auto-leased counts (R-AUTO-5).
    @inline(never)
    mutating func afterReconnecting(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        if clients[client].renewalOverdue && !clients[client].renewalAwaited && clients[client].isUp {
            clients[client].renewalOverdue = false
            sendRenewal(client, &sim)
        }
        if clients[client].holdsAutoLeased && clients[client].isUp { reportAutoLeases(client, &sim) }
    }

    /// R-AUTO-2, R-AUTO-3: a reply says whether auto-leasing is enabled for the slot's feature now.
    @inline(__always) mutating func heard(_ slot: SlotID, autoLeasing: Bool, _ now: SimInstant) {
        guard autoLeases else { return } // Never enabled: nothing to hear.
        // A plain store while no state is recorded; the timeline's row is written when it is.
        if _slowPath(records.recordsStates) { heardAutoLeasing(slot, autoLeasing, now) } else { slots[slot].autoLeaseHeard = autoLeasing }
    }

    mutating func reservedGranted(_ slot: SlotID, _ reserved: LeaseGrant, _ allocation: Allocation, _ sim: inout Simulation<FleetEvent>) {
        slots[slot].reserveAwaited = false
        let before = beginChange(slot, sim.now)
        setAllocation(slot, allocation, sim.now)
        slots[slot].reservedHeld = reserved.count
        slots[slot].reservedExpiry = reserved.expiry
        setClientIncrement(slot, 0)
        slots[slot].incrementExpiry = .never
        fitAutoLeased(slot, sim.now)
        endChange(slot, sim.now, from: before)
        watchLapse(slot, &sim)
        reactToLoad(slot, &sim)
    }

    @inline(__always) mutating func incrementAnswered(_ slot: SlotID, _ requestID: UInt32, _ granted: LeaseGrant,
                                                      _ sim: inout Simulation<FleetEvent>) {
        counters.incrementReplies &+= 1
        // A reply to a request the client no longer waits for (answered already, or given up) is stale; what it
        // granted comes back with the next renewal reply.
        guard slots[slot].requestPending && requestID == slots[slot].requestID else { return }
        slots[slot].requestPending = false
        disarmRequestTimer(slot, &sim)
        if slots[slot].requestReports { return reconciled(slot, granted, &sim) } // R-AUTO-5
        if granted.count > 0 {
            let before = beginChange(slot, sim.now)
            addClientIncrement(slot, granted, sim.now)
            fitAutoLeased(slot, sim.now)
            endChange(slot, sim.now, from: before)
            watchLapse(slot, &sim)
            // R-LEASE-1b: still short after a grant of one quantum: ask again; waiting logins wait on.
            if spec.policy.quantaPerRequest == .one && requestIfShort(slot, &sim) { return }
        }
        decideLogins(slot, sim.now)
    }

    /// R-LEASE-5, R-CFG-2: new expiries, and the allocation as the server now has it.
    mutating func renewalAnswered(_ slot: SlotID, _ reserved: LeaseGrant, _ increment: LeaseGrant, _ allocation: Allocation,
                                  _ sim: inout Simulation<FleetEvent>) {
        counters.renewReplies &+= 1
        let booting = slots[slot].reserveAwaited
        slots[slot].reserveAwaited = false
        setAllocation(slot, allocation, sim.now)
        // R-CFG-2, R-CFG-4, R-LEASE-11: the reserved count as renewed now; increments the server did not renew
        // (a surplus given back, or what it could not cover) are gone, the newest first.
        if slots[slot].reservedHeld != reserved.count || slots[slot].incrementHeld > increment.count {
            let before = beginChange(slot, sim.now)
            slots[slot].reservedHeld = reserved.count
            setClientIncrement(slot, min(slots[slot].incrementHeld, increment.count))
            fitAutoLeased(slot, sim.now)
            endChange(slot, sim.now, from: before)
        }
        slots[slot].reservedExpiry = reserved.expiry
        if slots[slot].incrementHeld > 0 && increment.count > 0 { slots[slot].incrementExpiry = increment.expiry }
        adoptServerIncrement(slot, increment, &sim)
        watchLapse(slot, &sim)
        // A renewal that answers a boot (its reserve request timed out) grants the reserve: the client then asks and
        // decides its logins as at a reserve reply.
        if _slowPath(booting) { return reactToLoad(slot, &sim) }
        // R-LEASE-1 (assumed): still short after a renewal, with the allocation just learnt (R-CFG-2): ask again; but
        // a slot back in contact with auto-leasing to report is reconciled first, and asks after (R-AUTO-5).
        if spec.policy.requestsAtRenewal && !(_slowPath(clients[slots[slot].client].holdsAutoLeased) && hasAutoLeaseToReport(slot)) {
            _ = requestIfShort(slot, &sim)
        }
    }

    mutating func refused(_ slot: SlotID, _ reason: RefusalReason, _ now: SimInstant) {
        if reason == .notConfigured {
            // R-CFG-3: the configuration is gone; so are the client's leases.
            let before = beginChange(slot, now)
            slots[slot].reservedHeld = 0
            setClientIncrement(slot, 0)
            endChange(slot, now, from: before)
        }
        // A refused boot: the logins that waited for its reserve are decided now.
        if slots[slot].reserveAwaited {
            slots[slot].reserveAwaited = false
            decideLogins(slot, now)
        }
    }

    /// R-CFG-1: the server lowered MUC and cut the lease; the client holds less at once.
    mutating func leaseCut(_ slot: SlotID, _ reserved: Int32, _ increment: Int32, _ allocation: Allocation, _ now: SimInstant) {
        let before = beginChange(slot, now)
        setAllocation(slot, allocation, now)
        slots[slot].reservedHeld = min(slots[slot].reservedHeld, reserved)
        setClientIncrement(slot, min(slots[slot].incrementHeld, increment))
        fitAutoLeased(slot, now)
        endChange(slot, now, from: before)
    }

    /// The client takes a granted increment, held from now (R-LEASE-7; call inside a change).
    @inline(__always) mutating func addClientIncrement(_ slot: SlotID, _ granted: LeaseGrant, _ now: SimInstant) {
        slots[slot].incrementHeld += granted.count
        slots[slot].incrementExpiry = granted.expiry
        blockTable.grant(slot, granted.count, at: now, spec.policy.holdPolicy)
    }

    /// Lowers the increment a client holds, taking from the newest blocks (a cut, a short renewal, a loss).
    @inline(__always) mutating func setClientIncrement(_ slot: SlotID, _ increment: Int32) {
        slots[slot].incrementHeld = increment
        blockTable.trimNewest(slot, toTotal: increment)
    }

    /// Keeps the slot's lapse timer at or before its earliest lease expiry (re-armed lazily when it fires).
    @inline(__always) mutating func watchLapse(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        let state = slots[slot]
        var earliest = SimInstant.never
        if state.reservedHeld > 0 { earliest = state.reservedExpiry }
        if state.incrementHeld > 0 { earliest = min(earliest, state.incrementExpiry) }
        if state.autoLeased > 0 { earliest = min(earliest, autoLeaseExpiry(ofSlot: slot)) } // R-AUTO-4
        guard earliest != .never, earliest < sim.deadline(of: state.lapseTimer) else { return }
        sim.arm(state.lapseTimer, at: max(earliest, sim.now), .clientLapse(slot: slot))
    }

    /// R-LEASE-7, R-LEASE-9: the hold on a slot's increments ended; release now if the load is still low (`onDrop`).
    mutating func holdEnded(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        if slots[slot].clustered { return releaseClusterSurplus(slot, &sim) } // R-CLU-2
        guard clients[slots[slot].client].isUp,
              usersToLease(slot) < slots[slot].held - slots[slot].allocation.quantum else { return }
        releaseUnneeded(slot, &sim)
    }

    /// The client's own clock reaches a lease expiry: what was not renewed is gone (R-LEASE-6). A client that runs
    /// then reacts as to a change of load: still needing what it lost, it asks for it, and a cut-off client whose
    /// request times out auto-leases it back while it may (R-AUTO-3, R-AUTO-4), whatever made its lease fall.
    mutating func clientLapseDue(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        let now = sim.now
        let held = slots[slot].held
        if slots[slot].autoLeased > 0 && autoLeaseExpiry(ofSlot: slot) <= now { autoLeaseLapsed(slot, now) }
        let state = slots[slot]
        let incrementLapsed = state.incrementHeld > 0 && state.incrementExpiry <= now
        let reservedLapsed = state.reservedHeld > 0 && state.reservedExpiry <= now
        if incrementLapsed || reservedLapsed {
            counters.lapses &+= 1
            let before = beginChange(slot, now)
            if incrementLapsed { setClientIncrement(slot, 0) }
            if reservedLapsed { slots[slot].reservedHeld = 0 }
            endChange(slot, now, from: before)
            record(ProtocolRecord(time: now, kind: .lapse, client: state.client.index, feature: state.feature.index,
                                  count: Int64(state.held - slots[slot].held), rule: "R-LEASE-6"))
        }
        watchLapse(slot, &sim)
        if slots[slot].held < held && clients[state.client].isUp { reactToLoad(slot, &sim) }
    }
}
