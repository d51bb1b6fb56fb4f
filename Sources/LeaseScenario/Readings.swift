import LeaseKernel
import LeaseModel

/// What figures are read from: the running model (an expectation at an instant, or at the end) or a finished
/// run's figures (summary.json). Both give the same readings, so every figure is computed one way.
protocol FleetReadable {
    var featureCount: Int { get }
    var counters: ProtocolCounters { get }
    func totals(feature: Int) -> FeatureTotals
    func slotState(_ slot: Int) -> SlotState
    /// R-CLIENT-1: a slot's own licenses and platform maximum.
    func own(slot: Int) -> OwnLicensing
    func isUp(client: Int) -> Bool
    func leads(client: Int) -> Bool
    func serverLeased(slot: Int) -> Int32
    func poolState(_ index: Int) -> ServerFeatureState
    func fleetIntegrals(feature: Int) -> FeatureIntegrals
    func fleetCapacity(feature: Int) -> (installed: Int64, used: Int64)
    func messages(ofClient client: Int) -> (sent: Int64, received: Int64)
    func slot(client: Int, feature: Int) -> Int?
    func planner(_ slot: Int) -> SlotPlanner
}

extension FleetModel: FleetReadable {
    func totals(feature: Int) -> FeatureTotals { featureTotals[feature] }
    func slotState(_ slot: Int) -> SlotState { slotStates[slot] }
    func own(slot: Int) -> OwnLicensing { ownLicensing[SlotID(index: Int32(slot))] }
    func serverLeased(slot: Int) -> Int32 { serverLeased(SlotID(index: Int32(slot))) }
    func poolState(_ index: Int) -> ServerFeatureState { serverFeatureStates[index] }
    func planner(_ slot: Int) -> SlotPlanner { planners[SlotID(index: Int32(slot))] }
}

extension FleetFigures: FleetReadable {
    func totals(feature: Int) -> FeatureTotals { featureTotals[feature] }
    func slotState(_ slot: Int) -> SlotState { slotStates[slot] }
    func own(slot: Int) -> OwnLicensing { ownLicensing[slot] }
    func serverLeased(slot: Int) -> Int32 { leaseStates[slot].held }
    func poolState(_ index: Int) -> ServerFeatureState { serverFeatureStates[index] }
    func planner(_ slot: Int) -> SlotPlanner { planners[slot] }
}

extension FleetReadable {
    /// A client's feature's counts now: what it holds counts only while it runs.
    func clientLevels(slot: Int) -> Levels {
        let state = slotState(slot)
        return Levels(slot: state, own: own(slot: slot), isUp: isUp(client: state.client.offset), serverLeased: serverLeased(slot: slot),
                      leads: leads(client: state.client.offset))
    }

    func clientReading(client: Int, feature: Int) -> ClientReading {
        var reading = ClientReading(messagesSent: messages(ofClient: client).sent)
        guard let slot = slot(client: client, feature: feature) else { return reading }
        let state = slotState(slot)
        reading.levels = clientLevels(slot: slot)
        reading.deniedUserMilliseconds = state.deniedUserMilliseconds
        reading.servedUserMilliseconds = state.servedUserMilliseconds
        reading.leasedUserMilliseconds = state.leasedUserMilliseconds
        reading.peakUsers = Int64(state.peakUsers)
        reading.peakLeased = Int64(state.peakLeased)
        reading.usersCutOff = planner(slot).usersCutOff
        return reading
    }

    func serverReading(server: Int, feature: Int) -> ServerReading {
        let pool = poolState(ServerFeatureID(server: server, feature: feature, featureCount: featureCount).offset)
        return ServerReading(levels: Levels(pool: pool), pool: pool)
    }

    func fleetLevels(feature: Int) -> Levels {
        let capacity = fleetCapacity(feature: feature)
        return Levels(fleet: totals(feature: feature), installed: capacity.installed, used: capacity.used)
    }

    func fleetReading(feature: Int) -> FleetReading {
        FleetReading(levels: fleetLevels(feature: feature), totals: totals(feature: feature),
                     integrals: fleetIntegrals(feature: feature), counters: counters)
    }

    /// Quantities of a subject's feature, exactly; zero where the subject has no such quantity.
    func figures(_ quantities: [Quantity], of subject: MetricSubject, feature: Int) -> [Figure] {
        switch subject {
        case .client(let client):
            let reading = clientReading(client: client, feature: feature)
            return quantities.map { $0.client?.figure(reading, reading.levels) ?? .count(0) }
        case .server(let server):
            let reading = serverReading(server: server, feature: feature)
            return quantities.map { $0.server?.figure(reading, reading.levels) ?? .count(0) }
        case .fleet:
            let reading = fleetReading(feature: feature)
            return quantities.map { $0.fleet?.figure(reading, reading.levels) ?? .count(0) }
        }
    }

    func figure(_ quantity: Quantity, of subject: MetricSubject, feature: Int) -> Figure {
        figures([quantity], of: subject, feature: feature)[0]
    }

    /// A subject's summary.json entry for one feature: its role's summary quantities, in registry order.
    func summaryEntry(_ role: Role, of subject: MetricSubject, feature: Int) -> String {
        let quantities = Quantities.summary(of: role)
        let figures = figures(quantities, of: subject, feature: feature)
        return "{" + zip(quantities, figures).map { "\"\($0.name)\": \($1.json)" }.joined(separator: ", ") + "}"
    }

    /// A metric's value now, as an expectation compares it.
    func metricValue(_ metric: Metric, of subject: MetricSubject, feature: Int) -> Double {
        figure(Quantities.of(metric), of: subject, feature: feature).double
    }
}
