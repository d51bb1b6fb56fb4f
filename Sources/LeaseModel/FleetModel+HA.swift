import LeaseKernel

/// Highly available server pairs (R-HA-1..5): the virtual address, health checks and failover, splits and the
/// 20-day grace with the whole cluster license, and rejoins.
///
/// A pair's leases draw from one pool per feature while the pair is whole, its first node's (the pair's pool): it
/// counts the cluster license, both nodes' licenses together, and the second node's pool then counts nothing.
/// Active/passive, the leases stay in the pair's pool throughout (the nodes replicate their table). Active/active,
/// once the pair is apart each lease moves to the pool of the node that serves its client, and each node's pool
/// counts what that node may lease: the whole cluster license during the grace, then its own licenses. Everything
/// here runs on rare events (crashes, partitions of the internal link, timers, actions).
extension FleetModel {
    // MARK: Building

    /// Each pair's state and timers; its nodes' pools start as a whole pair's (the cluster license in the first).
    /// (`start` places the leases and sets each pool's count.)
    static func formPairs(_ spec: FleetSpec, servers: inout EntityTable<ServerID, ServerNodeState>,
                          pools: inout EntityTable<ServerFeatureID, ServerFeatureState>, _ simulation: inout Simulation<FleetEvent>) -> [HAPairState] {
        var pairs: [HAPairState] = []
        for (index, pairSpec) in spec.haPairs.enumerated() {
            pairs.append(HAPairState(mode: pairSpec.mode, failoverTimer: simulation.makeTimer(), graceTimer: simulation.makeTimer(),
                                     graceDayTimer: simulation.makeTimer()))
            for (node, server) in pairSpec.nodes.enumerated() {
                let id = ServerID(index: Int32(server))
                servers[id].pair = Int32(index)
                servers[id].pairNode = Int32(node)
                servers[id].holderShift = nil // Its clients may be served by the other node: found through the index.
            }
            pairs[index].own = pairSpec.nodes.map { initialLicenses(spec, server: $0) }
            pairs[index].seen = pairs[index].own
        }
        return pairs
    }

    /// R-HA-5, R-LIC-6: what a node has installed at instant zero, by feature and platform family.
    private static func initialLicenses(_ spec: FleetSpec, server: Int) -> [LicenseCounts] {
        var counts = Array(repeating: LicenseCounts(families: spec.platforms.count), count: spec.features.count)
        let licenses = spec.servers[server].licenses
        for (license, spans) in zip(licenses, LicenseSchedule.spans(of: licenses)) where spans.contains(where: { $0.lowerBound == .start }) {
            counts[license.feature].add(Int64(license.count), family: license.platform, perpetual: license.kind == .perpetual)
        }
        return counts
    }

    /// A pair's two nodes.
    func nodes(ofPair pair: Int) -> (ServerID, ServerID) { (node(pair, 0), node(pair, 1)) }

    /// The pair's node 0 or 1.
    func node(_ pair: Int, _ which: Int) -> ServerID { ServerID(index: Int32(spec.haPairs[pair].nodes[which])) }

    // MARK: Where clients go (R-HA-1, R-HA-3)

    /// R-HA-1, R-HA-3: the node that serves a client of a pair now: active/passive, the node holding the virtual
    /// address; active/active, its own node while it runs, else the other one.
    func servingNode(_ pair: Int, client: ClientID) -> ServerID {
        let state = pairs[pair]
        if state.mode == .activePassive { return node(pair, state.holder) }
        let home = ServerID(index: Int32(spec.clients[client.offset].server))
        let other = home == node(pair, 0) ? node(pair, 1) : node(pair, 0)
        return servers[home].isUp || !servers[other].isUp ? home : other
    }

    /// Where a client sends now: its server node, or the node its pair's virtual address resolves to. (`mutating`,
    /// with its slow path out of line and mutating too: the event loop's handlers call it, and a non-mutating call
    /// out of line from them would copy the model.)
    @inline(__always) mutating func destination(_ client: ClientID) -> Endpoint {
        let to = clients[client].server
        return _slowPath(to.kind == .virtualAddress) ? resolveVirtualAddress(client, pair: Int(to.index)) : to
    }

    @inline(never) mutating func resolveVirtualAddress(_ client: ClientID, pair: Int) -> Endpoint {
        .server(servingNode(pair, client: client))
    }

    /// Where a client sends now, for code that does not change the model.
    func currentServer(_ client: ClientID) -> Endpoint {
        let to = clients[client].server
        return to.kind == .virtualAddress ? .server(servingNode(Int(to.index), client: client)) : to
    }

    /// The server index a client's events name: its node, or the node serving it for a pair.
    @inline(__always) mutating func serverIndex(of client: ClientID) -> Int32 { destination(client).index }

    // MARK: Whole or apart

    /// Whether both nodes run and reach each other over the internal link (no partition either way).
    func nodesConnected(_ pair: Int) -> Bool {
        let (a, b) = nodes(ofPair: pair)
        guard servers[a].isUp && servers[b].isUp else { return false }
        let link = network.pairLink(pair)
        return network.linkFaults[link].partitions == 0 && network.linkFaults[LinkID(index: link.index + 1)].partitions == 0
    }

    /// R-HA-1..3: a node crashed or booted, the internal link broke or healed, or the mode changed: the pair comes
    /// apart (its grace starts), joins again (its grace ends, leases are reconciled), or a failover is set to come
    /// after failed checks; then every node's pool counts what it may lease and each lease is where it is served.
    @inline(never)
    mutating func reviewPair(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        let connected = nodesConnected(pair)
        let rejoined = connected && !pairs[pair].joined
        if rejoined {
            pairs[pair].joined = true
            pairs[pair].graceEnd = .never
            sim.disarm(pairs[pair].graceTimer)
            sim.disarm(pairs[pair].graceDayTimer)
            counters.pairRejoins &+= 1
            if pairs[pair].mode == .activePassive { pairs[pair].active[1 - pairs[pair].holder] = false } // It yields (assumed).
            record(ProtocolRecord(time: sim.now, kind: .haRejoined, server: node(pair, pairs[pair].holder).index,
                                  rule: pairs[pair].mode == .activePassive ? "R-HA-2" : "R-HA-3"))
        } else if !connected && pairs[pair].joined {
            pairs[pair].joined = false
            counters.pairSplits &+= 1
            // R-HA-3: each node keeps the other's licenses as they are now; from here it sees only their calendar.
            pairs[pair].seen = [pairs[pair].own[1], pairs[pair].own[0]]
            pairs[pair].apartSince = sim.now
            startGrace(pair, &sim)
            record(ProtocolRecord(time: sim.now, kind: .haApart, server: node(pair, pairs[pair].holder).index,
                                  expiry: pairs[pair].graceEnd, rule: pairs[pair].mode == .activePassive ? "R-HA-2" : "R-HA-3"))
        }
        watchActive(pair, connected, &sim)
        for which in 0..<2 where !servers[node(pair, which)].isUp { pairs[pair].active[which] = false }
        if pairs[pair].mode == .activeActive { pairs[pair].active = [servers[node(pair, 0)].isUp, servers[node(pair, 1)].isUp] }
        placePairLeases(pair, sim.now)
        if rejoined && spec.policy.ha.rejoin == .cutAtRejoin { cutToClusterLicense(pair, &sim) }
        if pairs[pair].mode == .activePassive || pairs[pair].joined { joinPairPenalty(pair, &sim) } // R-AUTO-6
        refreshPairRows(pair, &sim)
        for which in 0..<2 { rescheduleDownload(node(pair, which), &sim) } // R-DL-1: a grace began or ended.
    }

    /// R-HA-2, R-HA-3: the pair is apart and a node serves alone from now: it may lease the whole cluster license for
    /// `grace` from now (a failover starts it again for the node that became active).
    private mutating func startGrace(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        pairs[pair].graceEnd = sim.now + spec.policy.ha.grace
        if pairs[pair].graceEnd < horizon {
            sim.arm(pairs[pair].graceTimer, at: pairs[pair].graceEnd, priority: .first, .haGraceEnds(pair: Int32(pair)))
        } else {
            sim.disarm(pairs[pair].graceTimer)
        }
        scheduleGraceDay(pair, &sim)
    }

    /// R-HA-1: the passive node health-checks the active one every `checkInterval`; once a check fails (the active
    /// node is down, or the internal link cut), the failover comes when the checks have failed for `retryPeriod`. A
    /// check that passes again calls it off.
    private mutating func watchActive(_ pair: Int, _ connected: Bool, _ sim: inout Simulation<FleetEvent>) {
        let policy = spec.policy.ha, state = pairs[pair]
        let passive = 1 - state.holder
        // A node that believes it is active (the old active one in a split brain) checks nobody.
        let failing = state.mode == .activePassive && !connected && servers[node(pair, passive)].isUp && !state.active[passive]
        guard failing else {
            pairs[pair].failingSince = .never
            sim.disarm(state.failoverTimer)
            return
        }
        guard state.failingSince == .never else { return }
        // The first check at or after now fails (checks run on the interval's grid from instant zero).
        let interval = policy.checkInterval.milliseconds, now = (sim.now - .start).milliseconds
        let firstFailed = SimInstant.start + .milliseconds((now + interval - 1) / interval * interval)
        pairs[pair].failingSince = firstFailed
        let at = firstFailed + policy.retryPeriod
        if at < horizon { sim.arm(state.failoverTimer, at: at, priority: .first, .haFailover(pair: Int32(pair))) }
    }

    /// R-HA-1: the checks failed for the retry period: the passive node takes over the virtual address and clients
    /// reach it from now. If the old active node still runs (the internal link is cut), both believe they are
    /// active: a split brain, where only the holder of the address is reached. R-HA-2 (assumed): under `rebuilt`
    /// the new active node starts with no leases.
    @inline(never)
    mutating func failover(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        let passive = 1 - pairs[pair].holder
        guard pairs[pair].failingSince != .never, servers[node(pair, passive)].isUp else { return }
        pairs[pair].failingSince = .never
        pairs[pair].holder = passive
        pairs[pair].active[passive] = true
        counters.failovers &+= 1
        // R-HA-2: the grace runs from when the passive node becomes active, not from when the nodes lost each other.
        startGrace(pair, &sim)
        record(ProtocolRecord(time: sim.now, kind: .haFailover, server: node(pair, passive).index,
                              count: Int64(servers[node(pair, 1 - passive)].isUp ? 2 : 1), expiry: pairs[pair].graceEnd, rule: "R-HA-1"))
        if spec.policy.ha.failoverLeases == .rebuilt {
            for which in 0..<2 {
                for lease in servers[node(pair, which)].leases where leases[lease].held > 0 {
                    setServerLease(lease, reserved: 0, increment: 0, sim.now)
                    sim.disarm(leases[lease].reservedTimer)
                    sim.disarm(leases[lease].incrementTimer)
                }
            }
        }
        reviewPair(pair, &sim)
    }

    /// R-HA-2, R-HA-3: the grace is over: a node of a pair still apart leases only its own licenses from now
    /// (`fallback`), and leases its pool no longer covers run to their holders' next renewal (R-LEASE-11).
    @inline(never)
    mutating func pairGraceEnded(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        guard !pairs[pair].joined, pairs[pair].graceEnd <= sim.now else { return }
        record(ProtocolRecord(time: sim.now, kind: .haGraceEnded, server: node(pair, pairs[pair].holder).index,
                              rule: pairs[pair].mode == .activePassive ? "R-HA-2" : "R-HA-3"))
        placePairLeases(pair, sim.now)
        refreshPairRows(pair, &sim)
    }

    /// R-HA-5: the pair switches between active/passive and active/active.
    mutating func setPairMode(_ pair: Int, _ mode: HAMode, _ sim: inout Simulation<FleetEvent>) {
        guard pairs[pair].mode != mode else { return }
        pairs[pair].mode = mode
        if mode == .activePassive {
            // The node that holds the address keeps it if it runs; else the other takes it.
            if !servers[node(pair, pairs[pair].holder)].isUp { pairs[pair].holder = 1 - pairs[pair].holder }
            pairs[pair].active = [pairs[pair].holder == 0, pairs[pair].holder == 1]
        }
        record(ProtocolRecord(time: sim.now, kind: .haModeChanged, server: node(pair, pairs[pair].holder).index, rule: "R-HA-5"))
        reviewPair(pair, &sim)
    }

    // MARK: Pools

    /// What node `which`'s pool may lease now, for one feature, by platform family: whole, the cluster license (both
    /// nodes' own licenses) at the pair's pool; apart, each node that serves has its view of the cluster license during
    /// the grace (its own licenses and what it sees of the other's, R-HA-3), then its own (`fallback`).
    private func pairCapacity(_ pair: Int, _ which: Int, _ feature: FeatureID, _ now: SimInstant) -> LicenseCounts {
        let state = pairs[pair], f = feature.offset
        let none = LicenseCounts(families: spec.platforms.count)
        if state.joined { return which == 0 ? state.own[0][f] + state.own[1][f] : none }
        let graced = now < state.graceEnd || spec.policy.ha.fallback == .clusterLicense
        let serving = state.mode == .activePassive ? state.holder : which
        if state.mode == .activePassive && which != 0 { return none }
        if state.mode == .activeActive && !servers[node(pair, which)].isUp { return none }
        return graced ? state.own[serving][f] + state.seen[serving][f] : state.own[serving][f]
    }

    /// R-HA-3: a license of a pair's node starts or stops counting (`delta`; bound to `family` or to none): it is that
    /// node's own; while the pair is apart the other node sees it only if the calendar changed it and it knew the
    /// license before the split (`seenByOther`). Then every pool of the pair counts what it may lease.
    mutating func changePairLicenses(_ server: ServerID, _ feature: FeatureID, by delta: Int32, family: Int?, perpetual: Bool,
                                     seenByOther: Bool, _ now: SimInstant) {
        let pair = Int(servers[server].pair), which = Int(servers[server].pairNode)
        pairs[pair].own[which][feature.offset].add(Int64(delta), family: family, perpetual: perpetual)
        if !pairs[pair].joined && seenByOther {
            pairs[pair].seen[1 - which][feature.offset].add(Int64(delta), family: family, perpetual: perpetual)
        }
        placePairLeases(pair, now)
    }

    /// R-HA-3: whether the other node of a split pair sees a change of a node's licenses: only a change of the
    /// calendar (not an administrator's act) of a license it knew before the pair came apart.
    func seenByOtherNode(_ change: CapacityChange, at server: ServerID) -> Bool {
        let pair = servers[server].pair
        return pair >= 0 && !change.administrative && change.knownFrom <= pairs[Int(pair)].apartSince
    }

    /// The pool a lease of the pair draws from now: the pair's pool, or (active/active, apart) the pool of the node
    /// that serves its client.
    private func pairPool(_ pair: Int, _ lease: LeaseID) -> ServerFeatureID {
        let feature = pools[leases[lease].pool].feature
        if pairs[pair].joined || pairs[pair].mode == .activePassive { return servers[node(pair, 0)].pool(feature) }
        return servers[servingNode(pair, client: leases[lease].client)].pool(feature)
    }

    /// Sets every pool of the pair to what it may lease, and moves each lease to the pool it draws from; leases a
    /// pool no longer covers are carried over to their holders' next renewal (R-LEASE-11: the reconcile at a rejoin).
    mutating func placePairLeases(_ pair: Int, _ now: SimInstant) {
        for which in 0..<2 {
            for lease in servers[node(pair, which)].leases {
                let target = pairPool(pair, lease)
                if target != leases[lease].pool { moveLease(lease, to: target, now) }
                leases[lease].serverStop = servers[servingNode(pair, client: leases[lease].client)].stop // R-LIC-8, R-VLS-1
            }
        }
        for which in 0..<2 {
            for pool in servers[node(pair, which)].pools {
                setPoolLicenses(pool, pairCapacity(pair, which, pools[pool].feature, now), now)
                carryOverPairLeases(pool)
                checkAutoLeaseEligibility(pool, now) // R-AUTO-1
            }
        }
    }

    /// A pair's pool counts `counts` now: its installed count, and (R-LIC-6) what of it is bound to each family.
    private mutating func setPoolLicenses(_ pool: ServerFeatureID, _ counts: LicenseCounts, _ now: SimInstant) {
        accountPool(pool, now)
        accountFleetLevel(pools[pool].feature, now)
        let installed = Int32(counts.total)
        totals[pools[pool].feature].installed += Int64(installed - pools[pool].installed)
        pools[pool].installed = installed
        let index = Int(pools[pool].platformPool)
        if index >= 0 {
            platformPools[index].perpetual = counts.perpetual
            platformPools[index].other = counts.other
        } else {
            precondition(counts.perpetual.allSatisfy { $0 == 0 } && counts.other.allSatisfy { $0 == 0 }, "\(pool) keeps no platform tallies")
        }
    }

    /// R-HA-2, R-HA-3 (`rejoin: cutAtRejoin`): the rejoined pair cuts what its pools lease beyond what they may, the
    /// last lease of its table first, increments before reserved counts, in whole ILQ (R-LEASE-10), and tells each
    /// client at once (as R-CFG-1's cut).
    private mutating func cutToClusterLicense(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        for which in [1, 0] {
            for lease in servers[node(pair, which)].leases.reversed() {
                let state = leases[lease], pool = pools[state.pool]
                let excess = pool.used - pool.installed
                guard excess > 0, state.held > 0 else { continue }
                let increment = state.increment - min(state.increment, Allocation.wholeQuanta(excess + state.allocation.quantum - 1, state.allocation.quantum))
                let reserved = max(0, state.reserved - max(0, excess - (state.increment - increment)))
                setServerLease(lease, reserved: reserved, increment: increment, sim.now)
                if increment == 0 { sim.disarm(leases[lease].incrementTimer) }
                record(ProtocolRecord(time: sim.now, kind: .cut, client: state.client.index, server: node(pair, 0).index,
                                      feature: pool.feature.index, count: Int64(reserved + increment), rule: "R-HA-3"))
                let request = Request(server: servingNode(pair, client: state.client), client: state.client, requestID: 0,
                                      relayRank: relayRank(state.client))
                reply(to: request, about: state.pool, .leaseCut(holder: state.holder, reserved: reserved, increment: increment,
                                                                allocation: state.allocation), &sim)
            }
        }
    }

    /// R-LEASE-11: a pool of a pair that leases more than it may now carries its leases over to their next renewal.
    private mutating func carryOverPairLeases(_ pool: ServerFeatureID) {
        let index = Int(pools[pool].platformPool)
        let covered = index >= 0 ? platformPools[index].serves(.covered, installed: Int64(pools[pool].installed)) // R-LIC-6
            : pools[pool].used - pools[pool].carriedOver <= pools[pool].installed
        guard !covered else { return }
        let pair = Int(servers[pools[pool].server].pair)
        for which in 0..<2 {
            for lease in servers[node(pair, which)].leases where leases[lease].pool == pool && leases[lease].carriedOver < leases[lease].held {
                let more = leases[lease].held - leases[lease].carriedOver
                if index >= 0 { tallyPlatform(lease, carried: more) }
                pools[pool].carriedOver += more
                leases[lease].carriedOver = leases[lease].held
            }
        }
    }

    /// Moves a lease, with what it holds, sets aside and is allowed, from one pool to another.
    private mutating func moveLease(_ lease: LeaseID, to target: ServerFeatureID, _ now: SimInstant) {
        let state = leases[lease], source = state.pool
        accountPool(source, now)
        accountPool(target, now)
        let idle = FleetModel.idleReservation(state, reserved: state.reserved)
        let maximum = state.configured ? Int64(state.allocation.maximum) : 0
        pools[source].used -= state.held
        pools[source].reservedIdle -= idle
        pools[source].carriedOver -= state.carriedOver
        pools[source].maximumSum -= maximum
        pools[target].used += state.held
        pools[target].reservedIdle += idle
        pools[target].carriedOver += state.carriedOver
        pools[target].maximumSum += maximum
        if pools[target].used > pools[target].peakUsed {
            pools[target].peakUsed = pools[target].used
            pools[target].peakUsedAt = now
        }
        // R-LIC-6: the lease's class tallies move with it (a pair's pools keep them all, or none).
        if pools[source].platformPool >= 0 { tallyPlatform(lease, used: -state.held, carried: -state.carriedOver, idle: -idle) }
        leases[lease].pool = target
        if pools[target].platformPool >= 0 { tallyPlatform(lease, used: state.held, carried: state.carriedOver, idle: idle) }
    }

    /// The timeline's view of the pair: each node's role, whether the pair is apart, the days of grace left.
    mutating func refreshPairRows(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        let state = pairs[pair]
        let day = SimDuration.days(1).milliseconds
        let daysLeft = state.joined || state.graceEnd <= sim.now ? 0 : Int32(min(((state.graceEnd - sim.now).milliseconds + day - 1) / day, Int64(Int32.max)))
        for which in 0..<2 {
            let server = node(pair, which)
            let role: HARole = !servers[server].isUp ? .down : state.active[which] ? .active : .passive
            for pool in servers[server].pools {
                pools[pool].haRole = role
                pools[pool].split = !state.joined
                pools[pool].graceDaysLeft = daysLeft
                if records.recordsStates { recordServerState(pool, sim.now) }
            }
        }
    }

    /// A day of the grace passed: the days left change (a row for each), and the next day is set.
    @inline(never)
    mutating func graceDayPassed(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        refreshPairRows(pair, &sim)
        scheduleGraceDay(pair, &sim)
    }

    /// While in grace and recording, the days left change once a day (one timer per pair: a new grace replaces it).
    private mutating func scheduleGraceDay(_ pair: Int, _ sim: inout Simulation<FleetEvent>) {
        guard records.recordsStates, !pairs[pair].joined else { return }
        let next = sim.now + .days(1)
        if next < pairs[pair].graceEnd && next < horizon {
            sim.arm(pairs[pair].graceDayTimer, at: next, priority: .first, .haGraceDay(pair: Int32(pair)))
        }
    }
}
