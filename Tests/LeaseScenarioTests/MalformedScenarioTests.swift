import Testing
import LeaseScenario

/// A valid scenario, one line per part, so malformed variants are easy to read.
let validScenario = """
{
  "format": "leasesim/1",
  "duration": "2d",
  "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 200}]}],
  "clients": [
    {"id": "a", "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}}},
    {"id": "b", "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 100}},
     "demand": {"users": {"kind": "constant", "users": 10}}}
  ]
}
"""

func loadError(_ text: String) -> String {
    do {
        _ = try ScenarioLoader.load(bytes: Array(text.utf8), file: "bad.json")
        return "loaded"
    } catch {
        return error.description
    }
}

func variant(_ from: String, _ to: String) -> String {
    precondition(validScenario.contains(from), "variant source not found: \(from)")
    return validScenario.replacingOccurrences(of: from, with: to)
}

@Test func theValidScenarioLoads() throws {
    let scenario = try ScenarioLoader.load(bytes: Array(validScenario.utf8), file: "ok.json")
    #expect(scenario.spec.clients.map(\.id) == ["a", "b"])
    #expect(scenario.duration.milliseconds == 2 * 86_400_000)
}

@Test(arguments: [
    // Syntax: the strict reader.
    ("trailing comma in object", variant("\"muc\": 100}},", "\"muc\": 100,}},"),
     "bad.json:7:91: clients[1].allocations.users: expected a value after ',' (no trailing comma before '}'), found a trailing comma"),
    ("trailing comma in array", variant("\"users\": 10}}}\n  ]", "\"users\": 10}}},\n  ]"),
     "bad.json:8:61: clients: expected a value after ',' (no trailing comma before ']'), found a trailing comma"),
    ("trailing comma before a later line's brace", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"seed\": 1,\n\n}, \"x\": {"),
     "bad.json:3:30: expected a value after ',' (no trailing comma before '}'), found a trailing comma"),
    ("duplicate key", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"duration\": \"3d\","),
     "bad.json:3:21: expected each key once, found duplicate key \"duration\""),
    ("comment", variant("{\n  \"format\"", "{\n  // a comment\n  \"format\""),
     "bad.json:2:3: expected a key in double quotes or '}', found '/'"),
    ("unterminated", String(validScenario.dropLast(2)),
     "bad.json:9:4: expected ',' or '}', found end of file"),
    // Structure and types.
    ("unknown key with hint", variant("\"id\": \"a\", \"server\": \"ls\", \"allocations\"", "\"id\": \"a\", \"server\": \"ls\", \"alocations\""),
     "bad.json:6:33: clients[0].alocations: expected one of id, group, count, variation, server, latency, expiry, allocations, demand, maxUsers, licenses, platform, memberLicense, timeZone, found unknown key \"alocations\" (did you mean \"allocations\"?)"),
    ("wrong type", variant("\"count\": 200", "\"count\": \"200\""),
     "bad.json:4:104: servers[0].licenses[0].count: expected a count in 1...100000000, found \"200\""),
    ("missing key", variant("\"format\": \"leasesim/1\",\n", ""),
     "bad.json:1:1: format: expected \"leasesim/1\", found nothing (missing key)"),
    ("fractional count", variant("\"users\": 10}", "\"users\": 10.5}"),
     "bad.json:8:56: clients[1].demand.users.users: expected a user count (whole number) in 0...10000000, found 10.5"),
    ("negative count", variant("\"ruc\": 50, \"ilq\": 25, \"muc\": 150", "\"ruc\": -5, \"ilq\": 25, \"muc\": 150"),
     "bad.json:6:66: clients[0].allocations.users.ruc: expected a count in 0...10000000, found -5"),
    // Durations.
    ("unit-less duration", variant("\"duration\": \"2d\"", "\"duration\": \"48\""),
     "bad.json:3:15: duration: expected a duration with units like \"250ms\", \"90s\", \"15m\", \"4h\", \"10d\", \"8w\" or \"1h30m\", found \"48\""),
    ("negative duration", variant("\"duration\": \"2d\"", "\"duration\": \"-2d\""),
     "bad.json:3:15: duration: expected a duration with units like \"250ms\", \"90s\", \"15m\", \"4h\", \"10d\", \"8w\" or \"1h30m\", found \"-2d\""),
    // Rules.
    ("R-ALLOC-2 muc below ruc", variant("\"ruc\": 50, \"ilq\": 25, \"muc\": 150", "\"ruc\": 50, \"ilq\": 25, \"muc\": 40"),
     "bad.json:6:88: clients[0].allocations.users.muc: expected a count >= ruc (50) (R-ALLOC-2), found 40"),
    ("R-ALLOC-3 small quantum", variant("\"ruc\": 50, \"ilq\": 25, \"muc\": 150", "\"ruc\": 50, \"ilq\": 10, \"muc\": 150"),
     "bad.json:6:77: clients[0].allocations.users.ilq: expected a quantum >= 25 for muc - ruc = 100 (R-ALLOC-3), found 10"),
    ("R-ALLOC-4 reserved above installed", variant("\"count\": 200", "\"count\": 90"),
     "bad.json:7:66: clients[1].allocations.users.ruc: expected a sum of ruc over the clients of \"ls\" within its 90 installed \"users\" at the start (R-ALLOC-4), found 50, bringing the sum to 100"),
    ("R-LEASE-4 renewal interval", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"renewalInterval\": \"13h\"},"),
     "bad.json:3:51: policy.renewalInterval: expected a renewal interval between 1h and incrementalLeaseDuration/2 (12h) (R-LEASE-4), found \"13h\""),
    ("R-ROLE-1 client named like a server", variant("{\"id\": \"a\", \"server\"", "{\"id\": \"ls\", \"server\""),
     "bad.json:6:12: clients[0].id: expected a client id used once and not by a server (R-ROLE-1), found \"ls\" again"),
    ("unknown server", variant("{\"id\": \"a\", \"server\": \"ls\"", "{\"id\": \"a\", \"server\": \"ls-9\""),
     "bad.json:6:27: clients[0].server: expected the id of a server or an HA pair, found \"ls-9\""),
    ("demand for an unallocated feature", variant("\"demand\": {\"users\":", "\"demand\": {\"rdp\":"),
     "bad.json:8:17: clients[1].demand.rdp: expected a feature allocated to this client, found \"rdp\""),
    ("unknown format", variant("leasesim/1", "leasesim/9"),
     "bad.json:2:13: format: expected \"leasesim/1\", found \"leasesim/9\""),
    ("bad demand kind", variant("\"kind\": \"constant\"", "\"kind\": \"flat\""),
     "bad.json:8:35: clients[1].demand.users.kind: expected one of \"constant\", \"steps\", \"daily\", \"sessions\", \"trace\", \"log\", \"cycle\", found \"flat\""),
    ("empty cycle", variant("\"kind\": \"constant\", \"users\": 10", "\"kind\": \"cycle\", \"hourly\": []"),
     "bad.json:8:54: clients[1].demand.users.hourly: expected 1 to 10000 hourly user counts, found 0 values"),
    ("cycle step too long", variant("\"kind\": \"constant\", \"users\": 10", "\"kind\": \"cycle\", \"hourly\": [5], \"step\": 20000"),
     "bad.json:8:67: clients[1].demand.users.step: expected a step (values an hour) in 0...10000, found 20000"),
])
func malformedScenariosAreRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}

@Test func nestingDeeperThanTheLimitIsRejected() {
    let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
    #expect(loadError(deep) == "bad.json:1:65: [0][0][0][0]...[0][0][0][0][0][0]: expected nesting at most 64 deep, found deeper nesting")
}

@Test func aMissingFileIsAnErrorNotACrash() {
    do {
        _ = try ScenarioLoader.load(path: "/nonexistent/scenario.json")
        Issue.record("loaded a missing file")
    } catch {
        #expect(error.description == "/nonexistent/scenario.json: expected a readable scenario file, found no file at \"/nonexistent/scenario.json\"")
    }
}

/// Hostile and out-of-bounds input (issue: hardening): each is a clear error with file, line, column (in
/// characters), JSON path, what was expected and a short, escaped excerpt of what was found; never a crash.
@Test(arguments: [
    ("arrival rate of 1e16 (an overflow trap before)", variant("\"kind\": \"constant\", \"users\": 10", "\"kind\": \"sessions\", \"meanSession\": \"1h\", \"arrivalsPerHour\": [1e16,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"),
     "bad.json:8:88: clients[1].demand.users.arrivalsPerHour[0]: expected an arrival rate from 0 to 1000000 per hour with at most 3 decimals, found 1e16"),
    ("variation scale of 17 digits (an overflow trap before)", variant("{\"id\": \"a\", \"server\": \"ls\"", "{\"group\": \"b\", \"count\": 3, \"variation\": {\"scale\": 99999999999999999}, \"server\": \"ls\""),
     "bad.json:6:55: clients[0].variation.scale: expected a fraction from 0 to 0.999 with at most 3 decimals, found 99999999999999999"),
    ("columns count characters, not bytes", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"name\": \"h\u{E9}llo \u{5927}\", \"x\": 1,"),
     "bad.json:3:40: x: expected one of $schema, format, name, description, seed, start, duration, relax, policy, network, features, servers, haPairs, clients, clusters, actions, faults, randomFaults, expectations, limits, found unknown key \"x\""),
    ("lone high surrogate", variant("\"id\": \"a\"", "\"id\": \"a\\ud83d\""),
     "bad.json:6:14: clients[0].id: expected a low surrogate (\\uDC00-\\uDFFF) after a high one, found a lone high surrogate"),
    ("lone low surrogate", variant("\"id\": \"a\"", "\"id\": \"\\ude00a\""),
     "bad.json:6:13: clients[0].id: expected a high surrogate before a low one, found a lone low surrogate"),
    ("escape code in an id", variant("\"id\": \"a\"", "\"id\": \"a\\u001b[31m\""),
     "bad.json:6:12: clients[0].id: expected a string without control characters, found \"a\\u001B[31m\""),
    ("raw tab inside a string", variant("\"id\": \"a\"", "\"id\": \"a\tb\""),
     "bad.json:6:14: clients[0].id: expected no control character inside a string (escape it), found byte 0x09"),
    ("broken escape", variant("\"id\": \"a\"", "\"id\": \"a\\x41\""),
     "bad.json:6:14: clients[0].id: expected a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found '\\x'"),
    ("leading zero", variant("\"count\": 200", "\"count\": 0200"),
     "bad.json:4:104: servers[0].licenses[0].count: expected a number without a leading zero, found 0200"),
    ("duplicate key in a nested object", variant("\"ruc\": 50, \"ilq\": 25, \"muc\": 150", "\"ruc\": 50, \"ilq\": 25, \"ruc\": 150"),
     "bad.json:6:81: clients[0].allocations.users: expected each key once, found duplicate key \"ruc\""),
    ("unknown key with an escape code", variant("\"id\": \"a\", \"server\"", "\"id\": \"a\", \"\\u001bX\": 1, \"server\""),
     "bad.json:6:17: clients[0][\"\\u001BX\"]: expected one of id, group, count, variation, server, latency, expiry, allocations, demand, maxUsers, licenses, platform, memberLicense, timeZone, found unknown key \"\\u001BX\""),
    ("empty id", variant("\"id\": \"a\"", "\"id\": \"\""),
     "bad.json:6:12: clients[0].id: expected a non-empty string, found \"\""),
    ("control character in the description", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"description\": \"x\\u0007\","),
     "bad.json:3:36: description: expected text without control characters other than line breaks and tabs, found \"x\\u0007\""),
    ("non-finite expectation value", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"expectations\": [{\"metric\": \"used\", \"entity\": \"ls\", \"op\": \"<\", \"value\": 1e400}],"),
     "bad.json:3:93: expectations[0].value: expected a finite number, found 1e400"),
    ("duration above the longest run", variant("\"duration\": \"2d\"", "\"duration\": \"3661d\""),
     "bad.json:3:15: duration: expected a duration of at most 3660d, found \"3661d\""),
    ("latency above the longest run", variant("\"id\": \"a\", \"server\": \"ls\"", "\"id\": \"a\", \"server\": \"ls\", \"latency\": \"523w\""),
     "bad.json:6:44: clients[0].latency: expected a duration of at most 3660d, found \"523w\""),
    ("step after the longest run", variant("\"kind\": \"constant\", \"users\": 10", "\"kind\": \"steps\", \"steps\": [{\"at\": \"3661d\", \"users\": 5}]"),
     "bad.json:8:61: clients[1].demand.users.steps[0].at: expected an instant at most 3660d after the start, found \"3661d\""),
    ("action after the end of the run", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"actions\": [{\"at\": \"2d\", \"action\": \"pullState\", \"client\": \"a\"}],"),
     "bad.json:3:40: actions[0].at: expected an instant before the end of the run (2d), found \"2d\""),
    ("expectation after the end of the run", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"expectations\": [{\"metric\": \"used\", \"entity\": \"ls\", \"at\": \"day 3 00:00\", \"op\": \">\", \"value\": 1}],"),
     "bad.json:3:79: expectations[0].at: expected an instant before the end of the run (2d), found \"day 3 00:00\""),
    ("license count above the bound", variant("\"count\": 200", "\"count\": 100000001"),
     "bad.json:4:104: servers[0].licenses[0].count: expected a count in 1...100000000, found 100000001"),
    ("group above the fleet bound", variant("{\"id\": \"a\", \"server\": \"ls\"", "{\"group\": \"b\", \"count\": 1000001, \"server\": \"ls\""),
     "bad.json:6:29: clients[0].count: expected a member count in 1...1000000, found 1000001"),
    ("two groups above the fleet bound", variant("{\"id\": \"a\", \"server\": \"ls\"", "{\"group\": \"b\", \"count\": 600000, \"server\": \"ls\", \"allocations\": {\"users\": {\"ruc\": 0, \"ilq\": 25, \"muc\": 150}}},\n    {\"group\": \"c\", \"count\": 600000, \"server\": \"ls\""),
     "bad.json:7:29: clients[1].count: expected a fleet of at most 1000000 clients and 2000000 client-feature allocations, found 1200000 clients with 1200000 allocations"),
    ("variation scale of one", variant("{\"id\": \"a\", \"server\": \"ls\"", "{\"group\": \"b\", \"count\": 3, \"variation\": {\"scale\": 1}, \"server\": \"ls\""),
     "bad.json:6:55: clients[0].variation.scale: expected a fraction from 0 to 0.999 with at most 3 decimals, found 1"),
    ("arrival rate with four decimals", variant("\"kind\": \"constant\", \"users\": 10", "\"kind\": \"sessions\", \"meanSession\": \"1h\", \"arrivalsPerHour\": [0.0001,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"),
     "bad.json:8:88: clients[1].demand.users.arrivalsPerHour[0]: expected an arrival rate from 0 to 1000000 per hour with at most 3 decimals, found 0.0001"),
    ("arrival rate above the bound", variant("\"kind\": \"constant\", \"users\": 10", "\"kind\": \"sessions\", \"meanSession\": \"1h\", \"arrivalsPerHour\": [1000001,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"),
     "bad.json:8:88: clients[1].demand.users.arrivalsPerHour[0]: expected an arrival rate from 0 to 1000000 per hour with at most 3 decimals, found 1000001"),
    ("mean concurrency above the bound", variant("\"kind\": \"constant\", \"users\": 10", "\"kind\": \"sessions\", \"meanSession\": \"20h\", \"arrivalsPerHour\": [1000000,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]"),
     "bad.json:8:62: clients[1].demand.users.meanSession: expected a mean session that keeps arrivals per hour x mean hours at most 10000000, found 20h with 1000000 arrivals per hour: 20000000 users on average"),
    ("R-ALLOC-3 quantum zero with a spread", variant("\"ruc\": 50, \"ilq\": 25, \"muc\": 150", "\"ruc\": 50, \"ilq\": 0, \"muc\": 150"),
     "bad.json:6:77: clients[0].allocations.users.ilq: expected a quantum >= 25 for muc - ruc = 100 (R-ALLOC-3), found 0"),
    ("change of a deleted client", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"actions\": [{\"at\": \"1h\", \"action\": \"deleteClient\", \"client\": \"a\"}, {\"at\": \"2h\", \"action\": \"setAllocation\", \"client\": \"a\", \"feature\": \"users\", \"ruc\": 10, \"ilq\": 25, \"muc\": 100}],"),
     "bad.json:3:138: actions[1].client: expected a client whose configuration was not deleted before t+2h (R-CFG-3), found \"a\""),
    ("policy choice misspelt", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"holdPolicy\": \"perIncrements\"},"),
     "bad.json:3:46: policy.holdPolicy: expected one of \"perIncrement\", \"latestGrant\", found \"perIncrements\""),
    ("wall-time limit without a unit", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"limits\": {\"maxWallTime\": \"600\"},"),
     "bad.json:3:47: limits.maxWallTime: expected a duration with units like \"250ms\", \"90s\", \"15m\", \"4h\", \"10d\", \"8w\" or \"1h30m\", found \"600\""),
    ("output limit of zero", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"limits\": {\"maxOutputBytes\": 0},"),
     "bad.json:3:50: limits.maxOutputBytes: expected a byte count in 1...9223372036854775807, found 0"),
    ("renewal SKU without -R", variant("\"type\": \"perpetual\", \"count\": 200}", "\"type\": \"perpetual\", \"count\": 200}, {\"sku\": \"S\", \"feature\": \"users\", \"type\": \"renewal\", \"count\": 5, \"start\": \"2026-01-01\", \"end\": \"2026-12-31\"}"),
     "bad.json:4:118: servers[0].licenses[1].sku: expected a renewal SKU ending in \"-R\", found \"S\""),
    ("subscription ending before it starts", variant("\"type\": \"perpetual\", \"count\": 200}", "\"type\": \"subscription\", \"count\": 200, \"start\": \"2026-02-01\", \"end\": \"2026-01-01\"}"),
     "bad.json:4:142: servers[0].licenses[0].end: expected an end date on or after the start date, found \"2026-01-01\""),
])
func hostileScenariosAreRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}

/// Inputs built in code: huge, repeated or not UTF-8.
@Test func generatedHostileScenariosAreRejectedWithExactMessages() throws {
    let hugeKey = variant("\"id\": \"a\", \"server\"", "\"id\": \"a\", \"" + String(repeating: "k", count: 5_000) + "\": 1, \"server\"")
    #expect(loadError(hugeKey) == "bad.json:6:17: clients[0][\"" + String(repeating: "k", count: 48) + "...\" (5000 bytes)]: expected one of id, group, count, variation, server, latency, expiry, allocations, demand, maxUsers, licenses, platform, memberLicense, timeZone, found unknown key \"" + String(repeating: "k", count: 48) + "...\" (5000 bytes)")
    let stacked = variant("\"count\": 200}", "\"count\": 100000000}" + (0..<10).map { ", {\"sku\": \"P\($0)\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 100000000}" }.joined())
    #expect(loadError(stacked) == "bad.json:4:864: servers[0].licenses[10].count: expected licenses of \"users\" on one server adding up to at most 1000000000 (R-LIC-1), found 100000000, bringing the sum to 1100000000")
    // R-ALLOC-4 at a change after a subscription ended (120 perpetual left; the RUC rises to 80 beside 50).
    let ended = variant("\"count\": 200}", "\"count\": 120}, {\"sku\": \"S\", \"feature\": \"users\", \"type\": \"subscription\", \"count\": 80, \"start\": \"1970-01-01\", \"end\": \"1970-01-01\"}")
        .replacingOccurrences(of: "\"duration\": \"2d\",", with: "\"duration\": \"2d\", \"actions\": [{\"at\": \"30h\", \"action\": \"setAllocation\", \"client\": \"a\", \"feature\": \"users\", \"ruc\": 80, \"ilq\": 25, \"muc\": 150}],")
    #expect(loadError(ended) == "bad.json:3:116: actions[0].ruc: expected a sum of ruc within the 120 installed at that time (R-ALLOC-4), found 80, bringing the sum to 130")
    // "aX" in an id, with the X replaced by a byte that cannot start a UTF-8 sequence.
    let invalid = Array(variant("\"id\": \"a\"", "\"id\": \"aX\"").utf8).map { $0 == UInt8(ascii: "X") ? 0xFF : $0 }
    do {
        _ = try ScenarioLoader.load(bytes: invalid, file: "bad.json")
        Issue.record("invalid UTF-8 loaded")
    } catch {
        #expect(error.description == "bad.json:6:14: clients[0].id: expected valid UTF-8, found byte 0xFF")
    }
    let features = "{\"format\": \"leasesim/1\", \"duration\": \"1d\", \"servers\": [{\"id\": \"ls\", \"licenses\": ["
        + (0...1000).map { "{\"sku\": \"S\($0)\", \"feature\": \"f\($0)\", \"type\": \"perpetual\", \"count\": 1}" }.joined(separator: ", ")
        + "]}], \"clients\": []}"
    #expect(loadError(features).hasSuffix(": servers[0].licenses[1000].feature: expected at most 1000 features in a scenario, found \"f1000\""))
    let servers = "{\"format\": \"leasesim/1\", \"duration\": \"1d\", \"servers\": [" + (0...10_000).map { "{\"id\": \"s\($0)\"}" }.joined(separator: ",") + "], \"clients\": []}"
    #expect(loadError(servers) == "bad.json:1:55: servers: expected at most 10000 servers, found 10001")
}
