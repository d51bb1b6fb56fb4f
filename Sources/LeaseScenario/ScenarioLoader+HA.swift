import LeaseKernel
import LeaseModel

/// `haPairs`, `policy.ha` and the pairs' checks (R-HA-1..5).
extension ScenarioLoader {
    /// R-HA-1, R-HA-3: each pair names its two nodes (servers) and its mode; its id is the virtual address clients
    /// may name as their `server`. A node is in one pair at most (R-LIC-6: its licenses may be bound to a platform
    /// family, as on any server). R-HA-5: a pair with a virtual license server on a cloud platform is active/active only.
    mutating func haPairs(_ field: Field) throws(ScenarioError) {
        for entry in try field.array() {
            let object = try entry.object(allowed: ScenarioKeys.haPair)
            let idField = try object.required("id", "a pair id (its virtual address)")
            let id = try idField.nonEmptyString()
            guard serverIndex[id] == nil, pairIndex[id] == nil, id != "cloud" else {
                throw idField.fail("a pair id used once, and by no server", found: Excerpt.quoted(id))
            }
            let nodesField = try object.required("nodes", "its two nodes, by server id")
            let list = try nodesField.array()
            guard list.count == 2 else { throw nodesField.fail("two server ids", found: "\(list.count)") }
            var nodes: [Int] = []
            for node in list {
                let name = try node.nonEmptyString()
                guard let server = serverIndex[name] else { throw node.fail("the id of a server") }
                guard !nodes.contains(server), spec.pair(ofServer: server) == nil else {
                    throw node.fail("a server in one pair at most, once", found: Excerpt.quoted(name))
                }
                nodes.append(server)
            }
            var pair = HAPairSpec(id: id, nodes: nodes, mode: try object.optional("mode").map { (field) throws(ScenarioError) in try choice(field) } ?? .activePassive)
            if let latency = object.optional("linkLatency") { pair.linkLatency = try nonNegativeDuration(latency) }
            if pair.mode == .activePassive, let cloud = cloudNode(nodes) {
                throw (object.optional("mode") ?? nodesField).fail("\"activeActive\" for a pair with a virtual license server on a cloud platform (R-HA-5: cloud platforms support active/active only)",
                                                               found: "\"activePassive\" (\(Excerpt.quoted(spec.servers[cloud].id)) runs on \(spec.servers[cloud].vlsPlatform.rawValue))")
            }
            // R-HA-4: an active/active pair's nodes must be within 100 ms of each other: flagged, the run goes on.
            if pair.mode == .activeActive && pair.linkLatency >= HAPolicy.maxActiveActiveLatency {
                flags.append("R-HA-4: pair \(Excerpt.quoted(id)) has \(pair.linkLatency) between its active/active nodes (under \(HAPolicy.maxActiveActiveLatency) is needed)")
            }
            pairIndex[id] = spec.haPairs.count
            spec.haPairs.append(pair)
        }
    }

    /// R-HA-5: the first node that is a virtual license server on a cloud platform, if any (such a pair is
    /// active/active only; a VLS on ESXi, Hyper-V or KVM pairs either way).
    func cloudNode(_ nodes: [Int]) -> Int? {
        nodes.first { spec.servers[$0].vls && spec.servers[$0].vlsPlatform.isCloud }
    }

    /// R-HA-1..3: `policy.ha`, defaults for what is left out.
    func haPolicy(_ field: Field) throws(ScenarioError) -> HAPolicy {
        let object = try field.object(allowed: ScenarioKeys.haPolicy)
        var policy = HAPolicy()
        if let value = object.optional("checkInterval") { policy.checkInterval = try positiveDuration(value) }
        if let value = object.optional("retryPeriod") { policy.retryPeriod = try nonNegativeDuration(value) }
        if let value = object.optional("grace") { policy.grace = try nonNegativeDuration(value) }
        if let value = object.optional("failoverLeases") { policy.failoverLeases = try choice(value) }
        if let value = object.optional("fallback") { policy.fallback = try choice(value) }
        if let value = object.optional("rejoin") { policy.rejoin = try choice(value) }
        return policy
    }

    /// R-HA-5: a `setHAMode` action switches a pair between active/passive and active/active.
    func haModeAction(_ object: ObjectField, at: SimInstant) throws(ScenarioError) -> ActionSpec {
        try object.onlyKeys(["at", "action", "server", "mode"], in: "a \"setHAMode\" action")
        let pairField = try object.required("server", "the id of an HA pair")
        guard let pair = pairIndex[try pairField.nonEmptyString()] else { throw pairField.fail("the id of an HA pair (its \"haPairs\" id)") }
        let modeField = try object.required("mode", "\"activePassive\" or \"activeActive\"")
        let mode: HAMode = try choice(modeField)
        if mode == .activePassive, let cloud = cloudNode(spec.haPairs[pair].nodes) {
            throw modeField.fail("\"activeActive\" for a pair with a virtual license server on a cloud platform (R-HA-5: cloud platforms support active/active only)",
                                 found: "\"activePassive\" (\(Excerpt.quoted(spec.servers[cloud].id)) runs on \(spec.servers[cloud].vlsPlatform.rawValue))")
        }
        return ActionSpec(at: at, change: .setHAMode(pair: pair, mode: mode))
    }

    /// The server whose pool counts a client's leases at the start, and what is installed for them there: its own
    /// node, or for a pair's client the pair's first node, with the whole cluster license (R-ALLOC-4, R-HA-5).
    func allocationPool(ofServer server: Int, feature: Int) -> (server: Int, installed: Int64) {
        guard let pair = spec.pair(ofServer: server) else { return (server, Int64(capacitySchedules[server].initial[feature])) }
        let nodes = spec.haPairs[pair].nodes
        return (nodes[0], nodes.reduce(Int64(0)) { $0 + Int64(capacitySchedules[$1].initial[feature]) })
    }
}
