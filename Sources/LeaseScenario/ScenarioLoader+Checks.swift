import LeaseKernel
import LeaseModel

/// Cross-checks between parts of a scenario, actions and expectations.
extension ScenarioLoader {
    /// Installed count of a feature on a server at an instant, from its license calendar.
    func installed(server: Int, feature: Int, at instant: SimInstant) -> Int64 {
        let schedule = capacitySchedules[server]
        var count = Int64(schedule.initial[feature])
        for change in schedule.changes where change.feature == feature && change.at <= instant { count += Int64(change.delta) }
        return count
    }

    /// R-ALLOC-4: the sum of RUC over a server's clients never exceeds its installed count at the start.
    func checkReservedFitsInstalled() throws(ScenarioError) {
        var reserved: [Int: Int64] = [:] // Keyed by server * features + feature; lookups only.
        for (index, client) in spec.clients.enumerated() {
            for entry in client.allocations {
                let key = client.server * spec.features.count + entry.feature
                let sum = reserved[key, default: 0] + Int64(entry.allocation.reserved)
                reserved[key] = sum
                let available = installed(server: client.server, feature: entry.feature, at: .start)
                if sum > available {
                    let field = clientFields[index]
                    let ruc = try (try (try field.object(allowed: ScenarioKeys.client).required("allocations", ""))
                        .object(allowed: spec.features)).required(spec.features[entry.feature], "")
                        .object(allowed: ScenarioKeys.allocation).required("ruc", "")
                    throw ruc.fail("a sum of ruc over the clients of \"\(spec.servers[client.server].id)\" within its \(available) installed \"\(spec.features[entry.feature])\" at the start (R-ALLOC-4)",
                                   found: "\(entry.allocation.reserved), bringing the sum to \(sum)")
                }
            }
        }
    }

    func clientReference(_ object: ObjectField) throws(ScenarioError) -> Int {
        let field = try object.required("client", "a client id")
        let name = try field.nonEmptyString()
        guard let client = clientIndex[name] else { throw field.fail("the id of a client", found: "\"\(name)\"") }
        return client
    }

    /// One scheduled action: a configuration change, pull state, stop or start.
    mutating func action(_ field: Field) throws(ScenarioError) {
        let object = try field.object(allowed: ScenarioKeys.action)
        let at = try instant(try object.required("at", TimeSyntax.instantForm))
        let kindField = try object.required("action", "an action")
        let kinds = ["setAllocation", "deleteClient", "pullState", "stopClient", "startClient"]
        let kind = try kindField.string()
        guard kinds.contains(kind) else { throw kindField.fail("one of \(kinds.map { "\"\($0)\"" }.joined(separator: ", "))") }
        let allowed = kind == "setAllocation" ? ["at", "action", "client", "feature", "ruc", "ilq", "muc"] : ["at", "action", "client"]
        for member in object.members where !allowed.contains(member.key) {
            throw ScenarioError(file: file, position: member.keyPosition, path: object.child(member.key),
                                expected: "only \(allowed.joined(separator: ", ")) in a \"\(kind)\" action", found: "\"\(member.key)\"")
        }
        let client = try clientReference(object)
        let change: ActionSpec.Change
        switch kind {
        case "setAllocation": change = try allocationChange(object, client: client, at: at)
        case "deleteClient": change = .deleteClient(client: client)
        case "pullState": change = .pullState(client: client)
        case "stopClient": change = .stopClient(client: client)
        default: change = .startClient(client: client)
        }
        spec.actions.append(ActionSpec(at: at, change: change))
    }

    /// R-CFG-1, R-CFG-2 with R-ALLOC-2..4 checked at the change's instant.
    func allocationChange(_ object: ObjectField, client: Int, at: SimInstant) throws(ScenarioError) -> ActionSpec.Change {
        let featureField = try object.required("feature", "a feature name")
        let name = try featureField.nonEmptyString()
        guard let feature = featureIndex[name], spec.clients[client].allocations.contains(where: { $0.feature == feature }) else {
            throw featureField.fail("a feature allocated to \"\(spec.clients[client].id)\"", found: "\"\(name)\"")
        }
        let allocation = try allocation(object)
        // R-ALLOC-4 at the instant of the change, with earlier changes applied.
        let server = spec.clients[client].server
        var sum: Int64 = 0
        for (index, other) in spec.clients.enumerated() where other.server == server {
            var current = other.allocations.first { $0.feature == feature }?.allocation.reserved ?? 0
            for action in spec.actions where action.at <= at {
                if case let .setAllocation(changed, changedFeature, changedAllocation) = action.change,
                   changed == index, changedFeature == feature { current = changedAllocation.reserved }
            }
            sum += Int64(index == client ? allocation.reserved : current)
        }
        let available = installed(server: server, feature: feature, at: at)
        guard sum <= available else {
            throw try object.required("ruc", "").fail("a sum of ruc within the \(available) installed at that time (R-ALLOC-4)",
                                                     found: "\(allocation.reserved), bringing the sum to \(sum)")
        }
        return .setAllocation(client: client, feature: feature, allocation: allocation)
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
            (subject, allowed) = (.fleet, Metric.fleetMetrics)
        } else if let client = clientIndex[entity] {
            (subject, allowed) = (.client(client), Metric.clientMetrics)
        } else if let server = serverIndex[entity] {
            (subject, allowed) = (.server(server), Metric.serverMetrics)
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
                throw featureField.fail("a feature allocated to \"\(entity)\"")
            }
            feature = index
        } else if case .client(let client) = subject, spec.clients[client].allocations.count == 1 {
            feature = spec.clients[client].allocations[0].feature
        } else if spec.features.count == 1 {
            feature = 0
        } else if metric == .messagesSent {
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
        var when = ExpectationWhen.end
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
        } else if let atField = object.optional("at") {
            if case .string("end") = atField.node.value {
                when = .end
            } else {
                let at = try instant(atField)
                guard at < .start + duration else { throw atField.fail("an instant before the end of the run (\(duration))") }
                when = .at(at)
            }
        }
        let claim = "\(metric.rawValue) of \(entity) \(comparison.rawValue) \(ExpectationFormat.number(value))"
        let label = try object.optional("name")?.nonEmptyString() ?? claim
        return Expectation(label: label, path: field.path, metric: metric, subject: subject, subjectName: entity,
                           feature: feature, comparison: comparison, value: value, when: when)
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
