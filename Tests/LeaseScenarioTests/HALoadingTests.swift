import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// `haPairs`, `policy.ha`, `setHAMode` and the pairs' checks (R-HA-1..5, R-ALLOC-4).
private let base = """
{"format": "leasesim/1", "duration": "2d",
 "policy": {"ha": {"checkInterval": "5s", "retryPeriod": "30s", "grace": "10d", "failoverLeases": "rebuilt", "fallback": "clusterLicense", "rejoin": "cutAtRejoin"}},
 "servers": [{"id": "ls-a", "licenses": [{"sku": "A", "feature": "users", "type": "perpetual", "count": 500}]},
             {"id": "ls-b", "licenses": [{"sku": "B", "feature": "users", "type": "perpetual", "count": 300}]}],
 "haPairs": [{"id": "ls-ha", "nodes": ["ls-a", "ls-b"], "mode": "activePassive"}],
 "clients": [{"id": "gw", "server": "ls-ha", "allocations": {"users": {"ruc": 100, "ilq": 60, "muc": 700}}},
             {"id": "gw-b", "server": "ls-b", "allocations": {"users": {"ruc": 100, "ilq": 60, "muc": 700}}}],
 "actions": [{"at": "1h", "action": "setAllocation", "client": "gw-b", "feature": "users", "ruc": 600, "ilq": 25, "muc": 700},
             {"at": "2h", "action": "setHAMode", "server": "ls-ha", "mode": "activeActive"}],
 "faults": [{"kind": "partition", "between": ["ls-a", "ls-b"], "at": "3h", "for": "1h"},
            {"kind": "partition", "between": ["gw", "ls-ha"], "at": "5h", "for": "1h"}]}
"""

private func load(_ text: String) throws -> Scenario { try ScenarioLoader.load(bytes: Array(text.utf8), file: "bad.json") }

/// A pair, its settings, a client at its address (its own node is the first), a mode switch, a cut of the internal
/// link, and a cut between a client and the address; R-ALLOC-4 counts a pair's clients against both nodes' 800.
@Test func haPairsLoadWithTheirSettingsAndFaults() throws {
    let spec = try load(base).spec
    #expect(spec.haPairs.map(\.nodes) == [[0, 1]] && spec.haPairs[0].mode == .activePassive)
    #expect(spec.policy.ha.checkInterval == .seconds(5) && spec.policy.ha.retryPeriod == .seconds(30) && spec.policy.ha.grace == .days(10))
    #expect(spec.policy.ha.failoverLeases == .rebuilt && spec.policy.ha.fallback == .clusterLicense && spec.policy.ha.rejoin == .cutAtRejoin)
    #expect(spec.clients.map(\.server) == [0, 1] && spec.serverEnd(ofClient: 1) == .virtualAddress(0))
    guard case .setHAMode(0, .activeActive) = spec.actions[1].change else { Issue.record("\(spec.actions)"); return }
    #expect(spec.faults[0].links.map { [$0.from, $0.to] } == [[.server(ServerID(index: 0)), .server(ServerID(index: 1))],
                                                             [.server(ServerID(index: 1)), .server(ServerID(index: 0))]])
    #expect(spec.faults[1].links.count == 2 && spec.faults[1].links.allSatisfy { $0.from == .virtualAddress(0) || $0.to == .virtualAddress(0) })
}

@Test(arguments: [
    ("\"ruc\": 600, \"ilq\": 25, \"muc\": 700", "\"ruc\": 750, \"ilq\": 25, \"muc\": 800",
     "bad.json:8:99: actions[0].ruc: expected a sum of ruc within the 800 installed at that time (R-ALLOC-4), found 750, bringing the sum to 850"),
    ("\"nodes\": [\"ls-a\", \"ls-b\"]", "\"nodes\": [\"ls-a\", \"ls-a\"]",
     "bad.json:5:48: haPairs[0].nodes[1]: expected a server in one pair at most, once, found \"ls-a\""),
    ("\"nodes\": [\"ls-a\", \"ls-b\"]", "\"nodes\": [\"ls-a\"]", "bad.json:5:39: haPairs[0].nodes: expected two server ids, found 1"),
    ("\"mode\": \"activePassive\"", "\"mode\": \"both\"",
     "bad.json:5:65: haPairs[0].mode: expected one of \"activePassive\", \"activeActive\", found \"both\""),
    ("\"kind\": \"partition\", \"between\": [\"gw\", \"ls-ha\"]", "\"kind\": \"crash\", \"node\": \"ls-ha\"",
     "bad.json:11:39: faults[1].node: expected a client or server to crash (an HA pair's id is its virtual address: crash one of its nodes), found \"ls-ha\""),
    ("{\"id\": \"ls-b\", \"licenses\": [{\"sku\": \"B\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 300}]}",
     "{\"id\": \"ls-b\", \"vls\": true, \"vlsPlatform\": \"azure\", \"licenses\": [{\"sku\": \"B\", \"feature\": \"users\", \"type\": \"subscription\", \"count\": 300, \"start\": \"1970-01-01\", \"end\": \"1970-12-31\"}]}",
     "bad.json:5:65: haPairs[0].mode: expected \"activeActive\" for a pair with a virtual license server on a cloud platform (R-HA-5: cloud platforms support active/active only), found \"activePassive\" (\"ls-b\" runs on azure)"),
    ("{\"id\": \"ls-b\", \"licenses\"", "{\"id\": \"ls-b\", \"vlsPlatform\": \"kvm\", \"licenses\"",
     "bad.json:4:44: servers[1].vlsPlatform: expected no vlsPlatform on a server that is not \"vls\": true (R-VLS-2, R-VLS-3, R-HA-5), found \"kvm\""),
])
func haInputIsRejectedWithExactMessages(from: String, to: String, message: String) {
    precondition(base.contains(from), "variant source not found: \(from)")
    #expect(loadError(base.replacingOccurrences(of: from, with: to)) == message)
}

/// R-LIC-6 on a pair: platform-bound licenses "can be installed on ... a node that is part of an active/passive
/// cluster or an active/active cluster"; and a pair's client may surrender to the pair, the server it is registered
/// with (R-SUR-1).
@Test func platformLicensesOnPairNodesAndSurrendersToAPairLoad() throws {
    let text = base
        .replacingOccurrences(of: "{\"sku\": \"B\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 300}",
                              with: "{\"sku\": \"B\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 300, \"platform\": \"PSA\"}")
        .replacingOccurrences(of: "{\"id\": \"gw\", \"server\": \"ls-ha\",",
                              with: "{\"id\": \"gw\", \"server\": \"ls-ha\", \"platform\": \"PSA\", \"memberLicense\": \"PSA-LICENSE-MBR\", \"licenses\": [{\"sku\": \"ADD-100U\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 100}],")
        .replacingOccurrences(of: "\"actions\": [", with: "\"actions\": [{\"at\": \"1h\", \"action\": \"surrenderLicense\", \"client\": \"gw\", \"sku\": \"ADD-100U\"}, ")
    let spec = try load(text).spec
    #expect(spec.servers[1].licenses[0].platform == 0 && spec.clients[0].platform == 0)
    guard case .surrenderLicense(0, 0) = spec.actions[0].change else { Issue.record("\(spec.actions)"); return }
}

/// R-HA-5: active/passive pairs of virtual license servers are supported on the virtual platforms (ESXi, the default,
/// Hyper-V, KVM); only a cloud platform's are active/active only.
@Test(arguments: ["", ", \"vlsPlatform\": \"esxi\"", ", \"vlsPlatform\": \"hyperV\"", ", \"vlsPlatform\": \"kvm\""])
func rHa5AnActivePassivePairOfVirtualServersOnAVirtualPlatformLoads(platform: String) throws {
    let subscription = { (sku: String, count: Int) in "[{\"sku\": \"\(sku)\", \"feature\": \"users\", \"type\": \"subscription\", \"count\": \(count), \"start\": \"1970-01-01\", \"end\": \"1970-12-31\"}]" }
    let text = base
        .replacingOccurrences(of: "{\"id\": \"ls-a\", \"licenses\": [{\"sku\": \"A\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 500}]}",
                              with: "{\"id\": \"ls-a\", \"vls\": true\(platform), \"licenses\": \(subscription("A", 500))}")
        .replacingOccurrences(of: "{\"id\": \"ls-b\", \"licenses\": [{\"sku\": \"B\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 300}]}",
                              with: "{\"id\": \"ls-b\", \"vls\": true\(platform), \"licenses\": \(subscription("B", 300))}")
    let spec = try load(text).spec
    #expect(spec.haPairs[0].mode == .activePassive && spec.servers.allSatisfy { $0.vls && !$0.vlsPlatform.isCloud })
}

/// R-HA-4: an active/active pair whose nodes are 100 ms or more apart is flagged, and still loads.
@Test func rHa4AnActiveActivePairTooFarApartIsFlagged() throws {
    let text = validScenario.replacingOccurrences(of: "\"clients\": [", with: """
        "haPairs": [{"id": "ls-ha", "nodes": ["ls", "ls-2"], "mode": "activeActive", "linkLatency": "150ms"}],
        "clients": [
        """).replacingOccurrences(of: "\"servers\": [", with: """
        "servers": [{"id": "ls-2", "licenses": [{"sku": "B", "feature": "users", "type": "perpetual", "count": 10}]},
        """)
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "ok.json")
    #expect(scenario.flags == ["R-HA-4: pair \"ls-ha\" has 150ms between its active/active nodes (under 100ms is needed)"])
    #expect(scenario.spec.haPairs.map(\.nodes) == [[1, 0]] || scenario.spec.haPairs.map(\.nodes) == [[0, 1]])
}
