import Foundation
import LeaseKernel
import LeaseModel

/// Clients, client groups, allocations and demand.
extension ScenarioLoader {
    /// A client, or a group of `count` identical clients named `group-001`, `group-002`, ...
    mutating func client(_ field: Field, defaultLatency: SimDuration) throws(ScenarioError) {
        let object = try field.object(allowed: ScenarioKeys.client)
        let serverField = try object.required("server", "the id of a server")
        let serverName = try serverField.nonEmptyString()
        guard let server = serverIndex[serverName] else { throw serverField.fail("the id of a server", found: "\"\(serverName)\"") }
        let latency = try object.optional("latency").map { (field) throws(ScenarioError) in try nonNegativeDuration(field) } ?? defaultLatency
        var expiry = SimInstant.never
        if let expiryField = object.optional("expiry") {
            expiry = instant(epochDay: try date(expiryField) + 1) // Valid through its last day.
        }
        let allocationsField = try object.required("allocations", "an object of allocations by feature")
        let allocations = try allocationsObject(allocationsField)
        let demand = try object.optional("demand").map { (field) throws(ScenarioError) in try demandObject(field, allocations: allocations) } ?? [:]
        var memberNames: [String]
        var variation = (scalePerMille: Int64(0), shift: SimDuration.zero)
        if let groupField = object.optional("group") {
            if let id = object.optional("id") { throw id.fail("no id in a group (members are named from \"group\")") }
            let prefix = try groupField.nonEmptyString()
            let count = try object.required("count", "a member count").integer(in: 1...10_000_000, what: "a member count")
            let width = max(3, String(count).count)
            memberNames = (1...count).map { prefix + "-" + String(repeating: "0", count: width - String($0).count) + String($0) }
            if let variationField = object.optional("variation") { variation = try self.variation(variationField) }
        } else {
            if let count = object.optional("count") { throw count.fail("no count outside a group") }
            if let variationField = object.optional("variation") { throw variationField.fail("no variation outside a group") }
            memberNames = [try object.required("id", "a client id (or \"group\" and \"count\")").nonEmptyString()]
        }
        for name in memberNames {
            guard clientIndex[name] == nil, serverIndex[name] == nil else {
                // R-ROLE-1: a device is a server or a client, never both, and a client is one device.
                throw (object.optional("id") ?? object.optional("group") ?? field)
                    .fail("a client id used once and not by a server (R-ROLE-1)", found: "\"\(name)\" again")
            }
            clientIndex[name] = spec.clients.count
            clientFields.append(field)
            var entries: [ClientAllocationSpec] = []
            for (feature, allocation) in allocations {
                var entry = ClientAllocationSpec(feature: feature, allocation: allocation)
                if let pattern = demand[feature] {
                    entry.demand = memberDemand(pattern: pattern, member: name, variation: variation)
                }
                entries.append(entry)
            }
            spec.clients.append(ClientSpec(id: name, server: server, latency: latency, allocationExpiry: expiry, allocations: entries))
        }
    }

    /// A member's demand: the shared pattern with the member's own seeded scale and shift.
    func memberDemand(pattern: Int, member: String, variation: (scalePerMille: Int64, shift: SimDuration)) -> DemandSpec {
        var stream = RandomStream(seed: spec.seed, key: RandomStream.key(of: member + "/variation"))
        let scale = variation.scalePerMille > 0 ? 1000 + stream.next(in: -variation.scalePerMille...variation.scalePerMille) : 1000
        let shift = variation.shift.milliseconds > 0
            ? SimDuration(milliseconds: stream.next(in: -variation.shift.milliseconds...variation.shift.milliseconds)) : .zero
        return DemandSpec(pattern: pattern, scalePerMille: Int32(scale), shift: shift,
                          streamKey: RandomStream.key(of: member + "/demand"))
    }

    func variation(_ field: Field) throws(ScenarioError) -> (scalePerMille: Int64, shift: SimDuration) {
        let object = try field.object(allowed: ScenarioKeys.variation)
        let scale = try object.optional("scale")?.scaledDecimal(decimals: 3, in: 0...999, what: "a fraction from 0 to 0.999") ?? 0
        let shift = try object.optional("shift").map { (field) throws(ScenarioError) in try nonNegativeDuration(field) } ?? .zero
        return (scale, shift)
    }

    /// R-ALLOC-1..3: allocations by feature, in file order.
    mutating func allocationsObject(_ field: Field) throws(ScenarioError) -> [(Int, Allocation)] {
        guard case .object(let members) = field.node.value else { throw field.fail("an object of allocations by feature") }
        var result: [(Int, Allocation)] = []
        for member in members {
            let entry = Field(node: member.value, path: "\(field.path).\(member.key)", file: file)
            result.append((feature(member.key), try allocation(try entry.object(allowed: ScenarioKeys.allocation))))
        }
        guard !result.isEmpty else { throw field.fail("at least one feature", found: "an empty object") }
        return result
    }

    /// R-ALLOC-1..3: `ruc`, `ilq` and `muc` of an object, checked; errors name the client and feature by path
    /// (`ilq` may be 0 only when `muc` equals `ruc`).
    func allocation(_ object: ObjectField) throws(ScenarioError) -> Allocation {
        let ruc = try object.required("ruc", "a reserved count").integer(in: 0...10_000_000, what: "a count")
        let ilq = try object.required("ilq", "an incremental quantum").integer(in: 0...10_000_000, what: "a quantum")
        let muc = try object.required("muc", "a maximum count").integer(in: 0...10_000_000, what: "a count")
        let allocation = Allocation(reserved: Int32(ruc), quantum: Int32(ilq), maximum: Int32(muc))
        if let violation = allocation.violation {
            throw try object.required(violation.field.rawValue, "").fail("\(violation.expected) (\(violation.rule))")
        }
        return allocation
    }

    /// Demand by feature; every feature named must be allocated to the client.
    mutating func demandObject(_ field: Field, allocations: [(Int, Allocation)]) throws(ScenarioError) -> [Int: Int] {
        guard case .object(let members) = field.node.value else { throw field.fail("an object of demand by feature") }
        var result: [Int: Int] = [:]
        for member in members {
            let entry = Field(node: member.value, path: "\(field.path).\(member.key)", file: file)
            guard let feature = featureIndex[member.key], allocations.contains(where: { $0.0 == feature }) else {
                throw ScenarioError(file: file, position: member.keyPosition, path: entry.path,
                                    expected: "a feature allocated to this client", found: "\"\(member.key)\"")
            }
            result[feature] = spec.demandPatterns.count
            spec.demandPatterns.append(try demandPattern(entry))
        }
        return result
    }

    func demandPattern(_ field: Field) throws(ScenarioError) -> DemandPattern {
        let object = try field.object(allowed: ScenarioKeys.demand)
        let kindField = try object.required("kind", "a demand kind")
        let allowedByKind: [String: [String]] = [
            "constant": ["kind", "users"], "steps": ["kind", "steps"], "daily": ["kind", "weekday", "weekend"],
            "sessions": ["kind", "arrivalsPerHour", "weekendArrivalsPerHour", "meanSession"], "trace": ["kind", "file"],
        ]
        let kinds = ["constant", "steps", "daily", "sessions", "trace"]
        let kind = try kindField.string()
        guard let allowed = allowedByKind[kind] else { throw kindField.fail("one of \(kinds.map { "\"\($0)\"" }.joined(separator: ", "))") }
        for member in object.members where !allowed.contains(member.key) {
            throw ScenarioError(file: file, position: member.keyPosition, path: object.child(member.key),
                                expected: "only \(allowed.joined(separator: ", ")) in a \"\(kind)\" demand", found: "\"\(member.key)\"")
        }
        switch kind {
        case "constant":
            return .constant(users: try users(try object.required("users", "a user count")))
        case "steps":
            var steps: [DemandStep] = []
            for entry in try object.required("steps", "an array of steps").array() {
                let step = try entry.object(allowed: ScenarioKeys.step)
                let at = try instant(try step.required("at", TimeSyntax.instantForm))
                if let last = steps.last, at <= last.at {
                    throw try step.required("at", "").fail("an instant after the previous step's (\(last.at))")
                }
                steps.append(DemandStep(at: at, users: try users(try step.required("users", "a user count"))))
            }
            return .steps(steps)
        case "daily":
            let weekday = try hourly(try object.required("weekday", "24 hourly user counts"), users: true)
            let weekend = try object.optional("weekend").map { (field) throws(ScenarioError) in try hourly(field, users: true) }
            return .daily(weekday: weekday.map { Int32($0) }, weekend: weekend?.map { Int32($0) })
        case "sessions":
            let rates = try hourly(try object.required("arrivalsPerHour", "24 hourly arrival rates"), users: false)
            let weekend = try object.optional("weekendArrivalsPerHour").map { (field) throws(ScenarioError) in try hourly(field, users: false) }
            let mean = try positiveDuration(try object.required("meanSession", "a mean session length"))
            return .sessions(arrivalsPerHourMilli: rates, weekendArrivalsPerHourMilli: weekend, meanSession: mean)
        default:
            return try trace(try object.required("file", "a CSV file with columns time,users"))
        }
    }

    func users(_ field: Field) throws(ScenarioError) -> Int32 {
        Int32(try field.integer(in: 0...10_000_000, what: "a user count"))
    }

    /// 24 values, one per UTC hour: user counts, or arrival rates (in thousandths, up to 3 decimals).
    func hourly(_ field: Field, users: Bool) throws(ScenarioError) -> [Int64] {
        let entries = try field.array()
        guard entries.count == 24 else { throw field.fail("24 hourly values", found: "\(entries.count) values") }
        var values: [Int64] = []
        for entry in entries {
            values.append(users ? Int64(try self.users(entry))
                                : try entry.scaledDecimal(decimals: 3, in: 0...1_000_000_000, what: "an arrival rate >= 0"))
        }
        return values
    }

    /// A trace replay: CSV `time,users`, time as seconds since start, a duration, or an instant.
    func trace(_ field: Field) throws(ScenarioError) -> DemandPattern {
        let name = try field.nonEmptyString()
        let path = name.hasPrefix("/") ? name : (directory.isEmpty ? name : directory + "/" + name)
        var bytes = try ScenarioLoader.readFile(path, what: "a readable trace file", path: field.path, file: file)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) } // A UTF-8 byte order mark.
        var steps: [DemandStep] = []
        // Lines end in "\n" or "\r\n" (Windows exports); split on bytes, where "\r\n" is not one character.
        for (offset, rawLine) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = String(decoding: rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine, as: UTF8.self)
            let lineNumber = offset + 1
            let fail = { (expected: String, found: String) in
                ScenarioError(file: path, position: TextPosition(line: lineNumber, column: 1), path: field.path,
                              expected: expected, found: found)
            }
            if lineNumber == 1 {
                guard line == "time,users" else { throw fail("the header \"time,users\"", "\"\(line)\"") }
                continue
            }
            if line.isEmpty { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == 2 else { throw fail("two cells: time,users", "\(cells.count) cells") }
            let timeText = String(cells[0])
            let at: SimInstant
            if let seconds = Int64(timeText), seconds >= 0 {
                at = .start + .seconds(seconds)
            } else if let instant = TimeSyntax.instant(timeText, startEpochMilliseconds: startEpochMilliseconds) {
                at = instant
            } else {
                throw fail("seconds since start or " + TimeSyntax.instantForm, "\"\(timeText)\"")
            }
            guard let users = Int32(cells[1]), users >= 0 else { throw fail("a user count >= 0", "\"\(cells[1])\"") }
            if let last = steps.last, at <= last.at { throw fail("times in increasing order", "\(at) after \(last.at)") }
            steps.append(DemandStep(at: at, users: users))
        }
        guard !steps.isEmpty else {
            throw ScenarioError(file: path, position: nil, path: field.path, expected: "at least one row", found: "none")
        }
        return .steps(steps)
    }
}
