import LeaseKernel

/// Time integrals, peaks, fleet totals and records: every change of a slot goes through here.
extension FleetModel {
    /// Integrates a slot's served, unserved and leased users up to `now`; call before changing it.
    /// - Returns: the slot's counts before the change, for `endChange`.
    @inline(__always) mutating func beginChange(_ slot: Int32, _ now: SimInstant) -> SlotCounts {
        let index = Int(slot)
        let before = counts(ofSlot: index)
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
    @inline(__always) mutating func endChange(_ slot: Int32, _ now: SimInstant, from before: SlotCounts) {
        let index = Int(slot)
        let after = counts(ofSlot: index)
        precondition(after.users >= 0 && slots[index].reservedHeld >= 0 && slots[index].incrementHeld >= 0,
                     "negative count on slot \(slot)")
        if after.users > slots[index].peakUsers { slots[index].peakUsers = after.users }
        if after.capacity > slots[index].peakLeased { slots[index].peakLeased = after.capacity }
        if after != before {
            let feature = Int(slots[index].feature)
            totals[feature].users += Int64(after.users - before.users)
            totals[feature].served += Int64(after.served - before.served)
            totals[feature].leased += Int64(after.capacity - before.capacity)
            totals[feature].peakUsers = max(totals[feature].peakUsers, totals[feature].users)
            totals[feature].peakServed = max(totals[feature].peakServed, totals[feature].served)
            if totals[feature].leased > totals[feature].peakLeased {
                totals[feature].peakLeased = totals[feature].leased
                totals[feature].installedAtPeakLeased = totals[feature].installed
            }
        }
        if records.recordsStates { recordSlotState(slot, now) }
    }

    /// A slot's users, served users and effective capacity now.
    @inline(__always)
    func counts(ofSlot index: Int) -> SlotCounts {
        let capacity = capacity(ofSlot: index)
        let users = slots[index].users
        return SlotCounts(users: users, served: min(users, capacity), capacity: capacity)
    }

    mutating func recordSlotState(_ slot: Int32, _ now: SimInstant) {
        let state = slots[Int(slot)]
        let capacity = capacity(ofSlot: Int(slot))
        let up = clients[Int(state.client)].isUp
        records.keep(StateRecord(
            time: now, entity: .client, index: slot, feature: state.feature, users: state.users,
            served: min(state.users, capacity), reserved: up ? state.reservedHeld : 0,
            incremental: up ? state.incrementHeld : 0, deniedLogins: state.deniedLogins), entity: Int(slot))
    }


    /// Integrates a server feature's used and installed counts up to `now`; call before changing it.
    @inline(__always) mutating func accountServerFeature(_ index: Int, _ now: SimInstant) {
        let elapsed = (now - serverFeatures[index].accountedAt).milliseconds
        if elapsed > 0 {
            serverFeatures[index].usedUserMilliseconds += Int128(serverFeatures[index].used) * Int128(elapsed)
            serverFeatures[index].installedUserMilliseconds += Int128(serverFeatures[index].installed) * Int128(elapsed)
        }
        serverFeatures[index].accountedAt = now
    }

    /// Changes a server feature's used count by `delta`, with accounting and a record.
    @inline(__always) mutating func changeUsed(_ index: Int, by delta: Int32, _ now: SimInstant) {
        guard delta != 0 else { return }
        accountServerFeature(index, now)
        serverFeatures[index].used += delta
        precondition(serverFeatures[index].used >= 0, "negative used count on server feature \(index)")
        serverFeatures[index].peakUsed = max(serverFeatures[index].peakUsed, serverFeatures[index].used)
        if records.recordsStates { recordServerState(index, now) }
    }

    mutating func recordServerState(_ index: Int, _ now: SimInstant) {
        let state = serverFeatures[index]
        let feature = index % featureCount
        records.keep(StateRecord(time: now, entity: .server, index: Int32(index), feature: Int32(feature),
                                 installed: state.installed, used: state.used), entity: slotCount + index)
    }

    /// Appends a protocol record when they are kept (inlined, so an unkept record is never built).
    @inline(__always)
    mutating func record(_ record: ProtocolRecord) {
        if records.recordsProtocol { records.protocolEvents.append(record) }
    }

    /// Brings every integral up to `now` without changing state (before reading metrics).
    public mutating func accountAll(upTo now: SimInstant) {
        makeUnique()
        for slot in 0..<slotCount where slots[slot].accountedAt < now {
            let recording = records.recordsStates
            records.recordsStates = false
            let before = beginChange(Int32(slot), now)
            endChange(Int32(slot), now, from: before)
            records.recordsStates = recording
        }
        for index in 0..<store.serverFeatureCount { accountServerFeature(index, now) }
    }
}

/// A slot's users, served users and effective capacity, before and after a change.
struct SlotCounts: Equatable {
    var users: Int32
    var served: Int32
    var capacity: Int32
}

/// A slot's countable state at one instant, as output and metrics read it.
public struct SlotLevels: Sendable {
    public var users: Int32
    public var reserved: Int32
    public var incremental: Int32
    /// The effective capacity: the leased count while the client is up.
    public var capacity: Int32
    public var deniedLogins: Int64
}

extension FleetModel {
    /// The levels of the listed slots, in list order, or of every slot in slot order when `slots` is nil
    /// (for sampled output: one pass, one array, no per-slot call).
    public func slotLevels(of slots: [Int32]?) -> [SlotLevels] {
        let count = slots?.count ?? slotCount
        return [SlotLevels](unsafeUninitializedCapacity: count) { buffer, initialized in
            for position in 0..<count {
                let slot = slots.map { Int($0[position]) } ?? position
                let state = self.slots + slot
                let up = clients[Int(state.pointee.client)].isUp
                let reserved = up ? state.pointee.reservedHeld : 0, incremental = up ? state.pointee.incrementHeld : 0
                (buffer.baseAddress! + position).initialize(to: SlotLevels(
                    users: state.pointee.users, reserved: reserved, incremental: incremental,
                    capacity: reserved + incremental, deniedLogins: state.pointee.deniedLogins))
            }
            initialized = count
        }
    }
}

/// A feature's time integrals summed over the fleet's slots, in user-milliseconds (128-bit: 2e6 slots of up to
/// 6.4e18 each pass Int64).
public struct FeatureIntegrals: Sendable, Equatable {
    public var deniedUserMilliseconds: Int128 = 0
    public var servedUserMilliseconds: Int128 = 0
    public var leasedUserMilliseconds: Int128 = 0
}

extension FleetModel {
    /// A feature's integrals over every slot, as accounted so far. Complexity: O(slots).
    public func fleetIntegrals(feature: Int) -> FeatureIntegrals {
        var sums = FeatureIntegrals()
        for slot in 0..<slotCount where slots[slot].feature == Int32(feature) {
            sums.deniedUserMilliseconds += Int128(slots[slot].deniedUserMilliseconds)
            sums.servedUserMilliseconds += Int128(slots[slot].servedUserMilliseconds)
            sums.leasedUserMilliseconds += Int128(slots[slot].leasedUserMilliseconds)
        }
        return sums
    }

    /// A feature's installed and used counts over every server. Complexity: O(servers).
    public func fleetCapacity(feature: Int) -> (installed: Int64, used: Int64) {
        var installed: Int64 = 0, used: Int64 = 0
        for server in spec.servers.indices {
            installed += Int64(serverFeatures[server * featureCount + feature].installed)
            used += Int64(serverFeatures[server * featureCount + feature].used)
        }
        return (installed, used)
    }
}
