import LeaseKernel
import LeaseModel

/// The `faults` array: partitions, losses and added latency on links, crashes of clients and servers.
extension ScenarioLoader {
    /// Every fault, in file order, then those drawn from `randomFaults`; links and nodes resolved, windows checked.
    mutating func faults(_ list: Field?, random: Field?) throws(ScenarioError) {
        var ids: [String: Int] = [:] // Lookups only.
        var parsed: [(fault: FaultSpec, field: Field)] = []
        for (position, entry) in (try list?.array() ?? FieldList(elements: [], path: "", source: source)).enumerated() {
            let fault = try self.fault(entry, position: position)
            if case .loss(let perMillion) = fault.effect, perMillion > 0 && perMillion < 1_000_000 { randomSources.append(entry.path + ".probability") }
            guard ids[fault.id] == nil else {
                throw (try entry.object(allowed: ScenarioKeys.fault)).optional("id")!.fail("a fault id used once", found: "\(Excerpt.quoted(fault.id)) again")
            }
            ids[fault.id] = position
            parsed.append((fault, entry))
        }
        if let random {
            randomSources.append(random.path)
            for var fault in try randomFaults(random).draw(seed: spec.seed, spec: spec, duration: duration) {
                fault.drawn = true
                guard ids[fault.id] == nil else { throw random.fail("drawn fault ids unused by the scenario's faults", found: "\(Excerpt.quoted(fault.id)) used by both") }
                parsed.append((fault, random))
            }
        }
        try checkFaultOverlaps(parsed)
        spec.faults = parsed.map(\.fault)
    }

    /// One fault: its kind, where it acts, and its window (`at`, then `until` or `for`, or neither: to the end).
    func fault(_ field: Field, position: Int) throws(ScenarioError) -> FaultSpec {
        let object = try field.object(allowed: ScenarioKeys.fault)
        let kindField = try object.required("kind", "a fault kind")
        let kinds = ["partition", "loss", "latency", "crash"]
        let kind = try kindField.string()
        guard kinds.contains(kind) else { throw kindField.fail("one of \(kinds.map { "\"\($0)\"" }.joined(separator: ", "))") }
        let own = ["partition": [], "loss": ["probability"], "latency": ["latency"], "crash": []][kind]!
        let placementKeys = kind == "crash" ? ["node"] : ["between", "from", "to"]
        try object.onlyKeys(["id", "kind", "at", "until", "for"] + placementKeys + own, in: "a \"\(kind)\" fault")
        let id = try object.optional("id")?.nonEmptyString() ?? "fault-\(position + 1)"
        let atField = try object.required("at", TimeSyntax.instantForm)
        let at = try instantInRun(atField)
        var until = SimInstant.never
        if let untilField = object.optional("until") {
            if let forField = object.optional("for") { throw forField.fail("either \"until\" or \"for\", not both") }
            until = try instant(untilField)
            guard until > at else { throw untilField.fail("an instant after \"at\" (\(at))") }
        } else if let forField = object.optional("for") {
            until = at + (try positiveDuration(forField))
        }
        if kind == "crash" {
            let nodeField = try object.required("node", "a client or server id, a group name or a pattern like \"branch-*\"")
            let nodes = try endpoints(nodeField)
            guard !nodes.contains(.cloud) else { throw nodeField.fail("a client or server to crash (the vendor's cloud does not; cut it off instead)") }
            guard !nodes.contains(where: { $0.kind == .virtualAddress }) else {
                throw nodeField.fail("a client or server to crash (an HA pair's id is its virtual address: crash one of its nodes)")
            }
            var fault = FaultSpec(id: id, effect: .crash, nodes: nodes, at: at, until: until)
            fault.placement = .node(try nodeField.string())
            return fault
        }
        let effect: FaultSpec.Effect
        switch kind {
        case "loss":
            let probability = try object.required("probability", "a probability from 0 to 1")
            effect = .loss(perMillion: Int32(try probability.scaledDecimal(decimals: 6, in: 0...1_000_000, what: "a probability from 0 to 1")))
        case "latency": effect = .addedLatency(try nonNegativeDuration(try object.required("latency", TimeSyntax.durationForm)))
        default: effect = .partition
        }
        var (links, placement) = try self.links(object)
        // R-CLU-3, R-HA-1: a link between cluster members or pair nodes carries no message: only a partition acts on
        // it, and other kinds leave it out (an error when it is all their ends name).
        let carriesNothing = { (link: FaultSpec.LinkEnds) in (link.from.client != nil && link.to.client != nil) || (link.from.server != nil && link.to.server != nil) }
        if effect != .partition, let link = links.first(where: carriesNothing) {
            links.removeAll(where: carriesNothing)
            guard !links.isEmpty else {
                throw kindField.fail("\"partition\" between members of a cluster or the nodes of a pair (\(Excerpt.quoted(name(of: link.from))) and \(Excerpt.quoted(name(of: link.to))))",
                                     found: Excerpt.quoted(kind))
            }
        }
        var fault = FaultSpec(id: id, effect: effect, links: links, at: at, until: until)
        fault.placement = placement
        return fault
    }

    /// The `randomFaults` settings: rates per 30 days, mean lengths, a loss on every link.
    func randomFaults(_ field: Field) throws(ScenarioError) -> RandomFaults {
        let object = try field.object(allowed: ScenarioKeys.randomFaults)
        var settings = RandomFaults()
        let rate = "a mean count per 30 days from 0 to 1000"
        if let value = object.optional("partitionsPerLinkPerMonth") {
            settings.partitionsPerLinkPerMonthMilli = try value.scaledDecimal(decimals: 3, in: 0...1_000_000, what: rate)
        }
        if let value = object.optional("meanPartition") { settings.meanPartition = try positiveDuration(value) }
        if let value = object.optional("serverCrashesPerMonth") {
            settings.serverCrashesPerMonthMilli = try value.scaledDecimal(decimals: 3, in: 0...1_000_000, what: rate)
        }
        if let value = object.optional("meanDowntime") { settings.meanDowntime = try positiveDuration(value) }
        if let value = object.optional("loss") {
            settings.lossPerMillion = Int32(try value.scaledDecimal(decimals: 6, in: 0...1_000_000, what: "a probability from 0 to 1"))
        }
        return settings
    }

    /// The links a fault acts on: both directions `between` two ends, or one way `from` one `to` the other.
    func links(_ object: ObjectField) throws(ScenarioError) -> ([FaultSpec.LinkEnds], FaultSpec.Placement) {
        let ends: (Field, Field, twoWay: Bool)
        if let between = object.optional("between") {
            if let from = object.optional("from") ?? object.optional("to") { throw from.fail("either \"between\" or \"from\" and \"to\", not both") }
            let pair = try between.array()
            guard pair.count == 2 else { throw between.fail("two ends, like [\"branch-*\", \"ls-1\"]", found: "\(pair.count)") }
            ends = (pair[0], pair[1], true)
        } else {
            let expected = "\"between\": [A, B], or \"from\" and \"to\" for one way"
            ends = (try object.required("from", expected), try object.required("to", expected), false)
        }
        let from = Set(try endpoints(ends.0)), to = Set(try endpoints(ends.1))
        var links: [FaultSpec.LinkEnds] = []
        // R-VLS-1: a virtual license server's link to the vendor's cloud, and back.
        for (index, server) in spec.servers.enumerated() where server.reachesCloud {
            let s = Endpoint.server(ServerID(index: Int32(index)))
            let up = from.contains(s) && to.contains(.cloud), down = from.contains(.cloud) && to.contains(s)
            if up || (ends.twoWay && down) { links.append(FaultSpec.LinkEnds(from: s, to: .cloud)) }
            if down || (ends.twoWay && up) { links.append(FaultSpec.LinkEnds(from: .cloud, to: s)) }
        }
        // R-HA-1: a pair's clients reach it at its virtual address, which its id or either node names.
        func names(_ ends: Set<Endpoint>, _ server: Endpoint, of client: Int) -> Bool {
            guard server.kind == .virtualAddress else { return ends.contains(server) }
            return ends.contains(server) || spec.haPairs[Int(server.index)].nodes.contains { ends.contains(.server(ServerID(index: Int32($0)))) }
        }
        for index in spec.clients.indices {
            let (c, s) = (Endpoint.client(ClientID(index: Int32(index))), spec.serverEnd(ofClient: index))
            let up = from.contains(c) && names(to, s, of: index), down = names(from, s, of: index) && to.contains(c)
            if up || (ends.twoWay && down) { links.append(FaultSpec.LinkEnds(from: c, to: s)) }
            if down || (ends.twoWay && up) { links.append(FaultSpec.LinkEnds(from: s, to: c)) }
        }
        // R-HA-1, R-HA-3: a pair's internal link between its two nodes.
        for pair in spec.haPairs {
            let (a, b) = (Endpoint.server(ServerID(index: Int32(pair.nodes[0]))), Endpoint.server(ServerID(index: Int32(pair.nodes[1]))))
            if (from.contains(a) && to.contains(b)) || (ends.twoWay && from.contains(b) && to.contains(a)) { links.append(FaultSpec.LinkEnds(from: a, to: b)) }
            if (from.contains(b) && to.contains(a)) || (ends.twoWay && from.contains(a) && to.contains(b)) { links.append(FaultSpec.LinkEnds(from: b, to: a)) }
        }
        // R-CLU-3: between two members of one cluster.
        for cluster in spec.clusters {
            for a in cluster.members {
                for b in cluster.members where a != b {
                    let (ea, eb) = (Endpoint.client(ClientID(index: Int32(a))), Endpoint.client(ClientID(index: Int32(b))))
                    if (from.contains(ea) && to.contains(eb)) || (ends.twoWay && from.contains(eb) && to.contains(ea)) {
                        links.append(FaultSpec.LinkEnds(from: ea, to: eb))
                    }
                }
            }
        }
        guard !links.isEmpty else {
            throw ends.0.fail("ends with a link between them (a client and its server, two members of a cluster, the two nodes of an HA pair, or a \"vls\" server and \"cloud\")",
                              found: "no client of one end leasing from a server of the other")
        }
        let (first, second) = (try ends.0.string(), try ends.1.string())
        return (links, ends.twoWay ? .between(first, second) : .oneWay(from: first, to: second))
    }

    /// The clients and servers an end names: an id, a group's name (all its members) or a pattern with `*`
    /// and `?`, in fleet order (servers first).
    func endpoints(_ field: Field) throws(ScenarioError) -> [Endpoint] {
        let name = try field.nonEmptyString()
        if name == "cloud" { return [.cloud] } // R-VLS-1: the vendor's cloud.
        if let pair = pairIndex[name] { return [.virtualAddress(Int32(pair))] } // R-HA-1
        if let server = serverIndex[name] { return [.server(ServerID(index: Int32(server)))] }
        if let client = clientIndex[name] { return [.client(ClientID(index: Int32(client)))] }
        let pattern = groupPrefixes.contains(name) ? name + "-*" : name
        var found: [Endpoint] = []
        if pattern.contains("*") || pattern.contains("?") {
            for (index, server) in spec.servers.enumerated() where Glob.matches(server.id, pattern) {
                found.append(.server(ServerID(index: Int32(index))))
            }
            for (index, client) in spec.clients.enumerated() where Glob.matches(client.id, pattern) {
                found.append(.client(ClientID(index: Int32(index))))
            }
        }
        guard !found.isEmpty else { throw field.fail("the id of a client or server, a group name, a pattern that matches one, or \"cloud\"") }
        return found
    }

    /// No node crashes twice at once, and no link has two losses at once (windows may touch: one ends as the
    /// next starts). One sort per kind; linear in the faults' nodes and links.
    func checkFaultOverlaps(_ faults: [(fault: FaultSpec, field: Field)]) throws(ScenarioError) {
        var crashes: [(Endpoint, SimInstant, SimInstant, Int)] = []
        var losses: [(FaultSpec.LinkEnds, SimInstant, SimInstant, Int)] = []
        for (position, entry) in faults.enumerated() {
            switch entry.fault.effect {
            case .crash: crashes += entry.fault.nodes.map { ($0, entry.fault.at, entry.fault.until, position) }
            case .loss: losses += entry.fault.links.map { ($0, entry.fault.at, entry.fault.until, position) }
            default: break
            }
        }
        func key(_ endpoint: Endpoint) -> Int64 { (endpoint.kind == .client ? 0 : 1 << 32) + Int64(endpoint.index) }
        crashes.sort { (key($0.0), $0.1.millisecondsSinceStart, $0.3) < (key($1.0), $1.1.millisecondsSinceStart, $1.3) }
        for (earlier, later) in zip(crashes, crashes.dropFirst()) where earlier.0 == later.0 && later.1 < earlier.2 {
            throw faults[later.3].field.fail("a crash window of \(Excerpt.quoted(name(of: later.0))) after its crash from \(earlier.1) to \(earlier.2) ends",
                                            found: "a crash from \(later.1)")
        }
        losses.sort { (key($0.0.from), key($0.0.to), $0.1.millisecondsSinceStart, $0.3) < (key($1.0.from), key($1.0.to), $1.1.millisecondsSinceStart, $1.3) }
        for (earlier, later) in zip(losses, losses.dropFirst()) where earlier.0 == later.0 && later.1 < earlier.2 {
            throw faults[later.3].field.fail("one loss at a time on the link from \(Excerpt.quoted(name(of: later.0.from))) to \(Excerpt.quoted(name(of: later.0.to)))",
                                            found: "a loss from \(later.1) while one from \(earlier.1) to \(earlier.2) acts")
        }
    }

    func name(of endpoint: Endpoint) -> String {
        switch endpoint.kind {
        case .client: return spec.clients[Int(endpoint.index)].id
        case .server: return spec.servers[Int(endpoint.index)].id
        case .virtualAddress: return spec.haPairs[Int(endpoint.index)].id
        case .cloud: return "cloud"
        }
    }
}
