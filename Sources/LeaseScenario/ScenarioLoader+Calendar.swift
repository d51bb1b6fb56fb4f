import LeaseKernel
import LeaseModel

/// The actions that change what a server has installed: they become part of its license calendar before the run.
enum LicenseAction {
    static let kinds = ["installLicense", "removeLicense", "activateICE", "deactivateICE"]

    /// Whether an entry of `actions` is one of these (anything malformed is left for `ScenarioLoader.action`).
    static func isOne(_ field: Field) -> Bool {
        guard case .object(let members) = field.node.value,
              let kind = members.first(where: { $0.key == "action" }), case .string(let name) = kind.value.value else { return false }
        return kinds.contains(name)
    }
}

/// The license calendar: licenses installed and removed on the schedule, ICE licenses switched on and off
/// (R-LIC-5), and a hardware server's own license-server licenses (R-LIC-7, R-LIC-8).
extension ScenarioLoader {
    /// Applies the license actions, in time order (equal instants keep file order), to the servers' licenses.
    mutating func licenseActions(_ list: Field) throws(ScenarioError) {
        var entries: [(at: SimInstant, object: ObjectField, kind: String)] = []
        for entry in try list.array() where LicenseAction.isOne(entry) {
            let object = try entry.object(allowed: ScenarioKeys.action)
            let kind = try object.required("action", "an action").string()
            try object.onlyKeys(kind == "installLicense" ? ["at", "action", "server", "license"] : ["at", "action", "server", "sku"],
                                in: "a \"\(kind)\" action")
            entries.append((try instantInRun(try object.required("at", TimeSyntax.instantForm)), object, kind))
        }
        let order = entries.indices.sorted { (entries[$0].at, $0) < (entries[$1].at, $1) }
        var on: [String: SimInstant] = [:] // ICE licenses switched on, by server and index; lookups only.
        for index in order {
            let (at, object, kind) = entries[index]
            let server = try serverReference(object)
            switch kind {
            case "installLicense":
                let field = try object.required("license", "a license")
                zone = serverZones[server] // R-LIC-3
                defer { zone = nil }
                if let installed = try field.object(allowed: ScenarioKeys.license).optional("installedAt") {
                    throw installed.fail("no installedAt in an installLicense action (it is installed at the action's \"at\")")
                }
                var license = try self.license(field, among: spec.servers[server].licenses)
                if spec.servers[server].vls { try checkVLSLicense(license, try field.object(allowed: ScenarioKeys.license)) } // R-VLS-4
                license.installedAt = at
                spec.servers[server].licenses.append(license)
            case "removeLicense":
                let license = try installedLicense(object, server: server, at: at)
                spec.servers[server].licenses[license].removedAt = at
                if let since = on.removeValue(forKey: "\(server)/\(license)") {
                    spec.servers[server].licenses[license].activations.append(since..<at)
                }
            default:
                let license = try installedLicense(object, server: server, at: at)
                let key = "\(server)/\(license)", sku = try object.required("sku", "").nonEmptyString()
                guard spec.servers[server].licenses[license].kind == .ice else {
                    throw try object.required("sku", "").fail("the SKU of an ICE license (type \"ice\") on that server (R-LIC-5)")
                }
                if kind == "activateICE" {
                    guard on[key] == nil else { throw try object.required("action", "").fail("\"deactivateICE\" for \(sku), which is on since \(on[key]!)") }
                    on[key] = at
                } else {
                    guard let since = on.removeValue(forKey: key) else {
                        throw try object.required("action", "").fail("\"activateICE\" first: \(sku) is not on")
                    }
                    spec.servers[server].licenses[license].activations.append(since..<at)
                }
            }
        }
        // ICE licenses still on at the end of the schedule stay on (until their period is used up).
        for (key, since) in on.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: "/").compactMap { Int($0) }
            spec.servers[parts[0]].licenses[parts[1]].activations.append(since..<SimInstant.never)
        }
    }

    /// The server an action names.
    func serverReference(_ object: ObjectField) throws(ScenarioError) -> Int {
        let field = try object.required("server", "a server id")
        guard let server = serverIndex[try field.nonEmptyString()] else { throw field.fail("the id of a server") }
        return server
    }

    /// The license of a SKU installed on the server at an instant and not removed: the first listed.
    func installedLicense(_ object: ObjectField, server: Int, at: SimInstant) throws(ScenarioError) -> Int {
        let field = try object.required("sku", "a SKU")
        let sku = try field.nonEmptyString()
        let licenses = spec.servers[server].licenses
        guard let index = licenses.indices.first(where: {
            licenses[$0].sku == sku && licenses[$0].installedAt <= at && licenses[$0].removedAt == .never
        }) else {
            throw field.fail("the SKU of a license installed on \(Excerpt.quoted(spec.servers[server].id)) at \(at) and not removed")
        }
        return index
    }

    /// R-LIC-7, R-LIC-8: when a hardware server may serve: for ever from the start with a perpetual license-server
    /// license; else while its subscriptions cover it; never without one.
    ///
    /// Each subscription is added on its `start` date, or with the one before it when it has none; it extends the
    /// coverage from where it ends (or from the day it is added, after a gap) by its years. The stack left at any
    /// one time may reach `maxServerSubscriptionYears` (1YR + 2YR = 3 years; more is rejected), so yearly
    /// subscriptions added one after another cover a server for as long as they go on.
    /// A virtual license server's (`vls`) are subscriptions only (R-VLS-4: VM subscription licenses).
    func serverLicenses(_ field: Field?, vls: Bool) throws(ScenarioError) -> [Range<SimInstant>] {
        guard let field else { return [] }
        var perpetual = false, spans: [(from: Int64, until: Int64)] = [], added: Int64? = nil
        let limit = ScenarioLimits.maxServerSubscriptionYears
        for entry in try field.array() {
            let object = try entry.object(allowed: ScenarioKeys.serverLicense)
            _ = try object.required("sku", "a SKU").nonEmptyString()
            let typeField = try object.required("type", "\"perpetual\" or \"subscription\"")
            switch try typeField.string() {
            case "perpetual" where vls:
                throw typeField.fail("\"subscription\" for a virtual license server's license-server license (R-VLS-4: VM subscription licenses)",
                                     found: "\"perpetual\"")
            case "perpetual":
                try object.onlyKeys(["sku", "type"], in: "a perpetual license-server license")
                perpetual = true
            case "subscription":
                let yearsField = try object.required("years", "a number of years")
                let years = try yearsField.integer(in: 1...limit, what: "a number of years")
                if let start = object.optional("start") {
                    let day = try date(start)
                    if let added, day < added {
                        throw start.fail("a start date on or after the one before (\(TimeSyntax.dateText(epochDay: added)))")
                    }
                    added = day
                } else if added == nil {
                    _ = try object.required("start", "a start date \"YYYY-MM-DD\" on the first license-server subscription")
                }
                let day = added!
                if let last = spans.last, last.until >= day {
                    spans[spans.count - 1].until = CivilCalendar.adding(years: years, toDay: last.until)
                } else {
                    spans.append((day, CivilCalendar.adding(years: years, toDay: day)))
                }
                guard spans[spans.count - 1].until <= CivilCalendar.adding(years: limit, toDay: day) else {
                    throw yearsField.fail("license-server subscriptions stacking up to at most \(limit) years at any one time (R-LIC-7)",
                                          found: "\(years), bringing the stack on \(TimeSyntax.dateText(epochDay: day)) to the end of \(TimeSyntax.dateText(epochDay: spans[spans.count - 1].until - 1))")
                }
            default: throw typeField.fail("\"perpetual\" or \"subscription\"")
            }
        }
        if perpetual { return [SimInstant.start..<SimInstant.never] }
        return spans.compactMap { span in
            let from = max(instant(epochDay: span.from), .start), until = instant(epochDay: span.until)
            return from < until ? from..<until : nil
        }
    }
}
