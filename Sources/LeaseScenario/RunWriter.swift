import Foundation
import LeaseKernel
import LeaseModel

/// Writes a run's timeline.csv, events.csv and summary.json, all renamed into place only at the end.
final class RunWriter {
    static let timelineHeader = "time,seconds,entity,role,feature,users,served,reserved,incremental,leased,capacity,denied_logins,installed,used,free\n"
    static let eventsHeader = "time,seconds,event,client,server,feature,count,expiry,reason,rule\n"

    let directory: String
    let scenario: Scenario
    let timeline: OutputFile
    let events: OutputFile
    let summary: OutputFile
    let start: Int64

    init(directory: String, scenario: Scenario, sampled: Bool) throws {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw OutputError(path: directory, reason: "cannot create the directory")
            }
        } else if !isDirectory.boolValue {
            throw OutputError(path: directory, reason: "not a directory")
        }
        self.directory = directory
        self.scenario = scenario
        start = scenario.spec.startEpochMilliseconds
        timeline = try OutputFile(path: directory + "/timeline.csv")
        events = try OutputFile(path: directory + "/events.csv")
        summary = try OutputFile(path: directory + "/summary.json")
        timeline.write(RunWriter.timelineHeader)
        events.write(RunWriter.eventsHeader)
    }

    func timeColumns(_ instant: SimInstant) -> String {
        CivilCalendar.iso8601(epochMilliseconds: start + instant.millisecondsSinceStart) + ","
            + OutputText.seconds(milliseconds: instant.millisecondsSinceStart)
    }

    func timelineRow(_ record: StateRecord, _ model: FleetModel) {
        let feature = OutputText.csvCell(scenario.spec.features[Int(record.feature)])
        switch record.entity {
        case .client:
            let client = OutputText.csvCell(scenario.spec.clients[Int(model.slots[Int(record.index)].client)].id)
            let leased = record.reserved + record.incremental
            timeline.write("\(timeColumns(record.time)),\(client),client,\(feature),\(record.users),\(record.served),\(record.reserved),\(record.incremental),\(leased),\(leased),\(record.deniedLogins),,,\n")
        case .server:
            let server = OutputText.csvCell(scenario.spec.servers[Int(record.index) / model.featureCount].id)
            timeline.write("\(timeColumns(record.time)),\(server),server,\(feature),,,,,,,,\(record.installed),\(record.used),\(record.installed - record.used)\n")
        }
    }

    /// One row per slot, per server feature and per fleet feature, at a sample instant.
    func sampleRows(_ model: FleetModel, at instant: SimInstant) {
        let time = timeColumns(instant)
        for slot in model.slots.indices {
            let state = model.slots[slot]
            let capacity = model.capacity(ofSlot: slot)
            let up = model.isUp(client: Int(state.client))
            let reserved = up ? state.reservedHeld : 0, incremental = up ? state.incrementHeld : 0
            let client = OutputText.csvCell(scenario.spec.clients[Int(state.client)].id)
            let feature = OutputText.csvCell(scenario.spec.features[Int(state.feature)])
            timeline.write("\(time),\(client),client,\(feature),\(state.users),\(min(state.users, capacity)),\(reserved),\(incremental),\(reserved + incremental),\(capacity),\(state.deniedLogins),,,\n")
        }
        for index in model.serverFeatures.indices {
            let state = model.serverFeatures[index]
            let server = OutputText.csvCell(scenario.spec.servers[index / model.featureCount].id)
            let feature = OutputText.csvCell(scenario.spec.features[index % model.featureCount])
            timeline.write("\(time),\(server),server,\(feature),,,,,,,,\(state.installed),\(state.used),\(state.free)\n")
        }
        for (feature, totals) in model.totals.enumerated() {
            var installed: Int64 = 0, used: Int64 = 0
            for server in scenario.spec.servers.indices {
                installed += Int64(model.serverFeatures[server * model.featureCount + feature].installed)
                used += Int64(model.serverFeatures[server * model.featureCount + feature].used)
            }
            let name = OutputText.csvCell(scenario.spec.features[feature])
            timeline.write("\(time),fleet,fleet,\(name),\(totals.users),\(totals.served),,,\(totals.leased),\(totals.leased),\(totals.deniedLogins),\(installed),\(used),\(installed - used)\n")
        }
    }

    func eventRow(_ record: ProtocolRecord, _ model: FleetModel) {
        let client = record.client >= 0 ? OutputText.csvCell(scenario.spec.clients[Int(record.client)].id) : ""
        let serverIndex = record.server >= 0 ? Int(record.server) : (record.client >= 0 ? scenario.spec.clients[Int(record.client)].server : -1)
        let server = serverIndex >= 0 ? OutputText.csvCell(scenario.spec.servers[serverIndex].id) : ""
        let feature = record.feature >= 0 ? OutputText.csvCell(scenario.spec.features[Int(record.feature)]) : ""
        let expiry = record.expiry == .never ? "" : CivilCalendar.iso8601(epochMilliseconds: start + record.expiry.millisecondsSinceStart)
        var reason = record.reason.text
        if record.license >= 0, serverIndex >= 0 { reason = scenario.spec.servers[serverIndex].licenses[Int(record.license)].sku }
        events.write("\(timeColumns(record.time)),\(record.kind.name),\(client),\(server),\(feature),\(record.count),\(expiry),\(OutputText.csvCell(reason)),\(record.rule)\n")
    }

    func finish(_ report: RunReport) throws {
        summary.write(RunSummary.json(report))
        do {
            try timeline.commit()
            try events.commit()
            try summary.commit()
        } catch {
            throw OutputError(path: directory, reason: "\(error)")
        }
    }

    func discard() {
        timeline.discard()
        events.discard()
        summary.discard()
    }
}
