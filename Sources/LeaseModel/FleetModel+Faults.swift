import LeaseKernel

/// Faults on the schedule: partitions, losses and added latency on links; crashes of clients and server nodes.
/// Every drop is recorded with the fault that caused it, and every fault counts what it did.
extension FleetModel {
    /// Each fault's links, resolved to the network's link IDs; links under a loss fault get their own stream.
    static func resolveFaultLinks(_ spec: FleetSpec, _ network: inout Network) -> [[LinkID]] {
        spec.faults.map { fault in
            fault.links.map { ends in
                guard let link = network.link(ends) else { preconditionFailure("fault \(fault.id): no link from \(ends.from) to \(ends.to)") }
                if case .loss = fault.effect, network.linkFaults[link].lossStream == nil {
                    // The stream depends on the link alone (its client's key and its direction), never on other faults.
                    // A client's link, by its key; a server's link to the cloud, by the server's id.
                    let key: UInt64
                    if let client = ends.from.client ?? ends.to.client {
                        key = spec.clients[client.offset].linkKey &+ (ends.from.client == nil ? 1 : 0)
                    } else {
                        let server = (ends.from.server ?? ends.to.server)!
                        key = RandomStream.key(of: spec.servers[server.offset].id + "/cloud") &+ (ends.from.kind == .cloud ? 1 : 0)
                    }
                    network.linkFaults[link].lossStream = network.lossStreams.append(RandomStream(seed: spec.seed, key: key))
                }
                return link
            }
        }
    }

    /// A fault starts acting.
    @inline(never)
    mutating func faultStarts(_ fault: FaultID, _ sim: inout Simulation<FleetEvent>) {
        let spec = self.spec.faults[fault.offset]
        faults[fault].started = true
        faultImpactStarts(fault)
        nextFault += 1
        record(ProtocolRecord(time: sim.now, kind: .faultStarted, count: Int64(spec.links.count + spec.nodes.count),
                              rule: "", fault: fault.index))
        for link in faultLinks[fault.offset] {
            network.links[link].activeFaults += 1
            switch spec.effect {
            case .partition:
                network.linkFaults[link].partitions += 1
                network.linkFaults[link].partitionFault = fault.index
            case .loss(let perMillion):
                network.linkFaults[link].lossPerMillion = perMillion
                network.linkFaults[link].lossFault = fault.index
            case .addedLatency(let added):
                network.linkFaults[link].addedLatency = network.linkFaults[link].addedLatency + added
                network.linkFaults[link].latencyFault = fault.index
            case .crash: break
            }
        }
        if spec.effect == .crash {
            for node in spec.nodes { crash(node, fault, &sim) }
        }
        if faultLinks[fault.offset].contains(where: { $0.index >= network.memberLinks && $0.index < network.pairLinks }) {
            memberLinksChanged(fault, &sim) // R-CLU-3
        }
        pairLinksChanged(fault, &sim)
    }

    /// A fault stops acting; crashed nodes boot again.
    @inline(never)
    mutating func faultEnds(_ fault: FaultID, _ sim: inout Simulation<FleetEvent>) {
        let spec = self.spec.faults[fault.offset]
        guard faults[fault].started else { return }
        faults[fault].ended = true
        faultImpactEnds(fault, sim.now)
        record(ProtocolRecord(time: sim.now, kind: .faultEnded, count: Int64(spec.links.count + spec.nodes.count),
                              rule: "", fault: fault.index))
        for link in faultLinks[fault.offset] {
            network.links[link].activeFaults -= 1
            switch spec.effect {
            case .partition:
                network.linkFaults[link].partitions -= 1
                network.linkFaults[link].partitionFault = network.linkFaults[link].partitions == 0 ? -1
                    : latestActive(on: link) { $0 == .partition }
            case .loss:
                network.linkFaults[link].lossPerMillion = 0
                network.linkFaults[link].lossFault = -1
            case .addedLatency(let added):
                network.linkFaults[link].addedLatency = network.linkFaults[link].addedLatency - added
                network.linkFaults[link].latencyFault = network.linkFaults[link].addedLatency == .zero && !overlapsLatency(link) ? -1
                    : latestActive(on: link) { if case .addedLatency = $0 { true } else { false } }
            case .crash: break
            }
        }
        if spec.effect == .crash {
            for node in spec.nodes { restart(node, &sim) }
        }
        if faultLinks[fault.offset].contains(where: { $0.index >= network.memberLinks && $0.index < network.pairLinks }) {
            memberLinksChanged(fault, &sim) // R-CLU-3
        }
        pairLinksChanged(fault, &sim)
    }

    /// Whether another latency fault still acts on a link (its added latency may be zero).
    func overlapsLatency(_ link: LinkID) -> Bool {
        network.links[link].activeFaults > network.linkFaults[link].partitions + (network.linkFaults[link].lossPerMillion > 0 ? 1 : 0)
    }

    /// The latest-starting fault of a kind still acting on a link, or -1 (overlapping faults are rare: a scan of
    /// every fault, done only when one of a kind ends while another of that kind still acts on the link).
    func latestActive(on link: LinkID, where matches: (FaultSpec.Effect) -> Bool) -> Int32 {
        var latest: Int32 = -1
        for fault in faults.ids where faults[fault].started && !faults[fault].ended && matches(spec.faults[fault.offset].effect)
            && faultLinks[fault.offset].contains(link) {
            if latest < 0 || spec.faults[fault.offset].at >= spec.faults[Int(latest)].at { latest = fault.index }
        }
        return latest
    }

    /// A client or server node goes down (assumed defaults, docs/scenarios.md "Faults"): a client loses its sessions and
    /// holds nothing until it boots and asks again, unless `clientRestart` is `keepsLeases`; a server node keeps
    /// its licenses and configuration, and its lease table unless `serverRestart` is `forgetsLeases`. Messages in
    /// flight to or from the node are lost.
    mutating func crash(_ node: Endpoint, _ fault: FaultID, _ sim: inout Simulation<FleetEvent>) {
        network.dropInFlight(touching: node, fault: fault.index)
        if let client = node.client {
            clients[client].crashFault = fault.index
            faults[fault].clientsCrashed += 1
            touch(client, by: fault.index)
            stopClient(client, keepingLeases: spec.policy.clientRestart == .keepsLeases, &sim)
        } else if let server = node.server {
            servers[server].isUp = false
            servers[server].crashFault = fault.index
            // R-HA-1: a pair's node fails over to the other, which holds the pair's leases (assumed: replicated).
            if servers[server].pair >= 0 { return reviewPair(Int(servers[server].pair), &sim) }
            guard spec.policy.serverRestart == .forgetsLeases else { return }
            for lease in servers[server].leases where leases[lease].held > 0 {
                setServerLease(lease, reserved: 0, increment: 0, sim.now)
                sim.disarm(leases[lease].reservedTimer)
                sim.disarm(leases[lease].incrementTimer)
            }
        }
    }

    /// A crashed node boots again: a client asks for its reserved counts (or renews what it kept); a server node
    /// answers again.
    mutating func restart(_ node: Endpoint, _ sim: inout Simulation<FleetEvent>) {
        if let client = node.client {
            clients[client].crashFault = -1
            startClient(client, keptLeases: spec.policy.clientRestart == .keepsLeases, &sim)
        } else if let server = node.server {
            servers[server].isUp = true
            servers[server].crashFault = -1
            if servers[server].pair >= 0 { reviewPair(Int(servers[server].pair), &sim) } // R-HA-2, R-HA-3: it rejoins.
        }
    }

    /// R-HA-1, R-HA-3: a partition of a pair's internal link started or ended: the pair is reviewed.
    mutating func pairLinksChanged(_ fault: FaultID, _ sim: inout Simulation<FleetEvent>) {
        var reviewed: [Int] = []
        for link in faultLinks[fault.offset] where link.index >= network.pairLinks {
            let pair = Int((link.index - network.pairLinks) / 2)
            if !reviewed.contains(pair) {
                reviewed.append(pair)
                reviewPair(pair, &sim)
            }
        }
    }

    /// A fault dropped a message: count it, note the client it touched, record it.
    mutating func dropped(_ message: Message, by fault: Int32, _ now: SimInstant) {
        let id = FaultID(index: fault)
        faults[id].messagesDropped += 1
        counters.messagesDropped &+= 1
        let client = message.from.client ?? message.to.client
        if let client { touch(client, by: fault) }
        let server = message.from.server ?? message.to.server
        let feature = message.contents.holder.map { slots[$0.slot].feature.index } ?? -1
        record(ProtocolRecord(time: now, kind: .messageDropped, client: client?.index ?? -1, server: server?.index ?? -1,
                              feature: feature, rule: "", fault: fault, message: message.contents.kind))
    }

    /// A fault reached a client.
    @inline(__always) mutating func touch(_ client: ClientID, by fault: Int32) {
        guard latestTouch[client] != fault else { return }
        latestTouch[client] = fault
        faultTouches.append(FaultTouch(fault: fault, client: client.index))
    }

    /// How many distinct clients each fault reached (a message dropped or delayed, or the client crashed).
    public func clientsTouched() -> [Int64] {
        var counts = [Int64](repeating: 0, count: faults.count)
        var previous: FaultTouch?
        for touch in faultTouches.sorted() where touch != previous {
            counts[Int(touch.fault)] += 1
            previous = touch
        }
        return counts
    }
}

extension FleetModel {
    /// A message bore a fault's added latency.
    mutating func delayed(_ message: Message, by fault: Int32) {
        faults[FaultID(index: fault)].messagesDelayed += 1
        if let client = message.from.client ?? message.to.client { touch(client, by: fault) }
    }
}
