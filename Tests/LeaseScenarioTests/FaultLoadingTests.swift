import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// The valid scenario with a `faults` array.
func withFaults(_ faults: String) -> String {
    variant("\n  ]\n}", "\n  ],\n  \"faults\": [\n    \(faults)\n  ]\n}")
}

@Test func faultsResolvePatternsGroupsAndDirections() throws {
    let text = withFaults("""
    {"id": "cut", "kind": "partition", "between": ["a", "ls"], "at": "1h", "for": "2h"},
        {"kind": "partition", "from": "ls", "to": "*", "at": "day 2 08:00", "until": "day 2 09:00"},
        {"kind": "loss", "between": ["?", "ls"], "probability": 0.05, "at": "0h"},
        {"kind": "latency", "from": "b", "to": "ls", "latency": "250ms", "at": "3h"},
        {"kind": "crash", "node": "ls", "at": "4h", "for": "30m"}
    """)
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "faults.json")
    let faults = scenario.spec.faults
    let a = Endpoint.client(ClientID(index: 0)), b = Endpoint.client(ClientID(index: 1)), ls = Endpoint.server(ServerID(index: 0))
    #expect(faults.map(\.id) == ["cut", "fault-2", "fault-3", "fault-4", "fault-5"])
    #expect(faults[0].links == [.init(from: a, to: ls), .init(from: ls, to: a)])
    #expect(faults[0].until == .start + .hours(3))
    #expect(faults[1].links == [.init(from: ls, to: a), .init(from: ls, to: b)])      // one way, every client
    #expect(faults[2].effect == .loss(perMillion: 50_000) && faults[2].links.count == 4 && faults[2].until == .never)
    #expect(faults[3].links == [.init(from: b, to: ls)] && faults[3].effect == .addedLatency(.milliseconds(250)))
    #expect(faults[4].nodes == [ls] && faults[4].effect == .crash)
}

@Test(arguments: [
    ("unknown endpoint", withFaults(#"{"kind": "partition", "between": ["x", "ls"], "at": "1h"}"#),
     "bad.json:11:39: faults[0].between[0]: expected the id of a client or server, a group name, a pattern that matches one, or \"cloud\", found \"x\""),
    ("until before at", withFaults(#"{"kind": "partition", "between": ["a", "ls"], "at": "2h", "until": "1h"}"#),
     "bad.json:11:72: faults[0].until: expected an instant after \"at\" (t+2h), found \"1h\""),
    ("probability above 1", withFaults(#"{"kind": "loss", "between": ["a", "ls"], "probability": 1.5, "at": "1h"}"#),
     "bad.json:11:61: faults[0].probability: expected a probability from 0 to 1 with at most 6 decimals, found 1.5"),
    ("negative probability", withFaults(#"{"kind": "loss", "between": ["a", "ls"], "probability": -0.1, "at": "1h"}"#),
     "bad.json:11:61: faults[0].probability: expected a probability from 0 to 1 with at most 6 decimals, found -0.1"),
    ("overlapping crash windows", withFaults(#"{"kind": "crash", "node": "ls", "at": "1h", "for": "2h"}, {"kind": "crash", "node": "l*", "at": "2h", "for": "1h"}"#),
     "bad.json:11:63: faults[1]: expected a crash window of \"ls\" after its crash from t+1h to t+3h ends, found a crash from t+2h"),
    ("no link between the ends", withFaults(#"{"kind": "partition", "between": ["a", "b"], "at": "1h"}"#),
     "bad.json:11:39: faults[0].between[0]: expected ends with a link between them (a client and its server, two members of a cluster, the two nodes of an HA pair, or a \"vls\" server and \"cloud\"), found no client of one end leasing from a server of the other"),
    ("a key of another kind", withFaults(#"{"kind": "partition", "between": ["a", "ls"], "probability": 0.1, "at": "1h"}"#),
     "bad.json:11:51: faults[0].probability: expected only id, kind, at, until, for, between, from, to in a \"partition\" fault, found \"probability\""),
    ("both until and for", withFaults(#"{"kind": "partition", "between": ["a", "ls"], "at": "1h", "until": "2h", "for": "1h"}"#),
     "bad.json:11:85: faults[0].for: expected either \"until\" or \"for\", not both, found \"1h\""),
    ("a fault after the end", withFaults(#"{"kind": "crash", "node": "a", "at": "3d"}"#),
     "bad.json:11:42: faults[0].at: expected an instant before the end of the run (2d), found \"3d\""),
    ("a fault id used twice", withFaults(#"{"id": "x", "kind": "crash", "node": "a", "at": "1h"}, {"id": "x", "kind": "crash", "node": "b", "at": "1h"}"#),
     "bad.json:11:67: faults[1].id: expected a fault id used once, found \"x\" again"),
])
func malformedFaultsAreRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}
