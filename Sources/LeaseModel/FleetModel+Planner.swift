import LeaseKernel

/// Time-at-level histograms: how long a count (a client's leased count, a server's used count, the fleet's
/// leased count) spent at each tenth of its maximum (the client's MUC, the installed count). Bins 0...9 hold
/// `[k/10, (k+1)/10)` of the maximum; bin 10 holds the time at or above it (a client at its MUC, a server with
/// every license out).
public enum LevelBins {
    public static let count = 11
    /// The column names, `0-10%` ... `90-100%`, `max`.
    public static let names = (0..<10).map { "\($0 * 10)-\($0 * 10 + 10)%" } + ["max"]

    @inline(__always) public static func bin(_ level: Int64, of maximum: Int64) -> Int {
        level >= maximum ? 10 : Int(level * 10 / maximum)
    }
}

/// When a slot's figures were reached, for planners, kept beside the slot (read when a peak or a first denial
/// moves, never per event).
public struct SlotPlanner: Sendable {
    public var firstDenialAt = SimInstant.never
    /// Users whose session was lost while they still wanted it: the slot's capacity fell below them (a lease that
    /// lapsed or could not be renewed, a cut MUC, a license that ended, the client stopped). They add denied
    /// user-hours without a denied login.
    public var usersCutOff: Int64 = 0
    public var peakUsersAt = SimInstant.start
    public var peakLeasedAt = SimInstant.start
    /// Since when the leased count has been what it is (the time-at-level histogram is accounted up to here).
    var levelSince = SimInstant.start
}

extension FleetModel {
    /// A slot's leased count changes (from `leased`): its time at the old level goes into its histogram, and the
    /// fleet's likewise (before the fleet's total moves).
    @inline(never) mutating func leasedChanged(_ slot: SlotID, from leased: Int32, _ now: SimInstant) {
        accountLevel(slot, leased: leased, now)
        accountFleetLevel(slots[slot].feature, now)
    }

    /// Puts the time since the slot's last change of level into the bin of `leased` against its MUC.
    mutating func accountLevel(_ slot: SlotID, leased: Int32, _ now: SimInstant) {
        let elapsed = (now - planners[slot].levelSince).milliseconds
        guard elapsed > 0 else { return }
        let bin = LevelBins.bin(Int64(leased), of: Int64(slots[slot].allocation.maximum))
        levelTime[slot.offset * LevelBins.count + bin] += elapsed
        planners[slot].levelSince = now
    }

    /// Puts the time since the fleet's last change of level into the bin of its leased count against its installed.
    mutating func accountFleetLevel(_ feature: FeatureID, _ now: SimInstant) {
        let elapsed = (now - fleetLevelSince[feature.offset]).milliseconds
        guard elapsed > 0 else { return }
        let bin = LevelBins.bin(totals[feature].leased, of: totals[feature].installed)
        fleetLevelTime[feature.offset * LevelBins.count + bin] += elapsed
        fleetLevelSince[feature.offset] = now
    }

    /// The slot's allocation as the server now has it; a new MUC moves the histogram's bins, so the time before
    /// it is accounted against the old one.
    @inline(__always) mutating func setAllocation(_ slot: SlotID, _ allocation: Allocation, _ now: SimInstant) {
        if _slowPath(allocation.maximum != slots[slot].allocation.maximum) { accountLevel(slot, leased: counts(ofSlot: slot).leased, now) }
        slots[slot].allocation = allocation
    }

    /// A slot's users or leased count reached a new peak.
    @inline(never) mutating func notePeaks(_ slot: SlotID, users: Bool, leased: Bool, _ now: SimInstant) {
        if users { planners[slot].peakUsersAt = now }
        if leased { planners[slot].peakLeasedAt = now }
    }

    /// Sessions lost with no user leaving: the slot's served count fell while its users did not.
    @inline(never) mutating func noteCutOff(_ slot: SlotID, _ users: Int32) {
        planners[slot].usersCutOff += Int64(users)
        totals[slots[slot].feature].usersCutOff += Int64(users)
    }

    /// The first denial of a slot, of its feature in the fleet, and of every fault acting now that has none yet.
    @inline(never) mutating func noteFirstDenial(_ slot: SlotID, _ now: SimInstant) {
        if planners[slot].firstDenialAt == .never { planners[slot].firstDenialAt = now }
        let feature = slots[slot].feature
        if totals[feature].firstDenialAt == .never { totals[feature].firstDenialAt = now }
        guard faultsAwaitingDenial > 0 else { return }
        for fault in faults.ids where faults[fault].started && !faults[fault].ended && faultImpact[fault.offset].firstDenial == .never {
            faultImpact[fault.offset].firstDenial = now
            faultsAwaitingDenial -= 1
        }
    }

    /// Whether any user of the fleet is unserved now (of any feature).
    var anyUnserved: Bool { totals.ids.contains { totals[$0].users > totals[$0].served } }

    /// A fault started: the first denial while it acts is its.
    mutating func faultImpactStarts(_ fault: FaultID) {
        faultsAwaitingDenial += 1
    }

    /// A fault ended: the fleet has recovered from it once no user is unserved (at once if none is now).
    mutating func faultImpactEnds(_ fault: FaultID, _ now: SimInstant) {
        if faultImpact[fault.offset].firstDenial == .never { faultsAwaitingDenial -= 1 }
        if anyUnserved {
            faultsAwaitingRecovery += 1
        } else {
            faultImpact[fault.offset].recovered = now
        }
    }

    /// Called after a change while a fault that ended waits for recovery: no user unserved is recovery for all.
    @inline(never) mutating func checkRecovery(_ now: SimInstant) {
        guard !anyUnserved else { return }
        for fault in faults.ids where faults[fault].ended && faultImpact[fault.offset].recovered == .never {
            faultImpact[fault.offset].recovered = now
        }
        faultsAwaitingRecovery = 0
    }

    /// Brings the histograms up to `now` (before they are read).
    mutating func accountLevels(upTo now: SimInstant) {
        for slot in slots.ids { accountLevel(slot, leased: counts(ofSlot: slot).leased, now) }
        for feature in totals.ids { accountFleetLevel(feature, now) }
    }
}

/// What a fault did to the fleet's users: the first denial while it acted, and when, after it ended, no user was
/// unserved any more (`never` when that did not happen before the run's end).
public struct FaultImpact: Sendable, Equatable {
    public var firstDenial = SimInstant.never
    public var recovered = SimInstant.never
}
