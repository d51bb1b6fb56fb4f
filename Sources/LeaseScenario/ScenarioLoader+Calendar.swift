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
                if let installed = try field.object(allowed: ScenarioKeys.license).optional("installedAt") {
                    throw installed.fail("no installedAt in an installLicense action (it is installed at the action's \"at\")")
                }
                var license = try self.license(field, among: spec.servers[server].licenses)
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
    /// license; else while its subscriptions cover it, stacked back to back from the first one's start date, at most
    /// `maxServerSubscriptionYears` in all; never without one.
    func serverLicenses(_ field: Field?) throws(ScenarioError) -> [Range<SimInstant>] {
        guard let field else { return [] }
        var perpetual = false, years: Int64 = 0, startDay: Int64? = nil
        for entry in try field.array() {
            let object = try entry.object(allowed: ScenarioKeys.serverLicense)
            _ = try object.required("sku", "a SKU").nonEmptyString()
            let typeField = try object.required("type", "\"perpetual\" or \"subscription\"")
            switch try typeField.string() {
            case "perpetual":
                try object.onlyKeys(["sku", "type"], in: "a perpetual license-server license")
                perpetual = true
            case "subscription":
                let yearsField = try object.required("years", "a number of years")
                let count = try yearsField.integer(in: 1...ScenarioLimits.maxServerSubscriptionYears, what: "a number of years")
                guard years + count <= ScenarioLimits.maxServerSubscriptionYears else {
                    throw yearsField.fail("license-server subscriptions stacking up to at most \(ScenarioLimits.maxServerSubscriptionYears) years (R-LIC-7)",
                                          found: "\(count), bringing the stack to \(years + count) years")
                }
                years += count
                if let start = object.optional("start") {
                    guard startDay == nil else { throw start.fail("no start date on a stacked subscription (it follows the one before)") }
                    startDay = try date(start)
                } else if startDay == nil {
                    _ = try object.required("start", "a start date \"YYYY-MM-DD\" on the first license-server subscription")
                }
            default: throw typeField.fail("\"perpetual\" or \"subscription\"")
            }
        }
        if perpetual { return [SimInstant.start..<SimInstant.never] }
        guard let startDay, years > 0 else { return [] }
        let start = max(instant(epochDay: startDay), .start), end = instant(epochDay: CivilCalendar.adding(years: years, toDay: startDay))
        return start < end ? [start..<end] : []
    }
}
