import LeaseKernel

/// The server's license pools: every change of a server-side lease or allocation goes through here, so
/// used counts, idle reservations and leases carried over a license end always agree (R-LEASE-11).
extension FleetModel {
    /// The reserved count a configured client's allocation sets aside beyond what it holds.
    @inline(__always)
    static func idleReservation(_ lease: LeaseState, reserved: Int32) -> Int32 {
        lease.configured ? max(0, lease.allocation.reserved - reserved) : 0
    }

    /// Sets a server lease; its pool's used, idle reservation and carried-over counts follow.
    @inline(__always)
    mutating func setServerLease(_ lease: LeaseID, reserved: Int32, increment: Int32, _ now: SimInstant) {
        let old = leases[lease], pool = old.pool
        if reserved != old.reserved {
            pools[pool].reservedIdle += FleetModel.idleReservation(old, reserved: reserved)
                - FleetModel.idleReservation(old, reserved: old.reserved)
        }
        leases[lease].reserved = reserved
        leases[lease].increment = increment
        let held = reserved + increment
        if old.carriedOver > held {
            pools[pool].carriedOver -= old.carriedOver - held
            leases[lease].carriedOver = held
        }
        if _slowPath(pools[pool].platformPool >= 0) { // R-LIC-6
            tallyPlatform(lease, used: held - old.held, carried: min(0, held - old.carriedOver),
                          idle: FleetModel.idleReservation(old, reserved: reserved) - FleetModel.idleReservation(old, reserved: old.reserved))
        }
        changeUsed(pool, by: held - old.held, now)
        if records.recordsStates && held != old.held { recordSlotState(old.holder.slot, now) } // The server's view changed.
    }

    /// Changes the server's allocation of a lease (its idle reservation follows the new RUC).
    mutating func setServerAllocation(_ lease: LeaseID, _ allocation: Allocation) {
        let before = FleetModel.idleReservation(leases[lease], reserved: leases[lease].reserved)
        if leases[lease].configured {
            pools[leases[lease].pool].maximumSum += Int64(allocation.maximum) - Int64(leases[lease].allocation.maximum) // R-AUTO-2
        }
        leases[lease].allocation = allocation
        let idle = FleetModel.idleReservation(leases[lease], reserved: leases[lease].reserved) - before
        pools[leases[lease].pool].reservedIdle += idle
        if _slowPath(pools[leases[lease].pool].platformPool >= 0) { tallyPlatform(lease, idle: idle) } // R-LIC-6
    }

    /// R-CFG-3: the configuration is deleted: the lease is freed and nothing stays set aside for it.
    mutating func removeConfiguration(_ lease: LeaseID, _ now: SimInstant) {
        setServerLease(lease, reserved: 0, increment: 0, now)
        let idle = FleetModel.idleReservation(leases[lease], reserved: 0)
        pools[leases[lease].pool].reservedIdle -= idle
        if _slowPath(pools[leases[lease].pool].platformPool >= 0) { tallyPlatform(lease, idle: -idle) } // R-LIC-6
        if leases[lease].configured { pools[leases[lease].pool].maximumSum -= Int64(leases[lease].allocation.maximum) }
        leases[lease].configured = false
    }

    /// R-LEASE-11: the lease was granted or renewed now, so none of it is carried over a license end.
    @inline(__always)
    mutating func renewedNow(_ lease: LeaseID) {
        guard leases[lease].carriedOver > 0 else { return }
        pools[leases[lease].pool].carriedOver -= leases[lease].carriedOver
        if _slowPath(pools[leases[lease].pool].platformPool >= 0) { tallyPlatform(lease, carried: -leases[lease].carriedOver) }
        leases[lease].carriedOver = 0
    }

    /// R-LEASE-11: what the installed count covers for a lease's reserved count: installed minus every other
    /// lease of the pool, but for leases carried over a license end (reserved first: a reservation being granted
    /// or renewed outranks a lease that ends at its holder's next renewal).
    @inline(__always)
    func coverable(_ lease: LeaseID) -> Int32 {
        let state = leases[lease]
        let pool = pools[state.pool]
        if _slowPath(pool.platformPool >= 0) { // R-LIC-6: from what the lease's class may take.
            return platformRoom(lease, .covered, adjust: -Int64(state.held - state.carriedOver))
        }
        let othersCovered = (pool.used - pool.carriedOver) - (state.held - state.carriedOver)
        return pool.installed - othersCovered
    }

    /// R-LEASE-11: what increments may come from for a lease: installed minus every lease minus the idle
    /// reservations (R-LIC-6: of what the lease's class may take).
    @inline(__always)
    func incrementPool(_ lease: LeaseID) -> Int32 {
        let pool = leases[lease].pool
        if _slowPath(pools[pool].platformPool >= 0) { return platformRoom(lease, .leasedAndIdle) }
        return pools[pool].incrementPool
    }

    /// R-LEASE-11: a license ended and left the server leasing more than it holds (R-LIC-6: more than it holds
    /// for some class of client). Every running lease of the pool was granted before the end; each is carried
    /// over until its holder next renews.
    mutating func carryOverLeases(_ pool: ServerFeatureID) {
        let platformPool = pools[pool].platformPool
        if platformPool >= 0 {
            guard !platformPools[Int(platformPool)].serves(.leased, installed: Int64(pools[pool].installed)) else { return }
        } else {
            guard pools[pool].used > pools[pool].installed else { return }
        }
        for lease in servers[pools[pool].server].leases where leases[lease].pool == pool {
            leases[lease].carriedOver = leases[lease].held
        }
        pools[pool].carriedOver = pools[pool].used
        if platformPool >= 0 { platformPools[Int(platformPool)].carried = platformPools[Int(platformPool)].used }
    }
}
