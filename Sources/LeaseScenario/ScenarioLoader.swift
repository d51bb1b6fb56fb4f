import Foundation
import LeaseKernel
import LeaseModel

/// Reads and validates a scenario file strictly: every error names file, position, JSON path, expected and found.
public struct ScenarioLoader {
    let file: String
    let directory: String
    let seedOverride: UInt64?
    var startEpochMilliseconds: Int64 = 0
    var spec = FleetSpec()
    var duration = SimDuration.days(1)
    /// Lookups only; never iterated, so their order never reaches output.
    var featureIndex: [String: Int] = [:]
    var serverIndex: [String: Int] = [:]
    var clientIndex: [String: Int] = [:]
    /// Where each client was declared, for errors found later (R-ALLOC-4).
    var clientFields: [Field] = []
    /// Each server's installed counts at the start and their changes, computed once the features are known.
    var capacitySchedules: [(initial: [Int32], changes: [CapacityChange])] = []

    /// Loads the scenario at `path`.
    /// - Parameter seed: replaces the scenario's own seed when given.
    public static func load(path: String, seed: UInt64? = nil) throws(ScenarioError) -> Scenario {
        let bytes = try readFile(path, what: "a readable scenario file", path: "")
        return try load(bytes: bytes, file: path, seed: seed)
    }

    /// Loads a scenario from bytes; `file` names it in errors and anchors relative trace paths.
    public static func load(bytes: [UInt8], file: String, seed: UInt64? = nil) throws(ScenarioError) -> Scenario {
        let root: JSONNode
        do {
            root = try StrictJSONReader.parse(bytes)
        } catch {
            throw ScenarioError(file: file, position: error.position, path: "", expected: error.expected, found: error.found)
        }
        var loader = ScenarioLoader(file: file, directory: (file as NSString).deletingLastPathComponent, seedOverride: seed)
        return try loader.scenario(Field(node: root, path: "", file: file))
    }

    static func readFile(_ path: String, what: String, path jsonPath: String, file: String? = nil) throws(ScenarioError) -> [UInt8] {
        let fail = { (found: String) in
            ScenarioError(file: file ?? path, position: nil, path: jsonPath, expected: what, found: found)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw fail("no file at \(path)") }
        guard !isDirectory.boolValue else { throw fail("a directory at \(path)") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= ScenarioFormat.maxFileBytes else { throw fail("\(size) bytes (the limit is \(ScenarioFormat.maxFileBytes))") }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("a file that cannot be read: \(path)") }
        return [UInt8](data)
    }

    mutating func scenario(_ field: Field) throws(ScenarioError) -> Scenario {
        let root = try field.object(allowed: ScenarioKeys.root)
        let format = try root.required("format", "\"\(ScenarioFormat.current)\"")
        guard try format.string() == ScenarioFormat.current else { throw format.fail("\"\(ScenarioFormat.current)\"") }
        let name = try root.optional("name")?.nonEmptyString() ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let description = try root.optional("description")?.string() ?? ""
        spec.seed = UInt64(try root.optional("seed")?.integer(in: 0...Int64.max, what: "a seed") ?? 0)
        if let seedOverride { spec.seed = seedOverride }
        if let start = root.optional("start") {
            guard let epoch = TimeSyntax.dateTime(try start.string()) else { throw start.fail("a UTC start like \"2026-01-05T00:00Z\"") }
            startEpochMilliseconds = epoch
        }
        spec.startEpochMilliseconds = startEpochMilliseconds
        let durationField = try root.required("duration", TimeSyntax.durationForm)
        duration = try positiveDuration(durationField)
        var limits = RunLimits()
        if let limitsField = root.optional("limits") { limits = try runLimits(limitsField, limits) }
        guard duration.milliseconds <= limits.maxTime.millisecondsSinceStart else {
            throw durationField.fail("a duration of at most \(SimDuration(milliseconds: limits.maxTime.millisecondsSinceStart))")
        }
        if let policy = root.optional("policy") { spec.policy = try leasePolicy(policy) }
        var defaultLatency = SimDuration.zero
        if let network = root.optional("network") {
            let object = try network.object(allowed: ScenarioKeys.network)
            if let latency = object.optional("latency") { defaultLatency = try nonNegativeDuration(latency) }
        }
        let servers = try root.required("servers", "an array of servers").array()
        guard !servers.isEmpty else { throw try root.required("servers", "").fail("at least one server", found: "an empty array") }
        for server in servers { try self.server(server) }
        let clients = try root.required("clients", "an array of clients").array()
        for client in clients { try self.client(client, defaultLatency: defaultLatency) }
        // Every feature is known once the clients are read: compute each server's license calendar once.
        capacitySchedules = spec.servers.indices.map { server in
            LicenseSchedule.capacity(server: server, licenses: spec.servers[server].licenses, featureCount: spec.features.count)
        }
        try checkReservedFitsInstalled()
        if let actions = root.optional("actions") {
            for action in try actions.array() { try self.action(action) }
            spec.actions.sort { $0.at < $1.at } // Stable: equal instants keep file order.
        }
        var expectations: [Expectation] = []
        if let list = root.optional("expectations") {
            for entry in try list.array() { expectations.append(try expectation(entry)) }
        }
        return Scenario(file: file, name: name, description: description, spec: spec, duration: duration,
                        limits: limits, expectations: expectations)
    }

    func runLimits(_ field: Field, _ defaults: RunLimits) throws(ScenarioError) -> RunLimits {
        let object = try field.object(allowed: ScenarioKeys.limits)
        var limits = defaults
        if let maxEvents = object.optional("maxEvents") {
            limits.maxEvents = try maxEvents.integer(in: 1...Int64.max, what: "an event count")
        }
        if let maxPending = object.optional("maxPendingEvents") {
            limits.maxPendingEvents = Int(try maxPending.integer(in: 1...1_000_000_000, what: "an event count"))
        }
        return limits
    }

    /// One of a setting's named values.
    func choice<Choice: RawRepresentable & CaseIterable>(_ field: Field) throws(ScenarioError) -> Choice where Choice.RawValue == String {
        guard let choice = Choice(rawValue: try field.string()) else {
            throw field.fail("one of \(Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return choice
    }

    /// R-LEASE-1b, R-LEASE-3, R-LEASE-4, R-LEASE-7, R-LEASE-9: the policy block, defaults for what is left out.
    func leasePolicy(_ field: Field) throws(ScenarioError) -> LeasePolicy {
        let object = try field.object(allowed: ScenarioKeys.policy)
        var policy = LeasePolicy()
        if let value = object.optional("reservedLeaseDuration") { policy.reservedLeaseDuration = try positiveDuration(value) }
        if let value = object.optional("incrementalLeaseDuration") { policy.incrementalLeaseDuration = try positiveDuration(value) }
        if let value = object.optional("minimumHold") { policy.minimumHold = try nonNegativeDuration(value) }
        if let value = object.optional("releasePolicy") { policy.releasePolicy = try choice(value) }
        if let value = object.optional("holdPolicy") { policy.holdPolicy = try choice(value) }
        if let value = object.optional("quantaPerRequest") { policy.quantaPerRequest = try choice(value) }
        if let value = object.optional("initialLeases") { policy.initialLeases = try choice(value) }
        if let value = object.optional("requestsAtRenewal") {
            guard case .bool(let flag) = value.node.value else { throw value.fail("true or false") }
            policy.requestsAtRenewal = flag
        }
        if let value = object.optional("renewalInterval") {
            policy.renewalInterval = try positiveDuration(value)
            if let expected = policy.renewalIntervalViolation { throw value.fail(expected) } // R-LEASE-4
        } else if let expected = policy.renewalIntervalViolation {
            throw field.fail(expected, found: "the default renewal interval \(policy.renewalInterval)")
        }
        return policy
    }

    // MARK: Servers and licenses

    mutating func server(_ field: Field) throws(ScenarioError) {
        let object = try field.object(allowed: ScenarioKeys.server)
        let idField = try object.required("id", "a server id")
        let id = try idField.nonEmptyString()
        guard serverIndex[id] == nil else { throw idField.fail("a server id used once", found: "\"\(id)\" again") }
        serverIndex[id] = spec.servers.count
        var licenses: [License] = []
        if let list = object.optional("licenses") {
            for entry in try list.array() { licenses.append(try license(entry, among: licenses)) }
        }
        spec.servers.append(ServerSpec(id: id, licenses: licenses))
    }

    /// R-LIC-1, R-LIC-2, R-LIC-3: one license with its kind, count and dates.
    mutating func license(_ field: Field, among earlier: [License]) throws(ScenarioError) -> License {
        let object = try field.object(allowed: ScenarioKeys.license)
        let sku = try object.required("sku", "a SKU").nonEmptyString()
        let feature = feature(try object.required("feature", "a feature name").nonEmptyString())
        let typeField = try object.required("type", "a license type")
        guard let kind = LicenseKind(rawValue: try typeField.string()) else {
            throw typeField.fail("one of \(LicenseKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        let count = Int32(try object.required("count", "a count").integer(in: 1...100_000_000, what: "a count"))
        var license = License(sku: sku, feature: feature, kind: kind, count: count)
        if let installed = object.optional("installedAt") { license.installedAt = try instant(installed) }
        let start = object.optional("start"), end = object.optional("end")
        if kind == .perpetual {
            if let start { throw start.fail("no start date on a perpetual license") }
            if let end { throw end.fail("no end date on a perpetual license") }
            return license
        }
        // R-LIC-2: from 00:00 of the start date to 24:00 of the end date.
        let startDay = try date(try object.required("start", "a start date \"YYYY-MM-DD\""))
        let endField = try object.required("end", "an end date \"YYYY-MM-DD\"")
        let endDay = try date(endField)
        guard endDay >= startDay else { throw endField.fail("an end date on or after the start date") }
        license.startsAt = instant(epochDay: startDay)
        license.endsAt = instant(epochDay: endDay + 1)
        if kind == .renewal {
            // R-LIC-3: a renewal names the SKU it renews by the "-R" suffix.
            let skuField = try object.required("sku", "")
            guard let base = license.renewedSKU else { throw skuField.fail("a renewal SKU ending in \"-R\"") }
            guard earlier.contains(where: { ($0.sku == base || $0.sku == sku) && $0.feature == feature }) else {
                throw skuField.fail("a renewal listed after the subscription \"\(base)\" it renews (R-LIC-3)")
            }
        }
        return license
    }

    mutating func feature(_ name: String) -> Int {
        if let index = featureIndex[name] { return index }
        featureIndex[name] = spec.features.count
        spec.features.append(name)
        return spec.features.count - 1
    }

    // MARK: Values

    func positiveDuration(_ field: Field) throws(ScenarioError) -> SimDuration {
        let duration = try nonNegativeDuration(field)
        guard duration > .zero else { throw field.fail("a positive duration") }
        return duration
    }

    func nonNegativeDuration(_ field: Field) throws(ScenarioError) -> SimDuration {
        guard case .string(let text) = field.node.value else { throw field.fail(TimeSyntax.durationForm) }
        guard let duration = TimeSyntax.duration(text) else { throw field.fail(TimeSyntax.durationForm) }
        return duration
    }

    func date(_ field: Field) throws(ScenarioError) -> Int64 {
        guard case .string(let text) = field.node.value, let days = TimeSyntax.date(text) else {
            throw field.fail("a date \"YYYY-MM-DD\"")
        }
        return days
    }

    /// An instant on the run's clock for a calendar day's 00:00 (may lie before the start).
    func instant(epochDay: Int64) -> SimInstant {
        SimInstant(millisecondsSinceStart: epochDay * SimDuration.millisecondsPerDay - startEpochMilliseconds)
    }

    func instant(_ field: Field) throws(ScenarioError) -> SimInstant {
        guard case .string(let text) = field.node.value,
              let instant = TimeSyntax.instant(text, startEpochMilliseconds: startEpochMilliseconds) else {
            throw field.fail(TimeSyntax.instantForm + " at or after the start")
        }
        return instant
    }
}
