import LeaseKernel
import LeaseModel

/// A loaded, validated scenario: the model's input plus the run's length, limits and expectations.
public struct Scenario: Sendable {
    /// The file the scenario came from, as given.
    public var file: String
    public var name: String
    public var description: String
    public var spec: FleetSpec
    /// How long the run lasts: events in [0, duration) are processed.
    public var duration: SimDuration
    public var limits: RunLimits
    /// Limits on what the run may use of the host: output bytes and wall time.
    public var hostLimits: HostLimits
    public var expectations: [Expectation]
    /// Rules the scenario relaxes on purpose (only R-ALLOC-3, for the guide's own examples); every run reports them.
    public var relaxedRules: [String] = []
    /// What the scenario is flagged for but run with anyway (R-HA-4: an active/active pair too far apart).
    public var flags: [String] = []
    /// What the scenario draws from its seed, by JSON path (random sessions, message loss, random faults, a group's
    /// variation); empty when every seed gives the same run. `plan` replicates a random scenario by default.
    public var randomSources: [String] = []
    /// The client groups (`"group"` and `"count"`), in declaration order: their members are consecutive clients.
    public var groups: [ClientGroup] = []
    /// The warm-up its run's figures left out (`RunOptions.warmUp`; set on the report's copy), and the span they
    /// cover.
    public var warmUp = SimDuration.zero
    public var measuredDuration: SimDuration { duration - warmUp }
    /// The `--set` overrides the scenario was loaded with, as `PATH=VALUE` (summary.json repeats them).
    public var overrides: [String] = []

    public init(file: String, name: String, description: String = "", spec: FleetSpec, duration: SimDuration,
                limits: RunLimits = RunLimits(), hostLimits: HostLimits = HostLimits(), expectations: [Expectation] = []) {
        self.file = file
        self.name = name
        self.description = description
        self.spec = spec
        self.duration = duration
        self.limits = limits
        self.hostLimits = hostLimits
        self.expectations = expectations
    }

    /// The instant the run ends.
    public var horizon: SimInstant { .start + duration }
}

/// Limits on the host resources a run may use; reaching one stops the run (exit code 3).
public struct HostLimits: Sendable, Equatable {
    /// The most bytes all output files may hold together (default 32 GiB).
    public var maxOutputBytes: Int64 = 32 << 30
    /// The longest a run may take on the wall clock (no limit by default). The wall clock only ever stops a run;
    /// it never reaches an output or the order of events.
    public var maxWallTime: Duration?

    public init() {}
}

/// The current scenario format; files name it in their `format` field.
public enum ScenarioFormat {
    public static let current = "leasesim/1"
}

/// The bounds on every input, chosen so that no count, sum, product or instant the model forms can overflow,
/// and a fleet fits in memory (about 1.5 KB a client-feature at run time). Each is documented in docs/commands.md ("Limits").
public enum ScenarioLimits {
    /// Largest scenario file (parsed JSON takes about 24 bytes a value: a few hundred MB at most).
    public static let maxScenarioBytes = 16 << 20
    /// Largest trace file (16 bytes a row once read).
    public static let maxTraceBytes = 64 << 20
    /// Every duration and every instant (from the start) is at most the longest run: 3660 days, so sums of a few
    /// of them stay far inside Int64 milliseconds.
    public static let maxTime = SimDuration.days(3660)
    /// Clients in one scenario, groups expanded.
    public static let maxClients = 1_000_000
    /// Client-feature allocations (slots) in one scenario.
    public static let maxSlots = 2_000_000
    public static let maxServers = 10_000
    public static let maxFeatures = 1_000
    /// Servers times features: each pair has its own counts and accounting.
    public static let maxServerFeatures = 1_000_000
    /// One license's count.
    public static let maxLicenseCount: Int64 = 100_000_000
    /// Every license of one feature on one server, added up: used, free and idle counts stay inside Int32.
    public static let maxInstalledPerFeature: Int64 = 1_000_000_000
    /// RUC, ILQ, MUC, and a user count in any demand.
    public static let maxCount: Int64 = 10_000_000
    /// The longest cycle of hourly demand values (a year of hours, with room).
    public static let maxCycleHours = 10_000
    /// R-LIC-7: license-server subscriptions stack up to 3 years.
    public static let maxServerSubscriptionYears: Int64 = 3
    /// R-CLIENT-1: every license of one feature on one client, added up: its effective count times the longest
    /// run stays inside the slot's Int64 integrals (with its MUC, at most 2e7 users).
    public static let maxOwnPerFeature: Int64 = 10_000_000
    /// R-LIC-6: platform families in one scenario (each grant of a pool with family-bound licenses looks at each).
    public static let maxPlatforms = 32
    /// Arrivals per hour in a random-session demand.
    public static let maxArrivalsPerHour: Int64 = 1_000_000
    /// A random-session demand's mean concurrency (arrivals per hour times mean session in hours).
    public static let maxMeanSessions: Int64 = 10_000_000
}

/// Every key the loader accepts, per kind of object; the JSON Schema is checked against these.
public enum ScenarioKeys {
    public static let root = ["$schema", "format", "name", "description", "seed", "start", "duration", "relax", "policy",
                              "network", "features", "servers", "haPairs", "clients", "clusters", "actions", "faults", "randomFaults",
                              "expectations", "limits"]
    public static let policy = ["reservedLeaseDuration", "incrementalLeaseDuration", "renewalInterval", "minimumHold",
                                "releasePolicy", "holdPolicy", "quantaPerRequest", "initialLeases", "requestsAtRenewal",
                                "requestTimeout", "requestRetries", "retryBackoff", "serverRestart", "clientRestart",
                                "autoLeasing", "surrender", "cloud", "cluster", "ha"]
    public static let autoLeasing = ["enabled", "window", "review", "thresholdPercent", "maxDisconnection", "penalty",
                                     "reconcile", "reconcileUsage"]
    public static let surrender = ["expiry", "contactInterval", "afterExpiry"]
    public static let cloud = ["heartbeatInterval", "maxSilence", "latency", "restoreGrace"]
    public static let clusterPolicy = ["leader"]
    public static let cluster = ["id", "members"]
    public static let haPolicy = ["checkInterval", "retryPeriod", "grace", "failoverLeases", "fallback", "rejoin"]
    public static let haPair = ["id", "nodes", "mode", "linkLatency"]
    public static let feature = ["kind", "userCapacity", "platformBound"]
    /// Rules a scenario may relax (`relax`).
    public static let relaxable = ["R-ALLOC-3"]
    public static let network = ["latency"]
    public static let server = ["id", "licenses", "hardware", "serverLicenses", "vls", "vlsPlatform", "timeZone", "authorizationCode",
                                "restoredAt", "autoDownload", "vendorLicenses"]
    public static let vendorLicense = ["availableAt", "license"]
    public static let license = ["sku", "feature", "type", "count", "start", "end", "installedAt", "period", "platform"]
    public static let serverLicense = ["sku", "type", "years", "start"]
    public static let client = ["id", "group", "count", "variation", "server", "latency", "expiry", "allocations", "demand",
                                "maxUsers", "licenses", "platform", "memberLicense", "timeZone"]
    public static let allocation = ["ruc", "ilq", "muc"]
    public static let demand = ["kind", "users", "steps", "weekday", "weekend", "arrivalsPerHour",
                                "weekendArrivalsPerHour", "meanSession", "file", "hourly", "step", "offsetPerClient", "feature", "format"]
    public static let step = ["at", "users"]
    public static let variation = ["scale", "shift"]
    public static let action = ["at", "action", "client", "feature", "ruc", "ilq", "muc", "server", "license", "sku", "mode"]
    public static let fault = ["id", "kind", "at", "until", "for", "between", "from", "to", "node", "probability", "latency"]
    public static let randomFaults = ["partitionsPerLinkPerMonth", "meanPartition", "serverCrashesPerMonth", "meanDowntime", "loss"]
    public static let expectation = ["name", "metric", "entity", "feature", "op", "value", "within", "at", "holds", "from", "until"]
    public static let limits = ["maxEvents", "maxPendingEvents", "maxOutputBytes", "maxWallTime"]

    /// Every object kind by the name the JSON Schema uses for it (`root` is the top level).
    public static let all: [(String, [String])] = [
        ("root", root), ("policy", policy), ("autoLeasing", autoLeasing), ("surrender", surrender), ("cloud", cloud), ("clusterPolicy", clusterPolicy), ("cluster", cluster), ("haPolicy", haPolicy), ("haPair", haPair), ("feature", feature), ("network", network), ("server", server), ("vendorLicense", vendorLicense), ("license", license), ("serverLicense", serverLicense),
        ("client", client), ("allocation", allocation), ("demand", demand), ("step", step),
        ("variation", variation), ("action", action), ("fault", fault), ("randomFaults", randomFaults), ("expectation", expectation), ("limits", limits),
    ]
}

/// A client group: `count` clients from index `first`, named `NAME-001`... in the scenario.
public struct ClientGroup: Sendable, Equatable {
    public var name: String
    public var first: Int
    public var count: Int

    public init(name: String, first: Int, count: Int) {
        self.name = name
        self.first = first
        self.count = count
    }

    /// Each client's group name, or empty for a client declared alone.
    public static func names(_ groups: [ClientGroup], clients: Int) -> [String] {
        var names = Array(repeating: "", count: clients)
        for group in groups { for client in group.first..<min(clients, group.first + group.count) { names[client] = group.name } }
        return names
    }
}
