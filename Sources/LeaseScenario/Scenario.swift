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
    public var expectations: [Expectation]

    public init(file: String, name: String, description: String = "", spec: FleetSpec, duration: SimDuration,
                limits: RunLimits = RunLimits(), expectations: [Expectation] = []) {
        self.file = file
        self.name = name
        self.description = description
        self.spec = spec
        self.duration = duration
        self.limits = limits
        self.expectations = expectations
    }

    /// The instant the run ends.
    public var horizon: SimInstant { .start + duration }
}

/// The current scenario format; files name it in their `format` field.
public enum ScenarioFormat {
    public static let current = "leasesim/1"
    /// Largest scenario or trace file read, in bytes.
    public static let maxFileBytes = 64 << 20
}

/// Every key the loader accepts, per kind of object; the JSON Schema is checked against these.
public enum ScenarioKeys {
    public static let root = ["$schema", "format", "name", "description", "seed", "start", "duration", "policy", "network",
                              "servers", "clients", "actions", "expectations", "limits"]
    public static let policy = ["reservedLeaseDuration", "incrementalLeaseDuration", "renewalInterval", "minimumHold",
                                "releasePolicy", "holdPolicy", "quantaPerRequest", "initialLeases", "requestsAtRenewal"]
    public static let network = ["latency"]
    public static let server = ["id", "licenses"]
    public static let license = ["sku", "feature", "type", "count", "start", "end", "installedAt"]
    public static let client = ["id", "group", "count", "variation", "server", "latency", "expiry", "allocations", "demand"]
    public static let allocation = ["ruc", "ilq", "muc"]
    public static let demand = ["kind", "users", "steps", "weekday", "weekend", "arrivalsPerHour",
                                "weekendArrivalsPerHour", "meanSession", "file"]
    public static let step = ["at", "users"]
    public static let variation = ["scale", "shift"]
    public static let action = ["at", "action", "client", "feature", "ruc", "ilq", "muc"]
    public static let expectation = ["name", "metric", "entity", "feature", "op", "value", "at", "holds"]
    public static let limits = ["maxEvents", "maxPendingEvents"]

    /// Every object kind by the name the JSON Schema uses for it (`root` is the top level).
    public static let all: [(String, [String])] = [
        ("root", root), ("policy", policy), ("network", network), ("server", server), ("license", license),
        ("client", client), ("allocation", allocation), ("demand", demand), ("step", step),
        ("variation", variation), ("action", action), ("expectation", expectation), ("limits", limits),
    ]
}
