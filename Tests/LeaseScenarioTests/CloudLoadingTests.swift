import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// Virtual license servers, `policy.cloud`, and faults on the link to the vendor's cloud (R-VLS-1, R-VLS-4).
let validCloud = withFaults(#"{"id": "cut", "kind": "partition", "between": ["ls", "cloud"], "at": "1h", "for": "2h"}"#)
    .replacingOccurrences(of: "\"servers\": [{\"id\": \"ls\", \"licenses\": [{\"sku\": \"P\", \"feature\": \"users\", \"type\": \"perpetual\", \"count\": 200}]}]",
                          with: "\"servers\": [{\"id\": \"ls\", \"vls\": true, \"licenses\": [{\"sku\": \"S\", \"feature\": \"users\", \"type\": \"subscription\", \"count\": 200, \"start\": \"1969-01-01\", \"end\": \"1970-12-31\"}]}]")
    .replacingOccurrences(of: "\"duration\": \"2d\",", with: "\"duration\": \"2d\", \"policy\": {\"cloud\": {\"heartbeatInterval\": \"4h\", \"maxSilence\": \"3d\", \"latency\": \"50ms\"}},")

func cloudVariant(_ from: String, _ to: String) -> String {
    precondition(validCloud.contains(from), "variant source not found: \(from)")
    return validCloud.replacingOccurrences(of: from, with: to)
}

@Test func aVirtualLicenseServerAndItsCloudLinkLoad() throws {
    let spec = try ScenarioLoader.load(bytes: Array(validCloud.utf8), file: "ok.json").spec
    #expect(spec.servers[0].vls)
    #expect(spec.policy.cloud.heartbeatInterval == .hours(4) && spec.policy.cloud.maxSilence == .days(3) && spec.policy.cloud.latency == .milliseconds(50))
    let server = Endpoint.server(ServerID(index: 0))
    #expect(spec.faults[0].links == [FaultSpec.LinkEnds(from: server, to: .cloud), FaultSpec.LinkEnds(from: .cloud, to: server)])
    let restored = try ScenarioLoader.load(bytes: Array(cloudVariant(#""vls": true,"#, #""vls": true, "authorizationCode": "AUTH-1", "restoredAt": "1969-10-03","#).utf8), file: "ok.json").spec
    #expect(restored.servers[0].authorizationCode == "AUTH-1" && restored.servers[0].restoredAt == .start - .days(90))
    let downloads = try ScenarioLoader.load(bytes: Array(variant(#"{"id": "ls", "licenses""#, #"{"id": "ls", "autoDownload": true, "vendorLicenses": [{"availableAt": "1h", "license": {"sku": "P2", "feature": "users", "type": "perpetual", "count": 5}}], "licenses""#).utf8), file: "ok.json").spec
    #expect(downloads.servers[0].autoDownload && downloads.servers[0].vendorLicenses.map(\.availableAt) == [.start + .hours(1)])
    #expect(downloads.servers[0].vendorLicenses.map(\.license.sku) == ["P2"])
    // R-LIC-8: a VLS without a license-server license serves nothing, and is flagged; with a subscription it serves
    // while the subscription covers it.
    let unlicensed = try ScenarioLoader.load(bytes: Array(validCloud.utf8), file: "ok.json")
    #expect(unlicensed.spec.servers[0].serves.isEmpty && unlicensed.flags.contains { $0.hasPrefix("R-LIC-8: virtual license server \"ls\"") })
    let licensed = try ScenarioLoader.load(bytes: Array(cloudVariant(#""vls": true,"#, #""vls": true, "serverLicenses": [{"sku": "PS-VLS-1YR", "type": "subscription", "years": 1, "start": "1969-07-01"}],"#).utf8), file: "ok.json")
    #expect(licensed.spec.servers[0].serves == [SimInstant.start..<(.start + .days(181))] && licensed.flags.isEmpty)
    // R-VLS-4: a perpetual license bound to a hardware platform family (a PSA hardware license) is accepted.
    let bound = try ScenarioLoader.load(bytes: Array(cloudVariant(#""end": "1970-12-31"}"#, #""end": "1970-12-31"}, {"sku": "PSA-ADD-50U", "feature": "users", "type": "perpetual", "count": 50, "platform": "PSA"}"#).utf8), file: "ok.json").spec
    #expect(bound.servers[0].licenses.map(\.kind) == [.subscription, .perpetual] && bound.servers[0].licenses[1].platform == 0)
    let defaults = try ScenarioLoader.load(bytes: Array(validScenario.utf8), file: "ok.json").spec
    #expect(!defaults.servers[0].vls && defaults.policy.cloud.heartbeatInterval == .hours(8) && defaults.policy.cloud.maxSilence == .days(24))
}

@Test(arguments: [
    ("a perpetual license on a VLS", cloudVariant(#""type": "subscription", "count": 200, "start": "1969-01-01", "end": "1970-12-31""#, #""type": "perpetual", "count": 200"#),
     "bad.json:4:95: servers[0].licenses[0].type: expected a subscription or renewal license, or a perpetual one bound to a hardware platform family (\"platform\"), on a virtual license server (R-VLS-4), found \"perpetual\" bound to no platform"),
    ("a perpetual license installed on a VLS", cloudVariant(#""duration": "2d","#, #""duration": "2d", "actions": [{"at": "1h", "action": "installLicense", "server": "ls", "license": {"sku": "P9", "feature": "users", "type": "perpetual", "count": 5}}],"#),
     "bad.json:3:143: actions[0].license.type: expected a subscription or renewal license, or a perpetual one bound to a hardware platform family (\"platform\"), on a virtual license server (R-VLS-4), found \"perpetual\" bound to no platform"),
    ("an evaluation license on a VLS", cloudVariant(#""type": "subscription", "count": 200, "start": "1969-01-01", "end": "1970-12-31""#, #""type": "evaluation", "count": 200"#),
     "bad.json:4:95: servers[0].licenses[0].type: expected a subscription or renewal license, or a perpetual one bound to a hardware platform family (\"platform\"), on a virtual license server (R-VLS-4), found \"evaluation\""),
    ("a perpetual license-server license on a VLS", cloudVariant(#""vls": true,"#, #""vls": true, "serverLicenses": [{"sku": "L", "type": "perpetual"}],"#),
     "bad.json:4:81: servers[0].serverLicenses[0].type: expected \"subscription\" for a virtual license server's license-server license (R-VLS-4: VM subscription licenses), found \"perpetual\""),
    ("a hardware VLS", cloudVariant(#""vls": true,"#, #""vls": true, "hardware": true, "serverLicenses": [{"sku": "L", "type": "perpetual"}],"#),
     "bad.json:4:35: servers[0].vls: expected a virtual license server that is not also \"hardware\": true, found true"),
    ("the cloud of a server that is not a VLS", cloudVariant(#""vls": true, "#, ""),
     "bad.json:11:52: faults[0].between[0]: expected ends with a link between them (a client and its server, two members of a cluster, the two nodes of an HA pair, or a \"vls\" server and \"cloud\"), found no client of one end leasing from a server of the other"),
    ("a server named cloud", cloudVariant(#"{"id": "ls", "vls""#, #"{"id": "cloud", "vls""#),
     "bad.json:4:22: servers[0].id: expected a server id other than \"cloud\" (it names the vendor's cloud, R-VLS-1), found \"cloud\""),
    ("a crash of the cloud", cloudVariant(#""kind": "partition", "between": ["ls", "cloud"]"#, #""kind": "crash", "node": "cloud""#),
     "bad.json:11:44: faults[0].node: expected a client or server to crash (the vendor's cloud does not; cut it off instead), found \"cloud\""),
    ("a restore after the start", cloudVariant(#""vls": true,"#, #""vls": true, "restoredAt": "1970-01-02","#),
     "bad.json:4:55: servers[0].restoredAt: expected a date at or before the start (the server runs from the start), found \"1970-01-02\""),
    ("an authorization code on a server that is not a VLS", cloudVariant(#""vls": true,"#, #""authorizationCode": "A","#),
     "bad.json:4:49: servers[0].authorizationCode: expected no authorizationCode on a server that is not \"vls\": true (R-VLS-2, R-VLS-3, R-HA-5), found \"A\""),
    ("licenses re-installed on a server never restored", cloudVariant(#""duration": "2d","#, #""duration": "2d", "actions": [{"at": "1h", "action": "reinstallLicenses", "server": "ls"}],"#),
     "bad.json:3:87: actions[0].server: expected a \"vls\" server with \"restoredAt\" (R-VLS-3), found \"ls\""),
    ("vendor licenses without autoDownload", cloudVariant(#""vls": true,"#, #""vls": true, "vendorLicenses": [],"#),
     "bad.json:4:59: servers[0].vendorLicenses: expected no vendorLicenses on a server without \"autoDownload\": true (R-DL-1), found an array"),
    ("an ICE license at the vendor", variant(#"{"id": "ls", "licenses""#, #"{"id": "ls", "autoDownload": true, "vendorLicenses": [{"availableAt": "1h", "license": {"sku": "I", "feature": "users", "type": "ice", "count": 5}}], "licenses""#),
     "bad.json:4:143: servers[0].vendorLicenses[0].license.type: expected a license that is not \"ice\" (ICE licenses are switched on by actions), found \"ice\""),
    ("a vendor license with its own installedAt", variant(#"{"id": "ls", "licenses""#, #"{"id": "ls", "autoDownload": true, "vendorLicenses": [{"availableAt": "1h", "license": {"sku": "P2", "feature": "users", "type": "perpetual", "count": 5, "installedAt": "2h"}}], "licenses""#),
     "bad.json:4:184: servers[0].vendorLicenses[0].license.installedAt: expected no installedAt in a vendor license (it is installed when it is downloaded), found \"2h\""),
    ("a heartbeat every second", cloudVariant(#""heartbeatInterval": "4h""#, #""heartbeatInterval": "1s""#),
     "bad.json:3:63: policy.cloud.heartbeatInterval: expected a heartbeat interval of at least 1m, found \"1s\""),
])
func cloudInputIsRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}
