import Testing
import LeaseKernel
@testable import LeaseModel

@Test func smoke() throws {
    var spec = FleetSpec()
    spec.features = ["users"]
    spec.servers = [ServerSpec(id: "s", licenses: [License(sku: "A", feature: 0, kind: .perpetual, count: 200)])]
    spec.demandPatterns = [.steps([DemandStep(at: .start, users: 40), DemandStep(at: .start + .hours(1), users: 90)])]
    spec.clients = [ClientSpec(id: "c", server: 0, allocations: [ClientAllocationSpec(feature: 0, allocation: Allocation(reserved: 50, quantum: 25, maximum: 150), demand: DemandSpec(pattern: 0))])]
    var world = FleetWorld(spec: spec, horizon: .start + .days(2))
    world.simulation.checksInvariantsEveryEvent = true
    try world.run(until: .start + .days(2))
    print(world.model.slots[0], world.model.serverFeatures[0], world.model.counters)
}
