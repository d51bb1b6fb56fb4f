import LeaseKernel

/// A client under failure: requests that get no reply time out and are tried again with backoff, up to a bound;
/// a renewal reply tells the client what the server holds for it.
extension FleetModel {
    /// The slot's request timer fired: its increment request timed out, or the wait before the retry is over.
    ///
    /// Logins waiting for the reply are decided at the first timeout (users do not wait for retries). After
    /// `requestRetries` retries the client gives up until its next demand change or renewal.
    mutating func requestTimerFired(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        let state = slots[slot]
        guard state.requestPending, clients[state.client].isUp else { return }
        if state.requestRetryWaiting {
            slots[slot].requestRetryWaiting = false
            slots[slot].requestTries += 1
            record(ProtocolRecord(time: sim.now, kind: .requestRetried, client: state.client.index, feature: state.feature.index,
                                  count: Int64(state.requestTries), rule: "R-LEASE-1", message: .incrementRequest))
            sendIncrementRequest(slot, &sim)
            return
        }
        record(ProtocolRecord(time: sim.now, kind: .requestTimedOut, client: state.client.index, feature: state.feature.index,
                              count: Int64(state.requestTries), rule: "R-LEASE-8", message: .incrementRequest))
        decideLogins(slot, sim.now)
        if state.requestTries <= spec.policy.requestRetries {
            slots[slot].requestRetryWaiting = true
            sim.arm(state.requestTimer, at: sim.now + spec.policy.backoff(beforeRetry: state.requestTries), .requestTimer(slot: slot))
        } else {
            slots[slot].requestPending = false
            record(ProtocolRecord(time: sim.now, kind: .requestAbandoned, client: state.client.index, feature: state.feature.index,
                                  count: Int64(state.requestTries), rule: "R-LEASE-1", message: .incrementRequest))
        }
    }

    /// The client's reply timer fired: its renewal (or boot requests) timed out, or the wait before the retry is over.
    /// A retry is a renewal: it renews what the client holds and grants its reserved counts (R-LEASE-4, R-CFG-4).
    mutating func renewalTimerFired(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        let state = clients[client]
        guard state.renewalAwaited, state.isUp else { return }
        if state.renewalRetryWaiting {
            record(ProtocolRecord(time: sim.now, kind: .requestRetried, client: client.index, server: state.server.index,
                                  count: Int64(state.renewalTries + 1), rule: "R-LEASE-4", message: .renewRequest))
            awaitReply(client, tries: state.renewalTries + 1, &sim)
            resendRenewal(client, &sim)
            return
        }
        record(ProtocolRecord(time: sim.now, kind: .requestTimedOut, client: client.index, server: state.server.index,
                              count: Int64(state.renewalTries), rule: "R-LEASE-4", message: .renewRequest))
        if state.renewalTries <= spec.policy.requestRetries {
            clients[client].renewalRetryWaiting = true
            sim.arm(state.replyTimer, at: sim.now + spec.policy.backoff(beforeRetry: state.renewalTries), .renewalTimer(client: client))
        } else {
            clients[client].renewalAwaited = false
            clients[client].renewalOverdue = true
            record(ProtocolRecord(time: sim.now, kind: .requestAbandoned, client: client.index, server: state.server.index,
                                  count: Int64(state.renewalTries), rule: "R-LEASE-4", message: .renewRequest))
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
        let settled = slots[slot].requestPending
        if settled {
            slots[slot].requestPending = false
            slots[slot].requestRetryWaiting = false
            sim.disarm(slots[slot].requestTimer)
        }
        endChange(slot, now, from: before)
        if settled { decideLogins(slot, now) }
    }

    /// A stopped or crashed client waits for nothing.
    mutating func stopWaiting(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        clients[client].renewalAwaited = false
        sim.disarm(clients[client].replyTimer)
        for slot in clients[client].slots {
            slots[slot].requestRetryWaiting = false
            sim.disarm(slots[slot].requestTimer)
        }
    }
}
