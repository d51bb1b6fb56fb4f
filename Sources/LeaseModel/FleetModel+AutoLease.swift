import LeaseKernel

/// Auto-leasing: the server's decision and its penalty, a cut-off client's own increments, and the reconcile when
/// it is back (R-AUTO-1..7). Everything here runs on rare events (reviews, timeouts, reports), out of the hot path.
extension FleetModel {
    // MARK: The server's decision (R-AUTO-1, R-AUTO-2)

    /// At instant zero: each pool's history before the run is its state now (the run starts from a steady
    /// state), the first decision is made, and clients that hold leases at the start heard it with them.
    @inline(never)
    mutating func startAutoLeasing(_ sim: inout Simulation<FleetEvent>) {
        let policy = spec.policy.autoLease
        guard policy.enabled else { return }
        let reviews = policy.reviewsPerWindow
        availability = [Int128](repeating: 0, count: pools.count * reviews)
        for pool in pools.ids {
            // Entry k holds the integral at review k - reviews (before the run): the available count times its time.
            let available = Int128(pools[pool].free)
            for entry in 0..<reviews {
                availability[pool.offset * reviews + entry] = available * Int128(entry - reviews) * Int128(policy.review.milliseconds)
            }
        }
        reviewAutoLeasing(&sim)
        guard spec.policy.initialLeases == .held else { return }
        for slot in slots.ids {
            let lease = lease(of: HolderID(slot: slot))
            slots[slot].autoLeaseHeard = pools[lease.pool].autoLeaseAllowed && lease.serverStop == .none // R-VLS-1, R-LIC-8
        }
    }

    /// R-AUTO-2: every server reviews, per feature, the average available count over the window that ends now
    /// against the unallocated maximum capacity, on the state before anything else happens at this instant.
    @inline(never)
    mutating func reviewAutoLeasing(_ sim: inout Simulation<FleetEvent>) {
        let policy = spec.policy.autoLease, reviews = policy.reviewsPerWindow
        let entry = Int(reviewNumber % Int64(reviews))
        for pool in pools.ids {
            accountPool(pool, sim.now)
            let integral = pools[pool].installedUserMilliseconds - pools[pool].usedUserMilliseconds
            let index = pool.offset * reviews + entry
            let windowSum = integral - availability[index]
            availability[index] = integral
            decideAutoLeasing(pool, availableUserMilliseconds: windowSum, sim.now)
        }
        reviewNumber += 1
        let next = sim.now + policy.review
        if next < horizon { sim.schedule(at: next, priority: .first, .autoLeaseReview) }
    }

    /// R-AUTO-1, R-AUTO-2: one pool's decision, and the figures it rests on; a changed decision is an event.
    mutating func decideAutoLeasing(_ pool: ServerFeatureID, availableUserMilliseconds sum: Int128, _ now: SimInstant) {
        let policy = spec.policy.autoLease
        let state = pools[pool]
        let eligible = autoLeaseEligible(pool) // R-AUTO-1
        let decided = eligible && AutoLeaseDecision.isEnabled(availableUserMilliseconds: sum, window: policy.window,
                                                              unallocated: state.unallocated,
                                                              thresholdPercent: policy.thresholdPercent)
        let average = AutoLeaseDecision.averageThousandths(availableUserMilliseconds: sum, window: policy.window)
        let threshold = AutoLeaseDecision.thresholdThousandths(unallocated: state.unallocated,
                                                               thresholdPercent: policy.thresholdPercent)
        guard decided != state.autoLeaseDecided || average != state.averageAvailableThousandths
            || threshold != state.autoLeaseThresholdThousandths else { return }
        pools[pool].autoLeaseDecided = decided
        pools[pool].averageAvailableThousandths = average
        pools[pool].autoLeaseThresholdThousandths = threshold
        if decided != state.autoLeaseDecided {
            record(ProtocolRecord(time: now, kind: decided ? .autoLeaseEnabled : .autoLeaseDisabled, server: state.server.index,
                                  feature: state.feature.index, count: average / 1000, rule: "R-AUTO-2"))
        }
        if records.recordsStates { recordServerState(pool, now) }
    }

    /// R-AUTO-1: whether auto-leasing may be enabled for a pool: a user-capacity feature (not declared platform
    /// bound) with licenses bound to no platform family installed now. "Auto-leasing applies only to subscription or
    /// user capacity licenses, and not to licenses tied to a specific platform or platform family": a pool whose
    /// licenses are all bound to a family (surrendered ones among them) is never auto-leased.
    func autoLeaseEligible(_ pool: ServerFeatureID) -> Bool {
        spec.traits(of: pools[pool].feature.offset).autoLeases && unboundInstalled(pool) > 0
    }

    /// R-LIC-6: what a pool has installed now that is bound to no platform family.
    func unboundInstalled(_ pool: ServerFeatureID) -> Int64 {
        let platformPool = pools[pool].platformPool
        guard platformPool >= 0 else { return Int64(pools[pool].installed) }
        return Int64(pools[pool].installed) - platformPools[Int(platformPool)].bound
    }

    /// R-AUTO-1: a pool's licenses changed: if none is left that auto-leasing may use, it is off at once (it is
    /// enabled again only by a later review).
    @inline(never)
    mutating func checkAutoLeaseEligibility(_ pool: ServerFeatureID, _ now: SimInstant) {
        guard pools[pool].autoLeaseDecided, !autoLeaseEligible(pool) else { return }
        pools[pool].autoLeaseDecided = false
        record(ProtocolRecord(time: now, kind: .autoLeaseDisabled, server: pools[pool].server.index, feature: pools[pool].feature.index,
                              count: pools[pool].averageAvailableThousandths / 1000, rule: "R-AUTO-1"))
        if records.recordsStates { recordServerState(pool, now) }
    }

    /// R-AUTO-1, R-AUTO-5: what a reconcile may grant a lease from: what its class may take, and of that only what
    /// licenses bound to no platform family can serve (an auto-leased count is never a platform-bound license's).
    func autoLeaseRoom(_ lease: LeaseID) -> Int32 {
        let pool = leases[lease].pool, platformPool = pools[pool].platformPool
        guard platformPool >= 0 else { return incrementPool(lease) }
        let unbound = platformPools[Int(platformPool)].room(for: .unbound, .leasedAndIdle, installed: Int64(pools[pool].installed))
        return min(incrementPool(lease), Int32(clamping: unbound))
    }

    // MARK: The penalty (R-AUTO-6, R-AUTO-7)

    /// R-AUTO-6, R-AUTO-7: the nodes whose penalty is one, as the license server their clients talk to: a node alone,
    /// or both nodes of a highly available pair while they serve as one (active/passive: whichever answers now, so
    /// the penalty follows a failover; active/active while joined). Apart, an active/active node is its own server.
    func penaltyNodes(_ server: ServerID) -> [ServerID] {
        let pair = servers[server].pair
        guard pair >= 0, pairs[Int(pair)].mode == .activePassive || pairs[Int(pair)].joined else { return [server] }
        let (a, b) = nodes(ofPair: Int(pair))
        return [a, b]
    }

    /// R-AUTO-6: a reconcile fell short: auto-leasing is off for every feature and every client of the license server
    /// (every node of `penaltyNodes`) for the penalty's length from now (a later failure starts it again).
    mutating func startPenalty(_ server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        let until = sim.now + spec.policy.autoLease.penalty
        counters.penalties &+= 1
        record(ProtocolRecord(time: sim.now, kind: .penaltyStarted, server: server.index, expiry: until, rule: "R-AUTO-6"))
        for node in penaltyNodes(server) { setPenalty(node, until: until, &sim) }
    }

    /// A node's penalty runs until `until` (its timer then ends it).
    mutating func setPenalty(_ node: ServerID, until: SimInstant, _ sim: inout Simulation<FleetEvent>) {
        servers[node].penaltyUntil = until
        sim.arm(servers[node].penaltyTimer, at: until, priority: .first, .penaltyEnds(server: node))
        setPenalty(node, true, sim.now)
    }

    /// The penalty is over: at its end, when its timer fires (R-AUTO-6), or at once when a new user-count
    /// subscription license is installed (R-AUTO-7), for every node of the license server. A penalty started again
    /// re-arms the timer, so no stale firing comes.
    @inline(never)
    mutating func endPenalty(_ server: ServerID, rule: StaticString, _ sim: inout Simulation<FleetEvent>) {
        let nodes = penaltyNodes(server)
        guard nodes.contains(where: { node in servers[node].pools.contains { pools[$0].penalty } }) else { return }
        record(ProtocolRecord(time: sim.now, kind: .penaltyEnded, server: server.index, rule: rule))
        for node in nodes {
            servers[node].penaltyUntil = min(servers[node].penaltyUntil, sim.now)
            sim.disarm(servers[node].penaltyTimer)
            setPenalty(node, false, sim.now)
        }
    }

    mutating func setPenalty(_ server: ServerID, _ on: Bool, _ now: SimInstant) {
        for pool in servers[server].pools where pools[pool].penalty != on {
            pools[pool].penalty = on
            if records.recordsStates { recordServerState(pool, now) }
        }
    }

    /// R-AUTO-6 on a pair: its nodes serve as one again (a rejoin, or a switch to active/passive): a penalty either
    /// node began while apart now holds for both, to the later end.
    mutating func joinPairPenalty(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        let (a, b) = nodes(ofPair: pair)
        let until = max(servers[a].penaltyUntil, servers[b].penaltyUntil)
        guard until > sim.now else { return }
        for node in [a, b] where servers[node].penaltyUntil != until { setPenalty(node, until: until, &sim) }
    }

    /// A license is installed on a server now (R-AUTO-7: a user-count subscription ends the penalty; R-DL-1: the next
    /// download check follows what the server has now).
    @inline(never)
    mutating func licenseInstalled(_ install: LicenseInstall, _ sim: inout Simulation<FleetEvent>) {
        let license = spec.servers[install.server.offset].licenses[Int(install.license)]
        if endsPenalty(license, installedAt: sim.now) { endPenalty(install.server, rule: "R-AUTO-7", &sim) }
        rescheduleDownload(install.server, &sim)
    }

    /// R-AUTO-7: whether a license is a user-count subscription (or its renewal) whose adding ends the penalty: added
    /// when it is installed, whatever its start date, unless it had ended before.
    func endsPenalty(_ license: License, installedAt: SimInstant) -> Bool {
        (license.kind == .subscription || license.kind == .renewal) && spec.traits(of: license.feature).userCapacity
            && license.endsAt > installedAt
    }

    // MARK: The cut-off client (R-AUTO-3, R-AUTO-4)

    /// R-AUTO-3, R-AUTO-4: the slot's increment request timed out: the client cannot reach its server. While
    /// auto-leasing was enabled as it last heard, within `maxDisconnection` of its last contact and before its
    /// reserved lease expires, it raises its own lease by the whole ILQ its users need, up to MUC, and stops
    /// waiting for the reply.
    /// - Returns: whether it did.
    mutating func autoIncrement(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) -> Bool {
        if slots[slot].clustered { return autoIncrementSide(slot, &sim) } // R-AUTO-8
        let state = slots[slot]
        let until = autoLeaseExpiry(ofSlot: slot)
        guard state.autoLeaseHeard, sim.now < until else { return false }
        let wanted = state.allocation.incrementWanted(users: usersToLease(slot), leased: state.held)
        guard wanted > 0 else { return false }
        raiseAutoLeased(slot, by: wanted, until: until, rule: "R-AUTO-3", &sim)
        return true
    }

    /// R-AUTO-3: the slot stops waiting for its request's reply and raises its own lease by `wanted` until `until`.
    mutating func raiseAutoLeased(_ slot: SlotID, by wanted: Int32, until: SimInstant, rule: StaticString,
                                  _ sim: inout Simulation<FleetEvent>) {
        let state = slots[slot]
        slots[slot].requestPending = false
        slots[slot].requestRetryWaiting = false
        disarmRequestTimer(slot, &sim)
        let before = beginChange(slot, sim.now)
        setAutoLeased(slot, state.autoLeased + wanted)
        endChange(slot, sim.now, from: before)
        // R-AUTO-5: the most auto-leased at once in this disconnection, and when.
        if !autoLeaseUsage.isEmpty && slots[slot].autoLeased > autoLeaseUsage[slot].peak {
            autoLeaseUsage[slot].peak = slots[slot].autoLeased
            autoLeaseUsage[slot].peakAt = sim.now
            clients[state.client].holdsAutoLeased = true
        }
        counters.autoIncrements &+= 1
        record(ProtocolRecord(time: sim.now, kind: .autoIncrement, client: state.client.index, feature: state.feature.index,
                              count: Int64(wanted), expiry: until, rule: rule))
        watchLapse(slot, &sim)
    }

    /// Sets a slot's auto-leased count, keeping the client's and the fleet's tallies (call inside a change).
    mutating func setAutoLeased(_ slot: SlotID, _ count: Int32) {
        let old = slots[slot].autoLeased, client = slots[slot].client
        guard count != old else { return }
        slots[slot].autoLeased = count
        if count > 0 {
            clients[client].holdsAutoLeased = true
        } else {
            clients[client].holdsAutoLeased = clients[client].slots.contains { hasAutoLeaseToReport($0) }
        }
        if clients[client].isUp { totals[slots[slot].feature].autoLeased += Int64(count - old) }
    }

    /// R-AUTO-5: whether a slot has auto-leasing to report when its client is back: a count it holds, or usage of
    /// its disconnection not yet reconciled.
    func hasAutoLeaseToReport(_ slot: SlotID) -> Bool {
        slots[slot].autoLeased > 0 || (!autoLeaseUsage.isEmpty && autoLeaseUsage[slot].peak > 0)
    }

    /// R-AUTO-5: the usage a report states: the peak of the disconnection (`reconcileUsage: peak`), or the count
    /// held (`held`).
    func reportedUsage(_ slot: SlotID) -> Int32 {
        autoLeaseUsage.isEmpty ? slots[slot].requestCount : max(slots[slot].requestCount, autoLeaseUsage[slot].peak)
    }

    /// R-AUTO-5: the slot's usage was reconciled (or its client lost it in a crash): a new disconnection starts from
    /// what it still holds.
    mutating func resetAutoLeaseUsage(_ slot: SlotID, _ now: SimInstant) {
        guard !autoLeaseUsage.isEmpty else { return }
        let held = slots[slot].autoLeased
        autoLeaseUsage[slot] = AutoLeaseUsage()
        if held > 0 { (autoLeaseUsage[slot].peak, autoLeaseUsage[slot].peakAt) = (held, now) }
        let client = slots[slot].client
        clients[client].holdsAutoLeased = clients[client].slots.contains { hasAutoLeaseToReport($0) }
    }

    /// R-AUTO-3, R-AUTO-5: the server granted more: the auto-leased count gives way to it, so the lease stays within
    /// MUC and holds no auto-leased quantum the users do not need (call inside a change).
    @inline(__always) mutating func fitAutoLeased(_ slot: SlotID, _ now: SimInstant) {
        if slots[slot].autoLeased > 0 { fitAutoLeasedCount(slot, now) }
    }

    @inline(never) mutating func fitAutoLeasedCount(_ slot: SlotID, _ now: SimInstant) {
        let state = slots[slot]
        let aboveMUC = state.held - max(state.allocation.maximum, state.reservedHeld + state.incrementHeld)
        // A cluster member's surplus may serve its side: the side gives it back as one (R-CLU-2).
        let unneeded = state.clustered ? 0
            : Allocation.wholeQuanta(state.held - state.allocation.countNeeded(users: usersToLease(slot)), state.allocation.quantum)
        let drop = min(state.autoLeased, max(aboveMUC, unneeded))
        guard drop > 0 else { return }
        setAutoLeased(slot, state.autoLeased - drop)
        record(ProtocolRecord(time: now, kind: .autoLeaseEnded, client: state.client.index, feature: state.feature.index,
                              count: Int64(drop), rule: "R-AUTO-5"))
    }

    /// R-AUTO-4: when a slot's auto-leasing ends: `maxDisconnection` after its client's last contact, or when its
    /// reserved lease expires, whichever comes first (a later contact moves it on, until the count is reconciled).
    public func autoLeaseExpiry(ofSlot slot: SlotID) -> SimInstant {
        min(clients[slots[slot].client].lastContact + spec.policy.autoLease.maxDisconnection, slots[slot].reservedExpiry)
    }

    /// R-AUTO-4: the auto-leased count ends with the disconnection's limit or the reserved lease.
    mutating func autoLeaseLapsed(_ slot: SlotID, _ now: SimInstant) {
        let state = slots[slot]
        let before = beginChange(slot, now)
        setAutoLeased(slot, 0)
        endChange(slot, now, from: before)
        record(ProtocolRecord(time: now, kind: .autoLeaseEnded, client: state.client.index, feature: state.feature.index,
                              count: Int64(state.autoLeased), rule: "R-AUTO-4"))
    }

    /// A reply told the client whether auto-leasing is enabled for a feature now (R-AUTO-2, R-AUTO-3), while states
    /// are recorded: a change is a timeline row.
    @inline(never) mutating func heardAutoLeasing(_ slot: SlotID, _ enabled: Bool, _ now: SimInstant) {
        guard slots[slot].autoLeaseHeard != enabled else { return }
        slots[slot].autoLeaseHeard = enabled
        recordSlotState(slot, now)
    }

    // MARK: The reconcile (R-AUTO-5, R-AUTO-6)

    /// R-AUTO-5: back in contact, the client reports, for each feature it has no request pending for, the auto-leased
    /// count it holds and the usage of its disconnection (its peak, with when it was reached; under `reconcileUsage:
    /// held` only the count held).
    @inline(never)
    mutating func reportAutoLeases(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        for slot in clients[client].slots where hasAutoLeaseToReport(slot) && !slots[slot].requestPending {
            let state = slots[slot]
            slots[slot].requestPending = true
            slots[slot].requestReports = true
            slots[slot].requestID = state.requestID &+ 1
            slots[slot].requestCount = state.autoLeased
            slots[slot].requestTries = 1
            counters.autoLeaseReports &+= 1
            record(ProtocolRecord(time: sim.now, kind: .autoLeaseReport, client: client.index, feature: state.feature.index,
                                  count: Int64(state.autoLeased), rule: "R-AUTO-5"))
            let usage = reportedUsage(slot)
            if usage > state.autoLeased {
                record(ProtocolRecord(time: sim.now, kind: .autoLeaseUsage, client: client.index, feature: state.feature.index,
                                      count: Int64(usage), expiry: autoLeaseUsage[slot].peakAt, rule: "R-AUTO-5"))
            }
            sendIncrementRequest(slot, &sim)
        }
    }

    /// R-AUTO-5, R-AUTO-6: the server reconciles a report: the auto-leased count the client still holds becomes an
    /// increment from what is free, in whole ILQ within the client's MUC, and the usage of the disconnection (its
    /// peak, in whole ILQ within MUC less the reserved count) must fit what is free; if either falls short, the
    /// penalty starts. A retry of a report already answered gets the same answer, and no second penalty. A server
    /// that refuses the client anything (R-CFG-3, R-ALLOC-5, R-LIC-8) grants nothing and starts no penalty: it is not
    /// short of licenses.
    mutating func reconcile(_ lease: LeaseID, count: Int32, usage: Int32, quantum: Int32, _ request: Request,
                            _ sim: inout Simulation<FleetEvent>) {
        if let reason = refusalReason(lease, sim.now) {
            counters.refusals &+= 1
            let state = leases[lease]
            record(ProtocolRecord(time: sim.now, kind: .refusal, client: state.client.index, server: request.server.index,
                                  feature: pools[state.pool].feature.index, reason: reason, rule: reason.rule))
            reply(to: request, about: state.pool, .incrementReply(holder: state.holder, allocation: state.allocation,
                                                                   granted: .none, reason: reason), &sim)
            return
        }
        var granted = LeaseGrant.none
        var short: Int32 = 0
        let state = leases[lease]
        if request.requestID == state.lastIncrementRequestID {
            if state.lastIncrementGranted > 0 && state.increment >= state.lastIncrementGranted {
                granted = LeaseGrant(count: state.lastIncrementGranted, expiry: state.incrementExpiry)
            }
        } else {
            let room = Allocation.wholeQuanta(state.allocation.maximum - state.held, quantum)
            let needed = min(Allocation.wholeQuanta(count, quantum), room)
            let free = Allocation.wholeQuanta(autoLeaseRoom(lease), quantum) // R-LEASE-11, R-LIC-6, R-AUTO-1
            switch spec.policy.autoLease.reconcile {
            case .partial: granted.count = min(needed, free)
            case .allOrNothing: granted.count = free >= needed ? needed : 0
            }
            // The usage of the whole disconnection, which the free licenses must cover (at least what is held now).
            let used = max(needed, min(Allocation.wholeQuanta(usage, quantum),
                                       Allocation.wholeQuanta(state.allocation.maximum - state.reserved, quantum)))
            if granted.count > 0 {
                setServerLease(lease, reserved: state.reserved, increment: state.increment + granted.count, sim.now)
                granted.expiry = leaseExpiry(lease, duration: spec.policy.incrementalLeaseDuration, sim.now)
                setIncrementExpiry(lease, granted.expiry, &sim)
            }
            leases[lease].lastIncrementRequestID = request.requestID
            leases[lease].lastIncrementGranted = granted.count
            short = max(needed - granted.count, used - free)
            let feature = pools[state.pool].feature.index
            record(ProtocolRecord(time: sim.now, kind: .reconciled, client: state.client.index, server: request.server.index,
                                  feature: feature, count: Int64(granted.count), expiry: granted.expiry, rule: "R-AUTO-5"))
            if short > 0 {
                counters.reconcilesShort &+= 1
                record(ProtocolRecord(time: sim.now, kind: .notReconciled, client: state.client.index, server: request.server.index,
                                      feature: feature, count: Int64(short), reason: .noFreeLicenses, rule: "R-AUTO-6"))
                startPenalty(request.server, &sim)
            }
        }
        reply(to: request, about: state.pool, .incrementReply(holder: state.holder, allocation: state.allocation, granted: granted,
                                           reason: short > 0 ? .noFreeLicenses : .none), &sim)
    }

    /// R-AUTO-5: the server answered the client's report: what it granted becomes an increment the server holds
    /// for the client, and the auto-leased count it answered is gone ("normal leasing rules are in effect").
    @inline(never)
    mutating func reconciled(_ slot: SlotID, _ granted: LeaseGrant, _ sim: inout Simulation<FleetEvent>) {
        slots[slot].requestReports = false
        let before = beginChange(slot, sim.now)
        setAutoLeased(slot, max(0, slots[slot].autoLeased - slots[slot].requestCount))
        if granted.count > 0 { addClientIncrement(slot, granted, sim.now) }
        fitAutoLeased(slot, sim.now)
        endChange(slot, sim.now, from: before)
        resetAutoLeaseUsage(slot, sim.now)
        watchLapse(slot, &sim)
        // Normal rules again: still short, the client asks (R-LEASE-1); its waiting logins wait for that reply.
        if !requestIfShort(slot, &sim) { decideLogins(slot, sim.now) }
    }
}

extension FleetModel {
    /// R-LEASE-9, R-AUTO-3: users left: the auto-leased count the client no longer needs goes first, in whole ILQ
    /// (it is the client's own, with no hold and nothing to send).
    mutating func dropUnneededAutoLeased(_ slot: SlotID, _ now: SimInstant) {
        let state = slots[slot]
        let surplus = state.held - state.allocation.countNeeded(users: usersToLease(slot))
        let drop = min(state.autoLeased, Allocation.wholeQuanta(surplus, state.allocation.quantum))
        guard drop > 0 else { return }
        let before = beginChange(slot, now)
        setAutoLeased(slot, state.autoLeased - drop)
        endChange(slot, now, from: before)
        record(ProtocolRecord(time: now, kind: .autoLeaseEnded, client: state.client.index, feature: state.feature.index,
                              count: Int64(drop), rule: "R-LEASE-9"))
    }
}
