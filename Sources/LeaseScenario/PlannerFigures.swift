import LeaseKernel
import LeaseModel

/// What capacity planners read beyond the headline figures: when peaks and first denials came, how the leased
/// count spent its time (time-at-level), license-hours available and used, messages per client per day, and what
/// each fault did to users. `clients.csv` holds one row per client and feature; summary.json the servers', the
/// fleet's and the faults'.
enum PlannerFigures {
    static let clientsHeader = ["client", "group", "feature", "server", "ruc", "ilq", "muc", "denied_logins", "denied_user_hours", "users_cut_off", "first_denial",
                                "peak_users", "peak_users_at", "peak_leased", "peak_leased_at", "leased_hours", "served_user_hours", "utilisation",
                                "messages_sent", "messages_received", "messages_per_day"]
        + LevelBins.names.map { "level_" + $0.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "-", with: "_") }

    /// An instant as summary.json and clients.csv write it; nil for one that never came.
    static func time(_ instant: SimInstant, _ scenario: Scenario) -> String? {
        guard instant != .never else { return nil }
        return CivilCalendar.iso8601(epochMilliseconds: scenario.spec.startEpochMilliseconds + instant.millisecondsSinceStart)
    }

    static func jsonTime(_ instant: SimInstant, _ scenario: Scenario) -> String {
        time(instant, scenario).map(OutputText.jsonString) ?? "null"
    }

    /// A histogram as shares of the run after its warm-up (4 decimals).
    static func shares(_ bins: ArraySlice<Int64>, _ scenario: Scenario) -> [String] {
        bins.map { OutputText.decimal(Int128($0), over: Int128(max(1, scenario.measuredDuration.milliseconds)), decimals: 4) }
    }

    /// `{"0-10%": 0.1250, ..., "max": 0.0000}`
    static func sharesJSON(_ bins: ArraySlice<Int64>, _ scenario: Scenario) -> String {
        "{" + zip(LevelBins.names, shares(bins, scenario)).map { "\(OutputText.jsonString($0)): \($1)" }.joined(separator: ", ") + "}"
    }

    /// Messages per day: `count` over `per` entities over the run's days after its warm-up, with 3 decimals.
    static func perDay(_ count: Int64, per entities: Int, _ scenario: Scenario) -> String {
        OutputText.decimal(Int128(count) * Int128(SimDuration.days(1).milliseconds),
                           over: Int128(max(1, entities)) * Int128(max(1, scenario.measuredDuration.milliseconds)), decimals: 3)
    }

    /// The fleet entry's planner keys for a feature (appended to its summary quantities).
    static func fleetJSON(_ report: RunReport, feature: Int) -> String {
        let scenario = report.scenario, figures = report.figures, totals = figures.featureTotals[feature]
        let messages = figures.counters.messages
        return "\"firstDenial\": \(jsonTime(totals.firstDenialAt, scenario)), \"peakUsersAt\": \(jsonTime(totals.peakUsersAt, scenario)), "
            + "\"peakLeasedAt\": \(jsonTime(totals.peakLeasedAt, scenario)), "
            + "\"messagesPerClientPerDay\": \(perDay(messages, per: scenario.spec.clients.count, scenario)), "
            + "\"timeAtLevel\": \(sharesJSON(figures.levels(ofFeature: feature), scenario))"
    }

    /// Denied logins, denied user-milliseconds and the first denial of the clients configured to each server (a
    /// pair's clients count at its first node), by server and feature.
    static func serverDenials(_ report: RunReport) -> [[(logins: Int64, userMilliseconds: Int128, first: SimInstant)]] {
        let spec = report.scenario.spec, figures = report.figures
        var denials = Array(repeating: Array(repeating: (logins: Int64(0), userMilliseconds: Int128(0), first: SimInstant.never),
                                             count: spec.features.count), count: spec.servers.count)
        for (slot, state) in figures.slotStates.enumerated() {
            let server = Int(spec.clients[state.client.offset].server), feature = state.feature.offset
            denials[server][feature].logins += state.deniedLogins
            denials[server][feature].userMilliseconds += Int128(state.deniedUserMilliseconds)
            denials[server][feature].first = min(denials[server][feature].first, figures.planners[slot].firstDenialAt)
        }
        return denials
    }

    /// A server entry's planner keys for a feature.
    static func serverJSON(_ report: RunReport, server: Int, feature: Int,
                           denials: (logins: Int64, userMilliseconds: Int128, first: SimInstant)) -> String {
        let scenario = report.scenario, figures = report.figures, pool = ServerFeatureID(server: server, feature: feature, featureCount: figures.featureCount).offset
        return "\"deniedLogins\": \(denials.logins), \"deniedUserHours\": \(RunSummary.userHours(denials.userMilliseconds)), "
            + "\"firstDenial\": \(jsonTime(denials.first, scenario)), "
            + "\"peakUsedAt\": \(jsonTime(figures.serverFeatureStates[pool].peakUsedAt, scenario)), "
            + "\"timeAtLevel\": \(sharesJSON(figures.levels(ofPool: pool), scenario))"
    }

    /// A fault effect's planner keys: how long after its start the first login was denied while it acted, and
    /// how long after its end no user was unserved any more (null: neither happened in the run).
    static func faultJSON(_ report: RunReport, fault: Int) -> String {
        let spec = report.scenario.spec.faults[fault], impact = report.figures.faultImpact[fault]
        let first = impact.firstDenial == .never ? "null" : OutputText.seconds(milliseconds: (impact.firstDenial - spec.at).milliseconds)
        let recovered = impact.recovered == .never ? "null" : OutputText.seconds(milliseconds: (impact.recovered - spec.until).milliseconds)
        return "\"firstDenialAfterSeconds\": \(first), \"recoveredAfterSeconds\": \(recovered)"
    }

    /// The name of the server a client is configured to (an HA pair's address by the pair's id).
    static func serverName(ofClient client: Int, _ spec: FleetSpec) -> String {
        let server = Int(spec.clients[client].server)
        return spec.pair(ofServer: server).map { spec.haPairs[$0].id } ?? spec.servers[server].id
    }

    /// clients.csv, one row per client and feature, written through `write` in pieces (a large fleet's table is
    /// never held whole).
    static func writeClientsCSV(_ report: RunReport, _ write: (String) -> Void) {
        let scenario = report.scenario, spec = scenario.spec, figures = report.figures
        var text = clientsHeader.joined(separator: ",") + "\n"
        let groups = ClientGroup.names(scenario.groups, clients: spec.clients.count)
        for (slot, state) in figures.slotStates.enumerated() {
            let client = state.client.offset, planner = figures.planners[slot], allocation = state.allocation
            let messages = figures.messages(ofClient: client)
            var cells = [OutputText.csvCell(spec.clients[client].id), OutputText.csvCell(groups[client]), OutputText.csvCell(spec.features[state.feature.offset]),
                         OutputText.csvCell(serverName(ofClient: client, spec)),
                         String(allocation.reserved), String(allocation.quantum), String(allocation.maximum),
                         String(state.deniedLogins), RunSummary.userHours(state.deniedUserMilliseconds), String(planner.usersCutOff),
                         time(planner.firstDenialAt, scenario) ?? "",
                         String(state.peakUsers), time(planner.peakUsersAt, scenario) ?? "",
                         String(state.peakLeased), time(planner.peakLeasedAt, scenario) ?? "",
                         RunSummary.userHours(state.leasedUserMilliseconds), RunSummary.userHours(state.servedUserMilliseconds),
                         RunSummary.ratio(state.servedUserMilliseconds, state.leasedUserMilliseconds),
                         String(messages.sent), String(messages.received), perDay(messages.sent + messages.received, per: 1, scenario)]
            cells += shares(figures.levels(ofSlot: slot), scenario)
            text += cells.joined(separator: ",") + "\n"
            if text.utf8.count >= 1 << 16 {
                write(text)
                text = ""
            }
        }
        write(text)
    }
}
