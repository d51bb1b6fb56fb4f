import LeaseKernel
import LeaseModel

/// Whose figure a quantity is: a client's feature, a server's feature, or the fleet's feature.
enum Role: CaseIterable, Sendable {
    case client, server, fleet
}

/// An exact figure: a count, user-time (kept in user-milliseconds, shown in user-hours), or a ratio.
enum Figure: Equatable, Sendable {
    case count(Int64)
    case userTime(Int128)
    case ratio(Int128, Int128)

    /// As an expectation compares it.
    var double: Double {
        switch self {
        case .count(let count): return Double(count)
        case .userTime(let milliseconds): return Double(milliseconds) / Double(SimDuration.millisecondsPerHour)
        case let .ratio(numerator, denominator): return denominator == 0 ? 0 : Double(numerator) / Double(denominator)
        }
    }

    /// As summary.json writes it: exact decimal text (user-hours with 3 places, ratios with 4).
    var json: String {
        switch self {
        case .count(let count): return "\(count)"
        case .userTime(let milliseconds): return RunSummary.userHours(milliseconds)
        case let .ratio(numerator, denominator): return RunSummary.ratio(numerator, denominator)
        }
    }
}

/// Everything a figure of one client's feature is read from (zeros where the client does not lease the feature).
struct ClientReading: Sendable {
    var levels = Levels()
    var deniedUserMilliseconds: Int64 = 0
    var servedUserMilliseconds: Int64 = 0
    var leasedUserMilliseconds: Int64 = 0
    var peakUsers: Int64 = 0
    var peakLeased: Int64 = 0
    var usersCutOff: Int64 = 0
    var messagesSent: Int64
}

/// Everything a figure of one server's feature is read from.
struct ServerReading: Sendable {
    var levels: Levels
    var pool: ServerFeatureState
}

/// Everything a figure of the fleet's feature is read from.
struct FleetReading: Sendable {
    var levels: Levels
    var totals: FeatureTotals
    var integrals: FeatureIntegrals
    var counters: ProtocolCounters
}

/// A count read from `Levels` (a timeline cell, or a metric watched at every instant). Plain values, not
/// closures: a closure kept in an array is called through a thunk that allocates, once per cell.
enum LevelField: Sendable {
    case users, served, unserved, reserved, incremental, leased, serverLeased, deniedLogins, installed, used, free
    case autoLeased, autoLeasing, penalty, effective, licensing, leader, haRole, split, graceDaysLeft, cloud
    /// Kept in thousandths of a user (the timeline writes them as decimals; they are not metrics).
    case averageAvailable, autoLeaseThreshold
}

extension Levels {
    @inline(__always) func value(_ field: LevelField) -> Int64 {
        switch field {
        case .users: return users
        case .served: return served
        case .unserved: return users - served
        case .reserved: return reserved
        case .incremental: return incremental
        case .leased: return leased
        case .serverLeased: return serverLeased
        case .deniedLogins: return deniedLogins
        case .installed: return installed
        case .used: return used
        case .free: return installed - used
        case .autoLeased: return autoLeased
        case .effective: return effective
        case .autoLeasing: return autoLeasing
        case .penalty: return penalty
        case .licensing: return licensing
        case .leader: return leader
        case .haRole: return haRole
        case .split: return split
        case .graceDaysLeft: return graceDaysLeft
        case .cloud: return cloud
        case .averageAvailable: return averageAvailableThousandths
        case .autoLeaseThreshold: return autoLeaseThresholdThousandths
        }
    }
}

/// How a quantity is read for one role: from the counts at an instant (so it can be watched at every instant),
/// or from what the run accumulated so far.
enum Reading<Context>: Sendable {
    case level(LevelField)
    case figure(@Sendable (Context) -> Figure)

    var level: LevelField? {
        if case .level(let field) = self { return field }
        return nil
    }

    func figure(_ context: Context, _ levels: Levels) -> Figure {
        switch self {
        case .level(let field): return .count(levels.value(field))
        case .figure(let read): return read(context)
        }
    }
}

/// One quantity leasesim reports: a timeline column, an expectation metric, a summary.json key, or several.
struct Quantity: Sendable {
    /// The metric's name (and summary.json's key).
    let name: String
    /// The timeline column, if the timeline shows it.
    let column: String?
    /// Whether expectations may name it (`Metric(rawValue: name)` is its metric).
    let isMetric: Bool
    let client: Reading<ClientReading>?
    let server: Reading<ServerReading>?
    let fleet: Reading<FleetReading>?
    /// The roles whose entries in summary.json carry it.
    let summary: [Role]

    init(_ name: String, column: String? = nil, metric: Bool = true, client: Reading<ClientReading>? = nil,
         server: Reading<ServerReading>? = nil, fleet: Reading<FleetReading>? = nil, summary: [Role] = []) {
        self.name = name
        self.column = column
        self.isMetric = metric
        self.client = client
        self.server = server
        self.fleet = fleet
        self.summary = summary
    }

    func has(_ role: Role) -> Bool {
        switch role {
        case .client: return client != nil
        case .server: return server != nil
        case .fleet: return fleet != nil
        }
    }

    /// The quantity's reading for a role at an instant, when it is instantaneous for that role.
    func level(_ role: Role) -> LevelField? {
        switch role {
        case .client: return client?.level
        case .server: return server?.level
        case .fleet: return fleet?.level
        }
    }
}

/// The registry: every timeline column, expectation metric and summary figure, in timeline column order (and
/// summary.json key order). The timeline's header and cells, sampled rows, the expectation tracker, expectation
/// values, summary.json and the metric lists of the loader and the schema are all read from this table, so a
/// new column or figure is one line here (a new metric is also a case of `Metric`).
enum Quantities {
    static let all: [Quantity] = [
        Quantity("users", column: "users", client: .level(.users), fleet: .level(.users)),
        Quantity("served", column: "served", client: .level(.served), fleet: .level(.served)),
        Quantity("unserved", column: "unserved", metric: false,
                 client: .level(.unserved), fleet: .level(.unserved)),
        Quantity("reserved", column: "reserved", client: .level(.reserved)),
        Quantity("incremental", column: "incremental", client: .level(.incremental)),
        Quantity("leased", column: "leased", client: .level(.leased), fleet: .level(.leased)),
        Quantity("serverLeased", column: "server_leased", client: .level(.serverLeased), fleet: .level(.serverLeased)),
        Quantity("capacity", column: "capacity", metric: false, client: .level(.effective), fleet: .level(.effective)),
        Quantity("deniedLogins", column: "denied_logins", client: .level(.deniedLogins), fleet: .level(.deniedLogins),
                 summary: [.client, .fleet]),
        Quantity("installed", column: "installed", client: .level(.installed), server: .level(.installed), fleet: .level(.installed),
                 summary: [.server]),
        Quantity("used", column: "used", server: .level(.used), fleet: .level(.used), summary: [.server]),
        Quantity("free", column: "free", server: .level(.free), fleet: .level(.free),
                 summary: [.server]),
        Quantity("autoLeased", column: "auto_leased", client: .level(.autoLeased), fleet: .level(.autoLeased)),
        Quantity("autoLeasing", column: "auto_leasing", client: .level(.autoLeasing), server: .level(.autoLeasing)),
        Quantity("penalty", column: "penalty", server: .level(.penalty)),
        Quantity("licensing", column: "licensing", server: .level(.licensing)),
        Quantity("cloud", column: "cloud", server: .level(.cloud)),
        Quantity("leader", column: "leader", client: .level(.leader)),
        Quantity("haRole", column: "ha_role", server: .level(.haRole)),
        Quantity("split", column: "split", server: .level(.split)),
        Quantity("graceDaysLeft", column: "grace_days_left", server: .level(.graceDaysLeft)),
        Quantity("averageAvailable", column: "average_available", metric: false, server: .level(.averageAvailable)),
        Quantity("autoLeaseThreshold", column: "auto_lease_threshold", metric: false, server: .level(.autoLeaseThreshold)),
        Quantity("deniedUserHours", client: .figure { .userTime(Int128($0.deniedUserMilliseconds)) },
                 fleet: .figure { .userTime($0.integrals.deniedUserMilliseconds) }, summary: [.client, .fleet]),
        Quantity("usersCutOff", metric: false, client: .figure { .count($0.usersCutOff) }, fleet: .figure { .count($0.totals.usersCutOff) },
                 summary: [.client, .fleet]),
        Quantity("servedUserHours", metric: false, client: .figure { .userTime(Int128($0.servedUserMilliseconds)) },
                 fleet: .figure { .userTime($0.integrals.servedUserMilliseconds) }, summary: [.client, .fleet]),
        Quantity("peakUsers", client: .figure { .count($0.peakUsers) }, fleet: .figure { .count($0.totals.peakUsers) },
                 summary: [.client, .fleet]),
        Quantity("peakServed", metric: false, fleet: .figure { .count($0.totals.peakServed) }, summary: [.fleet]),
        Quantity("peakLeased", client: .figure { .count($0.peakLeased) }, fleet: .figure { .count($0.totals.peakLeased) },
                 summary: [.client, .fleet]),
        Quantity("installedAtPeak", metric: false, fleet: .figure { .count($0.totals.installedAtPeakLeased) }, summary: [.fleet]),
        Quantity("headroomAtPeak", metric: false,
                 fleet: .figure { .count($0.totals.installedAtPeakLeased - $0.totals.peakLeased) }, summary: [.fleet]),
        Quantity("peakUsed", server: .figure { .count(Int64($0.pool.peakUsed)) }, summary: [.server]),
        Quantity("utilisation",
                 client: .figure { .ratio(Int128($0.servedUserMilliseconds), Int128($0.leasedUserMilliseconds)) },
                 server: .figure { .ratio($0.pool.usedUserMilliseconds, $0.pool.installedUserMilliseconds) },
                 fleet: .figure { .ratio($0.integrals.servedUserMilliseconds, $0.integrals.leasedUserMilliseconds) },
                 summary: [.client, .server, .fleet]),
        Quantity("messagesSent", client: .figure { .count($0.messagesSent) }, fleet: .figure { .count($0.counters.messages) }),
        // Counts of events over the fleet, for expectations (the same for every feature).
        Quantity("refusals", fleet: .figure { .count($0.counters.refusals) }),
        Quantity("reclaims", fleet: .figure { .count($0.counters.reclaims) }),
        Quantity("lapses", fleet: .figure { .count($0.counters.lapses) }),
        Quantity("messagesDropped", fleet: .figure { .count($0.counters.messagesDropped) }),
        Quantity("failovers", fleet: .figure { .count($0.counters.failovers) }),
        // FlexNet's usage summary: license-hours available (installed) and used (leased out).
        Quantity("hoursAvailable", metric: false, server: .figure { .userTime($0.pool.installedUserMilliseconds) },
                 fleet: .figure { .userTime($0.integrals.installedUserMilliseconds) }, summary: [.server, .fleet]),
        Quantity("hoursUsed", metric: false, server: .figure { .userTime($0.pool.usedUserMilliseconds) },
                 fleet: .figure { .userTime($0.integrals.usedUserMilliseconds) }, summary: [.server, .fleet]),
    ]

    /// The fleet figures a report's summary shows, in order: summary.json's key, the title (its unit in it) and
    /// what it means. The one place these words live; docs/outputs.md's tables say the same.
    static let definitions: [(key: String, title: String, definition: String)] = [
        ("deniedLogins", "denied logins", "logins refused for want of a license, each counted once (R-LEASE-8)"),
        ("usersCutOff", "users cut off", "sessions lost while their users still wanted them: a lease that lapsed or was not renewed, a cut MUC, a license that ended, a client that stopped; they add denied user-hours without a denied login"),
        ("deniedUserHours", "denied user-hours", "users who wanted a session and had none, times how long: denied logins waiting and users cut off"),
        ("servedUserHours", "served user-hours", "users with a session, times how long"),
        ("peakUsers", "peak demand (users)", "the most users who wanted a session at once, fleet-wide"),
        ("peakServed", "peak served (users)", "the most users with a session at once"),
        ("peakLeased", "peak leased (licenses)", "the most licenses the clients held at once (reserved, incremental and auto-leased)"),
        ("installedAtPeak", "installed at peak leased (licenses)", "licenses installed on every server when the clients first held their peak"),
        ("headroomAtPeak", "headroom at peak (licenses)", "installed at peak leased minus peak leased; below 0 only when the clients held more than was installed: counts auto-leased while cut off (R-AUTO-3), or leases carried over a license's end until their renewal (R-LEASE-11)"),
        ("utilisation", "utilisation (served / leased user-hours)", "served user-hours over the user-hours the clients' leases (and own licenses) could serve"),
        ("hoursAvailable", "license-hours installed", "installed licenses times time, over every server (FlexNet's usage summary calls it hours available)"),
        ("hoursUsed", "license-hours leased out", "licenses the servers had leased out, times time (FlexNet's hours used): it reaches license-hours installed when every license is out, whatever the users do; served user-hours say what users had"),
        ("firstDenial", "first denial", "when the first login was refused (none: never)"),
    ]

    /// The quantity a metric names.
    static func of(_ metric: Metric) -> Quantity { byMetric[metric]! }
    static let byMetric: [Metric: Quantity] = Dictionary(uniqueKeysWithValues: all.compactMap { quantity in
        quantity.isMetric ? Metric(rawValue: quantity.name).map { ($0, quantity) } : nil
    })

    /// The timeline's columns, in order.
    static let columns: [Quantity] = all.filter { $0.column != nil }
    /// The timeline's header line.
    static let timelineHeader = "time,seconds,entity,role,feature," + columns.map { $0.column! }.joined(separator: ",") + "\n"
    /// Each role's timeline cells after `feature`: a reading per column, nil for an empty cell.
    /// `--timeline by-role`: a table per role with only the role's own columns (so every count column is whole),
    /// named `timeline-client.csv`, `timeline-server.csv` and `timeline-fleet.csv`; the fleet's has no entity column.
    static func roleColumns(_ role: Role) -> [Quantity] { columns.filter { $0.level(role) != nil } }
    static func roleTimelineHeader(_ role: Role) -> String {
        "time,seconds," + (role == .fleet ? "" : "entity,") + "feature," + roleColumns(role).map { $0.column! }.joined(separator: ",") + "\n"
    }
    static func roleCells(_ role: Role) -> CellPlan { CellPlan(roleColumns(role).map { $0.level(role) }) }
    static func roleTimelineName(_ role: Role) -> String {
        switch role {
        case .client: return "timeline-client.csv"
        case .server: return "timeline-server.csv"
        case .fleet: return "timeline-fleet.csv"
        }
    }
    static let clientCells = CellPlan(columns.map { $0.level(.client) })
    static let serverCells = CellPlan(columns.map { $0.level(.server) })
    static let fleetCells = CellPlan(columns.map { $0.level(.fleet) })

    /// The quantities summary.json gives for a role's entries, in order.
    static func summary(of role: Role) -> [Quantity] { all.filter { $0.summary.contains(role) } }

    /// The metrics a role has, in `Metric` order.
    static func metrics(of role: Role) -> [Metric] { Metric.allCases.filter { of($0).has(role) } }
    /// Whether a metric has a value at every instant for every role that has it, so "always"/"never" can watch it.
    static func isInstantaneous(_ metric: Metric) -> Bool {
        Role.allCases.allSatisfy { role in !of(metric).has(role) || of(metric).level(role) != nil }
    }
}

extension Metric {
    /// Metrics that have a value at every instant, so "always"/"never" can watch them.
    public var isInstantaneous: Bool { Quantities.isInstantaneous(self) }
}

extension CSVBuffer {
    /// A row's cells after `feature`: each column's value, or nothing where the role has no such column.
    mutating func cells(_ plan: CellPlan, _ levels: Levels) {
        reserve(26 * plan.cells.count + 1)
        withUnsafeBytes(of: levels) { raw in
            let stride = MemoryLayout<Int64>.stride
            for position in plan.cells.indices {
                if position > 0 { comma() }
                let cell = plan.cells[position]
                guard cell.plus >= 0 else { continue }
                if cell.minus == CellPlan.Cell.thousandths {
                    thousandths(raw.load(fromByteOffset: Int(cell.plus) * stride, as: Int64.self))
                    continue
                }
                let minus = cell.minus >= 0 ? raw.load(fromByteOffset: Int(cell.minus) * stride, as: Int64.self) : 0
                integer(raw.load(fromByteOffset: Int(cell.plus) * stride, as: Int64.self) &- minus)
            }
        }
        newline()
    }
}

/// A role's timeline cells, prepared from the registry: each column's count as positions among `Levels`' fields
/// (a difference for `unserved` and `free`), so a row is written with no switch or call per cell.
struct CellPlan: Sendable {
    struct Cell: Sendable {
        /// The field to write (-1: an empty cell), and the field to subtract from it (-1: none; `thousandths`: the
        /// field is a count in thousandths, written as a decimal).
        var plus: Int8
        var minus: Int8
        static let thousandths: Int8 = -2
    }
    let cells: [Cell]

    init(_ fields: [LevelField?]) {
        func position(_ path: KeyPath<Levels, Int64>) -> Int8 { Int8(MemoryLayout<Levels>.offset(of: path)! / 8) }
        cells = fields.map { field in
            guard let field else { return Cell(plus: -1, minus: -1) }
            switch field {
            case .users: return Cell(plus: position(\.users), minus: -1)
            case .served: return Cell(plus: position(\.served), minus: -1)
            case .unserved: return Cell(plus: position(\.users), minus: position(\.served))
            case .reserved: return Cell(plus: position(\.reserved), minus: -1)
            case .incremental: return Cell(plus: position(\.incremental), minus: -1)
            case .leased: return Cell(plus: position(\.leased), minus: -1)
            case .serverLeased: return Cell(plus: position(\.serverLeased), minus: -1)
            case .deniedLogins: return Cell(plus: position(\.deniedLogins), minus: -1)
            case .installed: return Cell(plus: position(\.installed), minus: -1)
            case .used: return Cell(plus: position(\.used), minus: -1)
            case .free: return Cell(plus: position(\.installed), minus: position(\.used))
            case .autoLeased: return Cell(plus: position(\.autoLeased), minus: -1)
            case .effective: return Cell(plus: position(\.effective), minus: -1)
            case .autoLeasing: return Cell(plus: position(\.autoLeasing), minus: -1)
            case .penalty: return Cell(plus: position(\.penalty), minus: -1)
            case .licensing: return Cell(plus: position(\.licensing), minus: -1)
            case .leader: return Cell(plus: position(\.leader), minus: -1)
            case .haRole: return Cell(plus: position(\.haRole), minus: -1)
            case .split: return Cell(plus: position(\.split), minus: -1)
            case .graceDaysLeft: return Cell(plus: position(\.graceDaysLeft), minus: -1)
            case .cloud: return Cell(plus: position(\.cloud), minus: -1)
            case .averageAvailable: return Cell(plus: position(\.averageAvailableThousandths), minus: Cell.thousandths)
            case .autoLeaseThreshold: return Cell(plus: position(\.autoLeaseThresholdThousandths), minus: Cell.thousandths)
            }
        }
        // Every field is an Int64 (the plan reads them by position).
        precondition(MemoryLayout<Levels>.size == 21 * MemoryLayout<Int64>.size, "Levels holds twenty-one Int64 counts")
    }
}
