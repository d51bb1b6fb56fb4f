import LeaseKernel

/// Clustered clients (R-CLU-1..3, R-AUTO-8): members lease through the lease leader of their side, ask as one,
/// give back as one and serve their users from the side's pooled capacity.
///
/// Each member keeps its own allocation and its own lease at the server; the leader carries every message between
/// the members of its side and the server (`send` and `reply` route through `ClientState.leader`). A side is the
/// running members that reach one another (links between members are cut by partitions; a stopped or crashed
/// member is out). Everything here runs only for clustered slots (`SlotState.clustered`), off the common path.
extension FleetModel {
    // MARK: Sides and leaders (R-CLU-3)

    /// The cluster's members, by rank (the lowest-named first).
    @inline(__always) func members(ofCluster cluster: Int32) -> [ClientID] { network.clusterMembers[Int(cluster)] }

    /// Whether `member` is on the side that `leader` leads now.
    @inline(__always) func follows(_ member: ClientID, _ leader: ClientID) -> Bool {
        clients[member].isUp && clients[member].leader == leader
    }

    /// The member's slot of the feature `slot` is about (members lease the same features, in the same order).
    @inline(__always) func memberSlot(_ member: ClientID, like slot: SlotID) -> SlotID {
        SlotID(index: clients[member].slots.first + (slot.index - clients[slots[slot].client].slots.first))
    }

    /// R-CLU-3: finds each side of a cluster and its leader, after a member stopped, started, crashed or booted, or a
    /// link between members broke or healed. A new leader is an event; then every side serves, asks and gives back
    /// as one again (its pooled capacity changed).
    @inline(never)
    mutating func electLeaders(_ cluster: Int32, _ sim: inout Simulation<FleetEvent>) {
        let members = members(ofCluster: cluster)
        // Sides: each running member joins the side of the first lower-ranked member it reaches (ranks are few).
        var side = Array(0..<members.count)
        for i in members.indices where clients[members[i]].isUp {
            for j in 0..<i where clients[members[j]].isUp && network.membersConnected(members[i], members[j]) {
                let (a, b) = (root(side, i), root(side, j))
                if a != b { side[max(a, b)] = min(a, b) }
            }
        }
        var leaderOf = [Int](repeating: -1, count: members.count)
        for i in members.indices where clients[members[i]].isUp {
            let r = root(side, i)
            // Sticky: a member that leads now and still runs keeps the lead of its side (the lowest-ranked of them
            // when sides join); otherwise, and always under `lowestNamed`, the lowest-named member leads.
            if leaderOf[r] < 0 { leaderOf[r] = i }
            if spec.policy.cluster.leader == .sticky && clients[members[i]].leads && !clients[members[leaderOf[r]]].leads {
                leaderOf[r] = i
            }
        }
        for i in members.indices {
            let member = members[i]
            let leader = clients[member].isUp ? members[leaderOf[root(side, i)]] : member
            let leads = clients[member].isUp && leader == member
            if leads && !clients[member].leads {
                counters.leaderChanges &+= 1
                let count = members.indices.filter { clients[members[$0]].isUp && root(side, $0) == root(side, i) }.count
                record(ProtocolRecord(time: sim.now, kind: .leaderChanged, client: member.index, server: serverIndex(of: member),
                                      count: Int64(count), rule: "R-CLU-3"))
            }
            let changed = clients[member].leads != leads
            clients[member].leader = leader
            clients[member].leads = leads
            if changed && records.recordsStates { for slot in clients[member].slots { recordSlotState(slot, sim.now) } }
        }
        // Each side's capacity is pooled anew; then each asks for more, gives back or decides its logins.
        for i in members.indices where clients[members[i]].leads {
            for slot in clients[members[i]].slots {
                rebalanceShares(slot, sim.now)
                clusterReactToLoad(slot, &sim)
            }
        }
    }

    private func root(_ side: [Int], _ index: Int) -> Int {
        var index = index
        while side[index] != index { index = side[index] }
        return index
    }

    /// R-CLU-3: a member stopped, started, crashed or booted: its cluster's sides and leaders are found again.
    @inline(__always) mutating func membershipChanged(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        if clients[client].cluster >= 0 { electLeaders(clients[client].cluster, &sim) }
    }

    /// R-CLU-3: a fault on links between members started or ended: the clusters it acts on find their sides again.
    mutating func memberLinksChanged(_ fault: FaultID, _ sim: inout Simulation<FleetEvent>) {
        var done: [Int32] = []
        for link in faultLinks[fault.offset] where link.index >= network.memberLinks && link.index < network.pairLinks {
            guard let member = network.ends(of: link).from.client else { continue }
            let cluster = clients[member].cluster
            if !done.contains(cluster) {
                done.append(cluster)
                electLeaders(cluster, &sim)
            }
        }
    }

    // MARK: Pooled capacity (R-CLU-1, assumed)

    /// Lends a side's spare capacity to its members that are short, in rank order, from its members with spare
    /// capacity, in rank order: the side serves min(users, capacity) over its members together. A stopped member
    /// lends and borrows nothing. Each member whose share moves is a change of its own (accounted, recorded).
    @inline(never)
    mutating func rebalanceShares(_ slot: SlotID, _ now: SimInstant) {
        guard !rebalancingShares else { return }
        rebalancingShares = true
        defer { rebalancingShares = false }
        let client = slots[slot].client
        guard clients[client].isUp else { return setShare(slot, 0, now) }
        let members = members(ofCluster: clients[client].cluster), leader = clients[client].leader
        var spare: Int64 = 0
        for member in members where follows(member, leader) {
            let s = memberSlot(member, like: slot)
            spare += Int64(max(0, ownLicensing[s].base(held: slots[s].held) - slots[s].users))
        }
        var lent: Int64 = 0
        var borrowed: Int64 = 0
        for member in members where follows(member, leader) {
            let s = memberSlot(member, like: slot), base = ownLicensing[s].base(held: slots[s].held)
            let short = Int64(max(0, min(slots[s].users, ownLicensing[s].maximum) - base))
            let borrow = min(short, spare - borrowed)
            borrowed += borrow
            setShare(s, Int32(borrow), now)
        }
        for member in members where follows(member, leader) {
            let s = memberSlot(member, like: slot), base = ownLicensing[s].base(held: slots[s].held)
            let lend = min(Int64(max(0, base - slots[s].users)), borrowed - lent)
            lent += lend
            if lend > 0 { setShare(s, -Int32(lend), now) }
        }
    }

    private mutating func setShare(_ slot: SlotID, _ share: Int32, _ now: SimInstant) {
        guard ownLicensing[slot].clusterShare != share else { return }
        let before = beginChange(slot, now)
        ownLicensing[slot].clusterShare = share
        endChange(slot, now, from: before)
    }

    /// The users a side leaves unserved now, together. (Out of line and `mutating`, as everything here that the
    /// event loop's inlined handlers call: a non-mutating call out of line would copy the model.)
    @inline(never)
    mutating func sideUnserved(_ slot: SlotID) -> Int32 {
        let client = slots[slot].client
        guard clients[client].isUp else { return max(0, slots[slot].users - capacity(ofSlot: slot)) }
        var unserved: Int32 = 0
        for member in members(ofCluster: clients[client].cluster) where follows(member, clients[client].leader) {
            let s = memberSlot(member, like: slot)
            unserved += max(0, slots[s].users - capacity(ofSlot: s))
        }
        return unserved
    }

    // MARK: Asking, giving back and logins, as one (R-CLU-2)

    /// R-CLU-2, R-LEASE-1, R-LEASE-9: after a change of load on a member, its side asks for more or gives back as
    /// one; then decides the logins waiting.
    @inline(never)
    mutating func clusterReactToLoad(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        if clients[slots[slot].client].isUp && !clusterRequestIfShort(slot, &sim) && spec.policy.releasePolicy == .onDrop {
            releaseClusterSurplus(slot, &sim)
        }
        decideClusterLogins(slot, sim.now)
    }

    /// The side's users to lease, what it holds, and whether a request of any member is in flight.
    private func sideLoad(_ slot: SlotID) -> (need: Int64, held: Int64, pending: Bool) {
        let client = slots[slot].client
        var load: (need: Int64, held: Int64, pending: Bool) = (0, 0, false)
        for member in members(ofCluster: clients[client].cluster) where follows(member, clients[client].leader) {
            let s = memberSlot(member, like: slot)
            load.need += Int64(usersToLease(s))
            load.held += Int64(slots[s].held)
            load.pending = load.pending || slots[s].requestPending || slots[s].reserveAwaited
        }
        return load
    }

    /// R-CLU-2: the rounds of increments that cover `short`: each round raises every member below its MUC by its
    /// ILQ (no partial quantum, R-LEASE-1); one round unless every quantum needed is asked at once (R-LEASE-1b).
    private func roundsNeeded(_ slot: SlotID, short: Int64, all: Bool) -> Int64 {
        let client = slots[slot].client
        func covered(_ rounds: Int64) -> Int64 {
            var sum: Int64 = 0
            for member in members(ofCluster: clients[client].cluster) where follows(member, clients[client].leader) {
                sum += roundsCount(memberSlot(member, like: slot), rounds)
            }
            return sum
        }
        guard all else { return 1 }
        var (low, high): (Int64, Int64) = (1, Int64(Int32.max))
        while low < high {
            let middle = (low + high) / 2
            if covered(middle) >= short { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// What `rounds` rounds raise a member's slot by: its ILQ each, in whole quanta under its MUC.
    private func roundsCount(_ slot: SlotID, _ rounds: Int64) -> Int64 {
        let allocation = slots[slot].allocation
        let room = Allocation.wholeQuanta(allocation.maximum - slots[slot].held, allocation.quantum)
        return min(rounds * Int64(allocation.quantum), Int64(room))
    }

    /// R-CLU-1, R-CLU-2: while the side's users exceed what it holds, its leader asks for the sum of the ILQ of the
    /// members below their MUC (one request per member's lease, all at once); logins wait for every reply.
    /// - Returns: whether a request of the side is (now) in flight.
    @inline(never)
    mutating func clusterRequestIfShort(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) -> Bool {
        let client = slots[slot].client
        let load = sideLoad(slot)
        if load.pending { return true }
        guard load.need > load.held else { return false }
        let rounds = roundsNeeded(slot, short: load.need - load.held, all: spec.policy.quantaPerRequest == .needed)
        var asked = false
        for member in members(ofCluster: clients[client].cluster) where follows(member, clients[client].leader) {
            let s = memberSlot(member, like: slot), want = Int32(roundsCount(s, rounds))
            if want > 0 {
                startRequest(s, want, &sim)
                asked = true
            }
        }
        return asked
    }

    /// R-LEASE-9, R-LEASE-10: the side gives back, in whole quanta, what its users together no longer need: the
    /// highest-ranked members first, each its auto-leased count first, then increments whose hold has ended.
    @inline(never)
    mutating func releaseClusterSurplus(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) {
        let client = slots[slot].client
        guard clients[client].isUp else { return }
        let load = sideLoad(slot)
        var surplus = load.held - load.need
        for member in members(ofCluster: clients[client].cluster).reversed() where follows(member, clients[client].leader) && surplus > 0 {
            let s = memberSlot(member, like: slot), quantum = slots[s].allocation.quantum
            let drop = min(slots[s].autoLeased, Allocation.wholeQuanta(Int32(min(surplus, Int64(Int32.max))), quantum))
            if drop > 0 {
                let before = beginChange(s, sim.now)
                setAutoLeased(s, slots[s].autoLeased - drop)
                endChange(s, sim.now, from: before)
                record(ProtocolRecord(time: sim.now, kind: .autoLeaseEnded, client: member.index, feature: slots[s].feature.index,
                                      count: Int64(drop), rule: "R-LEASE-9"))
                surplus -= Int64(drop)
            }
            surplus -= Int64(release(s, upTo: Int32(min(surplus, Int64(slots[s].incrementHeld))), &sim))
        }
    }

    /// R-LEASE-8, R-CLU-1: once no request of the side is in flight, the logins waiting on any member are decided
    /// together: denied as far as the side's pooled capacity leaves new users unserved, the lowest-ranked first.
    @inline(never)
    mutating func decideClusterLogins(_ slot: SlotID, _ now: SimInstant) {
        let client = slots[slot].client
        guard clients[client].isUp else { return decideOwnLogins(slot, now) }
        let load = sideLoad(slot)
        guard !load.pending else { return }
        var arrivals: Int32 = 0, before = Int32.max
        let members = members(ofCluster: clients[client].cluster), leader = clients[client].leader
        for member in members where follows(member, leader) {
            let s = memberSlot(member, like: slot)
            if slots[s].arrivalsAwaiting > 0 {
                arrivals += slots[s].arrivalsAwaiting
                before = min(before, slots[s].unservedBeforeArrivals)
            }
        }
        guard arrivals > 0 else { return }
        var denied = min(arrivals, max(0, sideUnserved(slot) - before))
        for member in members where follows(member, leader) {
            let s = memberSlot(member, like: slot), waiting = slots[s].arrivalsAwaiting
            slots[s].arrivalsAwaiting = 0
            let own = min(waiting, denied)
            denied -= own
            if own > 0 { deny(s, own, now) }
        }
    }

    // MARK: Renewals and auto-leasing through the leader (R-CLU-1, R-AUTO-8)

    /// R-CLU-1, R-LEASE-4: a member's renewal timer fires: a leader gives back what its side no longer needs (by
    /// policy) and renews every member of its side; a member that follows renews nothing itself.
    @inline(never)
    mutating func renewSide(_ client: ClientID, _ sim: inout Simulation<FleetEvent>) {
        guard clients[client].leads else { return }
        if spec.policy.releasePolicy == .atRenewal {
            for slot in clients[client].slots { releaseClusterSurplus(slot, &sim) }
        }
        for member in members(ofCluster: clients[client].cluster) where follows(member, client) {
            clients[member].renewalOverdue = false
            sendRenewal(member, &sim)
        }
    }

    /// R-AUTO-8, R-AUTO-3: a side's increment request timed out: its leader raises the lease of every member it asked
    /// for (whose auto-leasing is enabled as it last heard, within its limits) by the rounds of ILQ the side's users
    /// need, up to each MUC.
    /// - Returns: whether it raised any.
    @inline(never)
    mutating func autoIncrementSide(_ slot: SlotID, _ sim: inout Simulation<FleetEvent>) -> Bool {
        let client = slots[slot].client
        let load = sideLoad(slot)
        guard load.need > load.held else { return false }
        let rounds = roundsNeeded(slot, short: load.need - load.held, all: true)
        var raised = false
        for member in members(ofCluster: clients[client].cluster) where follows(member, clients[client].leader) {
            let s = memberSlot(member, like: slot), state = slots[s], until = autoLeaseExpiry(ofSlot: s)
            guard state.requestPending && !state.requestReports && state.autoLeaseHeard && sim.now < until else { continue }
            let wanted = Int32(roundsCount(s, rounds))
            guard wanted > 0 else { continue }
            raiseAutoLeased(s, by: wanted, until: until, rule: "R-AUTO-8", &sim)
            raised = true
        }
        return raised
    }

    /// R-CLU-3: the server learns a member's cluster from its first message (each member reports its own
    /// affiliation; the server needs no setting of the cluster).
    @inline(never)
    mutating func learnAffiliation(_ client: ClientID, at server: ServerID, _ now: SimInstant) {
        guard !affiliationKnown[client.offset] else { return }
        affiliationKnown[client.offset] = true
        record(ProtocolRecord(time: now, kind: .clusterAffiliation, client: client.index, server: server.index,
                              count: Int64(clients[client].cluster), rule: "R-CLU-3"))
    }

    // MARK: The route through the leader (R-CLU-1)

    /// The rank a message between `client` and its server carries: its leader's now (`Message.direct` outside a
    /// cluster).
    @inline(__always) func relayRank(_ client: ClientID) -> UInt8 {
        _slowPath(clients[client].cluster >= 0) ? UInt8(truncatingIfNeeded: clients[clients[client].leader].rank) : Message.direct
    }

    /// The member that carries messages for `client`: the leader of `rank` in a cluster, the client itself otherwise
    /// (read from the rank alone, so a server's reply to a client outside a cluster reads no client state).
    @inline(__always) func relay(of client: ClientID, rank: UInt8) -> ClientID {
        _slowPath(rank != Message.direct) ? network.clusterMembers[Int(clients[client].cluster)][Int(rank)] : client
    }

    /// R-CLU-1: a reply for a member reaches the leader that carried its request: it is handed on if that member
    /// runs and is still on the member's side (members reach one another through their side); otherwise it is lost
    /// (to the carrier's crash, or the partition between them), and the member's request times out and is sent
    /// again through its side's leader now.
    /// - Returns: the fault that lost it (`Network.delivers`: handed on; -2: lost with no fault, the leader stopped).
    @inline(never)
    mutating func handOn(_ message: Message, to client: ClientID) -> Int32 {
        let relay = relay(of: client, rank: message.relayRank)
        if relay == client { return Network.delivers }
        if !clients[relay].isUp { return clients[relay].crashFault >= 0 ? clients[relay].crashFault : -2 }
        if clients[relay].leader == clients[client].leader { return Network.delivers }
        let up = network.linkFaults[network.memberLink(from: relay, to: client)]
        return up.partitions > 0 ? up.partitionFault : network.linkFaults[network.memberLink(from: client, to: relay)].partitionFault
    }
}
