import LeaseKernel

/// A client under failure: requests that get no reply time out and are tried again with backoff, up to a bound;
/// a renewal reply tells the client what the server holds for it.
extension FleetModel {
    /// The slot's request timer fired: its increment request timed out, or the wait before the retry is over.
    ///
    /// Logins waiting for the reply are decided at the first timeout (users do not wait for retries). After
    /// `requestRetries` retries the client gives up until its next demand change or renewal.
    @inline(never)
    mutating func requestTimerFired(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        let state = slots[slot]
        slots[slot].requestTimerArmed = false
        guard state.requestPending, clients[state.client].isUp else { return }
        if state.requestRetryWaiting {
            slots[slot].requestRetryWaiting = false
            slots[slot].requestTries += 1
            counters.retries &+= 1
            record(ProtocolRecord(time: sim.now, kind: .requestRetried, client: state.client.index, feature: state.feature.index,
                                  count: Int64(state.requestTries) + 1, rule: "R-LEASE-1",
                                  message: state.requestReports ? .autoLeaseReport : .incrementRequest))
            sendIncrementRequest(slot, &sim)
            return
        }
        counters.timeouts &+= 1
        record(ProtocolRecord(time: sim.now, kind: .requestTimedOut, client: state.client.index, feature: state.feature.index,
                              count: Int64(state.requestTries), rule: "R-LEASE-8",
                              message: state.requestReports ? .autoLeaseReport : .incrementRequest))
        // R-AUTO-3: cut off from its server, the client may raise its own lease for the logins waiting.
        if !state.requestReports && autoIncrement(slot, &sim) {
            decideLogins(slot, sim.now)
            return
        }
        decideLogins(slot, sim.now)
        if Int32(state.requestTries) <= spec.policy.requestRetries {
            slots[slot].requestRetryWaiting = true
            slots[slot].requestTimerArmed = true
            sim.arm(state.requestTimer, at: sim.now + spec.policy.backoff(beforeRetry: Int32(state.requestTries)), .requestTimer(slot: slot))
        } else {
            slots[slot].requestPending = false
            slots[slot].requestReports = false
            counters.abandoned &+= 1
            record(ProtocolRecord(time: sim.now, kind: .requestAbandoned, client: state.client.index, feature: state.feature.index,
                                  count: Int64(state.requestTries), rule: "R-LEASE-1",
                                  message: state.requestReports ? .autoLeaseReport : .incrementRequest))
        }
    }

    /// The client's reply timer fired: its renewal (or boot requests) timed out, or the wait before the retry is over.
    /// A retry is a renewal: it renews what the client holds and grants its reserved counts (R-LEASE-4, R-CFG-4).
    @inline(never)
    mutating func renewalTimerFired(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        let state = clients[client]
        guard state.renewalAwaited, state.isUp else { return }
        if state.renewalRetryWaiting {
            counters.retries &+= 1
            record(ProtocolRecord(time: sim.now, kind: .requestRetried, client: client.index, server: serverIndex(of: client),
                                  count: Int64(state.renewalTries + 1), rule: "R-LEASE-4", message: .renewRequest))
            awaitReply(client, tries: state.renewalTries + 1, &sim)
            resendRenewal(client, &sim)
            return
        }
        counters.timeouts &+= 1
        record(ProtocolRecord(time: sim.now, kind: .requestTimedOut, client: client.index, server: serverIndex(of: client),
                              count: Int64(state.renewalTries), rule: "R-LEASE-4", message: .renewRequest))
        // Logins that wait for a boot's reserve are decided at its first timeout (users do not wait for retries).
        if state.renewalTries == 1 {
            for slot in state.slots where slots[slot].reserveAwaited { decideLogins(slot, sim.now) }
        }
        if state.renewalTries <= spec.policy.requestRetries {
            clients[client].renewalRetryWaiting = true
            sim.arm(state.replyTimer, at: sim.now + spec.policy.backoff(beforeRetry: state.renewalTries), .renewalTimer(client: client))
        } else {
            clients[client].renewalAwaited = false
            clients[client].renewalOverdue = true
            counters.abandoned &+= 1
            record(ProtocolRecord(time: sim.now, kind: .requestAbandoned, client: client.index, server: serverIndex(of: client),
                                  count: Int64(state.renewalTries), rule: "R-LEASE-4", message: .renewRequest))
            // A boot given up: the client no longer waits for its reserve, and asks as its users need.
            for slot in state.slots where slots[slot].reserveAwaited {
                slots[slot].reserveAwaited = false
                reactToLoad(slot, &sim)
            }
        }
    }

    /// R-LEASE-5, R-CFG-2 (assumed): the renewal reply states the increment the server holds for the client; the
    /// client takes what it did not know of (a grant whose reply was lost or came after it gave up), less what
    /// it gave back since it sent the renewal. A pending increment request is then settled by this reply.
    @inline(__always) mutating func adoptServerIncrement(_ slot: SlotID, _ increment: LeaseGrant, _ sim: inout Simulation<FleetEvent>) {
        let target = increment.count - slots[slot].releasedSinceRenewal
        guard target > slots[slot].incrementHeld else { return }
        let now = sim.now
        let before = beginChange(slot, now)
        blockTable.grant(slot, target - slots[slot].incrementHeld, at: now, spec.policy.holdPolicy)
        slots[slot].incrementHeld = target
        slots[slot].incrementExpiry = increment.expiry
        fitAutoLeased(slot, sim.now)
        // A pending increment request is settled by what the server holds; a pending report of auto-leased counts is not.
        let settled = slots[slot].requestPending && !slots[slot].requestReports
        if settled {
            slots[slot].requestPending = false
            slots[slot].requestRetryWaiting = false
            disarmRequestTimer(slot, &sim)
        }
        endChange(slot, now, from: before)
        if settled { decideLogins(slot, now) }
    }

    /// When a request sent now times out, or nil when no timeout can fire: the timeout's timer is armed only
    /// when the reply could miss it.
    ///
    /// The timer is left out (an exact saving, not a shortcut in the client's logic) when no fault acts on the
    /// client's links or server now, none starts before the deadline, and the reply's arrival, as the links'
    /// latencies and FIFO order fix it, comes before the deadline: then the reply always comes first and the
    /// timer would be disarmed unfired. Otherwise it is armed, and the client times out and retries.
    /// Callers check `timeoutsNeverFire` first (no timeout, or a fleet without faults whose every round trip beats
    /// the timeout: the common case), so this stays out of the hot path.
    @inline(never)
    func replyDeadline(_ client: ClientID, _ now: SimInstant) -> SimInstant? {
        guard let timeout = spec.policy.requestTimeout else { return nil }
        let deadline = now + timeout
        if nextFaultStart < deadline || clients[client].cluster >= 0 { return deadline } // R-CLU-1: a leader may stop.
        let server = currentServer(client), relay = clients[client].leader // R-CLU-1: its leader's links; R-HA-1.
        let up = Network.link(from: relay), down = Network.link(to: relay)
        let upLink = network.links[up], downLink = network.links[down]
        if upLink.activeFaults > 0 || downLink.activeFaults > 0 { return deadline }
        if let node = server.server, !servers[node].isUp { return deadline }
        let request = max(now + upLink.latency, upLink.lastArrival)
        let reply = max(request + downLink.latency, downLink.lastArrival)
        return reply < deadline ? nil : deadline
    }

    /// The earliest start of a fault not yet started (`.never` when none is left).
    var nextFaultStart: SimInstant {
        nextFault < faultStartTimes.count ? faultStartTimes[nextFault] : .never
    }

    /// Disarms a slot's request timer if it is armed.
    @inline(__always) mutating func disarmRequestTimer(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        guard slots[slot].requestTimerArmed else { return }
        slots[slot].requestTimerArmed = false
        sim.disarm(slots[slot].requestTimer)
    }

    /// A stopped or crashed client waits for nothing.
    mutating func stopWaiting(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        clients[client].renewalAwaited = false
        sim.disarm(clients[client].replyTimer)
        for slot in clients[client].slots {
            slots[slot].requestRetryWaiting = false
            disarmRequestTimer(slot, &sim)
        }
    }
}
