import LeaseKernel

/// Invariants checked after every event in tests (and with `--check-invariants`); the first that fails stops
/// the run (exit code 3) with the time, the event, the seed and the invariant.
extension FleetModel {
    /// Traps when an invariant does not hold (for tests that check a finished model).
    public func checkInvariants(at now: SimInstant) {
        if let violation = invariantViolation(at: now) { preconditionFailure(violation) }
    }

    /// The first invariant that does not hold now, described, or nil.
    public func invariantViolation(at now: SimInstant) -> String? {
        var autoLeased = EntityTable<FeatureID, Int64>(repeating: 0, count: totals.count)
        var effective = EntityTable<FeatureID, Int64>(repeating: 0, count: totals.count)
        for slot in slots.ids {
            if let violation = slotViolation(slot, now) { return violation }
            let state = slots[slot]
            if clients[state.client].isUp { autoLeased[state.feature] += Int64(state.autoLeased) }
            effective[state.feature] += Int64(capacity(ofSlot: slot))
        }
        for feature in totals.ids {
            // R-AUTO-3, R-CLIENT-1: the fleet's tallies are the sums over its running clients.
            if totals[feature].autoLeased != autoLeased[feature] {
                return "fleet auto-leased \(totals[feature].autoLeased) != clients' \(autoLeased[feature]) for \(feature)"
            }
            if totals[feature].effective != effective[feature] {
                return "fleet effective \(totals[feature].effective) != clients' \(effective[feature]) for \(feature)"
            }
        }
        if clients.contains(where: { $0.holdsAutoLeased != $0.slots.contains { hasAutoLeaseToReport($0) } }) {
            return "a client's auto-leased flag disagrees with its slots"
        }
        var usedByLeases = EntityTable<ServerFeatureID, Int64>(repeating: 0, count: pools.count)
        var idleByLeases = EntityTable<ServerFeatureID, Int64>(repeating: 0, count: pools.count)
        var carriedByLeases = EntityTable<ServerFeatureID, Int64>(repeating: 0, count: pools.count)
        for server in servers.ids {
            for lease in servers[server].leases {
                let state = leases[lease]
                if let violation = leaseViolation(lease, at: server, now) { return violation }
                usedByLeases[state.pool] += Int64(state.held)
                idleByLeases[state.pool] += Int64(FleetModel.idleReservation(state, reserved: state.reserved))
                carriedByLeases[state.pool] += Int64(state.carriedOver)
            }
        }
        for pool in pools.ids {
            let state = pools[pool]
            if Int64(state.used) != usedByLeases[pool] { return "\(pool) used \(state.used) != leases \(usedByLeases[pool])" }
            if Int64(state.reservedIdle) != idleByLeases[pool] {
                return "\(pool) idle reservations \(state.reservedIdle) != \(idleByLeases[pool])"
            }
            if Int64(state.carriedOver) != carriedByLeases[pool] { return "\(pool) carried over \(state.carriedOver) != \(carriedByLeases[pool])" }
            // R-LEASE-11: the server never leases more than it holds, but for leases carried over a license end.
            if state.used - state.carriedOver > state.installed {
                return "R-LEASE-11: \(pool) leases \(state.used) (\(state.carriedOver) carried over) of \(state.installed) installed"
            }
        }
        return platformViolation() ?? linkViolation() ?? clusterViolation() ?? pairViolation()
    }

    /// R-HA-1, R-HA-3, R-LEASE-11: in an active/passive pair at most one node believes it is active on each side of a
    /// partition (both may only while they cannot reach each other), and the node holding the virtual address runs
    /// or is about to be replaced; a pair leases at most twice its cluster license in total (each side the whole, as
    /// it sees it, during a split's grace), and each of its pools within what it may lease but for leases carried over.
    func pairViolation() -> String? {
        for pair in pairs.indices {
            let state = pairs[pair], (a, b) = nodes(ofPair: pair)
            if state.mode == .activePassive && state.active[0] && state.active[1] && nodesConnected(pair) {
                return "R-HA-1: both nodes of pair \(pair) are active and reach each other"
            }
            for feature in EntityIDs<FeatureID>(count: Int32(featureCount)) {
                let (poolA, poolB) = (pools[servers[a].pool(feature)], pools[servers[b].pool(feature)])
                // The cluster license as the nodes see it: both nodes' own; apart, the larger of their views (R-HA-3).
                let (own, seen, f) = (state.own, state.seen, feature.offset)
                let cluster = state.joined ? own[0][f].total + own[1][f].total
                    : max(own[0][f].total + seen[0][f].total, own[1][f].total + seen[1][f].total)
                // Leases carried over a license end run to their holders' next renewal (R-LEASE-11): not counted.
                let covered = Int64(poolA.used - poolA.carriedOver) + Int64(poolB.used - poolB.carriedOver)
                if covered > 2 * cluster {
                    return "R-HA-3: pair \(pair) leases \(covered) of \(feature) not carried over, above twice its cluster license \(cluster)"
                }
            }
        }
        return nil
    }

    /// R-CLU-1..3: a cluster's leases never exceed the sum of its members' MUC; on each side one running member
    /// leads, every running member follows a leader it reaches, and the shares lent and borrowed add up to zero
    /// (a stopped member has none).
    func clusterViolation() -> String? {
        for (index, members) in network.clusterMembers.enumerated() {
            var held: Int64 = 0, maximum: Int64 = 0
            for member in members {
                for lease in configurations[member].leases {
                    held += Int64(leases[lease].held)
                    maximum += Int64(leases[lease].allocation.maximum)
                }
                let leader = clients[member].leader
                guard clients[member].isUp else {
                    if clients[member].leads || clients[member].slots.contains(where: { ownLicensing[$0].clusterShare != 0 }) {
                        return "R-CLU-3: stopped member \(member) leads or shares"
                    }
                    continue
                }
                if !clients[leader].isUp || !clients[leader].leads || clients[leader].leader != leader
                    || clients[member].leads != (leader == member) {
                    return "R-CLU-3: member \(member) follows \(leader), which does not lead it"
                }
                for other in members where other != member && clients[other].isUp && clients[other].leader != leader
                    && network.membersConnected(member, other) {
                    return "R-CLU-3: members \(member) and \(other) reach each other under two leaders"
                }
                if clients[member].leads {
                    for slot in clients[member].slots {
                        let shares = members.filter { follows($0, member) }.reduce(Int64(0)) { $0 + Int64(ownLicensing[memberSlot($1, like: slot)].clusterShare) }
                        if shares != 0 { return "R-CLU-1: the shares of \(member)'s side add up to \(shares)" }
                    }
                }
            }
            if held > maximum { return "R-CLU-2: cluster \(index) leases \(held), above its members' MUC \(maximum)" }
        }
        return nil
    }

    /// R-LIC-6: each tracked pool's class tallies are the sums over its leases, the leases not carried over can
    /// all be served by licenses their classes may take, and a surrendered license counts at the server only
    /// while the server knows of it (R-SUR-2, R-SUR-3).
    func platformViolation() -> String? {
        var recount = platformPools.map { PlatformPool(families: $0.perpetual.count) }
        for lease in leases.ids where pools[leases[lease].pool].platformPool >= 0 {
            let state = leases[lease], index = Int(pools[state.pool].platformPool), platformClass = Int(state.platformClass.rawValue)
            recount[index].used[platformClass] += Int64(state.held)
            recount[index].idle[platformClass] += Int64(FleetModel.idleReservation(state, reserved: state.reserved))
            recount[index].carried[platformClass] += Int64(state.carriedOver)
        }
        for pool in pools.ids where pools[pool].platformPool >= 0 {
            let tally = platformPools[Int(pools[pool].platformPool)], expected = recount[Int(pools[pool].platformPool)]
            if tally.used != expected.used || tally.idle != expected.idle || tally.carried != expected.carried {
                return "R-LIC-6: \(pool) class tallies disagree with its leases"
            }
            let bound = tally.bound
            if tally.perpetual.contains(where: { $0 < 0 }) || tally.other.contains(where: { $0 < 0 }) || bound > Int64(pools[pool].installed) {
                return "R-LIC-6: \(pool) binds \(bound) of \(pools[pool].installed) installed"
            }
            if !tally.serves(.covered, installed: Int64(pools[pool].installed)) {
                return "R-LIC-6: \(pool) leases more than its licenses serve each class of client (R-LEASE-11)"
            }
        }
        if surrenders.contains(where: { $0.counting && !$0.atServer }) { return "R-SUR-3: a recalled license still counts at its server" }
        return nil
    }

    /// A slot's counts: none negative, within its MUC, nothing held past the expiry it was granted with, and
    /// its increment blocks (R-LEASE-7).
    func slotViolation(_ slot: SlotID, _ now: SimInstant) -> String? {
        let state = slots[slot]
        if state.users < 0 || state.reservedHeld < 0 || state.incrementHeld < 0 { return "negative client count on \(slot)" }
        if state.held > max(state.allocation.maximum, state.reservedHeld) { return "client holds above its MUC on \(slot)" }
        // A client holds nothing its server did not grant: every count it holds has the expiry of a grant, not past.
        if (state.reservedHeld > 0 && state.reservedExpiry < now) || (state.incrementHeld > 0 && state.incrementExpiry < now) {
            return "\(slot) holds a lease past the expiry it was granted with"
        }
        // R-AUTO-3, R-AUTO-4: auto-leased counts are never negative and end with their auto-leasing.
        if state.autoLeased < 0 { return "negative auto-leased count on \(slot)" }
        if state.autoLeased > 0 && autoLeaseExpiry(ofSlot: slot) < now { return "R-AUTO-4: \(slot) auto-leases past its limit" }
        return blocksViolation(slot, now)
    }

    /// A lease record: in its node's table, within its allocation and its allocation's expiry, nothing leased
    /// once deleted.
    func leaseViolation(_ lease: LeaseID, at server: ServerID, _ now: SimInstant) -> String? {
        let state = leases[lease]
        // R-HA-1: a pair's lease may draw from either node's pool.
        let poolServer = pools[state.pool].server, pair = servers[server].pair
        let atNode = poolServer == server || (pair >= 0 && servers[poolServer].pair == pair)
        if !atNode || leaseIndex[state.holder] != lease
            || self.lease(state.holder, at: server) != lease { return "\(lease) is not \(state.holder)'s record at \(server)" }
        if state.reserved < 0 || state.increment < 0 { return "negative lease \(lease)" }
        if state.held > max(state.allocation.maximum, state.allocation.reserved) { return "server lease above MUC: \(lease)" }
        if !state.configured && state.held > 0 { return "deleted client still leases: \(lease)" }
        if state.carriedOver < 0 || state.carriedOver > state.held { return "carried-over count outside \(lease)" }
        // R-LEASE-5: a lease never outlives its allocation's expiry.
        let allocationExpiry = configurations[state.client].allocationExpiry
        if (state.reserved > 0 && state.reservedExpiry > allocationExpiry) || (state.increment > 0 && state.incrementExpiry > allocationExpiry) {
            return "R-LEASE-5: \(lease) outlives its allocation's expiry \(allocationExpiry)"
        }
        return nil
    }

    /// R-LEASE-7: a slot's blocks add up to the increment its client holds, in grant order, within their storage.
    func blocksViolation(_ slot: SlotID, _ now: SimInstant) -> String? {
        let count = blockTable.counts[slot]
        if count < 0 || count > blockTable.perSlot { return "more blocks than storage on \(slot)" }
        if blockTable.total(of: slot) != slots[slot].incrementHeld {
            return "increment blocks \(blockTable.total(of: slot)) != increment \(slots[slot].incrementHeld) on \(slot)"
        }
        for position in 0..<count {
            let block = blockTable[slot, position]
            if block.count <= 0 || block.grantedAt > now { return "empty or future block on \(slot)" }
            if position > 0 && blockTable[slot, position - 1].grantedAt > block.grantedAt { return "blocks out of grant order on \(slot)" }
        }
        return nil
    }

    /// Fault counts on links agree with the faults acting now; nothing is delivered across a partition (a message
    /// is never put on a partitioned link, and `Network.send` checks it).
    func linkViolation() -> String? {
        for link in network.links.ids {
            let faults = network.linkFaults[link]
            if network.links[link].activeFaults < 0 || faults.partitions < 0 { return "negative fault count on \(link)" }
            if faults.partitions > 0 && network.links[link].activeFaults < faults.partitions { return "\(link) partitioned beyond its active faults" }
        }
        return nil
    }
}
