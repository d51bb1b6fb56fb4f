import LeaseKernel

/// Time integrals, peaks, fleet totals and records: every change of a slot goes through here.
extension FleetModel {
    /// Integrates a slot's served, unserved and leased users up to `now`; call before changing it.
    /// - Returns: the slot's counts before the change, for `endChange`.
    @inline(__always) mutating func beginChange(_ slot: SlotID, _ now: SimInstant) -> SlotCounts {
        let index = slot
        let before = counts(ofSlot: slot)
        let elapsed = (now - slots[index].accountedAt).milliseconds
        if elapsed > 0 {
            slots[index].deniedUserMilliseconds += Int64(before.users - before.served) * elapsed
            slots[index].servedUserMilliseconds += Int64(before.served) * elapsed
            slots[index].leasedUserMilliseconds += Int64(before.capacity) * elapsed
        }
        slots[index].accountedAt = now
        return before
    }

    /// Updates peaks and fleet totals by what the change moved, and records the new state.
    @inline(__always) mutating func endChange(_ slot: SlotID, _ now: SimInstant, from before: SlotCounts) {
        let index = slot
        let after = counts(ofSlot: slot)
        precondition(after.users >= 0 && slots[index].reservedHeld >= 0 && slots[index].incrementHeld >= 0,
                     "negative count on slot \(slot)")
        let peakUsers = after.users > slots[index].peakUsers, peakLeased = after.leased > slots[index].peakLeased
        if _slowPath(peakUsers || peakLeased) {
            if peakUsers { slots[index].peakUsers = after.users }
            if peakLeased { slots[index].peakLeased = after.leased }
            notePeaks(slot, users: peakUsers, leased: peakLeased, now)
        }
        if after != before {
            let feature = slots[index].feature
            if after.leased != before.leased { leasedChanged(slot, from: before.leased, now) }
            if _slowPath(after.served < before.served && after.users >= before.users) { noteCutOff(slot, before.served - after.served) }
            totals[feature].users += Int64(after.users - before.users)
            totals[feature].served += Int64(after.served - before.served)
            totals[feature].leased += Int64(after.leased - before.leased)
            totals[feature].effective += Int64(after.capacity - before.capacity)
            if totals[feature].users > totals[feature].peakUsers {
                totals[feature].peakUsers = totals[feature].users
                totals[feature].peakUsersAt = now
            }
            totals[feature].peakServed = max(totals[feature].peakServed, totals[feature].served)
            if totals[feature].leased > totals[feature].peakLeased {
                totals[feature].peakLeased = totals[feature].leased
                totals[feature].peakLeasedAt = now
                totals[feature].installedAtPeakLeased = totals[feature].installed
            }
            if _slowPath(faultsAwaitingRecovery > 0) { checkRecovery(now) }
        }
        if records.recordsStates { recordSlotState(slot, now) }
        if _slowPath(slots[index].clustered) { rebalanceShares(slot, now) } // R-CLU-1: the side's capacity is pooled.
    }

    /// A slot's users, served users, effective capacity and leased count now (what the client holds counts only
    /// while it runs).
    @inline(__always)
    func counts(ofSlot slot: SlotID) -> SlotCounts {
        let state = slots[slot], client = clients[state.client]
        let leased = client.isUp ? state.held : 0
        let capacity = client.ownsLicenses && client.isUp ? ownLicensing[slot].effective(held: leased) : leased
        return SlotCounts(users: state.users, served: min(state.users, capacity), capacity: capacity, leased: leased)
    }

    mutating func recordSlotState(_ slot: SlotID, _ now: SimInstant) {
        records.keep(StateRecord(time: now, entity: .client, index: slot.index, feature: slots[slot].feature.index,
                                 levels: levels(ofSlot: slot)), entity: slot.offset)
    }

    /// The levels of the listed slots, in list order, or of every slot in slot order when `slots` is nil (for
    /// sampled output: one pass, one array).
    public func levels(ofSlots slots: [Int32]?) -> [Levels] {
        let count = slots?.count ?? self.slots.count
        var levels: [Levels] = []
        levels.reserveCapacity(count)
        for position in 0..<count { levels.append(self.levels(ofSlot: SlotID(index: slots?[position] ?? Int32(position)))) }
        return levels
    }

    /// A slot's levels now: what the client holds counts only while it runs.
    @inline(__always)
    public func levels(ofSlot slot: SlotID) -> Levels {
        let client = clients[slots[slot].client]
        return Levels(slot: slots[slot], own: ownLicensing[slot], isUp: client.isUp, serverLeased: serverLeased(slot), leads: client.leads)
    }

    /// What the server that serves a slot records it as holding (the server's view of the client's lease).
    @inline(__always) public func serverLeased(_ slot: SlotID) -> Int32 { leases[leaseIndex[HolderID(slot: slot)]].held
    }

    /// Integrates a pool's used and installed counts up to `now`; call before changing it.
    @inline(__always) mutating func accountPool(_ pool: ServerFeatureID, _ now: SimInstant) {
        let elapsed = (now - pools[pool].accountedAt).milliseconds
        if elapsed > 0 {
            pools[pool].usedUserMilliseconds += Int128(pools[pool].used) * Int128(elapsed)
            pools[pool].installedUserMilliseconds += Int128(pools[pool].installed) * Int128(elapsed)
            poolLevelTime[pool.offset * LevelBins.count + LevelBins.bin(Int64(pools[pool].used), of: Int64(pools[pool].installed))] += elapsed
        }
        pools[pool].accountedAt = now
    }

    /// Changes a pool's used count by `delta`, with accounting and a record.
    @inline(__always) mutating func changeUsed(_ pool: ServerFeatureID, by delta: Int32, _ now: SimInstant) {
        guard delta != 0 else { return }
        accountPool(pool, now)
        pools[pool].used += delta
        precondition(pools[pool].used >= 0, "negative used count in \(pool)")
        if pools[pool].used > pools[pool].peakUsed {
            pools[pool].peakUsed = pools[pool].used
            pools[pool].peakUsedAt = now
        }
        if records.recordsStates { recordServerState(pool, now) }
    }

    mutating func recordServerState(_ pool: ServerFeatureID, _ now: SimInstant) {
        let state = pools[pool]
        records.keep(StateRecord(time: now, entity: .server, index: pool.index, feature: state.feature.index,
                                 levels: Levels(pool: state)), entity: slots.count + pool.offset)
    }

    /// Appends a protocol record when they are kept (inlined, so an unkept record is never built).
    @inline(__always)
    mutating func record(_ record: ProtocolRecord) {
        guard records.recordsProtocol else { return }
        var record = record
        // R-HA-1: a client event of a pair's client names the node that serves it now (after a failover, the other).
        if record.client >= 0 && record.server < 0, case let client = ClientID(index: record.client),
           clients[client].server.kind == .virtualAddress {
            record.server = currentServer(client).index
        }
        records.protocolEvents.append(record)
    }

    /// Brings every integral up to `now` without changing state (before reading metrics).
    public mutating func accountAll(upTo now: SimInstant) {
        makeUnique()
        for slot in slots.ids where slots[slot].accountedAt < now {
            let recording = records.recordsStates
            records.recordsStates = false
            let before = beginChange(slot, now)
            endChange(slot, now, from: before)
            records.recordsStates = recording
        }
        for pool in pools.ids { accountPool(pool, now) }
        accountLevels(upTo: now)
    }
}

/// R-CLIENT-1: the users a slot's leases must serve: all its users, or for a client with licenses of its own (or a
/// platform maximum) those its own licenses do not serve.
extension FleetModel {
    @inline(__always) func usersToLease(_ slot: SlotID) -> Int32 {
        let users = slots[slot].users
        return clients[slots[slot].client].ownsLicenses ? ownLicensing[slot].usersToLease(users) : users
    }
}

/// A slot's users, served users, effective capacity (R-CLIENT-1) and leased count, before and after a change.
struct SlotCounts: Equatable {
    var users: Int32
    var served: Int32
    var capacity: Int32
    var leased: Int32
}

/// A feature's time integrals summed over the fleet's slots, in user-milliseconds (128-bit: 2e6 slots of up to
/// 6.4e18 each pass Int64).
public struct FeatureIntegrals: Sendable, Equatable {
    public var deniedUserMilliseconds: Int128 = 0
    public var servedUserMilliseconds: Int128 = 0
    public var leasedUserMilliseconds: Int128 = 0
    /// Over every server's pool of the feature: licenses installed and leased out, in license-milliseconds.
    public var installedUserMilliseconds: Int128 = 0
    public var usedUserMilliseconds: Int128 = 0
}

extension FleetModel {
    /// A feature's integrals over every slot, as accounted so far. Complexity: O(slots).
    public func fleetIntegrals(feature: Int) -> FeatureIntegrals {
        var sums = FeatureIntegrals()
        for slot in slots.ids where slots[slot].feature == FeatureID(index: Int32(feature)) {
            sums.deniedUserMilliseconds += Int128(slots[slot].deniedUserMilliseconds)
            sums.servedUserMilliseconds += Int128(slots[slot].servedUserMilliseconds)
            sums.leasedUserMilliseconds += Int128(slots[slot].leasedUserMilliseconds)
        }
        for pool in pools.ids where pools[pool].feature == FeatureID(index: Int32(feature)) {
            sums.installedUserMilliseconds += pools[pool].installedUserMilliseconds
            sums.usedUserMilliseconds += pools[pool].usedUserMilliseconds
        }
        return sums
    }

    /// A feature's installed and used counts over every server. Complexity: O(servers).
    public func fleetCapacity(feature: Int) -> (installed: Int64, used: Int64) {
        var installed: Int64 = 0, used: Int64 = 0
        for server in servers {
            let pool = server.pool(FeatureID(index: Int32(feature)))
            installed += Int64(pools[pool].installed)
            used += Int64(pools[pool].used)
        }
        return (installed, used)
    }
}

extension FleetModel {
    /// A warm-up is over at `now`: every figure a run reports starts again from the state now, as if the run began
    /// here with the fleet as it is (counters, denied logins and user-hours, integrals and time-at-level histograms
    /// at 0; peaks at the current levels, reached now; no first denial yet; message counts at 0). The levels
    /// themselves are untouched, and every slot and pool records its state, so timelines show the restart.
    /// Complexity: O(fleet), once a run.
    public mutating func startFigures(at now: SimInstant) {
        accountAll(upTo: now)
        counters = ProtocolCounters()
        for slot in slots.ids {
            let counts = counts(ofSlot: slot)
            slots[slot].deniedLogins = 0
            slots[slot].deniedUserMilliseconds = 0
            slots[slot].servedUserMilliseconds = 0
            slots[slot].leasedUserMilliseconds = 0
            slots[slot].peakUsers = counts.users
            slots[slot].peakLeased = counts.leased
            planners[slot].firstDenialAt = .never
            planners[slot].usersCutOff = 0
            planners[slot].peakUsersAt = now
            planners[slot].peakLeasedAt = now
        }
        for pool in pools.ids {
            pools[pool].usedUserMilliseconds = 0
            pools[pool].installedUserMilliseconds = 0
            pools[pool].peakUsed = pools[pool].used
            pools[pool].peakUsedAt = now
        }
        for feature in totals.ids {
            totals[feature].peakUsers = totals[feature].users
            totals[feature].peakServed = totals[feature].served
            totals[feature].peakLeased = totals[feature].leased
            totals[feature].installedAtPeakLeased = totals[feature].installed
            totals[feature].peakUsersAt = now
            totals[feature].peakLeasedAt = now
            totals[feature].firstDenialAt = .never
            totals[feature].deniedLogins = 0
            totals[feature].usersCutOff = 0
        }
        for client in clients.ids {
            clients[client].messagesSent = 0
            clients[client].messagesReceived = 0
        }
        for index in levelTime.indices { levelTime[index] = 0 }
        for index in poolLevelTime.indices { poolLevelTime[index] = 0 }
        for index in fleetLevelTime.indices { fleetLevelTime[index] = 0 }
        if records.recordsStates {
            for slot in slots.ids { recordSlotState(slot, now) }
            for pool in pools.ids { recordServerState(pool, now) }
        }
    }
}
