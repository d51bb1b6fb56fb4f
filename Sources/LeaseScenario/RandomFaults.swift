import LeaseKernel
import LeaseModel

/// Faults drawn from the scenario's seed (`randomFaults`): partitions of each client's link, of the link between
/// every two members of a cluster (R-CLU-3) and of each HA pair's internal link (R-HA-1, R-HA-3), crashes of each
/// server, and a loss on every client's link.
///
/// Each client's partitions come from a stream keyed by its id, each server's crashes from one keyed by its id,
/// so adding a client never changes the faults drawn for the others. Windows on one link (or node) follow one
/// another: a fault starts an exponential gap after the previous one ends. The drawn faults join the scenario's
/// own, and summary.json writes them all back in the scenario's syntax, to paste and replay exactly.
public struct RandomFaults: Sendable, Equatable {
    /// Mean partitions of each client's link (both ways) per 30 days, in thousandths.
    public var partitionsPerLinkPerMonthMilli: Int64 = 0
    public var meanPartition = SimDuration.hours(1)
    /// Mean crashes of each server per 30 days, in thousandths.
    public var serverCrashesPerMonthMilli: Int64 = 0
    public var meanDowntime = SimDuration.minutes(30)
    /// The loss on every link for the whole run, in millionths.
    public var lossPerMillion: Int32 = 0

    public init() {}

    static let month = SimDuration.days(30)

    /// The faults drawn for a fleet over a run of `duration`.
    public func draw(seed: UInt64, spec: FleetSpec, duration: SimDuration) -> [FaultSpec] {
        var faults: [FaultSpec] = []
        if partitionsPerLinkPerMonthMilli > 0 {
            for (index, client) in spec.clients.enumerated() {
                let server = spec.servers[client.server].id
                var stream = RandomStream(seed: seed, key: RandomStream.key(of: client.id + "/random-partitions"))
                for (number, window) in windows(&stream, ratePerMonthMilli: partitionsPerLinkPerMonthMilli, mean: meanPartition,
                                                duration: duration).enumerated() {
                    let c = Endpoint.client(ClientID(index: Int32(index))), s = spec.serverEnd(ofClient: index)
                    var fault = FaultSpec(id: "random-partition-\(client.id)-\(number + 1)", effect: .partition,
                                          links: [.init(from: c, to: s), .init(from: s, to: c)], at: window.at, until: window.until)
                    fault.placement = .between(client.id, server)
                    faults.append(fault)
                }
            }
            // R-CLU-3, R-HA-3: the links between cluster members and between a pair's nodes, each pair of ends once.
            var ends: [(a: Endpoint, b: Endpoint, names: (String, String))] = []
            for cluster in spec.clusters {
                for (i, first) in cluster.members.enumerated() {
                    for second in cluster.members[(i + 1)...] {
                        ends.append((.client(ClientID(index: Int32(first))), .client(ClientID(index: Int32(second))),
                                     (spec.clients[first].id, spec.clients[second].id)))
                    }
                }
            }
            for pair in spec.haPairs {
                ends.append((.server(ServerID(index: Int32(pair.nodes[0]))), .server(ServerID(index: Int32(pair.nodes[1]))),
                             (spec.servers[pair.nodes[0]].id, spec.servers[pair.nodes[1]].id)))
            }
            for (a, b, names) in ends {
                var stream = RandomStream(seed: seed, key: RandomStream.key(of: names.0 + "|" + names.1 + "/random-partitions"))
                for (number, window) in windows(&stream, ratePerMonthMilli: partitionsPerLinkPerMonthMilli, mean: meanPartition,
                                                duration: duration).enumerated() {
                    var fault = FaultSpec(id: "random-partition-\(names.0)-\(names.1)-\(number + 1)", effect: .partition,
                                          links: [.init(from: a, to: b), .init(from: b, to: a)], at: window.at, until: window.until)
                    fault.placement = .between(names.0, names.1)
                    faults.append(fault)
                }
            }
        }
        if serverCrashesPerMonthMilli > 0 {
            for (index, server) in spec.servers.enumerated() {
                var stream = RandomStream(seed: seed, key: RandomStream.key(of: server.id + "/random-crashes"))
                for (number, window) in windows(&stream, ratePerMonthMilli: serverCrashesPerMonthMilli, mean: meanDowntime,
                                                duration: duration).enumerated() {
                    var fault = FaultSpec(id: "random-crash-\(server.id)-\(number + 1)", effect: .crash,
                                          nodes: [.server(ServerID(index: Int32(index)))], at: window.at, until: window.until)
                    fault.placement = .node(server.id)
                    faults.append(fault)
                }
            }
        }
        if lossPerMillion > 0 {
            var links: [FaultSpec.LinkEnds] = []
            for index in spec.clients.indices {
                let c = Endpoint.client(ClientID(index: Int32(index))), s = spec.serverEnd(ofClient: index)
                links += [.init(from: c, to: s), .init(from: s, to: c)]
            }
            var fault = FaultSpec(id: "random-loss", effect: .loss(perMillion: lossPerMillion), links: links, at: .start, until: .never)
            fault.placement = .between("*", "*")
            faults.append(fault)
        }
        return faults
    }

    /// Fault windows on one link or node: exponential gaps (a Poisson process of the given rate) and lengths.
    func windows(_ stream: inout RandomStream, ratePerMonthMilli: Int64, mean: SimDuration,
                 duration: SimDuration) -> [(at: SimInstant, until: SimInstant)] {
        var windows: [(at: SimInstant, until: SimInstant)] = []
        var time = SimInstant.start
        let horizon = SimInstant.start + duration
        while true {
            // In whole seconds: a month's milliseconds times 1000 would pass the sampler's 2^40 bound on the mean.
            let gap = 1000 * stream.nextExponential(meanNumerator: UInt64(RandomFaults.month.milliseconds),
                                                    denominator: UInt64(ratePerMonthMilli))
            guard gap < (horizon - time).milliseconds else { return windows }
            let at = time + .milliseconds(gap)
            let length = max(1, min(stream.nextExponential(meanNumerator: UInt64(mean.milliseconds), denominator: 1),
                                    ScenarioLimits.maxTime.milliseconds))
            let until = min(at + .milliseconds(length), .start + ScenarioLimits.maxTime)
            windows.append((at, until))
            time = until
            guard time < horizon else { return windows }
        }
    }
}
