import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// `clusters`, `policy.cluster` and partitions between members (R-CLU-1, R-CLU-3).
private let base = """
{"format": "leasesim/1", "duration": "1d", "policy": {"cluster": {"leader": "lowestNamed"}},
 "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 500}]},
             {"id": "ls-2", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 500}]}],
 "clients": [{"id": "gw-b", "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}}},
             {"id": "gw-a", "server": "ls", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}}},
             {"id": "other", "server": "ls-2", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}}}],
 "clusters": [{"id": "gw", "members": ["gw-*"]}],
 "faults": [{"kind": "partition", "between": ["gw-a", "gw-b"], "at": "1h", "for": "1h"}]}
"""

private func load(_ text: String) throws -> Scenario { try ScenarioLoader.load(bytes: Array(text.utf8), file: "bad.json") }

/// Members are ordered by name (R-CLU-3), the leader policy is read, and a partition between members acts on the
/// two links between them.
@Test func clustersLoadWithMembersByName() throws {
    let spec = try load(base).spec
    #expect(spec.clusters.map(\.members) == [[1, 0]] && spec.policy.cluster.leader == .lowestNamed)
    let ends = spec.faults[0].links.map { ($0.from.index, $0.to.index) }
    #expect(ends.count == 2 && ends.contains { $0 == (0, 1) } && ends.contains { $0 == (1, 0) })
}

@Test(arguments: [
    ("\"members\": [\"gw-*\"]", "\"members\": [\"gw-a\"]",
     "bad.json:7:39: clusters[0].members: expected 2 to 32 members, found 1"),
    ("\"members\": [\"gw-*\"]", "\"members\": [\"gw-a\", \"other\"]",
     "bad.json:7:39: clusters[0].members: expected members with one server, the same features and one platform (R-CLU-1), found \"other\" differs from \"gw-a\" in its server"),
    ("\"members\": [\"gw-*\"]", "\"members\": [\"gw-a\", \"ls\"]",
     "bad.json:7:48: clusters[0].members[1]: expected clients (a server is never a cluster member, R-ROLE-1), found \"ls\""),
    ("{\"id\": \"gw\", \"members\": [\"gw-*\"]}", "{\"id\": \"gw\", \"members\": [\"gw-*\"]}, {\"id\": \"gw2\", \"members\": [\"gw-a\", \"other\"]}",
     "bad.json:7:76: clusters[1].members[0]: expected a client in one cluster at most, found \"gw-a\" already in \"gw\""),
    ("\"kind\": \"partition\"", "\"kind\": \"loss\", \"probability\": 0.5",
     "bad.json:8:22: faults[0].kind: expected \"partition\" between members of a cluster or the nodes of a pair (\"gw-a\" and \"gw-b\"), found \"loss\""),
    ("\"lowestNamed\"", "\"first\"",
     "bad.json:1:77: policy.cluster.leader: expected one of \"sticky\", \"lowestNamed\", found \"first\""),
])
func clusterInputIsRejectedWithExactMessages(from: String, to: String, message: String) {
    precondition(base.contains(from), "variant source not found: \(from)")
    #expect(loadError(base.replacingOccurrences(of: from, with: to)) == message)
}
