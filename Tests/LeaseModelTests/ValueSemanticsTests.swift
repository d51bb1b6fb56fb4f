import Testing
import LeaseKernel
@testable import LeaseModel

/// A model copied between runs keeps its own state while the world runs on:
/// the model makes its raw storage unique once per run (`willRun`), not per event.
@Test func aModelCopiedBetweenRunsKeepsItsOwnState() throws {
    var builder = WorldBuilder(installed: 160)
    builder.client("a", ruc: 50, ilq: 25, muc: 150, steps: [(0, 40), (1, 140)])
    var world = builder.world()
    try world.run(until: .start + .minutes(30))
    let snapshot = world.model
    #expect(snapshot.slotStates[0].held == 50)
    try world.run(until: .start + .hours(2))
    // The run granted an increment (and sent messages) after the snapshot was taken.
    #expect(world.model.slotStates[0].held == 150)
    #expect(world.model.serverFeatureStates[0].used == 150)
    #expect(snapshot.slotStates[0].held == 50)
    #expect(snapshot.serverFeatureStates[0].used == 50)
    #expect(snapshot.counters.incrementRequests == 0)
}
