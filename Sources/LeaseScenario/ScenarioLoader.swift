import Foundation
import LeaseKernel
import LeaseModel

/// How a scenario is loaded.
public struct LoadOptions: Sendable {
    /// Replaces the scenario's own seed when given.
    public var seed: UInt64?
    /// Whether a scenario may read files (traces) outside its own folder tree.
    public var allowsFilesOutside = false
    /// `--set PATH=VALUE`: fields replaced before the scenario is read, in order.
    public var overrides: [ScenarioOverride] = []

    public init(seed: UInt64? = nil, allowsFilesOutside: Bool = false, overrides: [ScenarioOverride] = []) {
        self.seed = seed
        self.allowsFilesOutside = allowsFilesOutside
        self.overrides = overrides
    }
}

/// Reads and validates a scenario file strictly: every error names file, position, JSON path, expected and found.
///
/// Time and memory are linear in the input, and every value is bounded (`ScenarioLimits`) so that nothing the
/// model later adds or multiplies can overflow.
public struct ScenarioLoader {
    let source: ScenarioSource
    let directory: String
    let options: LoadOptions
    var startEpochMilliseconds: Int64 = 0
    var spec = FleetSpec()
    var duration = SimDuration.days(1)
    /// Lookups only; never iterated, so their order never reaches output.
    var featureIndex: [String: Int] = [:]
    var serverIndex: [String: Int] = [:]
    var clientIndex: [String: Int] = [:]
    /// R-HA-1: pair ids (virtual addresses); lookups only.
    var pairIndex: [String: Int] = [:]
    /// Findings the scenario is run with but flagged for (R-HA-4), reported with every run.
    var flags: [String] = []
    /// Where each client was declared (one entry per declaration; `clientDeclaration` maps clients to it).
    var clientFields: [Field] = []
    var clientDeclaration: [Int32] = []
    /// The names of client groups (their members are `name-001`, ...); lookups only.
    var groupPrefixes: Set<String> = []
    /// Slots (client-feature allocations) so far.
    var slotCount = 0
    /// Each server's installed counts at the start and their changes, computed once the features are known.
    var capacitySchedules: [(initial: [Int32], changes: [CapacityChange])] = []
    /// Rules the scenario relaxes (`relax`), in the order written.
    var relaxedRules: [String] = []
    /// What draws from the seed, by JSON path (`Scenario.randomSources`).
    var randomSources: [String] = []
    /// The client groups declared, in order (`Scenario.groups`).
    var groups: [ClientGroup] = []
    /// R-LIC-3: each server's time zone (nil: UTC), and the one dates are read in now (a server's, while its licenses
    /// and its clients' allocations are read).
    var serverZones: [TimeZone?] = []
    var zone: TimeZone? = nil

    var file: String { source.file }

    /// Loads the scenario at `path`.
    /// - Parameter seed: replaces the scenario's own seed when given.
    public static func load(path: String, seed: UInt64? = nil) throws(ScenarioError) -> Scenario {
        try load(path: path, options: LoadOptions(seed: seed))
    }

    public static func load(path: String, options: LoadOptions) throws(ScenarioError) -> Scenario {
        let bytes = try readFile(path, limit: ScenarioLimits.maxScenarioBytes, what: "a readable scenario file", jsonPath: "", file: path)
        return try load(bytes: bytes, file: path, options: options)
    }

    /// Loads a scenario from bytes; `file` names it in errors and anchors relative trace paths.
    public static func load(bytes: [UInt8], file: String, seed: UInt64? = nil) throws(ScenarioError) -> Scenario {
        try load(bytes: bytes, file: file, options: LoadOptions(seed: seed))
    }

    public static func load(bytes: [UInt8], file: String, options: LoadOptions) throws(ScenarioError) -> Scenario {
        guard bytes.count <= ScenarioLimits.maxScenarioBytes else {
            throw ScenarioError(file: file, position: nil, path: "", expected: "a scenario of at most \(ScenarioLimits.maxScenarioBytes) bytes",
                                found: "\(bytes.count) bytes")
        }
        let root = try ScenarioOverride.apply(options.overrides, to: try parseJSON(bytes, file: file), file: file)
        let source = ScenarioSource(file: file, bytes: bytes, overrides: options.overrides)
        var loader = ScenarioLoader(source: source, directory: (file as NSString).deletingLastPathComponent, options: options)
        return try loader.scenario(Field(node: root, parentPath: "", step: nil, source: source))
    }

    /// A JSON text read strictly; a syntax error names `file`, the line, the column and the JSON path.
    static func parseJSON(_ bytes: [UInt8], file: String) throws(ScenarioError) -> JSONNode {
        do {
            return try StrictJSONReader.parse(bytes)
        } catch {
            throw ScenarioError(file: file, position: error.position, path: error.path, expected: error.expected, found: error.found)
        }
    }

    /// The bytes of a file of at most `limit` bytes; errors name `file` and `jsonPath` (the field that named it).
    public static func readFile(_ path: String, limit: Int, what: String, jsonPath: String, file: String) throws(ScenarioError) -> [UInt8] {
        let fail = { (found: String) in ScenarioError(file: file, position: nil, path: jsonPath, expected: what, found: found) }
        let shown = Excerpt.quoted(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw fail("no file at \(shown)") }
        guard !isDirectory.boolValue else { throw fail("a directory at \(shown)") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= limit else { throw fail("\(size) bytes at \(shown) (the limit is \(limit))") }
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("a file that cannot be read: \(shown)") }
        guard data.count <= limit else { throw fail("\(data.count) bytes at \(shown) (the limit is \(limit))") }
        return [UInt8](data)
    }

    /// A file of the other kind (a sweep given as a scenario, or the reverse) is named for what it is, before its
    /// keys are judged against the wrong format's.
    static func checkFormat(_ field: Field, expected: String) throws(ScenarioError) {
        let kinds = [(ScenarioFormat.current, "a scenario", "leasesim run, check or plan", "or name it as a sweep's \"scenario\""),
                     (SweepFormat.current, "a sweep file", "leasesim sweep", "")]
        guard let object = try? field.anyObject(), let format = object.optional("format"), case .string(let text) = format.node.value,
              text != expected, let found = kinds.first(where: { $0.0 == text }), let wanted = kinds.first(where: { $0.0 == expected })
        else { return }
        let advice = "give it to \(found.2)" + (found.3.isEmpty ? "" : ", \(found.3)")
        throw format.fail("\(wanted.1) (\"format\": \"\(expected)\")", found: "\(found.1) (\"\(text)\"): \(advice)")
    }

    mutating func scenario(_ field: Field) throws(ScenarioError) -> Scenario {
        try ScenarioLoader.checkFormat(field, expected: ScenarioFormat.current)
        let root = try field.object(allowed: ScenarioKeys.root)
        let format = try root.required("format", "\"\(ScenarioFormat.current)\"")
        guard try format.string() == ScenarioFormat.current else { throw format.fail("\"\(ScenarioFormat.current)\"") }
        let name = try root.optional("name")?.nonEmptyString() ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let description = try root.optional("description")?.text() ?? ""
        spec.seed = UInt64(try root.optional("seed")?.integer(in: 0...Int64.max, what: "a seed") ?? 0)
        if let seed = options.seed { spec.seed = seed }
        if let start = root.optional("start") {
            guard let epoch = TimeSyntax.dateTime(try start.string()) else { throw start.fail("a UTC start like \"2026-01-05T00:00Z\"") }
            startEpochMilliseconds = epoch
        }
        spec.startEpochMilliseconds = startEpochMilliseconds
        var limits = RunLimits(), hostLimits = HostLimits()
        if let limitsField = root.optional("limits") { (limits, hostLimits) = try runLimits(limitsField) }
        duration = try positiveDuration(try root.required("duration", TimeSyntax.durationForm))
        if let relax = root.optional("relax") { try self.relax(relax) }
        if let policy = root.optional("policy") { spec.policy = try leasePolicy(policy) }
        var defaultLatency = SimDuration.zero
        if let network = root.optional("network") {
            let object = try network.object(allowed: ScenarioKeys.network)
            if let latency = object.optional("latency") { defaultLatency = try nonNegativeDuration(latency) }
        }
        let serversField = try root.required("servers", "an array of servers")
        let servers = try serversField.array()
        guard !servers.isEmpty else { throw serversField.fail("at least one server", found: "an empty array") }
        guard servers.count <= ScenarioLimits.maxServers else {
            throw serversField.fail("at most \(ScenarioLimits.maxServers) servers", found: "\(servers.count)")
        }
        for server in servers { try self.server(server) }
        if let pairs = root.optional("haPairs") { try haPairs(pairs) }
        let clients = try root.required("clients", "an array of clients").array()
        for client in clients { try self.client(client, defaultLatency: defaultLatency) }
        if let actions = root.optional("actions") { try licenseActions(actions) }
        try checkFeatureBounds(root)
        if let features = root.optional("features") { try featureTraits(features) }
        try checkAutoLeasingBounds(root)
        // Every feature is known once the clients are read: compute each server's license calendar once.
        capacitySchedules = spec.servers.indices.map { server in
            LicenseSchedule.capacity(server: server, licenses: spec.servers[server].licenses, featureCount: spec.features.count)
        }
        try checkReservedFitsInstalled()
        if let actions = root.optional("actions") { try self.actions(actions) }
        if let clusters = root.optional("clusters") { try self.clusters(clusters) }
        if root.optional("faults") != nil || root.optional("randomFaults") != nil {
            try faults(root.optional("faults"), random: root.optional("randomFaults"))
        }
        var expectations: [Expectation] = []
        if let list = root.optional("expectations") {
            let lines = LineIndex(source.bytes)
            for entry in try list.array() {
                var expectation = try expectation(entry)
                if entry.node.offset >= 0 { expectation.line = lines.line(at: Int(entry.node.offset)) }
                expectations.append(expectation)
            }
        }
        var scenario = Scenario(file: file, name: name, description: description, spec: spec, duration: duration,
                                limits: limits, hostLimits: hostLimits, expectations: expectations)
        scenario.relaxedRules = relaxedRules
        scenario.flags = flags
        scenario.randomSources = randomSources
        scenario.groups = groups
        scenario.overrides = options.overrides.map { "\($0.path)=\($0.valueText)" }
        return scenario
    }

    /// The run's limits: the kernel's (events, pending events) and the host's (output bytes, wall time).
    func runLimits(_ field: Field) throws(ScenarioError) -> (RunLimits, HostLimits) {
        let object = try field.object(allowed: ScenarioKeys.limits)
        var limits = RunLimits(), host = HostLimits()
        if let maxEvents = object.optional("maxEvents") {
            limits.maxEvents = try maxEvents.integer(in: 1...Int64.max, what: "an event count")
        }
        if let maxPending = object.optional("maxPendingEvents") {
            limits.maxPendingEvents = Int(try maxPending.integer(in: 1...1_000_000_000, what: "an event count"))
        }
        if let maxBytes = object.optional("maxOutputBytes") {
            host.maxOutputBytes = try maxBytes.integer(in: 1...Int64.max, what: "a byte count")
        }
        if let maxWall = object.optional("maxWallTime") {
            host.maxWallTime = .milliseconds(try positiveDuration(maxWall).milliseconds)
        }
        return (limits, host)
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
        if let value = object.optional("requestTimeout") {
            if case .null = value.node.value { policy.requestTimeout = nil } else { policy.requestTimeout = try positiveDuration(value) }
        }
        if let value = object.optional("requestRetries") { policy.requestRetries = Int32(try value.integer(in: 0...100, what: "a retry count")) }
        if let value = object.optional("retryBackoff") { policy.retryBackoff = try positiveDuration(value) }
        if let value = object.optional("serverRestart") { policy.serverRestart = try choice(value) }
        if let value = object.optional("clientRestart") { policy.clientRestart = try choice(value) }
        if let value = object.optional("autoLeasing") { policy.autoLease = try autoLeasePolicy(value) }
        if let value = object.optional("surrender") { policy.surrender = try surrenderPolicy(value) }
        if let value = object.optional("cloud") { policy.cloud = try cloudPolicy(value) }
        if let value = object.optional("cluster") {
            let cluster = try value.object(allowed: ScenarioKeys.clusterPolicy)
            if let leader = cluster.optional("leader") { policy.cluster.leader = try choice(leader) } // R-CLU-3
        }
        if let value = object.optional("ha") { policy.ha = try haPolicy(value) }
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

    /// One of a setting's named values.
    func choice<Choice: RawRepresentable & CaseIterable>(_ field: Field) throws(ScenarioError) -> Choice where Choice.RawValue == String {
        guard let choice = Choice(rawValue: try field.string()) else {
            throw field.fail("one of \(Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return choice
    }

    // MARK: Servers and licenses

    mutating func server(_ field: Field) throws(ScenarioError) {
        let object = try field.object(allowed: ScenarioKeys.server)
        let idField = try object.required("id", "a server id")
        let id = try idField.nonEmptyString()
        guard serverIndex[id] == nil else { throw idField.fail("a server id used once", found: "\(Excerpt.quoted(id)) again") }
        guard id != "cloud" else { throw idField.fail("a server id other than \"cloud\" (it names the vendor's cloud, R-VLS-1)") }
        serverIndex[id] = spec.servers.count
        // R-LIC-3: its dates are read in its own time zone.
        zone = try timeZone(object.optional("timeZone"))
        serverZones.append(zone)
        defer { zone = nil }
        var licenses: [License] = []
        if let list = object.optional("licenses") {
            for entry in try list.array() { licenses.append(try license(entry, among: licenses)) }
        }
        var server = ServerSpec(id: id, licenses: licenses)
        let isVLS = try object.optional("vls").map { (field) throws(ScenarioError) in try flag(field) } ?? false
        if let hardware = object.optional("hardware"), try flag(hardware) {
            server.serves = try serverLicenses(object.optional("serverLicenses"), vls: false) // R-LIC-7, R-LIC-8
        } else if isVLS {
            // R-LIC-8: a VLS needs a license-server license too ("The Configure Clients page appears only after
            // installing or downloading license server license for VLS"): a VM subscription (R-VLS-4).
            server.serves = try serverLicenses(object.optional("serverLicenses"), vls: true)
            if server.serves.isEmpty {
                flags.append("R-LIC-8: virtual license server \(Excerpt.quoted(id)) has no license-server license (\"serverLicenses\"): it serves nothing")
            }
        } else if let list = object.optional("serverLicenses") {
            throw list.fail("no license-server licenses on a server that is not \"hardware\": true or \"vls\": true (R-LIC-8)")
        }
        server.autoDownload = try object.optional("autoDownload").map { (field) throws(ScenarioError) in try flag(field) } ?? false
        if let list = object.optional("vendorLicenses") {
            // R-DL-1: licenses the vendor makes available, installed at the first download after `availableAt`.
            guard server.autoDownload else { throw list.fail("no vendorLicenses on a server without \"autoDownload\": true (R-DL-1)") }
            for entry in try list.array() {
                let vendor = try entry.object(allowed: ScenarioKeys.vendorLicense)
                let at = try instantInRun(try vendor.required("availableAt", TimeSyntax.instantForm))
                let field = try vendor.required("license", "a license")
                let licenseObject = try field.object(allowed: ScenarioKeys.license)
                if let installed = licenseObject.optional("installedAt") {
                    throw installed.fail("no installedAt in a vendor license (it is installed when it is downloaded)")
                }
                let license = try self.license(field, among: licenses + server.vendorLicenses.map(\.license))
                if isVLS { try checkVLSLicense(license, licenseObject) }
                if license.kind == .ice {
                    throw try licenseObject.required("type", "").fail("a license that is not \"ice\" (ICE licenses are switched on by actions)")
                }
                server.vendorLicenses.append(VendorLicense(license: license, availableAt: at))
            }
        }
        for key in ["authorizationCode", "restoredAt", "vlsPlatform"] where !isVLS {
            if let field = object.optional(key) { throw field.fail("no \(key) on a server that is not \"vls\": true (R-VLS-2, R-VLS-3, R-HA-5)") }
        }
        if let vls = object.optional("vls"), try flag(vls) {
            // R-VLS-1: a virtual license server, which must keep in touch with the vendor's cloud.
            if let hardware = object.optional("hardware"), try flag(hardware) {
                throw vls.fail("a virtual license server that is not also \"hardware\": true", found: "true")
            }
            server.vls = true
            if let platform = object.optional("vlsPlatform") { server.vlsPlatform = try choice(platform) } // R-HA-5
            if let code = object.optional("authorizationCode") { server.authorizationCode = try code.nonEmptyString() } // R-VLS-2
            if let restored = object.optional("restoredAt") {
                // R-VLS-3: restored from a backup without its licenses, on a date at or before the start's.
                let at = instant(epochDay: try date(restored))
                guard at <= .start else { throw restored.fail("a date at or before the start (the server runs from the start)") }
                server.restoredAt = at
            }
            // R-VLS-4: a virtual license server supports only PSA hardware licenses and VM subscription licenses.
            if let list = object.optional("licenses") {
                for (license, entry) in zip(licenses, try list.array()) {
                    try checkVLSLicense(license, try entry.object(allowed: ScenarioKeys.license))
                }
            }
        }
        spec.servers.append(server)
    }

    /// R-VLS-4 (assumed reading): "the VLS supports only PSA hardware licenses and VM subscription license": a
    /// license bound to no platform family (one for virtual appliances) must be a subscription or its renewal; a
    /// perpetual license must be bound to a platform family (a hardware appliance's), as every license surrendered
    /// to it is (R-SUR-1: only clients of a family with a member license surrender); evaluation and ICE licenses are
    /// neither.
    func checkVLSLicense(_ license: License, _ object: ObjectField) throws(ScenarioError) {
        switch license.kind {
        case .subscription, .renewal: return
        case .perpetual where license.platform != nil: return
        case .perpetual:
            throw try object.required("type", "").fail(
                "a subscription or renewal license, or a perpetual one bound to a hardware platform family (\"platform\"), on a virtual license server (R-VLS-4)",
                found: "\"perpetual\" bound to no platform")
        case .evaluation, .ice:
            throw try object.required("type", "").fail(
                "a subscription or renewal license, or a perpetual one bound to a hardware platform family (\"platform\"), on a virtual license server (R-VLS-4)",
                found: "\"\(license.kind.rawValue)\"")
        }
    }

    /// R-LIC-1, R-LIC-2, R-LIC-3: one license with its kind, count and dates.
    mutating func license(_ field: Field, among earlier: [License]) throws(ScenarioError) -> License {
        let object = try field.object(allowed: ScenarioKeys.license)
        let sku = try object.required("sku", "a SKU").nonEmptyString()
        let feature = try feature(try object.required("feature", "a feature name"))
        let typeField = try object.required("type", "a license type")
        let kind: LicenseKind = try choice(typeField)
        let countField = try object.required("count", "a count")
        let count = try countField.integer(in: 1...ScenarioLimits.maxLicenseCount, what: "a count")
        // R-LIC-1: counts of a feature stack; bounded so that the server's used and free counts cannot overflow.
        let stacked = earlier.reduce(count) { $0 + ($1.feature == feature ? Int64($1.count) : 0) }
        guard stacked <= ScenarioLimits.maxInstalledPerFeature else {
            throw countField.fail("licenses of \(Excerpt.quoted(spec.features[feature])) on one server adding up to at most \(ScenarioLimits.maxInstalledPerFeature) (R-LIC-1)",
                                  found: "\(count), bringing the sum to \(stacked)")
        }
        var license = License(sku: sku, feature: feature, kind: kind, count: Int32(count))
        if let installed = object.optional("installedAt") { license.installedAt = try instant(installed) }
        if let platform = object.optional("platform") { license.platform = try self.platform(platform) } // R-LIC-6
        let start = object.optional("start"), end = object.optional("end")
        if let period = object.optional("period") {
            guard kind == .evaluation || kind == .ice else { throw period.fail("no period on a \(kind.rawValue) license (only evaluation and ice)") }
            license.period = try positiveDuration(period) // R-LIC-4, R-LIC-5
        }
        if !kind.isDated {
            let named = (kind == .perpetual ? "a " : "an ") + kind.rawValue
            if let start { throw start.fail("no start date on \(named) license") }
            if let end { throw end.fail("no end date on \(named) license") }
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
                throw skuField.fail("a renewal listed after the subscription \(Excerpt.quoted(base)) it renews (R-LIC-3)")
            }
        }
        return license
    }

    /// R-LIC-6: the index of the platform family named by `field`, made on first use.
    mutating func platform(_ field: Field) throws(ScenarioError) -> Int {
        let name = try field.nonEmptyString()
        if let index = spec.platforms.firstIndex(of: name) { return index }
        guard spec.platforms.count < ScenarioLimits.maxPlatforms else {
            throw field.fail("at most \(ScenarioLimits.maxPlatforms) platform families in a scenario")
        }
        spec.platforms.append(name)
        return spec.platforms.count - 1
    }

    /// R-VLS-1: `policy.cloud`, defaults for what is left out.
    func cloudPolicy(_ field: Field) throws(ScenarioError) -> CloudPolicy {
        let object = try field.object(allowed: ScenarioKeys.cloud)
        var policy = CloudPolicy()
        if let value = object.optional("heartbeatInterval") { policy.heartbeatInterval = try period(value, "a heartbeat interval") }
        if let value = object.optional("maxSilence") { policy.maxSilence = try positiveDuration(value) }
        if let value = object.optional("latency") { policy.latency = try nonNegativeDuration(value) }
        if let value = object.optional("restoreGrace") { policy.restoreGrace = try positiveDuration(value) }
        return policy
    }

    /// R-SUR-2: `policy.surrender`, defaults for what is left out.
    func surrenderPolicy(_ field: Field) throws(ScenarioError) -> SurrenderPolicy {
        let object = try field.object(allowed: ScenarioKeys.surrender)
        var policy = SurrenderPolicy()
        if let value = object.optional("expiry") { policy.expiry = try positiveDuration(value) }
        if let value = object.optional("contactInterval") { policy.contactInterval = try period(value, "a contact interval") }
        if let value = object.optional("afterExpiry") { policy.afterExpiry = try choice(value) }
        return policy
    }

    /// The index of the feature named by `field`, made on first use (R-ROLE-2).
    mutating func feature(_ field: Field) throws(ScenarioError) -> Int {
        let name = try field.nonEmptyString()
        if let index = featureIndex[name] { return index }
        guard spec.features.count < ScenarioLimits.maxFeatures else {
            throw field.fail("at most \(ScenarioLimits.maxFeatures) features in a scenario")
        }
        featureIndex[name] = spec.features.count
        spec.features.append(name)
        return spec.features.count - 1
    }

    /// Servers times features within `ScenarioLimits.maxServerFeatures`.
    func checkFeatureBounds(_ root: ObjectField) throws(ScenarioError) {
        let pairs = spec.servers.count * spec.features.count
        guard pairs <= ScenarioLimits.maxServerFeatures else {
            throw try root.required("servers", "").fail("servers times features at most \(ScenarioLimits.maxServerFeatures)",
                                                       found: "\(spec.servers.count) x \(spec.features.count) = \(pairs)")
        }
    }

    // MARK: Values

    /// The period of something that repeats in the run (a review, a heartbeat, a contact): at least a minute, so a
    /// run's count of them stays bounded.
    func period(_ field: Field, _ what: String) throws(ScenarioError) -> SimDuration {
        let duration = try positiveDuration(field)
        guard duration >= .minutes(1) else { throw field.fail("\(what) of at least 1m") }
        return duration
    }

    func positiveDuration(_ field: Field) throws(ScenarioError) -> SimDuration {
        let duration = try nonNegativeDuration(field)
        guard duration > .zero else { throw field.fail("a positive duration") }
        return duration
    }

    /// A duration of at most `ScenarioLimits.maxTime`.
    func nonNegativeDuration(_ field: Field) throws(ScenarioError) -> SimDuration {
        guard case .string(let text) = field.node.value, let duration = TimeSyntax.duration(text) else {
            throw field.fail(TimeSyntax.durationForm)
        }
        guard duration <= ScenarioLimits.maxTime else { throw field.fail("a duration of at most \(ScenarioLimits.maxTime)") }
        return duration
    }

    func date(_ field: Field) throws(ScenarioError) -> Int64 {
        guard case .string(let text) = field.node.value, let days = TimeSyntax.date(text) else {
            throw field.fail("a date \"YYYY-MM-DD\"")
        }
        return days
    }

    /// An instant on the run's clock for a calendar day's 00:00 (may lie before the start), in the time zone dates are
    /// read in now (UTC unless a server's, R-LIC-3).
    func instant(epochDay: Int64) -> SimInstant {
        let local = epochDay * SimDuration.millisecondsPerDay
        return SimInstant(millisecondsSinceStart: local - (zone.map { ScenarioLoader.offset($0, atLocal: local) } ?? 0) - startEpochMilliseconds)
    }

    /// R-LIC-3: a zone's offset from UTC, in milliseconds, at a local time (daylight saving included): the offset of
    /// the instant that local time is. The offsets a day before and a day after are the candidates (zones change at
    /// most once a day); a local time a transition repeats is its first instant, one a transition skips is moved on by
    /// the skip (so 00:00 of a day that begins with a skip is the transition itself).
    static func offset(_ zone: TimeZone, atLocal local: Int64) -> Int64 {
        func offset(atUTC seconds: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))) }
        let seconds = local / 1000, day: Int64 = 86_400
        let before = offset(atUTC: seconds - day), after = offset(atUTC: seconds + day)
        let valid = [before, after].filter { offset(atUTC: seconds - $0) == $0 }
        return (valid.max() ?? before) * 1000
    }

    /// R-LIC-3: a server's (or a client's) `timeZone`: an IANA name such as "Europe/Berlin", known to this system's
    /// time zone database (nil: UTC).
    func timeZone(_ field: Field?) throws(ScenarioError) -> TimeZone? {
        guard let field else { return nil }
        let name = try field.nonEmptyString()
        guard name.contains("/") || name == "UTC", let zone = TimeZone(identifier: name) else {
            throw field.fail("an IANA time zone name such as \"Europe/Berlin\" or \"UTC\" (R-LIC-3)")
        }
        return zone
    }

    /// An instant from the start to `ScenarioLimits.maxTime` after it.
    func instant(_ field: Field) throws(ScenarioError) -> SimInstant {
        guard case .string(let text) = field.node.value,
              let instant = TimeSyntax.instant(text, startEpochMilliseconds: startEpochMilliseconds) else {
            throw field.fail(TimeSyntax.instantForm + " at or after the start")
        }
        guard instant <= .start + ScenarioLimits.maxTime else {
            throw field.fail("an instant at most \(ScenarioLimits.maxTime) after the start")
        }
        return instant
    }

    /// An instant before the end of the run (actions and expectations; anything later would silently never happen).
    func instantInRun(_ field: Field) throws(ScenarioError) -> SimInstant {
        let at = try instant(field)
        guard at < .start + duration else { throw field.fail("an instant before the end of the run (\(duration))") }
        return at
    }
}
