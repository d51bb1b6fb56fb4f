import LeaseKernel
@testable import LeaseModel

/// A small fleet for rule tests: one server, clients with step demand, invariants checked after every event.
struct WorldBuilder {
    var spec = FleetSpec()

    init(installed: Int32, features: [String] = ["users"], policy: LeasePolicy = LeasePolicy()) {
        spec.features = features
        spec.policy = policy
        spec.servers = [ServerSpec(id: "ls", licenses: features.indices.map {
            License(sku: "PERP-\($0)", feature: $0, kind: .perpetual, count: installed)
        })]
    }

    /// Adds a client with one allocation per feature and step demand `(hour, users)` on feature 0.
    @discardableResult
    mutating func client(_ id: String, ruc: Int32, ilq: Int32, muc: Int32, steps: [(Int64, Int32)],
                         latency: SimDuration = .zero, expiry: SimInstant = .never, features: [Int] = [0]) -> Int {
        let pattern = spec.demandPatterns.count
        spec.demandPatterns.append(.steps(steps.map { DemandStep(at: .start + .hours($0.0), users: $0.1) }))
        let allocations = features.map { feature in
            ClientAllocationSpec(feature: feature, allocation: Allocation(reserved: ruc, quantum: ilq, maximum: muc),
                                 demand: feature == features[0] ? DemandSpec(pattern: pattern) : nil)
        }
        spec.clients.append(ClientSpec(id: id, server: 0, latency: latency, allocationExpiry: expiry, allocations: allocations))
        return spec.clients.count - 1
    }

    func world(days: Int64 = 3, records: Bool = false) -> FleetWorld {
        var log = ModelLog()
        log.recordsProtocol = records
        log.recordsStates = records
        var world = FleetWorld(spec: spec, horizon: .start + .days(days), records: log)
        world.simulation.checksInvariantsEveryEvent = true
        return world
    }
}

extension FleetWorld {
    /// Runs through an instant (all its events) and returns the slot's state then.
    mutating func slot(_ index: Int, at hours: Double) throws -> SlotState {
        let instant = SimInstant.start + .milliseconds(Int64(hours * 3_600_000))
        try run(until: instant, includingEnd: true)
        model.accountAll(upTo: instant)
        return model.slotStates[index]
    }

    var used: Int32 { model.serverFeatureStates[0].used }
}

extension FleetModel {
    /// R-AUTO-5: whether any client still has auto-leasing to report (a count held, or usage not reconciled).
    var clientsHoldAutoLeased: Bool { clients.contains { $0.holdsAutoLeased } }
}

extension LeasePolicy {
    /// The default policy with auto-leasing off: for tests of what a client does when replies do not come, which
    /// R-AUTO-3 would otherwise answer with an auto-increment.
    static var withoutAutoLeasing: LeasePolicy {
        var policy = LeasePolicy()
        policy.autoLease.enabled = false
        return policy
    }
}

extension ActionSpec {
    /// R-CFG-1, R-CFG-4: the server's allocation of a client's first feature changes at `hours`.
    static func setAllocation(hours: Int64, client: Int, ruc: Int32, ilq: Int32, muc: Int32) -> ActionSpec {
        ActionSpec(at: .start + .hours(hours), change: .setAllocation(
            client: client, feature: 0, allocation: Allocation(reserved: ruc, quantum: ilq, maximum: muc)))
    }
}
