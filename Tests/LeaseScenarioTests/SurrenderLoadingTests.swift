import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// Platform families, member licenses, surrender and recall actions, and `policy.surrender` (R-LIC-6, R-SUR-1..3).
let validSurrender = variant("{\"id\": \"a\", \"server\": \"ls\",", """
    {"id": "a", "server": "ls", "platform": "PSA", "memberLicense": "PSA-LICENSE-MBR",
     "licenses": [{"sku": "ADD-100U", "feature": "users", "type": "perpetual", "count": 100}],
    """)
    .replacingOccurrences(of: "\"type\": \"perpetual\", \"count\": 200}]}", with: "\"type\": \"perpetual\", \"count\": 200}, {\"sku\": \"PSA-50U\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 50, \"platform\": \"PSA\"}]}")
    .replacingOccurrences(of: "\"duration\": \"2d\",", with: """
    "duration": "2d", "policy": {"surrender": {"expiry": "5d", "contactInterval": "2h", "afterExpiry": "renewedOnContact"}},
    "actions": [{"at": "1h", "action": "surrenderLicense", "client": "a", "sku": "ADD-100U"},
                {"at": "9h", "action": "recallLicense", "client": "a", "sku": "ADD-100U"}],
    """)

func surrenderVariant(_ from: String, _ to: String) -> String {
    precondition(validSurrender.contains(from), "variant source not found: \(from)")
    return validSurrender.replacingOccurrences(of: from, with: to)
}

@Test func platformsMemberLicensesAndSurrendersLoad() throws {
    let spec = try ScenarioLoader.load(bytes: Array(validSurrender.utf8), file: "ok.json").spec
    #expect(spec.platforms == ["PSA"])
    #expect(spec.clients[0].platform == 0 && spec.clients[0].memberLicense == "PSA-LICENSE-MBR")
    #expect(spec.clients[0].platformClass == PlatformClass(family: 0, member: true) && spec.clients[1].platformClass == .unbound)
    #expect(spec.servers[0].licenses.map(\.platform) == [nil, 0])
    #expect(spec.policy.surrender.expiry == .days(5) && spec.policy.surrender.contactInterval == .hours(2))
    #expect(spec.policy.surrender.afterExpiry == .renewedOnContact)
    let changes = spec.actions.map(\.change)
    guard changes.count == 2, case .surrenderLicense(0, 0) = changes[0], case .recallLicense(0, 0) = changes[1] else {
        Issue.record("actions: \(changes)")
        return
    }
    // The defaults: 10 days, every 4 hours, lost until recalled.
    let defaults = try ScenarioLoader.load(bytes: Array(validScenario.utf8), file: "ok.json").spec.policy.surrender
    #expect(defaults.expiry == .days(10) && defaults.contactInterval == .hours(4) && defaults.afterExpiry == .lostUntilRecall)
}

@Test(arguments: [
    ("a member license without a platform", surrenderVariant("\"platform\": \"PSA\", \"memberLicense\"", "\"memberLicense\""),
     "bad.json:8:50: clients[0].memberLicense: expected a member license only on a client with a \"platform\" (it lets the client lease its family's perpetual licenses, R-LIC-6), found \"PSA-LICENSE-MBR\""),
    ("a platform on a client's own license", surrenderVariant("\"type\": \"perpetual\", \"count\": 100}", "\"type\": \"perpetual\", \"count\": 100, \"platform\": \"PSA\"}"),
     "bad.json:9:102: clients[0].licenses[0].platform: expected no platform on a client's own license (the client's \"platform\" names its family), found \"PSA\""),
    ("a surrender of a license the client does not have", surrenderVariant("\"surrenderLicense\", \"client\": \"a\", \"sku\": \"ADD-100U\"", "\"surrenderLicense\", \"client\": \"a\", \"sku\": \"ADD-200U\""),
     "bad.json:4:78: actions[0].sku: expected the SKU of a license installed on \"a\" (its \"licenses\"), found \"ADD-200U\""),
    ("a server key on a surrender", surrenderVariant("\"surrenderLicense\", \"client\": \"a\"", "\"surrenderLicense\", \"server\": \"ls\", \"client\": \"a\""),
     "bad.json:4:56: actions[0].server: expected only at, action, client, sku in a \"surrenderLicense\" action, found \"server\""),
    ("an unknown afterExpiry", surrenderVariant("\"renewedOnContact\"", "\"never\""),
     "bad.json:3:102: policy.surrender.afterExpiry: expected one of \"lostUntilRecall\", \"renewedOnContact\", found \"never\""),
    ("own licenses adding up past 1e7", surrenderVariant("\"type\": \"perpetual\", \"count\": 100}", "\"type\": \"perpetual\", \"count\": 100}, {\"sku\": \"BIG\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 9999901}"),
     "bad.json:9:156: clients[0].licenses[1].count: expected licenses of \"users\" on one client adding up to at most 10000000 (R-CLIENT-1), found 9999901, bringing the sum to 10000001"),
    ("a surrender that takes the server past 1e9", surrenderVariant("\"count\": 200}, {\"sku\": \"PSA-50U\"", "\"count\": 99999900}, " + (0..<9).map { "{\"sku\": \"P\($0)\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 100000000}, " }.joined() + "{\"sku\": \"PSA-50U\""),
     "bad.json:4:78: actions[0].sku: expected licenses of \"users\" on \"ls\" and surrendered to it adding up to at most 1000000000 (R-SUR-2), found \"ADD-100U\", bringing the sum to 1000000050"),
    ("a surrender of an RDP license (R-SUR-1)", surrenderVariant("\"policy\": {\"surrender\"", "\"features\": {\"users\": {\"kind\": \"rdpUsers\"}}, \"policy\": {\"surrender\""),
     "bad.json:4:78: actions[0].sku: expected the SKU of a perpetual concurrent-user or meeting-user license (R-SUR-1: RDP, feature and duration-based licenses cannot be surrendered), found \"ADD-100U\", a license of \"users\", which is not a concurrent-user or meeting-user feature (its \"features\" kind)"),
    ("a surrender of a subscription (R-SUR-1)", surrenderVariant("{\"sku\": \"ADD-100U\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 100}", "{\"sku\": \"ADD-100U\", \"feature\": \"users\", \"type\": \"subscription\", \"count\": 100, \"start\": \"2026-01-01\", \"end\": \"2026-12-31\"}"),
     "bad.json:4:78: actions[0].sku: expected the SKU of a perpetual concurrent-user or meeting-user license (R-SUR-1: RDP, feature and duration-based licenses cannot be surrendered), found \"ADD-100U\", a subscription license"),
    ("a feature kind and userCapacity both", surrenderVariant("\"policy\": {\"surrender\"", "\"features\": {\"users\": {\"kind\": \"rdpUsers\", \"userCapacity\": true}}, \"policy\": {\"surrender\""),
     "bad.json:3:80: features.users.userCapacity: expected either \"kind\" or \"userCapacity\", not both, found true"),
    ("a contact interval under a minute", surrenderVariant("\"contactInterval\": \"2h\"", "\"contactInterval\": \"30s\""),
     "bad.json:3:81: policy.surrender.contactInterval: expected a contact interval of at least 1m, found \"30s\""),
])
func surrenderInputIsRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}

/// At most `ScenarioLimits.maxPlatforms` families.
@Test func platformFamiliesAreBounded() {
    let clients = (0...ScenarioLimits.maxPlatforms).map {
        "{\"id\": \"p\($0)\", \"server\": \"ls\", \"platform\": \"F\($0)\", \"allocations\": {\"users\": {\"ruc\": 0, \"ilq\": 25, \"muc\": 50}}}"
    }.joined(separator: ",\n")
    let text = variant("\"clients\": [", "\"clients\": [\n" + clients + ",")
    #expect(loadError(text).contains("expected at most 32 platform families in a scenario, found \"F32\""))
}
