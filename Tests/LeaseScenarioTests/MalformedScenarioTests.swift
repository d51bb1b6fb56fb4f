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
     "bad.json:6:33: clients[0].alocations: expected one of id, group, count, variation, server, latency, expiry, allocations, demand, found unknown key \"alocations\" (did you mean \"allocations\"?)"),
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
     "bad.json:6:27: clients[0].server: expected the id of a server, found \"ls-9\""),
    ("demand for an unallocated feature", variant("\"demand\": {\"users\":", "\"demand\": {\"rdp\":"),
     "bad.json:8:17: clients[1].demand.rdp: expected a feature allocated to this client, found \"rdp\""),
    ("unknown format", variant("leasesim/1", "leasesim/9"),
     "bad.json:2:13: format: expected \"leasesim/1\", found \"leasesim/9\""),
    ("bad demand kind", variant("\"kind\": \"constant\"", "\"kind\": \"flat\""),
     "bad.json:8:35: clients[1].demand.users.kind: expected one of \"constant\", \"steps\", \"daily\", \"sessions\", \"trace\", found \"flat\""),
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
