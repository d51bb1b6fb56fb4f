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

    init(spec: FleetSpec, keepsClient: [Bool]) {
        let features = spec.features.map { OutputText.csvCell($0) }
        var bytes: [UInt8] = [], starts = [0]
        for (index, client) in spec.clients.enumerated() {
            let id = OutputText.csvCell(client.id)
            for entry in client.allocations {
                if keepsClient[index] { bytes += Array("\(id),client,\(features[entry.feature]),".utf8) }
                starts.append(bytes.count)
            }
        }
        slotPrefixBytes = bytes
        slotPrefixStarts = starts
        let kept = (0..<(starts.count - 1)).filter { starts[$0] < starts[$0 + 1] }.map { Int32($0) }
        keptSlots = kept.count == starts.count - 1 ? nil : kept
        serverFeaturePrefixes = spec.servers.flatMap { server in
            features.map { Array("\(OutputText.csvCell(server.id)),server,\($0),".utf8) }
        }
        fleetPrefixes = features.map { Array("fleet,fleet,\($0),".utf8) }
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
    struct FleetRow {
        var totals: FeatureTotals
        var installed: Int64
        var used: Int64
    }

    let layout: TimelineLayout
    /// `time,seconds,` of the instant.
    let time: [UInt8]
    /// The levels of the kept slots (`layout.keptSlots`, or every slot), in slot order.
    let levels: [SlotLevels]
    /// Kept server features, in order, with installed and used counts.
    var serverFeatures: [(index: Int32, installed: Int32, used: Int32)] = []
    var fleet: [FleetRow] = []

    /// Captures the model's levels at a sample instant (only the entities the layout keeps).
    init(_ model: FleetModel, time: [UInt8], layout: TimelineLayout, keepsServer: [Bool]) {
        self.layout = layout
        self.time = time
        levels = model.slotLevels(of: layout.keptSlots)
        for (index, state) in model.serverFeatureStates.enumerated() where keepsServer[index / model.featureCount] {
            serverFeatures.append((Int32(index), state.installed, state.used))
        }
        for (feature, totals) in model.featureTotals.enumerated() {
            let (installed, used) = model.fleetCapacity(feature: feature)
            fleet.append(FleetRow(totals: totals, installed: installed, used: used))
        }
    }

    func render(into rows: inout CSVBuffer) {
        for (position, level) in levels.enumerated() {
            rows.raw(time)
            rows.raw(layout.slotPrefix(layout.slot(atKept: position)))
            RunWriter.clientCells(&rows, users: level.users, served: min(level.users, level.capacity),
                                  reserved: level.reserved, incremental: level.incremental, serverLeased: level.serverLeased,
                                  capacity: level.capacity,
                                  deniedLogins: level.deniedLogins)
        }
        for server in serverFeatures {
            rows.raw(time)
            rows.raw(layout.serverFeaturePrefixes[Int(server.index)])
            RunWriter.capacityCells(&rows, installed: Int64(server.installed), used: Int64(server.used))
        }
        for (feature, row) in fleet.enumerated() {
            rows.raw(time)
            rows.raw(layout.fleetPrefixes[feature])
            rows.reserve(180)
            rows.integer(row.totals.users); rows.comma()
            rows.integer(row.totals.served); rows.comma()
            rows.integer(row.totals.users - row.totals.served); rows.commas(3)
            rows.integer(row.totals.leased); rows.comma()
            rows.integer(row.used); rows.comma()
            rows.integer(row.totals.leased); rows.comma()
            rows.integer(row.totals.deniedLogins); rows.comma()
            rows.integer(row.installed); rows.comma()
            rows.integer(row.used); rows.comma()
            rows.integer(row.installed - row.used)
            rows.newline()
        }
    }
}
