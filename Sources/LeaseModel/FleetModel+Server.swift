import LeaseKernel

/// A request a server node is answering: the reply goes from that node to the client, under the request's number.
struct Request {
    var server: ServerID
    var client: ClientID
    var requestID: UInt32
    /// R-CLU-1: the rank of the leader that carried the request (the reply goes back through it).
    var relayRank: UInt8 = Message.direct
}

/// The server node's side of the protocol: grants, refusals, renewals, releases and reclaims.
extension FleetModel {
    /// Handles a message from a client at a server node.
    @inline(__always) mutating func serverReceives(_ message: Message, at server: ServerID, _ sim: inout Simulation<FleetEvent>) {
        guard let client = message.from.client else { preconditionFailure("server \(server) received \(message.contents) from \(message.from)") }
        let request = Request(server: server, client: client, requestID: message.requestID, relayRank: message.relayRank)
        if _slowPath(message.relayRank != Message.direct) { learnAffiliation(client, at: server, sim.now) } // R-CLU-3
        switch message.contents {
        case .reserveRequest(let holder): grantReserved(lease(holder, at: server), request, &sim)
        case let .incrementRequest(holder, count, quantum):
            grantIncrement(lease(holder, at: server), count: count, quantum: quantum, request, &sim)
        case .renewRequest: renewLeases(request, &sim)
        case let .release(holder, count): takeRelease(lease(holder, at: server), count: count, sim.now)
        case let .autoLeaseReport(holder, count, usage, quantum):
            reconcile(lease(holder, at: server), count: count, usage: usage, quantum: quantum, request, &sim)
        case let .surrenderNotice(entry, generation): surrenderNoticeReceived(Int(entry), generation: generation, at: server, &sim)
        case .reserveReply, .incrementReply, .renewReply, .refusal, .leaseCut, .surrenderAck, .heartbeat, .heartbeatAck,
             .downloadRequest, .downloadReply:
            preconditionFailure("server \(server) received a reply: \(message.contents)")
        }
    }

    /// A holder's record in a node's lease table.
    @inline(__always) func lease(_ holder: HolderID, at server: ServerID) -> LeaseID {
        let lease: LeaseID
        if let shift = servers[server].holderShift { lease = LeaseID(index: holder.index &+ shift) } else { lease = leaseIndex[holder] }
        // R-HA-1: a pair's node serves leases of its pair's other node too.
        assert((servers[server].leases.contains(lease) || servers[server].pair >= 0) && leases[lease].holder == holder,
               "\(holder) has no lease at \(server)")
        return lease
    }

    /// The node that answers for a lease: the one whose pool it draws from, or for a pair's lease the node that
    /// serves its client now (R-HA-1: after a failover, the other node).
    func server(of lease: LeaseID) -> ServerID {
        let server = pools[leases[lease].pool].server, pair = servers[server].pair
        return pair < 0 ? server : servingNode(Int(pair), client: leases[lease].client)
    }

    /// R-ALLOC-5, R-CFG-3, R-LIC-8: why the server refuses anything from this holder now, if it does.
    @inline(__always)
    func refusalReason(_ lease: LeaseID, _ now: SimInstant) -> RefusalReason? {
        let state = leases[lease]
        if _slowPath(!state.configured || state.serverStop != .none) { return state.configured ? state.serverStop : .notConfigured } // R-LIC-8, R-VLS-1
        if now >= configurations[state.client].allocationExpiry { return .allocationExpired }
        return nil
    }

    /// R-LEASE-5: a lease's expiry is min(now + duration, allocation expiry).
    @inline(__always)
    func leaseExpiry(_ lease: LeaseID, duration: SimDuration, _ now: SimInstant) -> SimInstant {
        min(now + duration, configurations[leases[lease].client].allocationExpiry)
    }

    /// The lease set up for every slot at instant zero under `InitialLeases.held` (R-LEASE-3, R-LEASE-11).
    mutating func grantInitialReservedLease(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        let lease = leaseIndex[HolderID(slot: slot)]
        guard refusalReason(lease, sim.now) == nil else { return }
        let count = min(leases[lease].allocation.reserved, max(0, coverable(lease)))
        let expiry = leaseExpiry(lease, duration: spec.policy.reservedLeaseDuration, sim.now)
        setReservedLease(lease, count: count, expiry: expiry, &sim)
        let before = beginChange(slot, sim.now)
        slots[slot].reservedHeld = count
        slots[slot].reservedExpiry = expiry
        endChange(slot, sim.now, from: before)
        watchLapse(slot, &sim)
    }

    /// Sets the server's reserved lease and arms its expiry check (R-LEASE-3, R-LEASE-6).
    mutating func setReservedLease(_ lease: LeaseID, count: Int32, expiry: SimInstant, _ sim: inout Simulation<FleetEvent>) {
        setServerLease(lease, reserved: count, increment: leases[lease].increment, sim.now)
        leases[lease].reservedExpiry = expiry
        counters.reservedExpiriesSet &+= 1
        sim.arm(leases[lease].reservedTimer, at: max(expiry, sim.now), .reservedExpiry(lease: lease))
    }

    /// Sets the server's incremental lease expiry and arms its check (R-LEASE-5, R-LEASE-6).
    @inline(__always) mutating func setIncrementExpiry(_ lease: LeaseID, _ expiry: SimInstant, _ sim: inout Simulation<FleetEvent>) {
        leases[lease].incrementExpiry = expiry
        counters.incrementExpiriesSet &+= 1
        sim.arm(leases[lease].incrementTimer, at: max(expiry, sim.now), .incrementExpiry(lease: lease))
    }

    /// A client boots and asks for its reserved count: granted as far as the installed count covers it
    /// (R-LEASE-2, R-LEASE-3, R-LEASE-5, R-LEASE-11).
    mutating func grantReserved(_ lease: LeaseID, _ request: Request, _ sim: inout Simulation<FleetEvent>) {
        counters.reserveRequests &+= 1
        if let reason = refusalReason(lease, sim.now) {
            refuse(lease, reason, request, &sim)
            return
        }
        // A booting client starts a fresh session: increments it held before are freed.
        if leases[lease].increment > 0 {
            setServerLease(lease, reserved: leases[lease].reserved, increment: 0, sim.now)
            sim.disarm(leases[lease].incrementTimer)
        }
        // R-LEASE-11: its reservation was set aside for it, unless a license ended since.
        let wanted = leases[lease].allocation.reserved
        let count = min(wanted, max(0, coverable(lease)))
        let expiry = leaseExpiry(lease, duration: spec.policy.reservedLeaseDuration, sim.now)
        setReservedLease(lease, count: count, expiry: expiry, &sim)
        renewedNow(lease)
        let state = leases[lease]
        record(ProtocolRecord(time: sim.now, kind: .reserveGrant, client: state.client.index, server: request.server.index,
                              feature: pools[state.pool].feature.index, count: Int64(count), expiry: expiry, rule: "R-LEASE-3"))
        if count < wanted { recordNotCovered(lease, wanted - count, sim.now) }
        reply(to: request, about: state.pool, .reserveReply(holder: state.holder, allocation: state.allocation,
                                         reserved: LeaseGrant(count: count, expiry: expiry)), &sim)
    }

    /// Answers a request about a lease of `pool`, saying whether auto-leasing is enabled for its feature now (R-AUTO-2):
    /// never from a node whose licensing has stopped (R-VLS-1, R-LIC-8; the answering node, which for a pair's lease
    /// may not be the node that keeps its pool).
    @inline(__always) mutating func reply(to request: Request, about pool: ServerFeatureID, _ contents: MessageContents,
                                          _ sim: inout Simulation<FleetEvent>) {
        send(from: request.server, to: request.client, contents, requestID: request.requestID, relayRank: request.relayRank,
             autoLeasing: pools[pool].autoLeaseAllowed && servers[request.server].stop == .none, &sim)
    }

    /// R-LEASE-2: within the allocation first, then only what is free, in whole quanta.
    ///
    /// R-LEASE-11: increments come only from the pool: installed minus every lease minus the reserved counts set
    /// aside for configured clients that do not hold them. Quanta are the client's as it last heard them: a new
    /// ILQ applies at its next contact (R-CFG-4).
    mutating func grantIncrement(_ lease: LeaseID, count: Int32, quantum: Int32, _ request: Request,
                                 _ sim: inout Simulation<FleetEvent>) {
        counters.incrementRequests &+= 1
        var granted = LeaseGrant.none
        var reason = RefusalReason.none
        if let refusal = refusalReason(lease, sim.now) {
            reason = refusal
        } else if request.requestID == leases[lease].lastIncrementRequestID && leases[lease].lastIncrementGranted > 0
                    && leases[lease].increment >= leases[lease].lastIncrementGranted {
            // A retry of a request already granted (its reply was lost or late): the same answer, not a second grant.
            granted = LeaseGrant(count: leases[lease].lastIncrementGranted, expiry: leases[lease].incrementExpiry)
        } else {
            let state = leases[lease]
            let allowed = Allocation.wholeQuanta(state.allocation.maximum - state.reserved - state.increment, quantum)
            let wanted = min(count, allowed)
            let free = Allocation.wholeQuanta(incrementPool(lease), quantum) // R-LEASE-11, R-LIC-6
            granted.count = min(wanted, free)
            if granted.count > 0 {
                setServerLease(lease, reserved: state.reserved, increment: state.increment + granted.count, sim.now)
                granted.expiry = leaseExpiry(lease, duration: spec.policy.incrementalLeaseDuration, sim.now)
                setIncrementExpiry(lease, granted.expiry, &sim)
            } else {
                reason = wanted == 0 ? .beyondAllocation : .noFreeLicenses
            }
            leases[lease].lastIncrementRequestID = request.requestID
            leases[lease].lastIncrementGranted = granted.count
        }
        let state = leases[lease]
        if records.recordsProtocol {
            record(ProtocolRecord(time: sim.now, kind: granted.count > 0 ? .incrementGrant : .refusal, client: state.client.index,
                                  server: request.server.index, feature: pools[state.pool].feature.index,
                                  count: Int64(granted.count), expiry: granted.expiry, reason: reason, rule: reason.rule))
        }
        if granted.count == 0 { counters.refusals &+= 1 }
        reply(to: request, about: state.pool, .incrementReply(holder: state.holder, allocation: state.allocation, granted: granted, reason: reason), &sim)
    }

    /// R-LEASE-4, R-LEASE-5: renews every lease of the client, applying its current allocation (R-CFG-2, R-CFG-4).
    mutating func renewLeases(_ request: Request, _ sim: inout Simulation<FleetEvent>) {
        counters.renewals &+= 1
        for lease in configurations[request.client].leases {
            if let reason = refusalReason(lease, sim.now) {
                refuse(lease, reason, request, &sim)
                continue
            }
            renewLease(lease, request, &sim)
        }
    }

    /// Renews one lease as far as the installed count covers it.
    ///
    /// R-CFG-2, R-CFG-4: the reserved part becomes the RUC configured now: a raised RUC absorbs increments (the
    /// lease keeps its size, more of it reserved), a lowered RUC's surplus is given back; increments are kept in
    /// whole ILQ of the current allocation under its MUC (R-LEASE-10). R-LEASE-11: reserved first, from installed
    /// minus every other lease not carried over a license end; increments with what the pool has left after every
    /// lease and the reservations set aside for others; what is not covered is not renewed, and the reply says so.
    mutating func renewLease(_ lease: LeaseID, _ request: Request, _ sim: inout Simulation<FleetEvent>) {
        let state = leases[lease], allocation = state.allocation
        let pool = pools[state.pool]
        let absorbed = max(0, allocation.reserved - state.reserved)
        let increment = Allocation.wholeQuanta(min(state.increment - absorbed, allocation.maximum - allocation.reserved),
                                               allocation.quantum)
        let reserved = min(allocation.reserved, max(0, coverable(lease)))
        let coveredIncrement = min(increment, Allocation.wholeQuanta(renewalIncrementRoom(lease), allocation.quantum))
        let reservedGrant = LeaseGrant(count: reserved,
                                       expiry: leaseExpiry(lease, duration: spec.policy.reservedLeaseDuration, sim.now))
        setReservedLease(lease, count: reserved, expiry: reservedGrant.expiry, &sim)
        if coveredIncrement != state.increment {
            setServerLease(lease, reserved: reserved, increment: coveredIncrement, sim.now)
            if coveredIncrement == 0 { sim.disarm(leases[lease].incrementTimer) }
        }
        renewedNow(lease)
        var incrementGrant = LeaseGrant.none
        if coveredIncrement > 0 {
            incrementGrant = LeaseGrant(count: coveredIncrement,
                                        expiry: leaseExpiry(lease, duration: spec.policy.incrementalLeaseDuration, sim.now))
            setIncrementExpiry(lease, incrementGrant.expiry, &sim)
        }
        record(ProtocolRecord(time: sim.now, kind: .renewed, client: state.client.index, server: request.server.index,
                              feature: pool.feature.index, count: Int64(reserved + coveredIncrement),
                              expiry: reservedGrant.expiry, rule: "R-LEASE-5"))
        let uncovered = allocation.reserved - reserved + increment - coveredIncrement
        if uncovered > 0 { recordNotCovered(lease, uncovered, sim.now) }
        reply(to: request, about: state.pool, .renewReply(holder: state.holder, allocation: allocation, reserved: reservedGrant,
                                       increment: incrementGrant), &sim)
    }

    /// R-LEASE-11: part of a lease the server could not cover was not granted or renewed.
    mutating func recordNotCovered(_ lease: LeaseID, _ count: Int32, _ now: SimInstant) {
        counters.notCovered &+= 1
        let state = leases[lease]
        record(ProtocolRecord(time: now, kind: .notCovered, client: state.client.index, server: server(of: lease).index,
                              feature: pools[state.pool].feature.index, count: Int64(count), rule: "R-LEASE-11"))
    }

    /// R-LEASE-9: the client gives back part of its increment.
    mutating func takeRelease(_ lease: LeaseID, count: Int32, _ now: SimInstant) {
        counters.releases &+= 1
        let count = min(count, leases[lease].increment)
        guard count > 0 else { return }
        setServerLease(lease, reserved: leases[lease].reserved, increment: leases[lease].increment - count, now)
    }

    /// R-LEASE-6: a reserved lease not renewed in time is reclaimed; its RUC stays set aside (R-LEASE-11).
    mutating func reservedLeaseExpired(_ lease: LeaseID, _ now: SimInstant) {
        guard leases[lease].reserved > 0 else { return }
        reclaim(lease, count: leases[lease].reserved, now)
        setServerLease(lease, reserved: 0, increment: leases[lease].increment, now)
    }

    /// R-LEASE-6: an incremental lease not renewed in time is reclaimed and becomes free at once.
    mutating func incrementLeaseExpired(_ lease: LeaseID, _ now: SimInstant) {
        guard leases[lease].increment > 0 else { return }
        reclaim(lease, count: leases[lease].increment, now)
        setServerLease(lease, reserved: leases[lease].reserved, increment: 0, now)
    }

    mutating func reclaim(_ lease: LeaseID, count: Int32, _ now: SimInstant) {
        counters.reclaims &+= 1
        let state = leases[lease]
        record(ProtocolRecord(time: now, kind: .reclaim, client: state.client.index, server: server(of: lease).index,
                              feature: pools[state.pool].feature.index, count: Int64(count), rule: "R-LEASE-6"))
    }

    mutating func refuse(_ lease: LeaseID, _ reason: RefusalReason, _ request: Request, _ sim: inout Simulation<FleetEvent>) {
        counters.refusals &+= 1
        let state = leases[lease]
        record(ProtocolRecord(time: sim.now, kind: .refusal, client: state.client.index, server: request.server.index,
                              feature: pools[state.pool].feature.index, reason: reason,
                              rule: reason.rule))
        reply(to: request, about: state.pool, .refusal(holder: state.holder, reason: reason), &sim)
    }

    /// R-LIC-2..5: a license starts or ends counting (or is removed).
    @inline(never)
    mutating func applyCapacityChange(_ index: Int, _ sim: inout Simulation<FleetEvent>) {
        let change = capacityChanges[index], now = sim.now
        let pool = servers[ServerID(index: Int32(change.server))].pool(FeatureID(index: Int32(change.feature)))
        let license = spec.servers[change.server].licenses[change.license]
        changeInstalled(pool, by: change.delta, family: license.platform, perpetual: license.kind == .perpetual,
                        seenByOther: seenByOtherNode(change, at: pools[pool].server), now)
        rescheduleDownload(pools[pool].server, &sim) // R-DL-1
        record(ProtocolRecord(time: now, kind: change.eventKind(license, now),
                              server: Int32(change.server), feature: Int32(change.feature),
                              count: Int64(abs(change.delta)), rule: change.kind.rule, license: Int32(change.license)))
    }
}

extension FleetModel {
    /// A pool's installed count changes now, bound to a platform family or not (R-LIC-6); leases it no longer
    /// covers are carried over to their next renewal (R-LEASE-11). On a pair's node (R-HA-5) the license is part of the
    /// cluster license; while the pair is split, the other node sees the change only if `seenByOther` (R-HA-3).
    mutating func changeInstalled(_ pool: ServerFeatureID, by delta: Int32, family: Int?, perpetual: Bool,
                                  seenByOther: Bool = false, _ now: SimInstant) {
        let server = pools[pool].server
        if _slowPath(servers[server].pair >= 0) {
            return changePairLicenses(server, pools[pool].feature, by: delta, family: family, perpetual: perpetual,
                                      seenByOther: seenByOther, now)
        }
        accountPool(pool, now)
        accountFleetLevel(pools[pool].feature, now)
        pools[pool].installed += delta
        totals[pools[pool].feature].installed += Int64(delta)
        if let family { changeBoundCapacity(pool, family: family, perpetual: perpetual, by: delta) }
        if delta < 0 { carryOverLeases(pool) }
        if pools[pool].autoLeaseDecided { checkAutoLeaseEligibility(pool, now) } // R-AUTO-1
        if records.recordsStates { recordServerState(pool, now) }
    }

    /// R-LIC-7, R-LIC-8: a hardware server's license-server license starts or stops covering it.
    @inline(never)
    mutating func setServerLicensed(_ server: ServerID, _ licensed: Bool, _ now: SimInstant) {
        servers[server].licensed = licensed
        refreshServerStop(server, now)
        record(ProtocolRecord(time: now, kind: licensed ? .serverLicenseStarted : .serverLicenseEnded, server: server.index,
                              rule: "R-LIC-8"))
    }

    /// Why a server serves nothing now, from all that may stop it: no license-server license (R-LIC-8) first, then its
    /// cloud's silence or its restore grace (R-VLS-1, R-VLS-3).
    mutating func refreshServerStop(_ server: ServerID, _ now: SimInstant) {
        var stop = RefusalReason.none
        if !servers[server].licensed {
            stop = .noServerLicense
        } else if let id = servers[server].cloud {
            let contact = cloudContacts[id]
            stop = contact.restoreGraceEnded ? .restoreGraceEnded : contact.licensingStopped ? .licensingStopped : .none
        }
        if stop != servers[server].stop { setServerStop(server, stop, now) }
    }

    /// Whether and why a server serves nothing now (R-LIC-8, R-VLS-1, R-VLS-3): while it is stopped it grants and
    /// renews nothing; leases already granted run to their own expiry.
    mutating func setServerStop(_ server: ServerID, _ stop: RefusalReason, _ now: SimInstant) {
        servers[server].stop = stop
        for pool in servers[server].pools {
            pools[pool].licensing = stop == .none
            if records.recordsStates { recordServerState(pool, now) }
        }
        // R-HA-1: a pair's leases take the stop of the node that serves them now.
        if servers[server].pair >= 0 { return placePairLeases(Int(servers[server].pair), now) }
        for lease in servers[server].leases { leases[lease].serverStop = stop }
    }

}
