import LeaseModel

/// The fixed parts of timeline rows: each entity's `id,role,feature,` prefix, prepared once per run.
///
/// Immutable after `init`, so the run's thread and the writer's thread may both read it.
final class TimelineLayout: Sendable {
    /// `id,client,feature,` of every slot, back to back (empty for a slot the filter drops).
    let slotPrefixBytes: [UInt8]
    /// Where each slot's prefix starts in `slotPrefixBytes` (one more entry than slots).
    let slotPrefixStarts: [Int]
    /// `id,server,feature,` of each server feature.
    let serverFeaturePrefixes: [[UInt8]]
    /// `fleet,fleet,feature,` of each feature.
    let fleetPrefixes: [[UInt8]]
    /// The slots whose rows are kept, in order; nil when every slot's are.
    let keptSlots: [Int32]?
    /// A table per role (`--timeline by-role`): prefixes without the role (and the fleet's without the entity),
    /// and each role's own cells.
    let byRole: Bool
    let clientCells: CellPlan, serverCells: CellPlan, fleetCells: CellPlan

    init(spec: FleetSpec, keepsClient: [Bool], byRole: Bool = false) {
        self.byRole = byRole
        (clientCells, serverCells, fleetCells) = byRole ? (Quantities.roleCells(.client), Quantities.roleCells(.server), Quantities.roleCells(.fleet))
            : (Quantities.clientCells, Quantities.serverCells, Quantities.fleetCells)
        let clientRole = byRole ? "" : "client,", serverRole = byRole ? "" : "server,"
        let features = spec.features.map { OutputText.csvCell($0) }
        var bytes: [UInt8] = [], starts = [0]
        for (index, client) in spec.clients.enumerated() {
            let id = OutputText.csvCell(client.id)
            for entry in client.allocations {
                if keepsClient[index] { bytes += Array("\(id),\(clientRole)\(features[entry.feature]),".utf8) }
                starts.append(bytes.count)
            }
        }
        slotPrefixBytes = bytes
        slotPrefixStarts = starts
        let kept = (0..<(starts.count - 1)).filter { starts[$0] < starts[$0 + 1] }.map { Int32($0) }
        keptSlots = kept.count == starts.count - 1 ? nil : kept
        serverFeaturePrefixes = spec.servers.flatMap { server in
            features.map { Array("\(OutputText.csvCell(server.id)),\(serverRole)\($0),".utf8) }
        }
        fleetPrefixes = features.map { Array((byRole ? "\($0)," : "fleet,fleet,\($0),").utf8) }
    }

    /// Whether the slot's rows are kept.
    func keeps(slot: Int) -> Bool { slotPrefixStarts[slot] < slotPrefixStarts[slot + 1] }

    /// The slot at a position of `keptSlots` (of every slot, when all are kept).
    func slot(atKept position: Int) -> Int { keptSlots.map { Int($0[position]) } ?? position }

    func slotPrefix(_ slot: Int) -> ArraySlice<UInt8> {
        slotPrefixBytes[slotPrefixStarts[slot]..<slotPrefixStarts[slot + 1]]
    }
}

/// One sample instant's timeline rows: levels captured on the run's thread, formatted on the writer's.
struct SampleRows: ChunkRenderer {
    /// Which rows it writes: every role's (one timeline), or one role's (`--timeline by-role`).
    enum Part: Sendable { case all, only(Role) }
    var part = Part.all
    let layout: TimelineLayout
    /// `time,seconds,` of the instant.
    let time: [UInt8]
    /// The levels of the kept slots (`layout.keptSlots`, or every slot), in slot order.
    var levels: [Levels] = []
    /// Kept server features, in order, with their levels.
    var serverFeatures: [(index: Int, levels: Levels)] = []
    /// Each feature's fleet levels.
    var fleet: [Levels] = []

    /// Captures the model's levels at a sample instant (only the entities the layout keeps).
    init(_ model: FleetModel, time: [UInt8], layout: TimelineLayout, keepsServer: [Bool]) {
        self.layout = layout
        self.time = time
        levels = model.levels(ofSlots: layout.keptSlots)
        for index in model.serverFeatureStates.indices where keepsServer[ServerFeatureID(index: Int32(index)).server(featureCount: model.featureCount)] {
            let state = model.serverFeatureStates[index]
            serverFeatures.append((index, Levels(pool: state)))
        }
        fleet = (0..<model.featureCount).map { model.fleetLevels(feature: $0) }
    }

    func writes(_ role: Role) -> Bool {
        if case .only(let only) = part { return only == role }
        return true
    }

    func render(into rows: inout CSVBuffer) {
        let clientCells = layout.clientCells, serverCells = layout.serverCells, fleetCells = layout.fleetCells
        for (position, level) in levels.enumerated() where writes(.client) {
            rows.raw(time)
            rows.raw(layout.slotPrefix(layout.slot(atKept: position)))
            rows.cells(clientCells, level)
        }
        for server in serverFeatures where writes(.server) {
            rows.raw(time)
            rows.raw(layout.serverFeaturePrefixes[server.index])
            rows.cells(serverCells, server.levels)
        }
        for (feature, level) in fleet.enumerated() where writes(.fleet) {
            rows.raw(time)
            rows.raw(layout.fleetPrefixes[feature])
            rows.cells(fleetCells, level)
        }
    }
}
