import LeaseKernel
import LeaseModel

/// The parts of a scenario that auto-leasing reads: its settings, what each feature is, and the rules relaxed.
extension ScenarioLoader {
    /// R-AUTO-2, R-AUTO-4, R-AUTO-6: `policy.autoLeasing`, defaults for what is left out.
    func autoLeasePolicy(_ field: Field) throws(ScenarioError) -> AutoLeasePolicy {
        let object = try field.object(allowed: ScenarioKeys.autoLeasing)
        var policy = AutoLeasePolicy()
        if let value = object.optional("enabled") { policy.enabled = try flag(value) }
        if let value = object.optional("window") {
            policy.window = try positiveDuration(value)
            guard policy.window <= AutoLeasePolicy.maxWindow else { throw value.fail("a window of at most \(AutoLeasePolicy.maxWindow)") }
        }
        if let value = object.optional("review") { policy.review = try period(value, "a review period") }
        if let value = object.optional("thresholdPercent") {
            policy.thresholdPercent = Int32(try value.integer(in: 0...100, what: "a percentage"))
        }
        if let value = object.optional("maxDisconnection") { policy.maxDisconnection = try positiveDuration(value) }
        if let value = object.optional("penalty") { policy.penalty = try positiveDuration(value) }
        if let value = object.optional("reconcile") { policy.reconcile = try choice(value) }
        if let value = object.optional("reconcileUsage") { policy.reconcileUsage = try choice(value) }
        guard policy.window.milliseconds % policy.review.milliseconds == 0 else {
            throw (object.optional("review") ?? object.optional("window") ?? field)
                .fail("a review period that divides the window (\(policy.window))", found: "\(policy.review)")
        }
        guard policy.reviewsPerWindow <= AutoLeasePolicy.maxReviewsPerWindow else {
            throw (object.optional("review") ?? field)
                .fail("at most \(AutoLeasePolicy.maxReviewsPerWindow) reviews per window", found: "\(policy.reviewsPerWindow)")
        }
        return policy
    }

    /// The history auto-leasing keeps (a boundary integral per review per server feature) within its bound.
    func checkAutoLeasingBounds(_ root: ObjectField) throws(ScenarioError) {
        let policy = spec.policy.autoLease
        guard policy.enabled else { return }
        let entries = spec.servers.count * spec.features.count * policy.reviewsPerWindow
        guard entries <= AutoLeasePolicy.maxHistoryEntries else {
            throw (root.optional("policy") ?? root.optional("servers")!).fail(
                "servers x features x reviews per auto-leasing window at most \(AutoLeasePolicy.maxHistoryEntries) (a longer review period, or \"autoLeasing\": {\"enabled\": false})",
                found: "\(spec.servers.count) x \(spec.features.count) x \(policy.reviewsPerWindow) = \(entries)")
        }
    }

    /// R-AUTO-1: `features`: what each named feature is; every name must be a feature a license or an
    /// allocation uses.
    mutating func featureTraits(_ field: Field) throws(ScenarioError) {
        let object = try field.anyObject()
        spec.featureTraits = Array(repeating: FeatureTraits(), count: spec.features.count)
        for member in object.members {
            guard let feature = featureIndex[member.key] else {
                throw object.fail(key: member, expected: "a feature that a license or an allocation names", found: Excerpt.quoted(member.key))
            }
            let traits = try object.field(member).object(allowed: ScenarioKeys.feature)
            // R-ROLE-2, R-SUR-1: what the feature counts; `userCapacity` is the older, coarser spelling.
            if let value = traits.optional("kind") {
                if let other = traits.optional("userCapacity") { throw other.fail("either \"kind\" or \"userCapacity\", not both") }
                let kind: FeatureKind = try choice(value)
                spec.featureTraits[feature] = kind.traits
            }
            if let value = traits.optional("userCapacity") {
                let counts = try flag(value)
                spec.featureTraits[feature] = FeatureTraits(userCapacity: counts)
            }
            if let value = traits.optional("platformBound") { spec.featureTraits[feature].platformBound = try flag(value) }
        }
    }

    /// `relax`: rules the scenario breaks on purpose, each reported with every run (only `ScenarioKeys.relaxable`).
    mutating func relax(_ field: Field) throws(ScenarioError) {
        for entry in try field.array() {
            let rule = try entry.string()
            guard ScenarioKeys.relaxable.contains(rule) else {
                throw entry.fail("a rule that may be relaxed: \(ScenarioKeys.relaxable.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            guard !relaxedRules.contains(rule) else { throw entry.fail("each rule once", found: "\"\(rule)\" again") }
            relaxedRules.append(rule)
        }
    }

    /// True or false.
    func flag(_ field: Field) throws(ScenarioError) -> Bool {
        guard case .bool(let value) = field.node.value else { throw field.fail("true or false") }
        return value
    }
}
