import Testing
import LeaseKernel
import LeaseModel
import LeaseScenario

/// `policy.autoLeasing`, `features` and `relax`: read with the defaults, rejected with exact messages.
@Test func autoLeasingSettingsFeaturesAndRelaxationsLoad() throws {
    let text = variant("\"duration\": \"2d\",", """
        "duration": "2d", "relax": ["R-ALLOC-3"],
        "policy": {"autoLeasing": {"window": "12h", "review": "30m", "thresholdPercent": 40, "maxDisconnection": "7d",
                                   "penalty": "3d", "reconcile": "allOrNothing"}},
        "features": {"users": {"platformBound": true}},
        """).replacingOccurrences(of: "\"ruc\": 50, \"ilq\": 25, \"muc\": 150", with: "\"ruc\": 50, \"ilq\": 10, \"muc\": 150")
    let scenario = try ScenarioLoader.load(bytes: Array(text.utf8), file: "ok.json")
    let policy = scenario.spec.policy.autoLease
    #expect(policy.window == .hours(12) && policy.review == .minutes(30) && policy.reviewsPerWindow == 24)
    #expect(policy.thresholdPercent == 40 && policy.maxDisconnection == .days(7) && policy.penalty == .days(3))
    #expect(policy.reconcile == .allOrNothing && policy.enabled)
    #expect(!scenario.spec.traits(of: 0).autoLeases)                      // R-AUTO-1: platform bound
    #expect(scenario.relaxedRules == ["R-ALLOC-3"])
    #expect(scenario.spec.clients[0].allocations[0].allocation.quantum == 10)
    // The defaults are the guide's.
    let defaults = try ScenarioLoader.load(bytes: Array(validScenario.utf8), file: "ok.json").spec.policy.autoLease
    #expect(defaults == AutoLeasePolicy())
    #expect(defaults.window == .hours(24) && defaults.thresholdPercent == 30 && defaults.maxDisconnection == .days(10)
            && defaults.penalty == .days(5) && defaults.reconcile == .partial && defaults.review == .hours(1))
}

@Test(arguments: [
    ("R-ALLOC-3 broken without relaxing it", variant("\"ilq\": 25, \"muc\": 150", "\"ilq\": 10, \"muc\": 150"),
     "bad.json:6:77: clients[0].allocations.users.ilq: expected a quantum >= 25 for muc - ruc = 100 (R-ALLOC-3), found 10"),
    ("relaxed R-ALLOC-3 still needs a quantum", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"relax\": [\"R-ALLOC-3\"],")
        .replacingOccurrences(of: "\"ilq\": 25, \"muc\": 150", with: "\"ilq\": 0, \"muc\": 150"),
     "bad.json:6:77: clients[0].allocations.users.ilq: expected a quantum >= 25 for muc - ruc = 100 (R-ALLOC-3), found 0"),
    ("a rule that may not be relaxed", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"relax\": [\"R-LEASE-11\"],"),
     "bad.json:3:31: relax[0]: expected a rule that may be relaxed: \"R-ALLOC-3\", found \"R-LEASE-11\""),
    ("a rule relaxed twice", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"relax\": [\"R-ALLOC-3\", \"R-ALLOC-3\"],"),
     "bad.json:3:44: relax[1]: expected each rule once, found \"R-ALLOC-3\" again"),
    ("traits of a feature nothing uses", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"features\": {\"cores\": {\"userCapacity\": false}},"),
     "bad.json:3:34: features.cores: expected a feature that a license or an allocation names, found \"cores\""),
    ("an unknown trait", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"features\": {\"users\": {\"platform\": \"PSA\"}},"),
     "bad.json:3:44: features.users.platform: expected one of kind, userCapacity, platformBound, found unknown key \"platform\""),
    ("a review that does not divide the window", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"autoLeasing\": {\"review\": \"7h\"}},"),
     "bad.json:3:58: policy.autoLeasing.review: expected a review period that divides the window (1d), found 7h"),
    ("too many reviews per window", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"autoLeasing\": {\"window\": \"2d\", \"review\": \"1m\"}},"),
     "bad.json:3:74: policy.autoLeasing.review: expected at most 1440 reviews per window, found 2880"),
    ("a window longer than 30 days", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"autoLeasing\": {\"window\": \"31d\"}},"),
     "bad.json:3:58: policy.autoLeasing.window: expected a window of at most 30d, found \"31d\""),
    ("a threshold above 100%", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"autoLeasing\": {\"thresholdPercent\": 101}},"),
     "bad.json:3:68: policy.autoLeasing.thresholdPercent: expected a percentage in 0...100, found 101"),
    ("a reconcile that does not exist", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"autoLeasing\": {\"reconcile\": \"some\"}},"),
     "bad.json:3:61: policy.autoLeasing.reconcile: expected one of \"partial\", \"allOrNothing\", found \"some\""),
    ("enabled given as a string", variant("\"duration\": \"2d\",", "\"duration\": \"2d\", \"policy\": {\"autoLeasing\": {\"enabled\": \"no\"}},"),
     "bad.json:3:59: policy.autoLeasing.enabled: expected true or false, found \"no\""),
])
func autoLeasingInputIsRejectedWithExactMessages(name: String, text: String, message: String) {
    #expect(loadError(text) == message, "\(name)")
}
