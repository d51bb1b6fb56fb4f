import LeaseKernel

/// R-LIC-6: pools with licenses bound to a platform family keep what each class of client leases from them,
/// and every grant and renewal asks what the lease's class may still take. Pools without bound licenses never
/// come here (`ServerFeatureState.platformPool` is -1: one predictable branch on the hot path).
extension FleetModel {
    /// Adds changes of a lease's used, idle-reservation and carried-over counts to its class's tallies.
    @inline(never)
    mutating func tallyPlatform(_ lease: LeaseID, used: Int32 = 0, carried: Int32 = 0, idle: Int32 = 0) {
        let index = Int(pools[leases[lease].pool].platformPool), platformClass = Int(leases[lease].platformClass.rawValue)
        platformPools[index].used[platformClass] += Int64(used)
        platformPools[index].carried[platformClass] += Int64(carried)
        platformPools[index].idle[platformClass] += Int64(idle)
    }

    /// What a lease's class may still take from its pool (`PlatformPool.room`), as a count. Inlined: a call of a
    /// non-mutating method from a mutating one may copy the whole model to pass it.
    @inline(__always)
    func platformRoom(_ lease: LeaseID, _ kind: PlatformPool.Demand, adjust: Int64 = 0) -> Int32 {
        let pool = leases[lease].pool
        let room = platformPools[Int(pools[pool].platformPool)].room(for: leases[lease].platformClass, kind, adjust: adjust,
                                                                     installed: Int64(pools[pool].installed))
        return Int32(clamping: room)
    }

    /// R-LEASE-11 at renewal: what the lease's increment may be renewed from, after every other lease, the
    /// reservations set aside for others and its own full RUC.
    @inline(__always)
    func renewalIncrementRoom(_ lease: LeaseID) -> Int32 {
        let pool = leases[lease].pool, reserved = leases[lease].allocation.reserved, held = leases[lease].held
        let ownIdle = FleetModel.idleReservation(leases[lease], reserved: leases[lease].reserved)
        if _slowPath(pools[pool].platformPool >= 0) { // R-LIC-6
            return platformRoom(lease, .leasedAndIdle, adjust: Int64(reserved) - Int64(held) - Int64(ownIdle))
        }
        let othersIdle = pools[pool].reservedIdle - ownIdle
        return pools[pool].installed - (pools[pool].used - held) - othersIdle - reserved
    }

    /// R-LIC-6: a license bound to `family` starts or stops counting on a pool (`delta` is already in its
    /// installed count); perpetual ones serve only clients with a member license.
    mutating func changeBoundCapacity(_ pool: ServerFeatureID, family: Int, perpetual: Bool, by delta: Int32) {
        let index = Int(pools[pool].platformPool)
        precondition(index >= 0, "\(pool) keeps no platform tallies")
        if perpetual { platformPools[index].perpetual[family] += Int64(delta) } else { platformPools[index].other[family] += Int64(delta) }
    }
}

extension FleetModel {
    /// R-LIC-6: a tally for every pool that may have licenses bound to a platform family: a server's bound
    /// license of the feature, or a client's license surrendered to it (R-SUR-2); each starts with the bound
    /// licenses that count at instant zero. Marks the pools with their entry.
    static func platformPools(_ spec: FleetSpec, pools: inout EntityTable<ServerFeatureID, ServerFeatureState>) -> [PlatformPool] {
        let features = spec.features.count
        var bound = [Bool](repeating: false, count: pools.count)
        for (server, serverSpec) in spec.servers.enumerated() {
            for license in serverSpec.licenses + serverSpec.vendorLicenses.map(\.license) where license.platform != nil {
                bound[server * features + license.feature] = true
            }
        }
        for action in spec.actions {
            guard case let .surrenderLicense(client, license) = action.change else { continue }
            bound[spec.clients[client].server * features + spec.clients[client].licenses[license].feature] = true
        }
        // R-HA-5: a pair's pools of a feature keep tallies if either node may have bound licenses (leases move between
        // them, and either may count the other's licenses).
        for pair in spec.haPairs {
            for feature in 0..<features where pair.nodes.contains(where: { bound[$0 * features + feature] }) {
                for node in pair.nodes { bound[node * features + feature] = true }
            }
        }
        var result: [PlatformPool] = []
        for pool in pools.ids where bound[pool.offset] {
            pools[pool].platformPool = Int32(result.count)
            result.append(PlatformPool(families: spec.platforms.count))
        }
        for (server, serverSpec) in spec.servers.enumerated() {
            let spans = LicenseSchedule.spans(of: serverSpec.licenses)
            for (license, spans) in zip(serverSpec.licenses, spans) {
                guard let family = license.platform, spans.contains(where: { $0.lowerBound == .start }) else { continue }
                let index = Int(pools[ServerFeatureID(server: server, feature: license.feature, featureCount: features)].platformPool)
                if license.kind == .perpetual { result[index].perpetual[family] += Int64(license.count) }
                else { result[index].other[family] += Int64(license.count) }
            }
        }
        return result
    }

    /// R-LIC-6: every lease of a tracked pool sets its client's RUC aside at instant zero, as a class's idle count.
    mutating func tallyInitialReservations() {
        guard !platformPools.isEmpty else { return }
        for lease in leases.ids where pools[leases[lease].pool].platformPool >= 0 {
            tallyPlatform(lease, idle: leases[lease].allocation.reserved)
        }
    }
}
