import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// `--set PATH=VALUE`: fields replaced by path before loading, checked by the loader like any other.
private let base = """
{"format": "leasesim/1", "duration": "2d", "seed": 5,
 "servers": [{"id": "ls-1", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 200}]}],
 "clients": [{"id": "gw-1", "server": "ls-1", "allocations": {"users": {"ruc": 50, "ilq": 25, "muc": 150}}},
             {"group": "branch", "count": 3, "server": "ls-1", "allocations": {"users": {"ruc": 10, "ilq": 5, "muc": 20}}}]}
"""

private func load(_ sets: [String]) throws -> Scenario {
    let overrides = try sets.map { text throws(ScenarioError) in try ScenarioOverride(text) }
    return try ScenarioLoader.load(bytes: Array(base.utf8), file: "s.json", options: LoadOptions(overrides: overrides))
}

private func loadError(_ sets: [String]) -> String {
    do {
        _ = try load(sets)
        return "loaded"
    } catch {
        return "\(error)"
    }
}

/// The three paths: a policy duration (a key the file lacks, in an object it lacks), a client's allocation
/// by id, and a server's license by id and index; values are JSON when they parse, text otherwise.
@Test func overridesSetFieldsByPathAndId() throws {
    let scenario = try load(["policy.renewalInterval=2h", "clients[gw-1].allocations.users.muc=180",
                             "servers[ls-1].licenses[0].count=400", "clients[branch].allocations.users.ruc=12", "seed=99"])
    #expect(scenario.spec.policy.renewalInterval == .hours(2))
    #expect(scenario.spec.clients[0].allocations[0].allocation.maximum == 180)
    #expect(scenario.spec.servers[0].licenses[0].count == 400)
    #expect(scenario.spec.clients[1...].map { $0.allocations[0].allocation.reserved } == [12, 12, 12])
    #expect(scenario.spec.seed == 99)
    #expect(scenario.overrides == ["policy.renewalInterval=2h", "clients[gw-1].allocations.users.muc=180",
                                   "servers[ls-1].licenses[0].count=400", "clients[branch].allocations.users.ruc=12", "seed=99"])
    // A later override of the same field wins; an object value replaces the whole field.
    let twice = try load(["clients[0].allocations.users.muc=170", "clients[0].allocations.users.muc=160",
                          "network={\"latency\": \"80ms\"}"])
    #expect(twice.spec.clients[0].allocations[0].allocation.maximum == 160 && twice.spec.clients[0].latency == .milliseconds(80))
}

/// Errors name the override and the field: the loader's own message for a bad value or an unknown key (with its
/// hint), and the path's own for an id or index that selects nothing, or a path that cannot be read.
@Test(arguments: [
    ("policy.renewalInterval=2x",
     "s.json (--set policy.renewalInterval=2x): policy.renewalInterval: expected a duration with units like \"250ms\", \"90s\", \"15m\", \"4h\", \"10d\", \"8w\" or \"1h30m\", found \"2x\""),
    ("policy.renewalIntervall=2h",
     "s.json (--set policy.renewalIntervall=2h): policy.renewalIntervall: expected one of reservedLeaseDuration, incrementalLeaseDuration, renewalInterval, minimumHold, releasePolicy, holdPolicy, quantaPerRequest, initialLeases, requestsAtRenewal, requestTimeout, requestRetries, retryBackoff, serverRestart, clientRestart, autoLeasing, surrender, cloud, cluster, ha, found unknown key \"renewalIntervall\" (did you mean \"renewalInterval\"?)"),
    ("clients[gw-2].allocations.users.muc=1",
     "s.json (--set clients[gw-2].allocations.users.muc=1): clients[gw-2]: expected an index, or the id of one of 2 elements (\"gw-1\", \"branch\"), found no element with id \"gw-2\" (did you mean \"gw-1\"?)"),
    ("clients[branch-002].count=4",
     "s.json (--set clients[branch-002].count=4): clients[branch-002]: expected the id of an element, or a client group's name, found \"branch-002\", a member of group \"branch\": set the group, [branch]"),
    ("servers[ls-1].licenses[1].count=4",
     "s.json (--set servers[ls-1].licenses[1].count=4): servers[ls-1].licenses[1]: expected an index below 1, found 1"),
    ("clients[gw-1].allocations.users.muc=-3",
     "s.json (--set clients[gw-1].allocations.users.muc=-3): clients[0].allocations.users.muc: expected a count in 0...10000000, found -3"),
    ("clients.muc=3", "s.json (--set clients.muc=3): clients: expected an object, found an array (select an element with [id] or [index])"),
    ("duration.days=3", "s.json (--set duration.days=3): duration: expected an object or an array to set a field in, found \"2d\""),
    ("policy..x=1", "--set policy..x=1: expected a field path such as policy.renewalInterval or clients[gw-1].allocations.users.muc=VALUE, found an empty key"),
    ("clients[gw-1]x=1", "--set clients[gw-1]x=1: expected a field path such as policy.renewalInterval or clients[gw-1].allocations.users.muc=VALUE, found text right after ] (a . is missing)"),
    ("clients[gw-1=1", "--set clients[gw-1=1: expected a field path such as policy.renewalInterval or clients[gw-1].allocations.users.muc=VALUE, found a [ with no ]"),
    ("seed", "--set seed: expected a field path such as policy.renewalInterval or clients[gw-1].allocations.users.muc=VALUE, found no = in \"seed\""),
])
func overrideErrorsNameTheOverrideAndTheField(set: String, message: String) {
    #expect(loadError([set]) == message)
}

/// A selector on an object is a key (one with any character in it), and a quoted JSON string stays a string.
@Test func selectorsOnObjectsAreKeysAndQuotedValuesAreStrings() throws {
    let scenario = try load(["clients[gw-1].allocations[users].ilq=30", "name=\"400\""])
    #expect(scenario.spec.clients[0].allocations[0].allocation.quantum == 30 && scenario.name == "400")
}
