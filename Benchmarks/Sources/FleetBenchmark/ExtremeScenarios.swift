import LeaseKernel
import LeaseModel
import LeaseScenario

/// Valid but extreme scenarios, one per seed: counts, durations, latencies, dates and fleet shapes at or near
/// their documented limits (`ScenarioLimits`), licenses that start and end mid-run (evaluation and ICE ones too,
/// and hardware servers whose license-server licenses end), clients with licenses of their own and a platform
/// maximum, auto-leasing settings at their bounds, and random actions.
///
/// Each is run with the model's invariants checked after every event. A run may stop at a documented limit
/// (exit 3 on the command line); it must never crash, break an invariant or be rejected by the loader.
/// `leasesim-bench extreme --seed N` reproduces one.
public enum ExtremeScenarios {
    /// How one seed's scenario ended.
    public enum Outcome: Equatable, Sendable {
        case completed(events: Int64)
        case stoppedAtLimit(String)
    }

    /// A scenario's events are capped so that every seed runs in about a second with invariants on.
    static let maxEvents: Int64 = 60_000

    /// Runs seed `seed`'s scenario. A rejected scenario is a generator or loader bug and is thrown as is.
    public static func run(seed: UInt64) throws -> Outcome {
        let scenario = try ScenarioLoader.load(bytes: Array(scenario(seed: seed).utf8), file: "extreme-\(seed).json")
        var options = RunOptions()
        options.checksInvariants = true
        do {
            let report = try ScenarioRunner.run(scenario, options: options)
            if let violation = report.figures.invariantViolation { preconditionFailure("seed \(seed): \(violation)") }
            return .completed(events: report.eventsProcessed)
        } catch let limit as RunLimitExceeded {
            return .stoppedAtLimit(limit.limit.rawValue)
        } catch let limit as ScenarioLimitExceeded {
            return .stoppedAtLimit(limit.limit.rawValue)
        }
    }

    /// Seed `seed`'s scenario as JSON text.
    public static func scenario(seed: UInt64) -> String {
        var generator = Generator(random: RandomStream(seed: seed, key: RandomStream.key(of: "extreme")))
        return generator.scenario()
    }

    struct Generator {
        var random: RandomStream
        var durationDays: Int64 = 1
        var durationHours: Int64 = 24
        /// The virtual license servers drawn so far (R-VLS-1), for faults on their links to the cloud.
        var vlsServers: [Int] = []

        mutating func pick<T>(_ choices: [T]) -> T { choices[Int(random.next(below: UInt64(choices.count)))] }
        mutating func chance(_ percent: UInt64) -> Bool { random.next(below: 100) < percent }
        mutating func int(_ range: ClosedRange<Int64>) -> Int64 { random.next(in: range) }

        mutating func scenario() -> String {
            let durations: [(String, Int64)] = [("1h", 1), ("1d", 24), ("30d", 720), ("3660d", 87_840)]
            let (duration, hours) = pick(durations)
            (durationHours, durationDays) = (hours, max(1, hours / 24))
            let year = pick([1970, 2026, 2400, 9989])
            let start = "\(year)-0\(int(1...9))-1\(int(0...9))T\(pick(["00", "07", "23"])):\(pick(["00", "59"]))Z"
            let features = Array(["users", "rdp", "cores"].prefix(Int(int(1...3))))
            var serverTexts: [String] = [], installed: [[String: Int64]] = []
            for server in 0..<Int(int(1...3)) {
                let (text, counts) = self.server(server, features: features, year: year)
                serverTexts.append(text)
                installed.append(counts)
            }
            var reserved = installed.map { $0.mapValues { _ in Int64(0) } }
            var clientTexts: [String] = [], clientIds: [(String, Int, [String], [String])] = []
            var licenseActions: [String] = []
            // R-VLS-4: a VLS takes no ICE license (the draw is made for it all the same, so other draws do not move).
            for server in installed.indices where chance(50) && !vlsServers.contains(server) {
                licenseActions += calendarActions(server: server, features: features)
            }
            for client in 0..<Int(int(1...4)) {
                let server = Int(int(0...Int64(installed.count - 1)))
                let mine = features.filter { _ in chance(70) }
                let allocated = mine.isEmpty ? [features[0]] : mine
                let group = chance(30) ? Int(int(2...3)) : 1
                var allocations: [String] = [], demands: [String] = []
                for feature in allocated {
                    let room = (installed[server][feature] ?? 0) - (reserved[server][feature] ?? 0)
                    let ruc = min(pick([0, 1, 25, 10_000_000]), max(0, room / Int64(group)))
                    reserved[server][feature, default: 0] += ruc * Int64(group)
                    allocations.append("\"\(feature)\": \(allocation(ruc: ruc))")
                    demands.append("\"\(feature)\": \(demand())")
                }
                let name = group > 1 ? "\"group\": \"g\(client)\", \"count\": \(group), \"variation\": {\"scale\": \(pick(["0", "0.5", "0.999"])), \"shift\": \"\(pick(["0s", "30m", "3660d"]))\"}"
                                     : "\"id\": \"c\(client)\""
                let latency = pick(["0s", "1ms", "250ms", "10d", "3660d"])
                let expiry = chance(20) ? ", \"expiry\": \"\(year)-12-31\"" : ""
                let (own, skus) = ownLicenses(allocated)
                clientTexts.append("{\(name), \"server\": \"s\(server)\", \"latency\": \"\(latency)\"\(expiry)\(own)\(platform()), \"allocations\": {\(allocations.joined(separator: ", "))}, \"demand\": {\(demands.joined(separator: ", "))}}")
                if group == 1 { clientIds.append(("c\(client)", server, allocated, skus)) }
            }
            // R-CLU-1: a cluster of 2 or 3 members on one server, with the same features (their own ids, so their faults are theirs).
            var clusterText = "", clusterFaults: [String] = []
            if chance(35) {
                let server = Int(int(0...Int64(installed.count - 1)))
                let members = (0..<Int(int(2...3))).map { "k\($0)" }
                for member in members {
                    var allocations: [String] = [], demands: [String] = []
                    for feature in features {
                        let room = (installed[server][feature] ?? 0) - (reserved[server][feature] ?? 0)
                        let ruc = min(pick([0, 1, 25, 10_000_000]), max(0, room))
                        reserved[server][feature, default: 0] += ruc
                        allocations.append("\"\(feature)\": \(allocation(ruc: ruc))")
                        demands.append("\"\(feature)\": \(demand())")
                    }
                    clientTexts.append("{\"id\": \"\(member)\", \"server\": \"s\(server)\", \"latency\": \"\(pick(["0s", "1ms", "250ms"]))\", \"allocations\": {\(allocations.joined(separator: ", "))}, \"demand\": {\(demands.joined(separator: ", "))}}")
                    if chance(40) { clusterFaults.append("{\"kind\": \"crash\", \"node\": \"\(member)\", \"at\": \"\(int(0...durationHours - 1))h\", \"for\": \"\(pick(["1ms", "3h", "2d"]))\"}") }
                    if chance(40) { clusterFaults.append("{\"kind\": \"partition\", \"between\": [\"\(member)\", \"s\(server)\"], \"at\": \"\(int(0...durationHours - 1))h\"\(pick(["", ", \"for\": \"5h\""]))}") }
                }
                if chance(60) { clusterFaults.append("{\"kind\": \"partition\", \"between\": [\"k0\", \"k1\"], \"at\": \"\(int(0...durationHours - 1))h\"\(pick(["", ", \"for\": \"1ms\"", ", \"for\": \"7h\""]))}") }
                clusterText = "\n \"clusters\": [{\"id\": \"k\", \"members\": [\"k*\"]}],"
            }
            // R-HA-1..5: a pair of plain nodes, its clients (at the address or a node), crashes, cuts and mode switches.
            var pairText = "", pairFaults: [String] = [], pairActions: [String] = []
            if chance(35) {
                var cluster: [String: Int64] = [:]
                for node in ["h0", "h1"] {
                    let counts = features.map { ($0, pick([1, 25, 1_000, 100_000_000] as [Int64])) }
                    for (feature, count) in counts { cluster[feature, default: 0] += count }
                    serverTexts.append("{\"id\": \"\(node)\", \"licenses\": [" + counts.map { "{\"sku\": \"\($0.0.uppercased())\", \"feature\": \"\($0.0)\", \"type\": \"perpetual\", \"count\": \($0.1)}" }.joined(separator: ", ") + "]}")
                    if chance(50) { pairFaults.append("{\"kind\": \"crash\", \"node\": \"\(node)\", \"at\": \"\(int(0...durationHours - 1))h\", \"for\": \"\(pick(["1ms", "3h", "25d"]))\"}") }
                }
                let mode = pick(["activePassive", "activeActive"])
                pairText = "\n \"haPairs\": [{\"id\": \"hp\", \"nodes\": [\"h0\", \"h1\"], \"mode\": \"\(mode)\", \"linkLatency\": \"\(pick(["0s", "1ms", "1h"]))\"}],"
                var reservedPair: [String: Int64] = [:]
                for client in 0..<Int(int(1...3)) {
                    var allocations: [String] = [], demands: [String] = []
                    for feature in features {
                        let ruc = min(pick([0, 1, 25, 10_000_000]), max(0, (cluster[feature] ?? 0) - (reservedPair[feature] ?? 0)))
                        reservedPair[feature, default: 0] += ruc
                        allocations.append("\"\(feature)\": \(allocation(ruc: ruc))")
                        demands.append("\"\(feature)\": \(demand())")
                    }
                    clientTexts.append("{\"id\": \"hc\(client)\", \"server\": \"\(pick(["hp", "h0", "h1"]))\", \"latency\": \"\(pick(["0s", "20ms"]))\", \"allocations\": {\(allocations.joined(separator: ", "))}, \"demand\": {\(demands.joined(separator: ", "))}}")
                    if chance(30) { pairFaults.append("{\"kind\": \"partition\", \"between\": [\"hc\(client)\", \"hp\"], \"at\": \"\(int(0...durationHours - 1))h\", \"for\": \"2h\"}") }
                }
                if chance(60) { pairFaults.append("{\"kind\": \"partition\", \"between\": [\"h0\", \"h1\"], \"at\": \"\(int(0...durationHours - 1))h\"\(pick(["", ", \"for\": \"1ms\"", ", \"for\": \"25d\""]))}") }
                if chance(40) { pairActions.append("{\"at\": \"\(int(0...durationHours - 1))h\", \"action\": \"setHAMode\", \"server\": \"hp\", \"mode\": \"\(pick(["activePassive", "activeActive"]))\"}") }
            }
            let actions = (clientIds.isEmpty ? [] : (0..<Int(int(0...5))).map { _ in action(pick(clientIds)) }) + licenseActions + pairActions
            let drawsFaults = chance(50)
            // Drawn server crashes and scheduled ones could overlap on one server (an error): one or the other.
            let faults = self.faults(servers: drawsFaults ? 0 : installed.count, clients: clientIds) + clusterFaults + (drawsFaults ? [] : pairFaults)
            let expectations = [
                "{\"metric\": \"used\", \"entity\": \"s0\", \"feature\": \"\(features[0])\", \"op\": \">=\", \"value\": 0, \"holds\": \"always\"}",
                "{\"metric\": \"deniedLogins\", \"entity\": \"fleet\", \"feature\": \"\(features[0])\", \"op\": \">=\", \"value\": 0}",
            ]
            return """
            {"format": "leasesim/1", "seed": \(int(0...Int64.max)), "start": "\(start)", "duration": "\(duration)",
             "policy": \(policy()), "limits": {"maxEvents": \(ExtremeScenarios.maxEvents)},\(traits(features))
             "servers": [\(serverTexts.joined(separator: ", "))],
             "clients": [\(clientTexts.joined(separator: ", "))],\(clusterText)\(pairText)
             "actions": [\(actions.joined(separator: ", "))],
             "faults": [\(faults.joined(separator: ", "))],\(drawsFaults ? randomFaults() : "")
             "expectations": [\(expectations.joined(separator: ", "))]}
            """
        }

        mutating func policy() -> String {
            let incremental = pick([("2h", 2), ("1d", 24), ("3660d", 87_840)] as [(String, Int64)])
            let renewal = chance(50) ? "1h" : "\(incremental.1 / 2)h"
            return "{\"reservedLeaseDuration\": \"\(pick(["1ms", "1d", "10d", "3660d"]))\", \"incrementalLeaseDuration\": \"\(incremental.0)\", "
                + "\"renewalInterval\": \"\(renewal)\", \"minimumHold\": \"\(pick(["0s", "24h", "3660d"]))\", "
                + "\"releasePolicy\": \"\(pick(["atRenewal", "onDrop"]))\", \"holdPolicy\": \"\(pick(["perIncrement", "latestGrant"]))\", "
                + "\"quantaPerRequest\": \"\(pick(["one", "needed"]))\", \"initialLeases\": \"\(pick(["held", "request"]))\", "
                + "\"requestsAtRenewal\": \(chance(50)), \"requestTimeout\": \(pick(["\"1ms\"", "\"30s\"", "\"1d\"", "null"])), "
                + "\"requestRetries\": \(pick([0, 3, 100])), \"retryBackoff\": \"\(pick(["1ms", "30s", "1d"]))\", "
                + "\"serverRestart\": \"\(pick(["keepsLeases", "forgetsLeases"]))\", \"clientRestart\": \"\(pick(["asksAgain", "keepsLeases"]))\", "
                + "\"autoLeasing\": \(autoLeasing()), "
                + "\"surrender\": {\"expiry\": \"\(pick(["1ms", "10d", "3660d"]))\", \"contactInterval\": \"\(pick(["1m", "4h", "3660d"]))\", "
                + "\"afterExpiry\": \"\(pick(["lostUntilRecall", "renewedOnContact"]))\"}, "
                + "\"cloud\": {\"heartbeatInterval\": \"\(pick(["1m", "8h", "3660d"]))\", \"maxSilence\": \"\(pick(["1ms", "24d", "3660d"]))\", "
                + "\"latency\": \"\(pick(["0s", "100ms", "3660d"]))\", \"restoreGrace\": \"\(pick(["1ms", "90d", "3660d"]))\"}, "
                + "\"cluster\": {\"leader\": \"\(pick(["sticky", "lowestNamed"]))\"}, "
                + "\"ha\": {\"checkInterval\": \"\(pick(["1ms", "10s", "1d"]))\", \"retryPeriod\": \"\(pick(["0s", "60s", "30d"]))\", \"grace\": \"\(pick(["0s", "20d", "3660d"]))\", "
                + "\"failoverLeases\": \"\(pick(["replicated", "rebuilt"]))\", \"fallback\": \"\(pick(["ownLicenses", "clusterLicense"]))\"}}"
        }

        /// R-AUTO-2..6 settings at their bounds (the window's reviews at most 1440).
        mutating func autoLeasing() -> String {
            let (window, review) = pick([("1h", "1m"), ("24h", "1h"), ("24h", "1m"), ("30d", "30d")])
            return "{\"enabled\": \(chance(80)), \"window\": \"\(window)\", \"review\": \"\(review)\", "
                + "\"thresholdPercent\": \(pick([0, 30, 100])), \"maxDisconnection\": \"\(pick(["1ms", "10d", "3660d"]))\", "
                + "\"penalty\": \"\(pick(["1ms", "5d", "3660d"]))\", \"reconcile\": \"\(pick(["partial", "allOrNothing"]))\"}"
        }

        /// What each feature is: sometimes not a user count, sometimes platform bound (R-AUTO-1).
        mutating func traits(_ features: [String]) -> String {
            guard chance(50) else { return "" }
            var entries: [String] = []
            for feature in features { entries.append("\"\(feature)\": {\"userCapacity\": \(chance(70)), \"platformBound\": \(chance(30))}") }
            return " \"features\": {\(entries.joined(separator: ", "))},"
        }

        /// R-LIC-6: sometimes a platform family, and then sometimes a member license.
        mutating func platform() -> String {
            guard chance(40) else { return "" }
            return ", \"platform\": \"\(pick(["P0", "P1"]))\"" + (chance(60) ? ", \"memberLicense\": \"MBR\"" : "")
        }

        /// R-CLIENT-1: sometimes licenses of the client's own (perpetual or evaluation) and a platform maximum; and
        /// their SKUs.
        mutating func ownLicenses(_ features: [String]) -> (String, [String]) {
            var text = chance(30) ? ", \"maxUsers\": \(pick([1, 1_000, 10_000_000]))" : ""
            guard chance(40) else { return (text, []) }
            var licenses: [String] = []
            for feature in features {
                let period = pick(["1ms", "1h", "3660d"])
                licenses.append(pick([
                    "{\"sku\": \"OWN\", \"feature\": \"\(feature)\", \"type\": \"perpetual\", \"count\": \(pick([1, 100, 10_000_000]))}",
                    "{\"sku\": \"OWN-EVAL\", \"feature\": \"\(feature)\", \"type\": \"evaluation\", \"count\": 50, \"period\": \"\(period)\"}",
                ]))
            }
            text += ", \"licenses\": [\(licenses.joined(separator: ", "))]"
            return (text, ["OWN", "OWN-EVAL"].filter { sku in licenses.contains { $0.contains("\"\(sku)\"") } })
        }

        /// The license calendar of one server: an ICE license installed and switched on (and maybe off, or removed);
        /// it does not count toward what the allocations were sized on (R-LIC-5).
        mutating func calendarActions(server: Int, features: [String]) -> [String] {
            let feature = pick(features)
            let on = int(0...durationHours - 1), off = int(on...durationHours - 1)
            let count = pick([1, 1_000]), period = pick(["5m", "8w", "3660d"])
            var actions = [
                "{\"at\": \"\(on)h\", \"action\": \"installLicense\", \"server\": \"s\(server)\", \"license\": {\"sku\": \"ICE-X\", \"feature\": \"\(feature)\", \"type\": \"ice\", \"count\": \(count), \"period\": \"\(period)\"}}",
                "{\"at\": \"\(on)h\", \"action\": \"activateICE\", \"server\": \"s\(server)\", \"sku\": \"ICE-X\"}",
            ]
            if chance(50) { actions.append("{\"at\": \"\(off)h\", \"action\": \"deactivateICE\", \"server\": \"s\(server)\", \"sku\": \"ICE-X\"}") }
            if chance(50) { actions.append("{\"at\": \"\(off)h\", \"action\": \"removeLicense\", \"server\": \"s\(server)\", \"sku\": \"ICE-X\"}") }
            return actions
        }

        /// Scheduled faults of every kind: partitions both ways and one way, a loss, added latency, and at most one
        /// crash per node (so no crash windows overlap), at instants across the run, some lasting past its end.
        mutating func faults(servers: Int, clients: [(String, Int, [String], [String])]) -> [String] {
            guard !clients.isEmpty else { return [] }
            var faults: [String] = []
            let window = { (generator: inout Generator) -> String in
                let at = "\"at\": \"\(generator.int(0...generator.durationHours - 1))h\""
                return at + generator.pick([", \"for\": \"1ms\"", ", \"for\": \"3h\"", ", \"for\": \"3660d\"", ""])
            }
            for (id, server, _, _) in clients where chance(60) {
                faults.append(pick([
                    "{\"kind\": \"partition\", \"between\": [\"\(id)\", \"s\(server)\"], \(window(&self))}",
                    "{\"kind\": \"partition\", \"from\": \"s\(server)\", \"to\": \"\(id)\", \(window(&self))}",
                    "{\"kind\": \"latency\", \"from\": \"\(id)\", \"to\": \"s\(server)\", \"latency\": \"\(pick(["1ms", "1h", "3660d"]))\", \(window(&self))}",
                ]))
            }
            // R-VLS-1: a virtual license server's link to the cloud, cut, lossy or slow.
            for server in vlsServers where chance(60) {
                faults.append(pick([
                    "{\"kind\": \"partition\", \"between\": [\"s\(server)\", \"cloud\"], \(window(&self))}",
                    "{\"kind\": \"latency\", \"from\": \"cloud\", \"to\": \"s\(server)\", \"latency\": \"\(pick(["1ms", "1h", "3660d"]))\", \(window(&self))}",
                ]))
            }
            if chance(50) { faults.append("{\"kind\": \"loss\", \"between\": [\"*\", \"*\"], \"probability\": \(pick(["0", "0.5", "1"])), \(window(&self))}") }
            for server in 0..<servers where chance(40) { faults.append("{\"kind\": \"crash\", \"node\": \"s\(server)\", \(window(&self))}") }
            for (id, _, _, _) in clients where chance(30) { faults.append("{\"kind\": \"crash\", \"node\": \"\(id)\", \(window(&self))}") }
            return faults
        }

        /// Faults drawn from the seed at extreme rates (no loss: a scheduled loss may act on the same links).
        mutating func randomFaults() -> String {
            " \"randomFaults\": {\"partitionsPerLinkPerMonth\": \(pick(["0", "1", "1000"])), \"meanPartition\": \"\(pick(["1ms", "1h", "3660d"]))\", "
                + "\"serverCrashesPerMonth\": \(pick(["0", "1000"])), \"meanDowntime\": \"\(pick(["1ms", "1h"]))\"},"
        }

        /// A server's licenses: for each feature, counts up to the stacking limit, some ending or starting mid-run.
        mutating func server(_ index: Int, features: [String], year: Int) -> (String, [String: Int64]) {
            var licenses: [String] = [], atStart: [String: Int64] = [:]
            // R-VLS-1, R-VLS-4: sometimes a virtual license server (subscriptions only, never hardware).
            let vls = chance(25)
            if vls { vlsServers.append(index) }
            for feature in features {
                var stacked: Int64 = 0
                for number in 0..<Int(int(1...4)) {
                    let count = min(pick([1, 25, 1_000, 100_000_000]), ScenarioLimits.maxInstalledPerFeature - stacked)
                    guard count > 0 else { break }
                    stacked += count
                    let sku = "\(feature.uppercased())-\(number)"
                    // R-LIC-6: sometimes bound to a platform family.
                    let bound = chance(30) ? ", \"platform\": \"\(pick(["P0", "P1"]))\"" : ""
                    if !vls && chance(60) {
                        licenses.append("{\"sku\": \"\(sku)\", \"feature\": \"\(feature)\", \"type\": \"perpetual\", \"count\": \(count)\(bound)}")
                        atStart[feature, default: 0] += count
                    } else {
                        // A subscription around the start (ending within the run, or long), sometimes renewed.
                        let end = year + Int(int(0...1))
                        licenses.append("{\"sku\": \"\(sku)\", \"feature\": \"\(feature)\", \"type\": \"subscription\", \"count\": \(count), \"start\": \"\(year - 1)-01-01\", \"end\": \"\(end)-0\(int(1...9))-15\"\(bound)}")
                        if chance(50) {
                            licenses.append("{\"sku\": \"\(sku)-R\", \"feature\": \"\(feature)\", \"type\": \"renewal\", \"count\": \(count), \"start\": \"\(year - 1)-06-01\", \"end\": \"\(end + 1)-12-31\"}")
                        }
                    }
                }
            }
            if !vls && chance(30) {
                let period = pick(["1ms", "8w", "3660d"])
                licenses.append("{\"sku\": \"EVAL\", \"feature\": \"\(pick(features))\", \"type\": \"evaluation\", \"count\": \(pick([1, 1_000])), \"period\": \"\(period)\"}")
            }
            // R-LIC-7, R-LIC-8: sometimes a hardware server, licensed for ever, by a stack that may end in the run, or not at all.
            var hardware = ""
            if !vls && chance(30) {
                let stack = "{\"sku\": \"LS-1YR\", \"type\": \"subscription\", \"years\": 1, \"start\": \"\(year - 1)-0\(int(1...9))-15\"}, {\"sku\": \"LS-2YR\", \"type\": \"subscription\", \"years\": 2}"
                hardware = ", \"hardware\": true, \"serverLicenses\": [" + pick(["{\"sku\": \"LS\", \"type\": \"perpetual\"}", stack, ""]) + "]"
            }
            // R-VLS-2, R-VLS-3: sometimes one authorization code for all, sometimes restored from a backup.
            var cloud = vls ? ", \"vls\": true" : ""
            if vls && chance(50) { cloud += ", \"authorizationCode\": \"AUTH\"" }
            if vls && chance(40) { cloud += ", \"restoredAt\": \"\(year - 1)-0\(int(1...9))-15\"" }
            // R-DL-1: sometimes automatic downloads, of a renewal and a subscription the vendor has mid-run.
            if chance(30) {
                let feature = pick(features), at = "\(int(0...durationHours - 1))h", end = year + Int(int(0...2))
                cloud += ", \"autoDownload\": true, \"vendorLicenses\": ["
                    + "{\"availableAt\": \"\(at)\", \"license\": {\"sku\": \"\(feature.uppercased())-0-R\", \"feature\": \"\(feature)\", \"type\": \"renewal\", \"count\": 1, \"start\": \"\(year)-01-01\", \"end\": \"\(end)-12-31\"}}, "
                    + "{\"availableAt\": \"0h\", \"license\": {\"sku\": \"DL\", \"feature\": \"\(feature)\", \"type\": \"subscription\", \"count\": \(pick([1, 1_000])), \"start\": \"\(year - 1)-06-01\", \"end\": \"\(end)-06-30\"}}]"
            }
            return ("{\"id\": \"s\(index)\"\(hardware)\(cloud), \"licenses\": [\(licenses.joined(separator: ", "))]}", atStart)
        }

        /// RUC, ILQ and MUC with ILQ at the R-ALLOC-3 floor (or 0 when MUC = RUC).
        mutating func allocation(ruc: Int64) -> String {
            let muc = min(ScenarioLimits.maxCount, ruc + pick([0, 10, 100, 10_000_000]))
            let spread = muc - ruc
            let floor = spread == 0 ? 0 : max(spread < 25 ? 1 : 25, (spread + 9) / 10)
            return "{\"ruc\": \(ruc), \"ilq\": \(floor), \"muc\": \(muc)}"
        }

        mutating func demand() -> String {
            switch int(0...3) {
            case 0: return "{\"kind\": \"constant\", \"users\": \(pick([0, 1, 10_000_000]))}"
            case 1:
                let steps = (1...Int(int(1...4))).map { step in
                    "{\"at\": \"\(Int64(step) * durationDays * 6)h\", \"users\": \(pick([0, 60, 10_000_000]))}"
                }
                return "{\"kind\": \"steps\", \"steps\": [\(steps.joined(separator: ", "))]}"
            case 2:
                let hours = (0..<24).map { _ in String(pick([0, 5, 10_000_000])) }
                return "{\"kind\": \"daily\", \"weekday\": [\(hours.joined(separator: ", "))]}"
            default:
                // Random sessions at the rate limit or the concurrency limit (the event cap stops busy ones).
                let (rate, mean) = pick([("1000000", "36s"), ("0.001", "3660d"), ("2.5", "1h")])
                let rates = (0..<24).map { hour in hour % 6 == 0 ? rate : "0" }
                return "{\"kind\": \"sessions\", \"arrivalsPerHour\": [\(rates.joined(separator: ", "))], \"meanSession\": \"\(mean)\"}"
            }
        }

        /// An action that keeps the scenario valid: allocations are only ever lowered (R-ALLOC-4 cannot break).
        mutating func action(_ client: (id: String, server: Int, features: [String], skus: [String])) -> String {
            let at = "\(int(0...durationHours - 1))h"
            if !client.skus.isEmpty && chance(40) {
                // R-SUR-1, R-SUR-3: a surrender or a recall (refused when the client does not allow it); only the
                // perpetual license may be surrendered (the loader rejects a surrender of the evaluation one).
                let (action, sku) = (pick(["surrenderLicense", "recallLicense"]), pick(client.skus))
                return "{\"at\": \"\(at)\", \"action\": \"\(sku == "OWN-EVAL" ? "recallLicense" : action)\", \"client\": \"\(client.id)\", \"sku\": \"\(sku)\"}"
            }
            switch int(0...3) {
            case 0: return "{\"at\": \"\(at)\", \"action\": \"setAllocation\", \"client\": \"\(client.id)\", \"feature\": \"\(pick(client.features))\", \"ruc\": 0, \"ilq\": \(pick([1, 10])), \"muc\": 10}"
            case 1: return "{\"at\": \"\(at)\", \"action\": \"pullState\", \"client\": \"\(client.id)\"}"
            case 2: return "{\"at\": \"\(at)\", \"action\": \"stopClient\", \"client\": \"\(client.id)\"}"
            default: return "{\"at\": \"\(at)\", \"action\": \"startClient\", \"client\": \"\(client.id)\"}"
            }
        }
    }
}
