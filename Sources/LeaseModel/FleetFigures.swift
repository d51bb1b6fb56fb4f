import LeaseKernel

/// What a finished run leaves for reports: a plain `Sendable` value, so many runs can go in parallel and their
/// results travel between threads without the model (`FleetModel.figures()`).
public struct FleetFigures: Sendable {
    public let counters: ProtocolCounters
    public let featureCount: Int
    /// Fleet totals, time integrals and installed and used counts, by feature.
    public let featureTotals: [FeatureTotals]
    let integrals: [FeatureIntegrals]
    let capacity: [(installed: Int64, used: Int64)]
    /// Every node's every feature pool (index: server * featureCount + feature).
    public let serverFeatureStates: [ServerFeatureState]
    /// Every slot (one client's one feature) as its client left it.
    public let slotStates: [SlotState]
    /// R-CLIENT-1: every slot's own licenses and platform maximum.
    public let ownLicensing: [OwnLicensing]
    /// Every slot's lease record at the node that serves it, in slot order.
    public let leaseStates: [LeaseState]
    let clientMessages: [(sent: Int64, received: Int64)]
    let clientUp: [Bool]
    let clientLeads: [Bool]
    let firstSlot: [Int]
    /// What each fault did, and how many distinct clients it reached.
    public let faults: [FaultState]
    let touched: [Int64]
    /// The first invariant that did not hold at the end, if one did not (it never should).
    public let invariantViolation: String?
    /// For planners: when each slot reached its peaks and first denial; time-at-level histograms of slots, pools
    /// and the fleet's features (`LevelBins.count` milliseconds each, in entity order); what each fault did to users.
    public let planners: [SlotPlanner]
    public let levelTime: [Int64]
    public let poolLevelTime: [Int64]
    public let fleetLevelTime: [Int64]
    public let faultImpact: [FaultImpact]

    /// A slot's, pool's or feature's histogram.
    public func levels(ofSlot slot: Int) -> ArraySlice<Int64> { levelTime[(slot * LevelBins.count)..<((slot + 1) * LevelBins.count)] }
    public func levels(ofPool pool: Int) -> ArraySlice<Int64> { poolLevelTime[(pool * LevelBins.count)..<((pool + 1) * LevelBins.count)] }
    public func levels(ofFeature feature: Int) -> ArraySlice<Int64> {
        fleetLevelTime[(feature * LevelBins.count)..<((feature + 1) * LevelBins.count)]
    }

    /// A feature's integrals over every slot.
    public func fleetIntegrals(feature: Int) -> FeatureIntegrals { integrals[feature] }
    /// A feature's installed and used counts over every server.
    public func fleetCapacity(feature: Int) -> (installed: Int64, used: Int64) { capacity[feature] }
    /// Whether a client was running at the end.
    public func isUp(client: Int) -> Bool { clientUp[client] }
    /// R-CLU-3: whether a client led its side of its cluster at the end.
    public func leads(client: Int) -> Bool { clientLeads[client] }
    /// Messages a client sent and received.
    public func messages(ofClient client: Int) -> (sent: Int64, received: Int64) { clientMessages[client] }
    /// The slot of a client's feature, if the client leases it.
    public func slot(client: Int, feature: Int) -> Int? {
        let end = client + 1 < firstSlot.count ? firstSlot[client + 1] : slotStates.count
        return (firstSlot[client]..<end).first { slotStates[$0].feature.index == Int32(feature) }
    }
    /// How many distinct clients each fault reached.
    public func clientsTouched() -> [Int64] { touched }
}

extension FleetModel {
    /// The run's figures, accounted up to `now`. Complexity: O(fleet).
    public mutating func figures(at now: SimInstant) -> FleetFigures {
        accountAll(upTo: now)
        return FleetFigures(
            counters: counters, featureCount: featureCount, featureTotals: Array(totals),
            integrals: (0..<featureCount).map { fleetIntegrals(feature: $0) },
            capacity: (0..<featureCount).map { fleetCapacity(feature: $0) },
            serverFeatureStates: Array(pools), slotStates: Array(slots), ownLicensing: Array(ownLicensing),
            leaseStates: slots.ids.map { lease(of: HolderID(slot: $0)) },
            clientMessages: clients.map { ($0.messagesSent, $0.messagesReceived) }, clientUp: clients.map(\.isUp),
            clientLeads: clients.map(\.leads),
            firstSlot: clients.map { Int($0.slots.first) },
            faults: Array(faults), touched: clientsTouched(), invariantViolation: invariantViolation(at: now),
            planners: Array(planners), levelTime: levelTime, poolLevelTime: poolLevelTime, fleetLevelTime: fleetLevelTime,
            faultImpact: faultImpact)
    }
}
