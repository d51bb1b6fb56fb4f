import Foundation
import LeaseKernel
import LeaseModel

extension LevelEnvelope {
    /// Bars of a cumulative count: how much it grew in each bucket.
    func increments() -> [(x: Int64, y: Int64)] {
        var filled = self
        filled.fill(upTo: buckets)
        return filled.cells.enumerated().compactMap { index, cell in
            guard let cell, cell.close > cell.open else { return nil }
            return (Int64(index) * width, cell.close - cell.open)
        }
    }
}

/// What the report needs from timeline.csv, read in one pass: per feature the fleet's levels (from fleet rows,
/// or summed over client and server rows when there are none), the chosen clients' levels, and periods of
/// penalties and HA splits.
struct TimelineDigest {
    struct Levels {
        var users, served, leased, installed, denied: LevelEnvelope
        init(duration: Int64) {
            let envelope = LevelEnvelope(duration: duration)
            (users, served, leased, installed, denied) = (envelope, envelope, envelope, envelope, envelope)
        }
    }

    var fleet: [String: Levels] = [:] // lookups only
    /// The fleet's concurrent use by feature, exactly (not bucketed): percentiles and monthly peaks.
    var use: [String: ConcurrentUse] = [:] // lookups only
    var clients: [String: Levels] = [:] // lookups only; key "client\0feature"
    var periods: [TimeChart.Band] = []

    static func read(_ files: [(path: String, role: UInt8?)], features: [String], clients chosen: [String], duration: Int64, startEpoch: Int64 = 0) throws(ScenarioError) -> TimelineDigest {
        var digest = TimelineDigest()
        for feature in features {
            digest.fleet[feature] = Levels(duration: duration)
            digest.use[feature] = ConcurrentUse(startEpoch: startEpoch, duration: duration)
        }
        // Every entity and feature met, interned by its bytes (no string per row): its latest values, and the
        // fleet's sums over them by feature.
        var table = EntityInterner()
        let featureBytes = features.map { Array($0.utf8) }
        var sums = Array(repeating: [Int64](repeating: 0, count: 5), count: features.count) // users, served, leased, denied, installed
        var touched = Array(repeating: false, count: features.count)
        let featureOrder = features.indices.sorted { features[$0] < features[$1] }
        var fleetRows = false
        var instant: Int64 = -1
        var open: [String: Int64] = [:] // lookups only; periods in progress by "kind\0entity" (server rows only)
        // Each entity's colour for a kind of period, in the order entities first had one (the two nodes of a pair differ).
        var periodColors: [String: String] = [:], periodsOfKind: [String: Int] = [:] // lookups only
        func periodColor(_ period: String) -> String {
            if let known = periodColors[period] { return known }
            let kind = String(period.prefix { $0 != "\u{0}" })
            let colors = kind == "penalty" ? ReportPalette.penalties : ReportPalette.splits
            let number = periodsOfKind[kind, default: 0]
            periodsOfKind[kind] = number + 1
            let color = colors[number % colors.count]
            periodColors[period] = color
            return color
        }
        let chosen = Set(chosen)
        func commit() {
            guard instant >= 0 else { return }
            for feature in featureOrder where touched[feature] {
                let sum = sums[feature]
                digest.fleet[features[feature]]?.users.record(instant, sum[0])
                digest.fleet[features[feature]]?.served.record(instant, sum[1])
                digest.fleet[features[feature]]?.leased.record(instant, sum[2])
                digest.fleet[features[feature]]?.denied.record(instant, sum[3])
                digest.fleet[features[feature]]?.installed.record(instant, sum[4])
                digest.use[features[feature]]?.record(instant, ConcurrentUse.Levels(users: sum[0], leased: sum[2], installed: sum[4], denied: sum[3]))
                touched[feature] = false
            }
        }
        for (path, fixedRole) in files {
            // Each file is in time order; a new file starts from its own first instant.
            if !fleetRows { commit() }
            instant = -1
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ScenarioError(file: path, position: nil, path: "", expected: "a run's timeline.csv", found: "no readable file")
            }
            defer { try? handle.close() }
            var reader = LineReader(handle: handle)
            guard let headerLine = reader.next() else { continue }
            let header = headerLine.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            func column(_ name: String) -> Int { header.firstIndex(of: name) ?? -1 }
            let (seconds, entity, role, featureColumn) = (column("seconds"), column("entity"), column("role"), column("feature"))
            // A table per role has no role column (and the fleet's no entity): the file says which role it holds.
            let fleetOnly = fixedRole == UInt8(ascii: "f")
            let (users, served, leased, denied, installed) = (column("users"), column("served"), column("leased"), column("denied_logins"), column("installed"))
            let (penalty, split) = (column("penalty"), column("split"))
            guard seconds >= 0, entity >= 0 || fleetOnly, role >= 0 || fixedRole != nil, featureColumn >= 0, users >= 0 || fixedRole == UInt8(ascii: "s"),
                  installed >= 0 || fixedRole == UInt8(ascii: "c") else {
                throw ScenarioError(file: path, position: TextPosition(line: 1, column: 1), path: "", expected: "a timeline.csv header leasesim writes", found: Excerpt.quoted(headerLine.count < 200 ? String(decoding: headerLine, as: UTF8.self) : "a long line"))
            }
            var bounds = [Int](repeating: 0, count: header.count + 1)
            while let line = reader.next() {
                // Cell i is line[bounds[i] ..< bounds[i + 1] - 1].
                var cells = 0
                bounds[0] = line.startIndex
                for index in line.indices where line[index] == UInt8(ascii: ",") {
                    cells += 1
                    guard cells < header.count else { break }
                    bounds[cells] = index + 1
                }
                guard cells == header.count - 1 else { continue }
                bounds[header.count] = line.endIndex + 1
                func cell(_ index: Int) -> ArraySlice<UInt8> { line[bounds[index]..<(bounds[index + 1] - 1)] }
                func value(_ index: Int) -> Int64 { index >= 0 ? TimelineDigest.integer(cell(index)) : 0 }
                let time = TimelineDigest.milliseconds(cell(seconds))
                if time != instant {
                    if !fleetRows { commit() }
                    instant = time
                }
                let featureCell = cell(featureColumn)
                guard let feature = featureBytes.firstIndex(where: { $0.elementsEqual(featureCell) }) else { continue }
                switch fixedRole ?? cell(role).first {
                case UInt8(ascii: "f"):
                    fleetRows = true
                    digest.fleet[features[feature]]?.users.record(time, value(users))
                    digest.fleet[features[feature]]?.served.record(time, value(served))
                    digest.fleet[features[feature]]?.leased.record(time, value(leased))
                    digest.fleet[features[feature]]?.denied.record(time, value(denied))
                    digest.fleet[features[feature]]?.installed.record(time, value(installed))
                    digest.use[features[feature]]?.record(time, ConcurrentUse.Levels(users: value(users), leased: value(leased), installed: value(installed),
                                                                                      denied: value(denied)))
                case UInt8(ascii: "c"):
                    let id = table.index(of: cell(entity), feature: feature, chosen: chosen)
                    let now = (value(users), value(served), value(leased), value(denied)), base = id * 5
                    sums[feature][0] += now.0 - table.latest[base]
                    sums[feature][1] += now.1 - table.latest[base + 1]
                    sums[feature][2] += now.2 - table.latest[base + 2]
                    sums[feature][3] += now.3 - table.latest[base + 3]
                    (table.latest[base], table.latest[base + 1], table.latest[base + 2], table.latest[base + 3]) = now
                    touched[feature] = true
                    if table.chosen[id] {
                        let key = table.names[id] + "\u{0}" + features[feature]
                        var levels = digest.clients[key] ?? Levels(duration: duration)
                        levels.users.record(time, now.0)
                        levels.served.record(time, now.1)
                        levels.leased.record(time, now.2)
                        digest.clients[key] = levels
                    }
                case UInt8(ascii: "s"):
                    let id = table.index(of: cell(entity), feature: feature, chosen: chosen)
                    let now = value(installed)
                    sums[feature][4] += now - table.latest[id * 5 + 4]
                    table.latest[id * 5 + 4] = now
                    touched[feature] = true
                    for (kind, column) in [("penalty", penalty), ("HA pair split", split)] where column >= 0 {
                        let period = kind + "\u{0}" + table.names[id], active = value(column) > 0
                        if active, open[period] == nil { open[period] = time }
                        if !active, let from = open.removeValue(forKey: period) {
                            digest.periods.append(TimeChart.Band(name: "\(kind) (\(table.names[id]))", color: periodColor(period), from: from, to: time, hatched: true))
                        }
                    }
                default:
                    continue
                }
            }
        }
        if !fleetRows { commit() }
        // Periods still open at the end close with the run, in the order of their kind and entity.
        for (period, from) in open.sorted(by: { $0.key < $1.key }) {
            let parts = period.split(separator: "\u{0}", omittingEmptySubsequences: false)
            digest.periods.append(TimeChart.Band(name: "\(parts[0]) (\(parts[1]))", color: periodColor(period), from: from, to: duration, hatched: true))
        }
        digest.periods.sort { ($0.from, $0.name) < ($1.from, $1.name) }
        for feature in features { digest.use[feature]?.finish() }
        return digest
    }

    /// A run's timeline: timeline.csv, or the tables of `--timeline by-role` (the fleet's first, so its rows are the
    /// fleet's levels, then the clients' and the servers').
    static func read(directory: String, features: [String], clients chosen: [String], duration: Int64, startEpoch: Int64 = 0) throws(ScenarioError) -> TimelineDigest {
        let wide = directory + "/timeline.csv", fleet = directory + "/" + Quantities.roleTimelineName(.fleet)
        let files: [(path: String, role: UInt8?)] = !FileManager.default.fileExists(atPath: wide) && FileManager.default.fileExists(atPath: fleet)
            ? [(fleet, UInt8(ascii: "f")), (directory + "/" + Quantities.roleTimelineName(.client), UInt8(ascii: "c")),
               (directory + "/" + Quantities.roleTimelineName(.server), UInt8(ascii: "s"))]
            : [(wide, nil)]
        return try read(files, features: features, clients: chosen, duration: duration, startEpoch: startEpoch)
    }

    /// `123` or `123.456` seconds, in milliseconds.
    static func milliseconds(_ cell: ArraySlice<UInt8>) -> Int64 {
        var whole: Int64 = 0, fraction: Int64 = 0, digits = 0, point = false
        for byte in cell {
            if byte == UInt8(ascii: ".") { point = true; continue }
            guard byte >= 0x30 && byte <= 0x39 else { continue }
            if point {
                if digits < 3 { fraction = fraction * 10 + Int64(byte - 0x30); digits += 1 }
            } else if whole < Int64.max / 100 {
                whole = whole * 10 + Int64(byte - 0x30)
            }
        }
        while digits < 3 { fraction *= 10; digits += 1 }
        return whole * 1000 + fraction
    }

    /// A whole number cell (empty, or anything else, is 0; decimals are cut).
    static func integer(_ cell: ArraySlice<UInt8>) -> Int64 {
        var value: Int64 = 0, negative = false
        for byte in cell {
            if byte == UInt8(ascii: "-") { negative = true; continue }
            guard byte >= 0x30 && byte <= 0x39 else { break }
            guard value < Int64.max / 100 else { break }
            value = value * 10 + Int64(byte - 0x30)
        }
        return negative ? -value : value
    }
}

/// The entities (and features) of a timeline, interned by their bytes: a row looks its entity up without making a
/// string; each has its name, whether it is charted and its latest five values.
struct EntityInterner {
    var buckets: [UInt64: [Int]] = [:] // lookups only
    var keys: [ArraySlice<UInt8>] = []
    var features: [Int] = []
    var names: [String] = []
    var chosen: [Bool] = []
    var latest: [Int64] = []

    mutating func index(of entity: ArraySlice<UInt8>, feature: Int, chosen charted: Set<String>) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(feature)
        for byte in entity {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        if let candidates = buckets[hash] {
            for id in candidates where features[id] == feature && keys[id].elementsEqual(entity) { return id }
        }
        let id = keys.count
        keys.append(ArraySlice(Array(entity)))
        features.append(feature)
        let name = String(decoding: entity, as: UTF8.self)
        names.append(name)
        chosen.append(charted.contains(name))
        latest += [0, 0, 0, 0, 0]
        buckets[hash, default: []].append(id)
        return id
    }
}

/// Lines of a file read in 1 MiB chunks (CR before LF dropped).
struct LineReader {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var position = 0
    var finished = false

    init(handle: FileHandle) { self.handle = handle }

    mutating func next() -> ArraySlice<UInt8>? {
        while true {
            if let end = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer[position..<end]
                position = end + 1
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                return line
            }
            if finished {
                guard position < buffer.count else { return nil }
                let line = buffer[position...]
                position = buffer.count
                return line
            }
            let chunk = handle.readData(ofLength: 1 << 20)
            buffer.removeFirst(position)
            position = 0
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}

/// Read-only access to a parsed JSON document by key and index; missing values read as empty.
struct JSONLookup {
    let node: JSONNode?
    init(_ node: JSONNode?) { self.node = node }

    subscript(key: String) -> JSONLookup {
        guard case .object(let members)? = node?.value else { return JSONLookup(nil) }
        return JSONLookup(members.first { $0.key == key }?.value)
    }

    var keys: [String] {
        guard case .object(let members)? = node?.value else { return [] }
        return members.map(\.key)
    }

    var array: [JSONLookup] {
        guard case .array(let elements)? = node?.value else { return [] }
        return elements.map(JSONLookup.init)
    }

    var string: String? {
        guard case .string(let text)? = node?.value else { return nil }
        return text
    }

    /// The value as a cell shows it (empty when missing).
    var text: String { node?.value.shownText ?? "" }

    /// Whether the document has the value (it may be null).
    var exists: Bool { node != nil }

    /// Whether the value is JSON's null (a time that never came, a figure with nothing to measure).
    var isNull: Bool {
        if case .null? = node?.value { return true }
        return false
    }
}
