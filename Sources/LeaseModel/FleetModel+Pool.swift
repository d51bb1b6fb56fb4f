import LeaseKernel

/// The server's license pool: every change of a server-side lease or allocation goes through here, so
/// used counts, idle reservations and leases carried over a license end always agree (R-LEASE-11).
extension FleetModel {
    /// The reserved count a configured client's allocation sets aside beyond what it holds.
    @inline(__always)
    static func idleReservation(_ lease: LeaseState, reserved: Int32) -> Int32 {
        lease.configured ? max(0, lease.allocation.reserved - reserved) : 0
    }

    /// Sets the server's lease of a slot; used, idle reservation and carried-over counts follow.
    @inline(__always)
    mutating func setServerLease(_ slot: Int32, reserved: Int32, increment: Int32, _ now: SimInstant) {
        let index = Int(slot), featureIndex = serverFeatureIndex(ofSlot: slot)
        let old = leases[index]
        if reserved != old.reserved {
            serverFeatures[featureIndex].reservedIdle += FleetModel.idleReservation(old, reserved: reserved)
                - FleetModel.idleReservation(old, reserved: old.reserved)
        }
        leases[index].reserved = reserved
        leases[index].increment = increment
        let held = reserved + increment
        if old.carriedOver > held {
            serverFeatures[featureIndex].carriedOver -= old.carriedOver - held
            leases[index].carriedOver = held
        }
        changeUsed(featureIndex, by: held - (old.reserved + old.increment), now)
    }

    /// Changes the server's allocation of a slot (its idle reservation follows the new RUC).
    mutating func setServerAllocation(_ slot: Int32, _ allocation: Allocation) {
        let index = Int(slot)
        let before = FleetModel.idleReservation(leases[index], reserved: leases[index].reserved)
        leases[index].allocation = allocation
        serverFeatures[serverFeatureIndex(ofSlot: slot)].reservedIdle +=
            FleetModel.idleReservation(leases[index], reserved: leases[index].reserved) - before
    }

    /// R-CFG-3: the slot's configuration is deleted: its lease is freed and nothing stays set aside for it.
    mutating func removeConfiguration(_ slot: Int32, _ now: SimInstant) {
        setServerLease(slot, reserved: 0, increment: 0, now)
        let index = Int(slot)
        serverFeatures[serverFeatureIndex(ofSlot: slot)].reservedIdle -= FleetModel.idleReservation(leases[index], reserved: 0)
        leases[index].configured = false
    }

    /// R-LEASE-11: the slot's lease was granted or renewed now, so none of it is carried over a license end.
    @inline(__always)
    mutating func renewedNow(_ slot: Int32) {
        let index = Int(slot)
        guard leases[index].carriedOver > 0 else { return }
        serverFeatures[serverFeatureIndex(ofSlot: slot)].carriedOver -= leases[index].carriedOver
        leases[index].carriedOver = 0
    }

    /// R-LEASE-11: what the installed count covers for a slot's reserved count: installed minus every other
    /// slot's lease, but for leases carried over a license end (reserved first: a reservation being granted or
    /// renewed outranks a lease that ends at its holder's next renewal).
    @inline(__always)
    func coverable(slot: Int32) -> Int32 {
        let lease = leases[Int(slot)]
        let pool = serverFeatures[serverFeatureIndex(ofSlot: slot)]
        let othersCovered = (pool.used - pool.carriedOver) - (lease.reserved + lease.increment - lease.carriedOver)
        return pool.installed - othersCovered
    }

    /// R-LEASE-11: a license ended and left the server leasing more than it holds. Every running lease of the
    /// feature was granted before the end; each is carried over until its holder next renews.
    mutating func carryOverLeases(serverFeature featureIndex: Int) {
        guard serverFeatures[featureIndex].used > serverFeatures[featureIndex].installed else { return }
        for slot in 0..<slotCount where serverFeatureIndex(ofSlot: Int32(slot)) == featureIndex {
            leases[slot].carriedOver = leases[slot].reserved + leases[slot].increment
        }
        serverFeatures[featureIndex].carriedOver = serverFeatures[featureIndex].used
    }
}
