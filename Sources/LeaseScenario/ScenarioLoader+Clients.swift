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
        // R-HA-1: a pair's id is its virtual address; the client's own node is then the pair's first.
        guard let server = serverIndex[serverName] ?? pairIndex[serverName].map({ spec.haPairs[$0].nodes[0] }) else {
            throw serverField.fail("the id of a server or an HA pair")
        }
        let latency = try object.optional("latency").map { (field) throws(ScenarioError) in try nonNegativeDuration(field) } ?? defaultLatency
        var expiry = SimInstant.never
        // R-LIC-3: the allocation's expiry is a date at its server, in the server's time zone.
        zone = serverZones[server]
        defer { zone = nil }
        if let expiryField = object.optional("expiry") {
            expiry = instant(epochDay: try date(expiryField) + 1) // Valid through its last day.
        }
        // R-LIC-3: the client's own licenses' dates are in its own time zone (its server's unless it says).
        if let zoneField = object.optional("timeZone") { zone = try timeZone(zoneField) }
        let allocationsField = try object.required("allocations", "an object of allocations by feature")
        let allocations = try allocationsObject(allocationsField)
        let demand = try object.optional("demand").map { (field) throws(ScenarioError) in try demandObject(field, allocations: allocations) } ?? [:]
        let maxUsers = try object.optional("maxUsers").map { (field) throws(ScenarioError) in
            Int32(try field.integer(in: 1...ScenarioLimits.maxCount, what: "a count")) // R-CLIENT-1
        }
        let licenses = try ownLicenses(object.optional("licenses"), allocations: allocations)
        // R-LIC-6: the client's platform family, and its member license (LICENSE-MBR), which needs one.
        let platform = try object.optional("platform").map { (field) throws(ScenarioError) in try self.platform(field) }
        let memberLicense = try object.optional("memberLicense").map { (field) throws(ScenarioError) in try field.nonEmptyString() }
        if platform == nil, let member = object.optional("memberLicense") {
            throw member.fail("a member license only on a client with a \"platform\" (it lets the client lease its family's perpetual licenses, R-LIC-6)")
        }
        var variation = (scalePerMille: Int64(0), shift: SimDuration.zero)
        let names: (prefix: String, count: Int)?
        let single: String?
        if let groupField = object.optional("group") {
            if let id = object.optional("id") { throw id.fail("no id in a group (members are named from \"group\")") }
            let prefix = try groupField.nonEmptyString()
            groupPrefixes.insert(prefix)
            let countField = try object.required("count", "a member count")
            let count = Int(try countField.integer(in: 1...Int64(ScenarioLimits.maxClients), what: "a member count"))
            try checkFleetSize(adding: count, slotsEach: allocations.count, countField)
            if let variationField = object.optional("variation") {
                variation = try self.variation(variationField)
                if variation.scalePerMille > 0 || variation.shift.milliseconds > 0 { randomSources.append(variationField.path) }
            }
            (names, single) = ((prefix, count), nil)
        } else {
            if let count = object.optional("count") { throw count.fail("no count outside a group") }
            if let variationField = object.optional("variation") { throw variationField.fail("no variation outside a group") }
            let idField = try object.required("id", "a client id (or \"group\" and \"count\")")
            try checkFleetSize(adding: 1, slotsEach: allocations.count, idField)
            (names, single) = (nil, try idField.nonEmptyString())
        }
        clientFields.append(field)
        let declaration = Int32(clientFields.count - 1)
        let count = names?.count ?? 1
        if let names { groups.append(ClientGroup(name: names.prefix, first: spec.clients.count, count: names.count)) }
        // Member numbers are padded to three digits whatever the group's size, so a member's id never changes when
        // the group grows (`branch-007` of 10 members is `branch-007` of 100,000; past 999 they are just longer).
        for member in 1...count {
            let digits = String(member)
            let name = names.map { $0.prefix + "-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits } ?? single!
            guard clientIndex[name] == nil, serverIndex[name] == nil, name != "cloud" else {
                // R-ROLE-1: a device is a server or a client, never both, and a client is one device.
                throw (object.optional("id") ?? object.optional("group") ?? field)
                    .fail("a client id used once and not by a server (R-ROLE-1)",
                          found: name == "cloud" ? "\"cloud\" (it names the vendor's cloud)" : "\(Excerpt.quoted(name)) again")
            }
            clientIndex[name] = spec.clients.count
            clientDeclaration.append(declaration)
            let entries = allocations.map { (feature, allocation) in
                ClientAllocationSpec(feature: feature, allocation: allocation,
                                     demand: demand[feature].map { memberDemand(pattern: $0, member: name, position: member - 1,
                                                                                  variation: variation) })
            }
            var client = ClientSpec(id: name, server: server, latency: latency, allocationExpiry: expiry, allocations: entries)
            (client.maxUsers, client.licenses) = (maxUsers, licenses)
            (client.platform, client.memberLicense) = (platform, memberLicense)
            spec.clients.append(client)
        }
        slotCount += count * allocations.count
    }

    /// R-CLIENT-1: the licenses installed on a client, of features allocated to it.
    mutating func ownLicenses(_ field: Field?, allocations: [(Int, Allocation)]) throws(ScenarioError) -> [License] {
        guard let field else { return [] }
        var licenses: [License] = []
        for entry in try field.array() {
            let object = try entry.object(allowed: ScenarioKeys.license)
            if let platform = object.optional("platform") {
                throw platform.fail("no platform on a client's own license (the client's \"platform\" names its family)")
            }
            let license = try self.license(entry, among: licenses)
            guard allocations.contains(where: { $0.0 == license.feature }) else {
                throw try object.required("feature", "").fail("a feature allocated to this client (its own licenses serve its allocated features)")
            }
            let stacked = licenses.reduce(Int64(license.count)) { $0 + ($1.feature == license.feature ? Int64($1.count) : 0) }
            guard stacked <= ScenarioLimits.maxOwnPerFeature else {
                throw try object.required("count", "").fail("licenses of \(Excerpt.quoted(spec.features[license.feature])) on one client adding up to at most \(ScenarioLimits.maxOwnPerFeature) (R-CLIENT-1)",
                                                             found: "\(license.count), bringing the sum to \(stacked)")
            }
            licenses.append(license)
        }
        return licenses
    }

    /// The fleet stays within `ScenarioLimits.maxClients` clients and `ScenarioLimits.maxSlots` slots.
    func checkFleetSize(adding clients: Int, slotsEach: Int, _ field: Field) throws(ScenarioError) {
        let total = spec.clients.count + clients, slots = slotCount + clients * slotsEach
        guard total <= ScenarioLimits.maxClients, slots <= ScenarioLimits.maxSlots else {
            throw field.fail("a fleet of at most \(ScenarioLimits.maxClients) clients and \(ScenarioLimits.maxSlots) client-feature allocations",
                             found: "\(total) clients with \(slots) allocations")
        }
    }

    /// A member's demand: the shared pattern with the member's own seeded scale and shift, and its position in its
    /// group (0 for the first) for patterns that stagger members.
    func memberDemand(pattern: Int, member: String, position: Int,
                      variation: (scalePerMille: Int64, shift: SimDuration)) -> DemandSpec {
        var stream = RandomStream(seed: spec.seed, key: RandomStream.key(of: member + "/variation"))
        let scale = variation.scalePerMille > 0 ? 1000 + stream.next(in: -variation.scalePerMille...variation.scalePerMille) : 1000
        let shift = variation.shift.milliseconds > 0
            ? SimDuration(milliseconds: stream.next(in: -variation.shift.milliseconds...variation.shift.milliseconds)) : .zero
        return DemandSpec(pattern: pattern, scalePerMille: Int32(scale), shift: shift,
                          streamKey: RandomStream.key(of: member + "/demand"), member: Int64(position))
    }

    func variation(_ field: Field) throws(ScenarioError) -> (scalePerMille: Int64, shift: SimDuration) {
        let object = try field.object(allowed: ScenarioKeys.variation)
        let scale = try object.optional("scale")?.scaledDecimal(decimals: 3, in: 0...999, what: "a fraction from 0 to 0.999") ?? 0
        let shift = try object.optional("shift").map { (field) throws(ScenarioError) in try nonNegativeDuration(field) } ?? .zero
        return (scale, shift)
    }

    /// R-ALLOC-1..3: allocations by feature, in file order.
    mutating func allocationsObject(_ field: Field) throws(ScenarioError) -> [(Int, Allocation)] {
        let object = try field.anyObject()
        var result: [(Int, Allocation)] = []
        for member in object.members {
            let entry = object.field(member)
            result.append((try feature(named: member, in: object), try allocation(try entry.object(allowed: ScenarioKeys.allocation))))
        }
        guard !result.isEmpty else { throw field.fail("at least one feature", found: "an empty object") }
        return result
    }

    /// The feature a member's key names (made on first use), with errors at the key.
    mutating func feature(named member: JSONMember, in object: ObjectField) throws(ScenarioError) -> Int {
        if let index = featureIndex[member.key] { return index }
        guard !member.key.isEmpty, !member.key.unicodeScalars.contains(where: Excerpt.isControl) else {
            throw object.fail(key: member, expected: "a feature name without control characters", found: Excerpt.quoted(member.key))
        }
        guard spec.features.count < ScenarioLimits.maxFeatures else {
            throw object.fail(key: member, expected: "at most \(ScenarioLimits.maxFeatures) features in a scenario", found: Excerpt.quoted(member.key))
        }
        featureIndex[member.key] = spec.features.count
        spec.features.append(member.key)
        return spec.features.count - 1
    }

    /// R-ALLOC-1..3: `ruc`, `ilq` and `muc` of an object, checked; errors name the client and feature by path
    /// (`ilq` may be 0 only when `muc` equals `ruc`).
    func allocation(_ object: ObjectField) throws(ScenarioError) -> Allocation {
        let bound = 0...ScenarioLimits.maxCount
        let ruc = try object.required("ruc", "a reserved count").integer(in: bound, what: "a count")
        let ilq = try object.required("ilq", "an incremental quantum").integer(in: bound, what: "a quantum")
        let muc = try object.required("muc", "a maximum count").integer(in: bound, what: "a count")
        let allocation = Allocation(reserved: Int32(ruc), quantum: Int32(ilq), maximum: Int32(muc))
        if let violation = allocation.violation, !relaxes(violation, allocation) {
            throw try object.required(violation.field.rawValue, "").fail("\(violation.expected) (\(violation.rule))")
        }
        return allocation
    }

    /// Whether the scenario relaxes the rule an allocation breaks: R-ALLOC-3 only, and then a quantum is still
    /// needed when MUC is above RUC (the guide's auto-leasing and cluster examples: 50/10/100).
    func relaxes(_ violation: Allocation.Violation, _ allocation: Allocation) -> Bool {
        violation.rule == "R-ALLOC-3" && relaxedRules.contains("R-ALLOC-3") && allocation.quantum > 0
    }

    /// Demand by feature; every feature named must be allocated to the client.
    mutating func demandObject(_ field: Field, allocations: [(Int, Allocation)]) throws(ScenarioError) -> [Int: Int] {
        let object = try field.anyObject()
        var result: [Int: Int] = [:]
        for member in object.members {
            guard let feature = featureIndex[member.key], allocations.contains(where: { $0.0 == feature }) else {
                throw object.fail(key: member, expected: "a feature allocated to this client", found: Excerpt.quoted(member.key))
            }
            result[feature] = spec.demandPatterns.count
            let pattern = try demandPattern(object.field(member))
            if case .sessions = pattern { randomSources.append(object.field(member).path) }
            spec.demandPatterns.append(pattern)
        }
        return result
    }

    func demandPattern(_ field: Field) throws(ScenarioError) -> DemandPattern {
        let object = try field.object(allowed: ScenarioKeys.demand)
        let kindField = try object.required("kind", "a demand kind")
        let allowedByKind: [(String, [String])] = [
            ("constant", ["kind", "users"]), ("steps", ["kind", "steps"]), ("daily", ["kind", "weekday", "weekend"]),
            ("sessions", ["kind", "arrivalsPerHour", "weekendArrivalsPerHour", "meanSession"]), ("trace", ["kind", "file"]),
            ("log", ["kind", "file", "feature", "format"]),
            ("cycle", ["kind", "hourly", "step", "offsetPerClient"]),
        ]
        let kind = try kindField.string()
        guard let allowed = allowedByKind.first(where: { $0.0 == kind })?.1 else {
            throw kindField.fail("one of \(allowedByKind.map { "\"\($0.0)\"" }.joined(separator: ", "))")
        }
        try object.onlyKeys(allowed, in: "a \"\(kind)\" demand")
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
            let ratesField = try object.required("arrivalsPerHour", "24 hourly arrival rates")
            let rates = try hourly(ratesField, users: false)
            let weekendField = object.optional("weekendArrivalsPerHour")
            let weekend = try weekendField.map { (field) throws(ScenarioError) in try hourly(field, users: false) }
            let meanField = try object.required("meanSession", "a mean session length")
            let mean = try positiveDuration(meanField)
            // Bounded mean concurrency: a client's users stay far inside what the model counts (R-LEASE-8 integrals).
            let busiest = max(rates.max() ?? 0, weekend?.max() ?? 0)
            let concurrency = Int128(busiest) * Int128(mean.milliseconds) / (1000 * Int128(SimDuration.millisecondsPerHour))
            guard concurrency <= Int128(ScenarioLimits.maxMeanSessions) else {
                throw meanField.fail("a mean session that keeps arrivals per hour x mean hours at most \(ScenarioLimits.maxMeanSessions)",
                                     found: "\(mean) with \(busiest / 1000) arrivals per hour: \(concurrency) users on average")
            }
            return .sessions(arrivalsPerHourMilli: rates, weekendArrivalsPerHourMilli: weekend, meanSession: mean)
        case "cycle":
            let valuesField = try object.required("hourly", "an array of hourly user counts")
            let entries = try valuesField.array()
            guard (1...ScenarioLimits.maxCycleHours).contains(entries.count) else {
                throw valuesField.fail("1 to \(ScenarioLimits.maxCycleHours) hourly user counts", found: "\(entries.count) values")
            }
            var values: [Int32] = []
            for entry in entries { values.append(try users(entry)) }
            let bound = 0...Int64(ScenarioLimits.maxCycleHours)
            let step = try object.optional("step")?.integer(in: bound, what: "a step (values an hour)") ?? 1
            let offset = try object.optional("offsetPerClient")?.integer(in: bound, what: "an offset (values per client)") ?? 0
            return .cycle(values, step: step, offsetPerMember: offset)
        case "log":
            return try logDemand(object)
        default:
            return try trace(try object.required("file", "a CSV file with columns time,users"))
        }
    }

    func users(_ field: Field) throws(ScenarioError) -> Int32 {
        Int32(try field.integer(in: 0...ScenarioLimits.maxCount, what: "a user count"))
    }

    /// 24 values, one per UTC hour: user counts, or arrival rates (in thousandths, up to 3 decimals).
    func hourly(_ field: Field, users: Bool) throws(ScenarioError) -> [Int64] {
        let entries = try field.array()
        guard entries.count == 24 else { throw field.fail("24 hourly values", found: "\(entries.count) values") }
        var values: [Int64] = []
        for entry in entries {
            values.append(users ? Int64(try self.users(entry))
                                : try entry.scaledDecimal(decimals: 3, in: 0...ScenarioLimits.maxArrivalsPerHour * 1000,
                                                          what: "an arrival rate from 0 to \(ScenarioLimits.maxArrivalsPerHour) per hour"))
        }
        return values
    }

    /// A trace replay: CSV `time,users`, time as seconds since start, a duration, or an instant.
    ///
    /// The file must lie inside the scenario's folder tree unless `LoadOptions.allowsFilesOutside`.
    func trace(_ field: Field) throws(ScenarioError) -> DemandPattern {
        let name = try field.nonEmptyString()
        let path = name.hasPrefix("/") ? name : (directory.isEmpty ? name : directory + "/" + name)
        try checkInsideScenarioFolder(path, field)
        let bytes = try ScenarioLoader.readFile(path, limit: ScenarioLimits.maxTraceBytes, what: "a readable trace file",
                                                jsonPath: field.path, file: file)
        return .steps(try TraceReader.steps(bytes, file: path, jsonPath: field.path, startEpochMilliseconds: startEpochMilliseconds))
    }

    /// Demand replayed from a license server's log (FlexNet debug log or RLM report log): one feature's concurrent
    /// users, from the scenario's start on (the level at the start is what was in use then).
    func logDemand(_ object: ObjectField) throws(ScenarioError) -> DemandPattern {
        let field = try object.required("file", "a FlexNet debug log or an RLM report log")
        let name = try field.nonEmptyString()
        let path = name.hasPrefix("/") ? name : (directory.isEmpty ? name : directory + "/" + name)
        try checkInsideScenarioFolder(path, field)
        let bytes = try ScenarioLoader.readFile(path, limit: ScenarioLimits.maxTraceBytes, what: "a readable license server log",
                                                jsonPath: field.path, file: file)
        var format: LicenseLog.Format? = nil
        if let formatField = object.optional("format") {
            guard let chosen = LicenseLog.Format(rawValue: try formatField.string()) else { throw formatField.fail("\"flexnet\", \"rlm\" or \"rlmDebug\"") }
            format = chosen
        }
        let log = LicenseLog.read(bytes, file: path, format: format, startDay: startEpochMilliseconds / SimDuration.millisecondsPerDay)
        let used = log.features.filter { log.statistics.checkouts > 0 && !log.steps(of: $0).isEmpty }
        let feature: String
        if let featureField = object.optional("feature") {
            feature = try featureField.nonEmptyString()
            guard used.contains(feature) else {
                throw featureField.fail("a feature checked out in the log (\(used.prefix(20).map { Excerpt.quoted($0) }.joined(separator: ", ")))")
            }
        } else {
            guard used.count == 1 else {
                throw field.fail("a log of one feature, or a \"feature\" to replay", found: "\(used.count) features checked out in \(Excerpt.quoted(name))")
            }
            feature = used[0]
        }
        var steps: [DemandStep] = [], initial: Int64 = 0
        for step in log.steps(of: feature) {
            let offset = step.epochMilliseconds - startEpochMilliseconds
            let users = Int32(min(max(0, step.users), ScenarioLimits.maxCount))
            if offset <= 0 { initial = Int64(users); continue }
            guard offset < ScenarioLimits.maxTime.milliseconds else { break }
            if steps.isEmpty { steps.append(DemandStep(at: .start, users: Int32(initial))) }
            steps.append(DemandStep(at: SimInstant(millisecondsSinceStart: offset), users: users))
        }
        if steps.isEmpty { steps.append(DemandStep(at: .start, users: Int32(initial))) }
        return .steps(steps)
    }

    /// A file the scenario names must resolve (links followed) inside the scenario's folder tree, unless allowed.
    func checkInsideScenarioFolder(_ path: String, _ field: Field) throws(ScenarioError) {
        guard !options.allowsFilesOutside else { return }
        let folder = ScenarioLoader.resolved(directory.isEmpty ? "." : directory)
        guard let folder, let target = ScenarioLoader.resolved(path) else { return } // A missing file is reported when read.
        guard target.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
            throw field.fail("a file inside the scenario's folder \(Excerpt.quoted(folder)) (--allow-outside-files reads others)")
        }
    }

    /// The absolute path with every link resolved, if the file exists.
    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}

extension ScenarioLoader {
    /// R-CLU-1: `clusters`: each a set of clients (ids, group names or patterns) that lease through one lease leader.
    /// Members lease from one server, the same features, and share a platform (R-ROLE-1, R-LIC-6); a client is a
    /// member of one cluster at most.
    mutating func clusters(_ field: Field) throws(ScenarioError) {
        var memberOf: [Int: String] = [:], ids: Set<String> = [] // Lookups only.
        for entry in try field.array() {
            let object = try entry.object(allowed: ScenarioKeys.cluster)
            let idField = try object.required("id", "a cluster id")
            let id = try idField.nonEmptyString()
            guard ids.insert(id).inserted else { throw idField.fail("a cluster id used once", found: "\(Excerpt.quoted(id)) again") }
            let membersField = try object.required("members", "an array of client ids, group names or patterns")
            var members: [Int] = []
            for member in try membersField.array() {
                for endpoint in try endpoints(member) {
                    guard let client = endpoint.client else {
                        throw member.fail("clients (a server is never a cluster member, R-ROLE-1)", found: Excerpt.quoted(try member.string()))
                    }
                    if let other = memberOf[client.offset] {
                        throw member.fail("a client in one cluster at most",
                                          found: "\(Excerpt.quoted(spec.clients[client.offset].id)) already in \(Excerpt.quoted(other))")
                    }
                    memberOf[client.offset] = id
                    members.append(client.offset)
                }
            }
            guard members.count >= 2 && members.count <= ClusterSpec.maxMembers else {
                throw membersField.fail("2 to \(ClusterSpec.maxMembers) members", found: "\(members.count)")
            }
            let first = spec.clients[members[0]]
            for member in members.dropFirst() {
                let client = spec.clients[member]
                let differs = client.server != first.server ? "its server"
                    : client.allocations.map(\.feature) != first.allocations.map(\.feature) ? "its features"
                    : client.platform != first.platform ? "its platform" : nil
                if let differs {
                    throw membersField.fail("members with one server, the same features and one platform (R-CLU-1)",
                                            found: "\(Excerpt.quoted(client.id)) differs from \(Excerpt.quoted(first.id)) in \(differs)")
                }
            }
            members.sort { spec.clients[$0].id.utf8.lexicographicallyPrecedes(spec.clients[$1].id.utf8) } // R-CLU-3: by name.
            spec.clusters.append(ClusterSpec(id: id, members: members))
        }
    }
}
