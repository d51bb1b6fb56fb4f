import Foundation

/// sweep.json: what a sweep's output directory holds and which sweep it came from, so `merge` joins only the
/// shards of one sweep, each once. A merge writes the one a single machine writes.
public struct SweepManifest: Sendable, Equatable {
    public var name: String
    public var file: String
    public var scenario: String
    public var fingerprint: UInt64
    public var points: Int
    public var replications: Int
    public var baseSeed: UInt64
    /// Nil for a whole sweep (or a merge of all its shards).
    public var shard: Shard?
    /// Runs in this directory, and how many of them failed.
    public var runsHere: Int
    public var failed: Int

    public var runs: Int { points * replications }

    public init(plan: SweepPlan, shard: Shard?, runsHere: Int, failed: Int) {
        name = plan.name
        file = plan.file
        scenario = plan.scenarioPath
        fingerprint = plan.fingerprint
        points = plan.points.count
        replications = plan.replications
        baseSeed = plan.baseSeed
        self.shard = shard
        self.runsHere = runsHere
        self.failed = failed
    }

    public var json: String {
        let hex = String(fingerprint, radix: 16)
        let shardText = shard.map { "{\"index\": \($0.index), \"count\": \($0.count)}" } ?? "null"
        return """
        {
          "leasesim": \(OutputText.jsonString(ScenarioRunner.version)),
          "sweep": \(OutputText.jsonString(name)),
          "file": \(OutputText.jsonString(file)),
          "scenario": \(OutputText.jsonString(scenario)),
          "fingerprint": "\(String(repeating: "0", count: 16 - hex.count) + hex)",
          "points": \(points),
          "replications": \(replications),
          "runs": \(runs),
          "baseSeed": \(baseSeed),
          "shard": \(shardText),
          "runsHere": \(runsHere),
          "failed": \(failed)
        }

        """
    }

    /// Reads sweep.json back (strictly: every key this version writes, nothing else).
    public static func parse(_ bytes: [UInt8], file: String) throws(ScenarioError) -> SweepManifest {
        let source = ScenarioSource(file: file, bytes: bytes)
        let root = try ScenarioLoader.parseJSON(bytes, file: file)
        let keys = ["leasesim", "sweep", "file", "scenario", "fingerprint", "points", "replications", "runs", "baseSeed", "shard", "runsHere", "failed"]
        let object = try Field(node: root, parentPath: "", step: nil, source: source).object(allowed: keys)
        func count(_ key: String) throws(ScenarioError) -> Int {
            Int(try object.required(key, "a count").integer(in: 0...Int64(SweepFormat.maxRuns), what: "a count"))
        }
        let fingerprintField = try object.required("fingerprint", "16 hex digits")
        guard let fingerprint = UInt64(try fingerprintField.string(), radix: 16) else { throw fingerprintField.fail("16 hex digits") }
        var manifest = SweepManifest(name: try object.required("sweep", "a name").string(), file: try object.required("file", "a path").string(),
                                     scenario: try object.required("scenario", "a path").string(), fingerprint: fingerprint,
                                     points: try count("points"), replications: try count("replications"),
                                     baseSeed: UInt64(try object.required("baseSeed", "a seed").integer(in: 0...Int64.max, what: "a seed")),
                                     shard: nil, runsHere: try count("runsHere"), failed: try count("failed"))
        let shardField = try object.required("shard", "null or {\"index\", \"count\"}")
        if case .object = shardField.node.value {
            let shard = try shardField.object(allowed: ["index", "count"])
            let total = Int(try shard.required("count", "a shard count").integer(in: 1...Int64(SweepFormat.maxRuns), what: "a shard count"))
            let index = Int(try shard.required("index", "a shard index").integer(in: 0...Int64(total - 1), what: "a shard index"))
            manifest.shard = Shard(index: index, count: total)
        } else if case .null = shardField.node.value {
        } else {
            throw shardField.fail("null or {\"index\", \"count\"}")
        }
        guard try count("runs") == manifest.runs else { throw try object.required("runs", "").fail("points times replications") }
        return manifest
    }

    init(name: String, file: String, scenario: String, fingerprint: UInt64, points: Int, replications: Int, baseSeed: UInt64,
         shard: Shard?, runsHere: Int, failed: Int) {
        self.name = name
        self.file = file
        self.scenario = scenario
        self.fingerprint = fingerprint
        self.points = points
        self.replications = replications
        self.baseSeed = baseSeed
        self.shard = shard
        self.runsHere = runsHere
        self.failed = failed
    }
}

/// A sweep's output directory: runs.csv, points.csv (for a whole sweep) and sweep.json, put in place as one set.
public enum SweepOutput {
    /// Where a sweep or a merge writes without `--out`: apart from a run's `out`, so neither replaces the other's set.
    public static let defaultDirectory = "sweep-out"
    /// The files of a sweep (or shard) with these runs.
    public static func files(manifest: SweepManifest, table: RunsTable) -> [(name: String, text: String)] {
        var files = [(name: "runs.csv", text: table.csv)]
        if manifest.shard == nil { files.append((name: "points.csv", text: table.pointsCSV)) }
        files.append((name: "sweep.json", text: manifest.json))
        return files
    }

    /// Writes files into `directory` as one set (`OutputSet`: the directory holds the old set or the new one).
    public static func write(_ files: [(name: String, text: String)], to directory: String) throws(OutputError) {
        let set = try OutputSet(directory: directory)
        for (name, text) in files {
            let file = try set.createFile(named: name)
            file.write(text)
            try file.close()
        }
        try set.commit()
    }

    /// Joins the outputs of a sweep's shards into the whole sweep's table and manifest: every shard of one sweep,
    /// each once, every run once. The tables are what one machine writes, byte for byte.
    public static func merge(_ directories: [String]) throws(ScenarioError) -> (manifest: SweepManifest, table: RunsTable) {
        var parts: [(directory: String, manifest: SweepManifest, table: RunsTable)] = []
        for directory in directories {
            let manifestPath = directory + "/sweep.json", runsPath = directory + "/runs.csv"
            let manifest = try SweepManifest.parse(try ScenarioLoader.readFile(manifestPath, limit: 1 << 20, what: "a sweep output's sweep.json",
                                                                              jsonPath: "", file: manifestPath), file: manifestPath)
            let bytes = try ScenarioLoader.readFile(runsPath, limit: 1 << 34, what: "a sweep output's runs.csv", jsonPath: "", file: runsPath)
            parts.append((directory, manifest, try RunsTable.parse(String(decoding: bytes, as: UTF8.self), file: runsPath)))
        }
        guard let first = parts.first else {
            throw ScenarioError(file: "merge", position: nil, path: "", expected: "at least one shard directory", found: "none")
        }
        func fail(_ directory: String, _ expected: String, _ found: String) -> ScenarioError {
            ScenarioError(file: directory + "/sweep.json", position: nil, path: "", expected: expected, found: found)
        }
        let count = first.manifest.shard?.count ?? 1
        var seen = Array(repeating: false, count: count)
        for part in parts {
            guard part.manifest.fingerprint == first.manifest.fingerprint, part.manifest.runs == first.manifest.runs else {
                throw fail(part.directory, "a shard of the sweep in \(first.directory) (same sweep file, scenario and --set)", "another sweep")
            }
            let shard = part.manifest.shard ?? .whole
            guard shard.count == count else { throw fail(part.directory, "one of \(count) shards", "shard \(shard)") }
            guard !seen[shard.index] else { throw fail(part.directory, "each shard once", "shard \(shard) a second time") }
            seen[shard.index] = true
            guard part.table.swept == first.table.swept, part.table.metrics == first.table.metrics else {
                throw fail(part.directory, "the columns of \(first.directory)/runs.csv", "other columns")
            }
            let expected = shard.runs(of: first.manifest.runs).map(String.init)
            guard part.table.rows.map({ $0[0] }) == expected else {
                throw ScenarioError(file: part.directory + "/runs.csv", position: nil, path: "",
                                    expected: "the \(expected.count) runs of shard \(shard), in order", found: "\(part.table.rows.count) rows that are not")
            }
        }
        if let missing = seen.firstIndex(of: false) {
            throw ScenarioError(file: "merge", position: nil, path: "", expected: "all \(count) shards", found: "no shard \(missing)/\(count)")
        }
        var rows: [[String]] = []
        rows.reserveCapacity(first.manifest.runs)
        var cursors = Array(repeating: 0, count: parts.count)
        let order = parts.indices.sorted { (parts[$0].manifest.shard ?? .whole).index < (parts[$1].manifest.shard ?? .whole).index }
        for run in 0..<first.manifest.runs {
            let part = order[run % count]
            rows.append(parts[part].table.rows[cursors[part]])
            cursors[part] += 1
        }
        var manifest = first.manifest
        manifest.shard = nil
        manifest.runsHere = rows.count
        manifest.failed = parts.reduce(0) { $0 + $1.manifest.failed }
        return (manifest, RunsTable(swept: first.table.swept, metrics: first.table.metrics, rows: rows))
    }
}
