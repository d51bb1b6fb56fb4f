import Foundation
import LeaseKernel

/// The current sweep file format; files name it in their `format` field.
public enum SweepFormat {
    public static let current = "leasesim-sweep/1"
    public static let keys = ["$schema", "format", "name", "scenario", "set", "grid", "points", "replications", "seed", "warmUp"]
    /// The most runs one sweep may hold (points times replications).
    public static let maxRuns = 1_000_000
    public static let maxReplications = 100_000
}

/// A sweep: a base scenario, points (each a set of overrides), and replications of every point.
///
/// Run `run` is replication `run % replications` of point `run / replications`. A replication's seed depends only
/// on the base seed and the replication's index (`seed(replication:)`), so a run keeps its seed whatever else is
/// in the sweep, and every point of a replication sees the same random draws (common random numbers).
public struct SweepPlan: Sendable {
    /// The sweep file, as given.
    public let file: String
    public let name: String
    /// The base scenario's path (relative to the working directory) and text.
    public let scenarioPath: String
    let scenarioBytes: [UInt8]
    /// Overrides every run gets first: the command line's `--set`, then the sweep's `set`.
    public let fixed: [ScenarioOverride]
    /// The swept field paths (runs.csv's columns), in order of first appearance.
    public let swept: [String]
    /// Each point's overrides, and its value of each swept field as shown (nil: the point leaves it alone).
    public let points: [[ScenarioOverride]]
    public let pointCells: [[String?]]
    public let replications: Int
    public let baseSeed: UInt64
    public let allowsFilesOutside: Bool
    /// Identifies the sweep's inputs (sweep file, scenario, command-line overrides), so `merge` joins only shards
    /// of one sweep (FNV-1a; trace files the scenario reads are not part of it).
    public let fingerprint: UInt64
    /// The warm-up every run's figures leave out (`RunOptions.warmUp`): shorter than every point's run.
    public var warmUp: SimDuration? = nil

    public var runCount: Int { points.count * replications }

    /// Replication `r`'s seed, from the base seed and `r` alone (a 63-bit value, so it is a
    /// valid scenario seed and `leasesim run --seed` reproduces the run).
    public static func seed(base: UInt64, replication: Int) -> UInt64 {
        var stream = RandomStream(seed: base, key: RandomStream.key(of: "replication/\(replication)"))
        return stream.next() >> 1
    }

    public func seed(replication: Int) -> UInt64 { SweepPlan.seed(base: baseSeed, replication: replication) }

    /// How to load run `run`'s scenario.
    public func loadOptions(run: Int) -> LoadOptions {
        LoadOptions(seed: seed(replication: run % replications), allowsFilesOutside: allowsFilesOutside,
                    overrides: fixed + points[run / replications])
    }

    /// The `leasesim run` arguments that run run `run` alone (the same scenario, overrides and seed), shell-quoted.
    public func runCommand(run: Int) -> String {
        let options = loadOptions(run: run)
        let arguments = ["leasesim", "run", SweepPlan.lexicallyNormal(scenarioPath)] + options.overrides.flatMap { ["--set", $0.setArgument] }
            + ["--seed", String(options.seed ?? baseSeed)] + (warmUp.map { ["--warm-up", $0.description] } ?? [])
        return arguments.map(SweepPlan.shellQuoted).joined(separator: " ")
    }

    /// A path with `.` steps and `name/..` pairs taken out, as written (`examples/../Scenarios/x.json` is
    /// `Scenarios/x.json`); no link is followed.
    static func lexicallyNormal(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        let text = parts.joined(separator: "/")
        return path.hasPrefix("/") ? "/" + text : (text.isEmpty ? "." : text)
    }

    /// A word for a POSIX shell: as it is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A point's swept values, as `PATH=VALUE` separated by spaces.
    public func pointText(_ point: Int) -> String {
        zip(swept, pointCells[point]).compactMap { path, cell in cell.map { "\(path)=\($0)" } }.joined(separator: " ")
    }

    /// Loads run `run`'s scenario.
    public func scenario(run: Int) throws(ScenarioError) -> Scenario {
        try ScenarioLoader.load(bytes: scenarioBytes, file: scenarioPath, options: loadOptions(run: run))
    }

    /// Reads a sweep file strictly (errors name file, line, column, path, expected and found), and its scenario.
    /// - Parameter overrides: `--set` given on the command line, applied before the sweep's own.
    public static func load(path: String, overrides: [ScenarioOverride] = [], seed: UInt64? = nil,
                            allowsFilesOutside: Bool = false) throws(ScenarioError) -> SweepPlan {
        let bytes = try ScenarioLoader.readFile(path, limit: ScenarioLimits.maxScenarioBytes, what: "a readable sweep file", jsonPath: "", file: path)
        let source = ScenarioSource(file: path, bytes: bytes)
        let root = try ScenarioLoader.parseJSON(bytes, file: path)
        let rootField = Field(node: root, parentPath: "", step: nil, source: source)
        try ScenarioLoader.checkFormat(rootField, expected: SweepFormat.current)
        let object = try rootField.object(allowed: SweepFormat.keys)
        let format = try object.required("format", "\"\(SweepFormat.current)\"")
        guard try format.string() == SweepFormat.current else { throw format.fail("\"\(SweepFormat.current)\"") }
        let scenarioField = try object.required("scenario", "the base scenario's path, relative to the sweep file")
        let relative = try scenarioField.nonEmptyString()
        let scenarioPath = relative.hasPrefix("/") ? relative
            : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(relative)
        let scenarioBytes = try ScenarioLoader.readFile(scenarioPath, limit: ScenarioLimits.maxScenarioBytes, what: "a readable scenario file",
                                                       jsonPath: "scenario", file: path)
        var fixed = overrides
        if let set = object.optional("set") {
            let settings = try set.anyObject()
            for member in settings.members { fixed.append(try override(member, in: settings, value: settings.field(member))) }
        }
        var swept: [String] = [], points: [[ScenarioOverride]] = []
        let grid = object.optional("grid"), list = object.optional("points")
        if grid != nil, let list { throw list.fail("either grid or points, not both", found: "both") }
        if let grid {
            let axes = try grid.anyObject()
            var product: [[ScenarioOverride]] = [[]]
            for member in axes.members {
                let values = try axes.field(member).array()
                guard !values.isEmpty else { throw axes.field(member).fail("at least one value", found: "an empty array") }
                guard product.count * values.count <= SweepFormat.maxRuns else {
                    throw axes.field(member).fail("a grid of at most \(SweepFormat.maxRuns) points", found: "\(product.count * values.count) points")
                }
                var next: [[ScenarioOverride]] = []
                for prefix in product {
                    for value in values { next.append(prefix + [try override(member, in: axes, value: value)]) }
                }
                product = next
                swept.append(member.key)
            }
            guard !swept.isEmpty else { throw grid.fail("at least one swept field", found: "an empty object") }
            points = product
        } else if let list {
            let entries = try list.array()
            guard !entries.isEmpty else { throw list.fail("at least one point", found: "an empty array") }
            guard entries.count <= SweepFormat.maxRuns else { throw list.fail("at most \(SweepFormat.maxRuns) points", found: "\(entries.count)") }
            for entry in entries {
                let point = try entry.anyObject()
                var overrides: [ScenarioOverride] = []
                for member in point.members {
                    overrides.append(try override(member, in: point, value: point.field(member)))
                    if !swept.contains(member.key) { swept.append(member.key) }
                }
                points.append(overrides)
            }
        } else {
            points = [[]]
        }
        for (number, point) in points.enumerated() {
            if let seeded = point.first(where: { $0.steps == [.key("seed")] }) {
                throw (grid ?? list!).fail("no swept seed (replications draw seeds from the base seed)", found: "seed in point \(number): \(seeded.valueText)")
            }
        }
        var replications = 1
        if let field = object.optional("replications") {
            replications = Int(try field.integer(in: 1...Int64(SweepFormat.maxReplications), what: "a replication count"))
            guard points.count * replications <= SweepFormat.maxRuns else {
                throw field.fail("at most \(SweepFormat.maxRuns) runs in all", found: "\(points.count) points of \(replications) replications")
            }
        }
        var baseSeed: UInt64
        if let seed { baseSeed = seed } else if let field = object.optional("seed") {
            baseSeed = UInt64(try field.integer(in: 0...Int64.max, what: "a seed"))
        } else {
            // The scenario's own seed, with the fixed overrides (one load, which also checks them).
            baseSeed = try ScenarioLoader.load(bytes: scenarioBytes, file: scenarioPath,
                                               options: LoadOptions(allowsFilesOutside: allowsFilesOutside, overrides: fixed)).spec.seed
        }
        var warmUp: SimDuration?
        if let field = object.optional("warmUp") {
            guard case .string(let text) = field.node.value, let duration = TimeSyntax.duration(text), duration > .zero else {
                throw field.fail("a positive " + TimeSyntax.durationForm)
            }
            warmUp = duration
        }
        let name = try object.optional("name")?.nonEmptyString() ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let inputs = [String(decoding: bytes, as: UTF8.self), String(decoding: scenarioBytes, as: UTF8.self)]
            + overrides.map(\.description) + (seed.map { ["--seed \($0)"] } ?? [])
        let cells = points.map { point in swept.map { path in point.last { $0.path == path }?.valueText } }
        return SweepPlan(file: path, name: name, scenarioPath: scenarioPath, scenarioBytes: scenarioBytes, fixed: fixed, swept: swept,
                         points: points, pointCells: cells, replications: replications, baseSeed: baseSeed,
                         allowsFilesOutside: allowsFilesOutside, fingerprint: RandomStream.key(of: inputs.joined(separator: "\u{0}")),
                         warmUp: warmUp)
    }

    /// An override from a sweep file's `"PATH": VALUE`; a bad path is an error at the key.
    static func override(_ member: JSONMember, in object: ObjectField, value: Field) throws(ScenarioError) -> ScenarioOverride {
        do {
            return try ScenarioOverride(path: member.key, value: value.node, valueText: value.node.value.shownText)
        } catch {
            throw object.fail(key: member, expected: ScenarioOverride.pathForm, found: error.found)
        }
    }
}

extension JSONValue {
    /// The value as a cell shows it: a string as itself, anything else as compact JSON.
    var shownText: String {
        if case .string(let text) = self { return text }
        return compactJSON
    }

    var compactJSON: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return OutputText.jsonString(text)
        case .array(let elements): return "[" + elements.map(\.value.compactJSON).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.map { OutputText.jsonString($0.key) + ":" + $0.value.value.compactJSON }.joined(separator: ",") + "}"
        }
    }
}
