import LeaseKernel
import LeaseModel

/// The run's summary: summary.json for machines, a few lines for people.
public enum RunSummary {
    /// Denied user-hours as exact decimal text with 3 places.
    static func userHours<Count: BinaryInteger>(_ userMilliseconds: Count) -> String {
        OutputText.decimal(Int128(userMilliseconds), over: Int128(SimDuration.millisecondsPerHour), decimals: 3)
    }

    static func ratio<Count: BinaryInteger>(_ numerator: Count, _ denominator: Count) -> String {
        denominator == 0 ? "0.0000" : OutputText.decimal(Int128(numerator), over: Int128(denominator), decimals: 4)
    }

    /// summary.json: run metadata, then fleet, servers, clients and expectations, keys in fixed order.
    public static func json(_ report: RunReport) -> String {
        let scenario = report.scenario, model = report.figures, spec = scenario.spec
        let iso = { (instant: SimInstant) in
            OutputText.jsonString(CivilCalendar.iso8601(epochMilliseconds: spec.startEpochMilliseconds + instant.millisecondsSinceStart))
        }
        var out = "{\n"
        out += "  \"leasesim\": \(OutputText.jsonString(ScenarioRunner.version)),\n"
        out += "  \"scenario\": {\"name\": \(OutputText.jsonString(scenario.name)), \"file\": \(OutputText.jsonString(scenario.file)), \"format\": \(OutputText.jsonString(ScenarioFormat.current)), \"seed\": \(spec.seed), \"start\": \(iso(.start)), \"end\": \(iso(scenario.horizon)), \"duration\": \(OutputText.jsonString(scenario.duration.description))\(scenarioNotesJSON(scenario))},\n"
        let counters = ReportedCounters.summary.map { ", \(OutputText.jsonString($0.name)): \($0.read(model.counters))" }.joined()
        out += "  \"run\": {\"events\": \(report.eventsProcessed)\(counters)},\n"
        out += "  \"fleet\": {\n"
        out += spec.features.indices.map { feature -> String in
            "    \(OutputText.jsonString(spec.features[feature])): \(model.summaryEntry(.fleet, of: .fleet, feature: feature).dropLast()), \(PlannerFigures.fleetJSON(report, feature: feature))}"
        }.joined(separator: ",\n")
        out += "\n  },\n  \"servers\": [\n"
        let denials = PlannerFigures.serverDenials(report)
        out += spec.servers.indices.map { server -> String in
            let features = spec.features.indices.map { feature -> String in
                "\(OutputText.jsonString(spec.features[feature])): \(model.summaryEntry(.server, of: .server(server), feature: feature).dropLast()), \(PlannerFigures.serverJSON(report, server: server, feature: feature, denials: denials[server][feature]))}"
            }.joined(separator: ", ")
            return "    {\"id\": \(OutputText.jsonString(spec.servers[server].id)), \"features\": {\(features)}}"
        }.joined(separator: ",\n")
        out += "\n  ],\n  \"clients\": [\n"
        out += spec.clients.indices.map { client -> String in
            let messages = model.messages(ofClient: client)
            let features = spec.clients[client].allocations.map { entry -> String in
                "\(OutputText.jsonString(spec.features[entry.feature])): \(model.summaryEntry(.client, of: .client(client), feature: entry.feature))"
            }.joined(separator: ", ")
            return "    {\"id\": \(OutputText.jsonString(spec.clients[client].id)), \"messagesSent\": \(messages.sent), \"messagesReceived\": \(messages.received), \"features\": {\(features)}}"
        }.joined(separator: ",\n")
        out += "\n  ],\n"
        if !spec.faults.isEmpty || model.counters.timeouts > 0 { out += faultsJSON(report, iso) }
        out += "  \"expectations\": [\n"
        out += report.results.map { result in
            "    {\"expectation\": \(OutputText.jsonString(result.expectation.label)), \"passed\": \(result.passed), \"actual\": \(ExpectationFormat.number(result.actual)), \"seenAt\": \(iso(result.seenAt))}"
        }.joined(separator: ",\n")
        out += "\n  ]\n}\n"
        return out
    }

    /// The faults section: what went unanswered; every fault in the scenario's own syntax (those drawn from
    /// `randomFaults` too), to paste into a scenario and replay exactly; and what each did.
    static func faultsJSON(_ report: RunReport, _ iso: (SimInstant) -> String) -> String {
        let model = report.figures, spec = report.scenario.spec, counters = model.counters
        let touched = model.clientsTouched()
        var out = "  \"faults\": {\"messagesDropped\": \(counters.messagesDropped), \"timeouts\": \(counters.timeouts), \"retries\": \(counters.retries), \"abandoned\": \(counters.abandoned),\n"
        out += "    \"schedule\": [" + spec.faults.map { "\n      " + scenarioSyntax($0) }.joined(separator: ",") + (spec.faults.isEmpty ? "],\n" : "\n    ],\n")
        out += "    \"effects\": [" + spec.faults.indices.map { index -> String in
            let fault = spec.faults[index], state = model.faults[index]
            return "\n      {\"id\": \(OutputText.jsonString(fault.id)), \"started\": \(iso(fault.at)), \"ended\": \(fault.until == .never ? "null" : iso(fault.until)), \"messagesDropped\": \(state.messagesDropped), \"messagesDelayed\": \(state.messagesDelayed), \"clientsCrashed\": \(state.clientsCrashed), \"clientsTouched\": \(touched[index]), \"touchedNothing\": \(RunSummary.touchedNothing(fault, state, clientsTouched: touched[index])), \(PlannerFigures.faultJSON(report, fault: index))}"
        }.joined(separator: ",") + (spec.faults.isEmpty ? "]},\n" : "\n    ]},\n")
        return out
    }

    /// A fault as a scenario writes it (instants as exact offsets from the start).
    static func scenarioSyntax(_ fault: FaultSpec) -> String {
        var members = ["\"id\": \(OutputText.jsonString(fault.id))", "\"kind\": \(OutputText.jsonString(fault.effect.kindName))"]
        switch fault.placement {
        case let .between(first, second): members.append("\"between\": [\(OutputText.jsonString(first)), \(OutputText.jsonString(second))]")
        case let .oneWay(from, to): members.append("\"from\": \(OutputText.jsonString(from)), \"to\": \(OutputText.jsonString(to))")
        case .node(let node): members.append("\"node\": \(OutputText.jsonString(node))")
        case .none: break
        }
        switch fault.effect {
        case .loss(let perMillion): members.append("\"probability\": \(OutputText.decimal(Int128(perMillion), over: 1_000_000, decimals: 6))")
        case .addedLatency(let added): members.append("\"latency\": \(OutputText.jsonString(added.description))")
        case .partition, .crash: break
        }
        members.append("\"at\": \(OutputText.jsonString((fault.at - .start).description))")
        if fault.until != .never { members.append("\"until\": \(OutputText.jsonString((fault.until - .start).description))") }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// One line per fault for people, and a warning for each that touched nothing (it never acted on a message
    /// or a node: a mistake in the schedule, or a link nobody used while it lasted).
    public static func faultLines(_ report: RunReport) -> [String] {
        let model = report.figures, spec = report.scenario.spec
        let touched = model.clientsTouched()
        var lines: [String] = []
        if model.counters.timeouts > 0 {
            lines.append("requests timed out \(model.counters.timeouts), retried \(model.counters.retries), given up \(model.counters.abandoned)")
        }
        let drawn = spec.faults.indices.filter { spec.faults[$0].drawn }
        if !drawn.isEmpty {
            let dropped = drawn.reduce(Int64(0)) { $0 + model.faults[$1].messagesDropped }
            lines.append("\(OutputText.count(drawn.count, "fault")) drawn from randomFaults: \(OutputText.count(Int(dropped), "message")) dropped (each in summary.json)")
        }
        for (index, fault) in spec.faults.enumerated() where !fault.drawn {
            let state = model.faults[index]
            let window = fault.until == .never ? "from \(fault.at)" : "from \(fault.at) to \(fault.until)"
            var what = "\(OutputText.count(Int(state.messagesDropped), "message")) dropped"
            if case .addedLatency = fault.effect { what = "\(OutputText.count(Int(state.messagesDelayed), "message")) delayed" }
            if fault.effect == .crash { what = "\(fault.nodes.count) down, " + what }
            lines.append("fault \(fault.id) (\(fault.effect.kindName) \(window)): \(what), \(OutputText.count(Int(touched[index]), "client")) touched")
        }
        return lines
    }

    /// Whether a fault never acted: it reached no client, dropped and delayed no message (a server's link to the
    /// cloud reaches no client, R-VLS-1), crashed no node, and cut no link between cluster members or the nodes of
    /// an HA pair (R-CLU-3, R-HA-1: those carry no message, and a cut acts by splitting them).
    static func touchedNothing(_ fault: FaultSpec, _ state: FaultState, clientsTouched: Int64) -> Bool {
        let splits = fault.effect == .partition
            && fault.links.contains { ($0.from.client != nil && $0.to.client != nil) || ($0.from.server != nil && $0.to.server != nil) }
        return clientsTouched == 0 && state.messagesDropped == 0 && state.messagesDelayed == 0 && fault.nodes.isEmpty && !splits
    }

    /// Warnings for what the scenario is flagged for (R-HA-4), at validation and with every run.
    public static func flagWarnings(_ scenario: Scenario) -> [String] { scenario.flags.map { "flagged: " + $0 } }

    /// Warnings for faults that touched nothing: one per fault the scenario wrote, one in all for those drawn
    /// from `randomFaults` (a partition of an idle link at night is no mistake there).
    public static func faultWarnings(_ report: RunReport) -> [String] {
        let touched = report.figures.clientsTouched(), faults = report.scenario.spec.faults
        let idle = faults.indices.filter {
            RunSummary.touchedNothing(faults[$0], report.figures.faults[$0], clientsTouched: touched[$0])
        }
        var warnings = idle.filter { !faults[$0].drawn }.map { index in
            "fault \(faults[index].id) touched nothing (no message crossed its links while it acted)"
        }
        let drawnIdle = idle.filter { faults[$0].drawn }.count
        if drawnIdle > 0 {
            warnings.append("\(drawnIdle) of \(faults.filter(\.drawn).count) faults drawn from randomFaults touched nothing (no message crossed their links while they acted)")
        }
        return warnings
    }

    /// The rules a scenario relaxes, the overrides it was loaded with and what it is flagged for, as keys of
    /// summary.json's scenario entry (nothing when none).
    static func scenarioNotesJSON(_ scenario: Scenario) -> String {
        var json = ""
        if !scenario.relaxedRules.isEmpty {
            json += ", \"relaxedRules\": [" + scenario.relaxedRules.map(OutputText.jsonString).joined(separator: ", ") + "]"
        }
        if !scenario.overrides.isEmpty {
            json += ", \"overrides\": [" + scenario.overrides.map(OutputText.jsonString).joined(separator: ", ") + "]"
        }
        if !scenario.flags.isEmpty { // R-HA-4
            json += ", \"flags\": [" + scenario.flags.map(OutputText.jsonString).joined(separator: ", ") + "]"
        }
        if scenario.warmUp > .zero { json += ", \"warmUp\": \(OutputText.jsonString(scenario.warmUp.description))" }
        return json
    }

    /// A few lines for stdout: the headline figures per feature and the clients with most denials.
    public static func text(_ report: RunReport) -> String {
        let scenario = report.scenario, model = report.figures, spec = scenario.spec
        var lines = ["\(scenario.name): \(OutputText.count(spec.clients.count, "client")), \(OutputText.count(spec.servers.count, "server")), \(scenario.duration) simulated\(scenario.warmUp > .zero ? " (figures from t+\(scenario.warmUp), after the warm-up)" : ""), \(report.eventsProcessed) events, seed \(spec.seed)"]
        if !scenario.relaxedRules.isEmpty {
            lines.append("  relaxed on purpose: \(scenario.relaxedRules.joined(separator: ", ")) (its results do not follow that rule)")
        }
        let counters = model.counters
        if counters.autoIncrements > 0 || counters.penalties > 0 {
            lines.append("  auto-leasing: \(OutputText.count(Int(counters.autoIncrements), "auto-increment")), \(OutputText.count(Int(counters.autoLeaseReports), "report")), \(counters.reconcilesShort) not reconciled, \(counters.penalties == 1 ? "1 penalty" : "\(counters.penalties) penalties")")
        }
        if counters.leaderChanges > 0 { lines.append("  clusters: \(OutputText.count(Int(counters.leaderChanges), "leader change"))") }
        if counters.pairSplits > 0 || counters.failovers > 0 {
            lines.append("  HA pairs: \(OutputText.count(Int(counters.pairSplits), "split")), \(OutputText.count(Int(counters.failovers), "failover")), \(OutputText.count(Int(counters.pairRejoins), "rejoin"))")
        }
        if counters.surrenders > 0 || counters.recalls > 0 {
            lines.append("  surrender: \(OutputText.count(Int(counters.surrenders), "license")) surrendered, \(counters.recalls) recalled, \(counters.surrendersExpired) lost to their expiry at the server")
        }
        for feature in spec.features.indices {
            let totals = model.featureTotals[feature], sums = model.fleetIntegrals(feature: feature)
            let installed = model.fleetCapacity(feature: feature).installed
            lines.append("  \(spec.features[feature]): denied logins \(totals.deniedLogins), denied user-hours \(userHours(sums.deniedUserMilliseconds)), peak users \(totals.peakUsers), peak leased \(totals.peakLeased) of \(totals.installedAtPeakLeased) installed then (headroom at peak \(totals.installedAtPeakLeased - totals.peakLeased)), installed at end \(installed)")
        }
        let worst = model.slotStates.indices.filter { model.slotStates[$0].deniedLogins > 0 }
            .sorted { (-model.slotStates[$0].deniedLogins, $0) < (-model.slotStates[$1].deniedLogins, $1) }.prefix(5)
        if !worst.isEmpty {
            lines.append("  most denied: " + worst.map { slot in
                "\(spec.clients[model.slotStates[slot].client.offset].id)/\(spec.features[model.slotStates[slot].feature.offset]) \(model.slotStates[slot].deniedLogins)"
            }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line per expectation: PASS or FAIL, the claim, the actual value and when it was seen.
    public static func expectationLines(_ report: RunReport) -> [String] {
        report.results.map { result in
            let expectation = result.expectation
            let when: String
            switch expectation.when {
            case .always, .never:
                when = result.passed ? (expectation.window == nil ? "held throughout" : "held in its window") : "first broken at \(result.seenAt)"
            case .at, .end:
                when = "at \(result.seenAt)"
            }
            return "\(result.passed ? "PASS" : "FAIL") \(expectation.path) \(expectation.label) [\(expectation.claim)]: actual \(ExpectationFormat.number(result.actual)) \(when) (\(instantText(result.seenAt, report.scenario)))"
        }
    }

    /// An instant as the scenario would write it by day, and in UTC: `day 2 09:59, 2026-03-03T09:59:00.000Z`.
    public static func instantText(_ instant: SimInstant, _ scenario: Scenario) -> String {
        let start = scenario.spec.startEpochMilliseconds
        return TimeSyntax.dayText(instant, startEpochMilliseconds: start) + ", " + CivilCalendar.iso8601(epochMilliseconds: start + instant.millisecondsSinceStart)
    }
}

extension Expectation {
    /// The claim in words: `always from t+8h until t+18h: used of ls-1 <= 150`, `at end: deniedLogins of fleet == 238 within 5`.
    public var claim: String {
        let window = self.window.map { " from \($0.lowerBound) until \($0.upperBound):" } ?? ""
        let within = tolerance > 0 ? " within \(ExpectationFormat.number(tolerance))" : ""
        return "\(when.text)\(window) \(metric.rawValue) of \(subjectName) \(comparison.rawValue) \(ExpectationFormat.number(value))\(within)"
    }
}

extension ExpectationWhen {
    var text: String {
        switch self {
        case .at(let instant): return "at \(instant):"
        case .end: return "at end:"
        case .always: return "always"
        case .never: return "never"
        }
    }
}
