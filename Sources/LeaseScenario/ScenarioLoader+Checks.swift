import LeaseKernel
import LeaseModel

/// Cross-checks between parts of a scenario, actions and expectations; each is one pass, linear in the scenario.
extension ScenarioLoader {
    /// R-ALLOC-4: the sum of RUC over a server's clients never exceeds its installed count at the start.
    func checkReservedFitsInstalled() throws(ScenarioError) {
        var reserved: [Int: Int64] = [:] // Keyed by server * features + feature; lookups only.
        for (index, client) in spec.clients.enumerated() {
            for entry in client.allocations {
                let (server, available) = allocationPool(ofServer: client.server, feature: entry.feature) // R-HA-5
                let key = ServerFeatureID(server: server, feature: entry.feature, featureCount: spec.features.count).offset
                let sum = reserved[key, default: 0] + Int64(entry.allocation.reserved)
                reserved[key] = sum
                if sum > available {
                    let field = clientFields[Int(clientDeclaration[index])]
                    let ruc = try (try (try field.object(allowed: ScenarioKeys.client).required("allocations", ""))
                        .object(allowed: spec.features)).required(spec.features[entry.feature], "")
                        .object(allowed: ScenarioKeys.allocation).required("ruc", "")
                    throw ruc.fail("a sum of ruc over the clients of \(Excerpt.quoted(spec.pair(ofServer: client.server).map { spec.haPairs[$0].id } ?? spec.servers[client.server].id)) within its \(available) installed \(Excerpt.quoted(spec.features[entry.feature])) at the start (R-ALLOC-4)",
                                   found: "\(entry.allocation.reserved), bringing the sum to \(sum)")
                }
            }
        }
    }

    func clientReference(_ object: ObjectField) throws(ScenarioError) -> Int {
        let field = try object.required("client", "a client id")
        guard let client = clientIndex[try field.nonEmptyString()] else { throw field.fail("the id of a client") }
        return client
    }

    /// The actions, in time order (equal instants keep file order), with R-ALLOC-4 checked at each change.
    mutating func actions(_ list: Field) throws(ScenarioError) {
        var parsed: [(action: ActionSpec, object: ObjectField)] = []
        for entry in try list.array() where !LicenseAction.isOne(entry) { parsed.append(try action(entry)) }
        let order = parsed.indices.sorted { (parsed[$0].action.at, $0) < (parsed[$1].action.at, $1) }
        try checkAllocationChanges(order.map { parsed[$0] })
        try checkSurrenderedCounts(order.map { parsed[$0] })
        spec.actions = order.map { parsed[$0].action }
        for action in spec.actions {
            // R-HA-4: a pair switched to active/active with its nodes too far apart is flagged, once.
            guard case let .setHAMode(pair, .activeActive) = action.change, spec.haPairs[pair].linkLatency >= HAPolicy.maxActiveActiveLatency,
                  spec.haPairs[pair].mode == .activePassive else { continue }
            let flag = "R-HA-4: pair \(Excerpt.quoted(spec.haPairs[pair].id)) turns active/active with \(spec.haPairs[pair].linkLatency) between its nodes (under \(HAPolicy.maxActiveActiveLatency) is needed)"
            if !flags.contains(flag) { flags.append(flag) }
        }
    }

    /// R-SUR-2: a server's licenses of a feature and every license that may be surrendered to it (each once) add up
    /// to at most `ScenarioLimits.maxInstalledPerFeature`, so its installed count stays inside Int32 whatever happens.
    func checkSurrenderedCounts(_ actions: [(action: ActionSpec, object: ObjectField)]) throws(ScenarioError) {
        // Lookups only: installed by server * features + feature; licenses counted by client << 32 | license.
        var installed: [Int: Int64] = [:], counted = Set<Int64>()
        for (action, object) in actions {
            guard case let .surrenderLicense(client, license) = action.change,
                  counted.insert(Int64(client) << 32 | Int64(license)).inserted else { continue }
            let server = spec.clients[client].server, own = spec.clients[client].licenses[license]
            let key = ServerFeatureID(server: server, feature: own.feature, featureCount: spec.features.count).offset
            // R-HA-5: a pair's client surrenders to the pair; its nodes' licenses and what is surrendered to it count
            // together, within twice the bound of one server (either node may count them all).
            let nodes = spec.pair(ofServer: server).map { spec.haPairs[$0].nodes } ?? [server]
            let given = nodes.flatMap { spec.servers[$0].licenses + spec.servers[$0].vendorLicenses.map(\.license) }
            let sum = (installed[key] ?? given.reduce(Int64(0)) { $0 + ($1.feature == own.feature ? Int64($1.count) : 0) })
                + Int64(own.count)
            installed[key] = sum
            let limit = ScenarioLimits.maxInstalledPerFeature * Int64(nodes.count)
            guard sum <= limit else {
                let name = spec.pair(ofServer: server).map { spec.haPairs[$0].id } ?? spec.servers[server].id
                throw try object.required("sku", "").fail("licenses of \(Excerpt.quoted(spec.features[own.feature])) on \(Excerpt.quoted(name)) and surrendered to it adding up to at most \(limit) (R-SUR-2)",
                                                          found: "\(Excerpt.quoted(own.sku)), bringing the sum to \(sum)")
            }
        }
    }

    /// One scheduled action: a configuration change, pull state, stop or start, before the end of the run.
    func action(_ field: Field) throws(ScenarioError) -> (action: ActionSpec, object: ObjectField) {
        let object = try field.object(allowed: ScenarioKeys.action)
        let at = try instantInRun(try object.required("at", TimeSyntax.instantForm))
        let kindField = try object.required("action", "an action")
        let kinds = ["setAllocation", "deleteClient", "pullState", "stopClient", "startClient", "surrenderLicense", "recallLicense",
                     "reinstallLicenses", "setHAMode"] + LicenseAction.kinds
        let kind = try kindField.string()
        guard kinds.contains(kind) else { throw kindField.fail("one of \(kinds.map { "\"\($0)\"" }.joined(separator: ", "))") }
        let keys = kind == "setAllocation" ? ScenarioKeys.action : kind.hasSuffix("License") ? ["at", "action", "client", "sku"] : ["at", "action", "client"]
        if kind == "setHAMode" { return (try haModeAction(object, at: at), object) } // R-HA-5
        if kind == "reinstallLicenses" {
            // R-VLS-3: on a virtual license server restored from a backup.
            try object.onlyKeys(["at", "action", "server"], in: "a \"reinstallLicenses\" action")
            let server = try serverReference(object)
            guard spec.servers[server].restoredAt != nil else {
                throw try object.required("server", "").fail("a \"vls\" server with \"restoredAt\" (R-VLS-3)")
            }
            return (ActionSpec(at: at, change: .reinstallLicenses(server: server)), object)
        }
        try object.onlyKeys(keys, in: "a \"\(kind)\" action")
        let client = try clientReference(object)
        let change: ActionSpec.Change
        switch kind {
        case "setAllocation":
            let featureField = try object.required("feature", "a feature name")
            guard let feature = featureIndex[try featureField.nonEmptyString()],
                  spec.clients[client].allocations.contains(where: { $0.feature == feature }) else {
                throw featureField.fail("a feature allocated to \(Excerpt.quoted(spec.clients[client].id))")
            }
            change = .setAllocation(client: client, feature: feature, allocation: try allocation(object))
        case "deleteClient": change = .deleteClient(client: client)
        case "pullState": change = .pullState(client: client)
        case "stopClient": change = .stopClient(client: client)
        case "surrenderLicense", "recallLicense":
            // R-SUR-1, R-SUR-3: one of the client's own licenses, by SKU (whether it may go is decided at the client).
            let skuField = try object.required("sku", "the SKU of one of the client's licenses")
            let sku = try skuField.nonEmptyString()
            guard let license = spec.clients[client].licenses.firstIndex(where: { $0.sku == sku }) else {
                throw skuField.fail("the SKU of a license installed on \(Excerpt.quoted(spec.clients[client].id)) (its \"licenses\")")
            }
            // R-SUR-1: only perpetual concurrent-user and meeting-user licenses are ever surrendered.
            let own = spec.clients[client].licenses[license]
            if kind == "surrenderLicense" && (own.kind != .perpetual || !spec.traits(of: own.feature).surrenderable) {
                let what = own.kind != .perpetual ? "\(own.kind == .evaluation || own.kind == .ice ? "an" : "a") \(own.kind.rawValue) license" : "a license of \(Excerpt.quoted(spec.features[own.feature])), which is not a concurrent-user or meeting-user feature (its \"features\" kind)"
                throw skuField.fail("the SKU of a perpetual concurrent-user or meeting-user license (R-SUR-1: RDP, feature and duration-based licenses cannot be surrendered)",
                                    found: "\(Excerpt.quoted(sku)), \(what)")
            }
            change = kind == "surrenderLicense" ? .surrenderLicense(client: client, license: license) : .recallLicense(client: client, license: license)
        default: change = .startClient(client: client)
        }
        return (ActionSpec(at: at, change: change), object)
    }

    /// R-CFG-1, R-CFG-2, R-ALLOC-4: at each allocation change, in time order with earlier changes applied, the sum
    /// of RUC over the server's configured clients fits what is installed then. A deleted client's RUC no longer
    /// counts (R-CFG-3), and a deleted client's allocation cannot change.
    func checkAllocationChanges(_ actions: [(action: ActionSpec, object: ObjectField)]) throws(ScenarioError) {
        guard actions.contains(where: { if case .setAllocation = $0.action.change { return true }; return false }) else { return }
        let features = spec.features.count
        var reserved = [Int64](repeating: 0, count: spec.servers.count * features)
        var current: [Int: Int32] = [:] // RUC now, by client * features + feature; lookups only.
        var deleted = Set<Int>()
        // R-HA-5: a pair's clients count against its cluster license, kept at its first node.
        let home = { (server: Int) in self.allocationPool(ofServer: server, feature: 0).server }
        for (index, client) in spec.clients.enumerated() {
            for entry in client.allocations {
                reserved[home(client.server) * features + entry.feature] += Int64(entry.allocation.reserved)
                current[index * features + entry.feature] = entry.allocation.reserved
            }
        }
        // Installed counts now, moved forward through each server's license calendar as the actions go.
        var installed = [Int64](repeating: 0, count: spec.servers.count * features)
        var cursor = [Int](repeating: 0, count: spec.servers.count)
        for server in spec.servers.indices {
            for feature in 0..<features { installed[server * features + feature] = Int64(capacitySchedules[server].initial[feature]) }
        }
        for (action, object) in actions {
            switch action.change {
            case .deleteClient(let client):
                guard deleted.insert(client).inserted else { continue }
                for entry in spec.clients[client].allocations {
                    reserved[home(spec.clients[client].server) * features + entry.feature] -= Int64(current[client * features + entry.feature] ?? 0)
                }
            case let .setAllocation(client, feature, allocation):
                guard !deleted.contains(client) else {
                    throw try object.required("client", "").fail("a client whose configuration was not deleted before \(action.at) (R-CFG-3)")
                }
                let server = home(spec.clients[client].server), key = server * features + feature
                // Each node's calendar moves forward; a pair's count is both nodes' (R-HA-5).
                let nodes = spec.pair(ofServer: server).map { spec.haPairs[$0].nodes } ?? [server]
                for node in nodes {
                    let changes = capacitySchedules[node].changes
                    while cursor[node] < changes.count && changes[cursor[node]].at <= action.at {
                        installed[node * features + changes[cursor[node]].feature] += Int64(changes[cursor[node]].delta)
                        cursor[node] += 1
                    }
                }
                let available = nodes.reduce(Int64(0)) { $0 + installed[$1 * features + feature] }
                let sum = reserved[key] - Int64(current[client * features + feature] ?? 0) + Int64(allocation.reserved)
                guard sum <= available else {
                    throw try object.required("ruc", "").fail("a sum of ruc within the \(available) installed at that time (R-ALLOC-4)",
                                                             found: "\(allocation.reserved), bringing the sum to \(sum)")
                }
                reserved[key] = sum
                current[client * features + feature] = allocation.reserved
            default: continue
            }
        }
    }

    /// An expectation: metric, subject, feature, comparison, value, and when it is judged.
    func expectation(_ field: Field) throws(ScenarioError) -> Expectation {
        let object = try field.object(allowed: ScenarioKeys.expectation)
        let metricField = try object.required("metric", "a metric")
        guard let metric = Metric(rawValue: try metricField.string()) else {
            throw metricField.fail("one of \(Metric.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let entityField = try object.required("entity", "a client id, a server id or \"fleet\"")
        let entity = try entityField.nonEmptyString()
        let subject: MetricSubject
        let allowed: [Metric]
        if entity == "fleet" {
            (subject, allowed) = (.fleet, Quantities.metrics(of: .fleet))
        } else if let client = clientIndex[entity] {
            (subject, allowed) = (.client(client), Quantities.metrics(of: .client))
        } else if let server = serverIndex[entity] {
            (subject, allowed) = (.server(server), Quantities.metrics(of: .server))
        } else {
            throw entityField.fail("a client id, a server id or \"fleet\"")
        }
        guard allowed.contains(metric) else {
            throw metricField.fail("a metric of this entity: \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
        let feature: Int
        if let featureField = object.optional("feature") {
            let name = try featureField.nonEmptyString()
            guard let index = featureIndex[name] else { throw featureField.fail("a feature of the scenario") }
            if case .client(let client) = subject, !spec.clients[client].allocations.contains(where: { $0.feature == index }) {
                throw featureField.fail("a feature allocated to \(Excerpt.quoted(entity))")
            }
            feature = index
        } else if case .client(let client) = subject, spec.clients[client].allocations.count == 1 {
            feature = spec.clients[client].allocations[0].feature
        } else if spec.features.count == 1 {
            feature = 0
        } else if metric.isFleetCount {
            feature = 0
        } else {
            throw try object.required("feature", "a feature name (the scenario has several)")
                .fail("a feature name (the scenario has several)")
        }
        let opField = try object.required("op", "a comparison")
        guard let comparison = Comparison(rawValue: try opField.string()) else {
            throw opField.fail("one of \(Comparison.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        let value = try object.required("value", "a number").number()
        var tolerance = 0.0
        if let within = object.optional("within") {
            guard comparison == .equal else { throw within.fail("no \"within\" with op \"\(comparison.rawValue)\" (a tolerance is for ==)", found: "\"within\"") }
            tolerance = try within.number()
            guard tolerance >= 0 else { throw within.fail("a tolerance of at least 0") }
        }
        var when = ExpectationWhen.end, window: Range<SimInstant>? = nil
        if let holds = object.optional("holds") {
            if let at = object.optional("at") { throw at.fail("either \"at\" or \"holds\", not both") }
            switch try holds.string() {
            case "always": when = .always
            case "never": when = .never
            default: throw holds.fail("\"always\" or \"never\"")
            }
            guard metric.isInstantaneous else {
                throw metricField.fail("an instantaneous metric with \"holds\": \(Metric.allCases.filter(\.isInstantaneous).map(\.rawValue).joined(separator: ", "))")
            }
            let from = object.optional("from"), until = object.optional("until")
            if from != nil || until != nil {
                let start = try from.map { field throws(ScenarioError) in try instantInRun(field) } ?? .start
                let end = try until.map { field throws(ScenarioError) in
                    let at = try instant(field)
                    guard at <= .start + duration else { throw field.fail("an instant no later than the end of the run (\(duration))") }
                    return at
                } ?? .start + duration
                guard start < end else { throw (until ?? from)!.fail("\"until\" after \"from\"") }
                window = start..<end
            }
        } else if let stray = object.optional("from") ?? object.optional("until") {
            throw stray.fail("\"from\" and \"until\" only with \"holds\"")
        }
        if when == .end, let atField = object.optional("at") {
            if case .string("end") = atField.node.value {
                when = .end
            } else {
                when = .at(try instantInRun(atField))
            }
        }
        let within = tolerance > 0 ? " within \(ExpectationFormat.number(tolerance))" : ""
        let claim = "\(metric.rawValue) of \(entity) \(comparison.rawValue) \(ExpectationFormat.number(value))\(within)"
        let label = try object.optional("name")?.nonEmptyString() ?? claim
        var expectation = Expectation(label: label, path: field.path, metric: metric, subject: subject, subjectName: entity,
                                      feature: feature, comparison: comparison, value: value, when: when)
        expectation.tolerance = tolerance
        expectation.window = window
        return expectation
    }
}

/// Number formatting shared by reports: integers without a decimal point, others with up to 6 decimals.
public enum ExpectationFormat {
    public static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(value)
        if text.contains("e") { return text }
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
