import Foundation
import LeaseKernel
import LeaseModel

/// Writes a run's timeline.csv, events.csv, summary.json and clients.csv as one set, put in place only at the end (`OutputSet`).
final class RunWriter {
    static let timelineHeader = Quantities.timelineHeader
    static let eventsHeader = "time,seconds,event,client,server,feature,count,expiry,reason,rule,fault\n"

    let scenario: Scenario
    let set: OutputSet
    /// timeline.csv, or with `byRole` the client, server and fleet tables (in that order).
    let timelines: [OutputFile]
    let byRole: Bool
    /// Nil when events.csv is not wanted (`--no-events`).
    let events: OutputFile?
    let summary: OutputFile
    /// One row per client and feature, for planners (written at the end).
    let clients: OutputFile
    let start: Int64
    /// Rows are built here, straight in the files' chunks (one buffer per timeline file).
    var timelineRows: [CSVBuffer]
    var eventRows: CSVBuffer
    /// Per client (and per server): kept by the entity filter?
    let keepsClient: [Bool]
    let keepsServer: [Bool]
    /// Every entity's row prefix, prepared once.
    let layout: TimelineLayout
    /// The time columns of the latest instant written, with the instant.
    var cachedTime = (instant: SimInstant.never, bytes: [UInt8]())
    /// Change rows only: the fleet's sums (started by `startChangeRows`), the instant they are at, the features
    /// whose entities changed then, and each feature's fleet levels as last written.
    var fleetSums = FleetSums()
    var fleetTime = SimInstant.never
    var fleetTouched: [Bool] = []
    var fleetWritten: [Levels] = []

    init(directory: String, scenario: Scenario, entities: EntityFilter, writesEvents: Bool, byRole: Bool = false) throws(OutputError) {
        set = try OutputSet(directory: directory)
        self.scenario = scenario
        start = scenario.spec.startEpochMilliseconds
        keepsClient = scenario.spec.clients.map { entities.keeps($0.id) }
        keepsServer = scenario.spec.servers.map { entities.keeps($0.id) }
        self.byRole = byRole
        layout = TimelineLayout(spec: scenario.spec, keepsClient: keepsClient, byRole: byRole)
        var timelines: [OutputFile] = []
        for role in byRole ? [Role.client, .server, .fleet] : [] {
            let file = try set.createFile(named: Quantities.roleTimelineName(role))
            file.write(Quantities.roleTimelineHeader(role))
            timelines.append(file)
        }
        if !byRole {
            let file = try set.createFile(named: "timeline.csv")
            file.write(RunWriter.timelineHeader)
            timelines.append(file)
        }
        self.timelines = timelines
        events = writesEvents ? try set.createFile(named: "events.csv") : nil
        summary = try set.createFile(named: "summary.json")
        clients = try set.createFile(named: "clients.csv")
        events?.write(RunWriter.eventsHeader)
        timelineRows = timelines.map { CSVBuffer(writingTo: $0) }
        eventRows = events.map { CSVBuffer(writingTo: $0) } ?? CSVBuffer()
    }

    /// `time,seconds,` for an instant, formatted once per instant.
    func timeColumns(_ instant: SimInstant) -> [UInt8] {
        if cachedTime.instant != instant {
            let text = CivilCalendar.iso8601(epochMilliseconds: start + instant.millisecondsSinceStart) + ","
                + OutputText.seconds(milliseconds: instant.millisecondsSinceStart) + ","
            cachedTime = (instant, Array(text.utf8))
        }
        return cachedTime.bytes
    }

    /// Change rows (no `--sample`) follow the fleet from the model's levels now, and write the fleet's rows at its
    /// start.
    func startChangeRows(_ model: FleetModel) {
        fleetSums = FleetSums(model: model)
        fleetTouched = Array(repeating: false, count: model.featureCount)
        fleetWritten = Array(repeating: Levels(), count: model.featureCount)
    }

    /// The fleet's row of each feature whose entities changed at the instant just over, when its levels moved (the
    /// whole fleet's, whatever the entity filter keeps).
    func finishInstant() {
        guard fleetTime != .never else { return }
        let part = byRole ? 2 : 0
        var rows = CSVBuffer.take(&timelineRows[part])
        defer { timelineRows[part] = rows }
        for feature in fleetTouched.indices where fleetTouched[feature] {
            fleetTouched[feature] = false
            guard fleetSums.fleet[feature] != fleetWritten[feature] else { continue }
            fleetWritten[feature] = fleetSums.fleet[feature]
            rows.raw(timeColumns(fleetTime))
            rows.raw(layout.fleetPrefixes[feature])
            rows.cells(layout.fleetCells, fleetSums.fleet[feature])
        }
        fleetTime = .never
    }

    /// One timeline row for a state change, unless the entity filter drops it; the fleet's rows follow its instant.
    func timelineRow(_ record: StateRecord, _ model: FleetModel) {
        if record.time != fleetTime {
            finishInstant()
            fleetTime = record.time
        }
        fleetSums.observe(record)
        fleetTouched[Int(record.feature)] = true
        let part = byRole && record.entity == .server ? 1 : 0
        var rows = CSVBuffer.take(&timelineRows[part])
        defer { timelineRows[part] = rows }
        switch record.entity {
        case .client:
            let slot = Int(record.index)
            guard layout.keeps(slot: slot) else { return }
            rows.raw(timeColumns(record.time))
            rows.raw(layout.slotPrefix(slot))
            rows.cells(layout.clientCells, record.levels)
        case .server:
            guard keepsServer[ServerFeatureID(index: record.index).server(featureCount: model.featureCount)] else { return }
            rows.raw(timeColumns(record.time))
            rows.raw(layout.serverFeaturePrefixes[Int(record.index)])
            rows.cells(layout.serverCells, record.levels)
        }
    }

    /// One row per kept slot, per kept server feature and per fleet feature, at a sample instant.
    ///
    /// The levels are captured now; the rows are formatted and written on the file's writer thread.
    func sampleRows(_ model: FleetModel, at instant: SimInstant) {
        for index in timelineRows.indices { timelineRows[index].finish() } // Rows already built go first.
        var rows = SampleRows(model, time: timeColumns(instant), layout: layout, keepsServer: keepsServer)
        guard byRole else { return timelines[0].write(rows) }
        for (index, role) in [Role.client, .server, .fleet].enumerated() {
            rows.part = .only(role)
            timelines[index].write(rows)
        }
    }

    /// One events.csv row, unless the entity filter drops its client (or its server, for server events).
    func eventRow(_ record: ProtocolRecord, _ model: FleetModel) {
        guard events != nil else { return }
        if record.client >= 0, !keepsClient[Int(record.client)] { return }
        let serverIndex = record.server >= 0 ? Int(record.server) : (record.client >= 0 ? scenario.spec.clients[Int(record.client)].server : -1)
        if record.client < 0, serverIndex >= 0, !keepsServer[serverIndex] { return }
        let client = record.client >= 0 ? OutputText.csvCell(scenario.spec.clients[Int(record.client)].id) : ""
        let server = serverIndex >= 0 ? OutputText.csvCell(scenario.spec.servers[serverIndex].id) : ""
        let feature = record.feature >= 0 ? OutputText.csvCell(scenario.spec.features[Int(record.feature)]) : ""
        let expiry = record.expiry == .never ? "" : CivilCalendar.iso8601(epochMilliseconds: start + record.expiry.millisecondsSinceStart)
        var reason = record.message?.name ?? record.reason.text
        if record.license >= 0 {
            // A server's license, or one installed on the client itself (R-CLIENT-1, R-SUR-1), with why it was refused.
            let sku: String
            if record.server >= 0 && !record.kind.isAboutClientLicense {
                // A server's license, or one it downloaded (numbered after its own, R-DL-1).
                let server = scenario.spec.servers[Int(record.server)], index = Int(record.license)
                sku = index < server.licenses.count ? server.licenses[index].sku : server.vendorLicenses[index - server.licenses.count].license.sku
            } else {
                sku = scenario.spec.clients[Int(record.client)].licenses[Int(record.license)].sku
            }
            reason = record.reason == .none ? sku : sku + ": " + record.reason.text
        }
        let fault = record.fault >= 0 ? OutputText.csvCell(scenario.spec.faults[Int(record.fault)].id) : ""
        var rows = CSVBuffer.take(&eventRows)
        defer { eventRows = rows }
        rows.raw(timeColumns(record.time))
        rows.raw(Array("\(record.kind.name),\(client),\(server),\(feature),\(record.count),\(expiry),\(OutputText.csvCell(reason)),\(record.rule),\(fault)\n".utf8))
    }

    /// Bytes produced so far, over every file, rows still being built included (for the output-size limit).
    var bytesProduced: Int64 {
        timelines.reduce(0) { $0 + $1.bytesProduced } + (events?.bytesProduced ?? 0) + summary.bytesProduced
            + Int64(timelineRows.reduce(0) { $0 + $1.written } + eventRows.written)
    }

    /// Writes the summary (and the report, when asked for) and puts the whole set in place.
    func finish(_ report: RunReport, page: ReportPage.Options? = nil) throws {
        finishInstant()
        for index in timelineRows.indices { timelineRows[index].finish() }
        eventRows.finish()
        summary.write(RunSummary.json(report))
        PlannerFigures.writeClientsCSV(report) { clients.write($0) }
        for file in timelines { try file.close() }
        try events?.close()
        try summary.close()
        try clients.close()
        if let page {
            // Drawn from the files just written, so it shows what they hold; part of the same set.
            let html = try ReportPage.html(directory: set.staging, options: page)
            let file = try set.createFile(named: ReportPage.fileName)
            file.write(html)
            try file.close()
        }
        try set.commit()
    }

    /// The run failed: the output directory gets a set holding only error.txt with `message` (or, if even that
    /// cannot be written, is left as it was).
    func fail(_ message: String) throws(OutputError) {
        for file in timelines { file.abandon() }
        events?.abandon()
        summary.abandon()
        clients.abandon()
        do {
            try set.commitFailure(message)
        } catch {
            set.discard()
            throw error
        }
    }
}
