import LeaseKernel
import LeaseModel

/// Reads a metric's current value from a model whose integrals are accounted up to now.
extension FleetModel {
    static let millisecondsPerHour = Double(SimDuration.millisecondsPerHour)

    public func metricValue(_ metric: Metric, of subject: MetricSubject, feature: Int) -> Double {
        switch subject {
        case .client(let client):
            guard let slot = slot(client: client, feature: feature) else { return 0 }
            return clientMetric(metric, slot: slot, client: client)
        case .server(let server):
            return serverMetric(metric, index: server * featureCount + feature)
        case .fleet:
            return fleetMetric(metric, feature: feature)
        }
    }

    func clientMetric(_ metric: Metric, slot: Int, client: Int) -> Double {
        let state = slotStates[slot]
        let capacity = capacity(ofSlot: slot)
        let up = isUp(client: client)
        switch metric {
        case .users: return Double(state.users)
        case .served: return Double(min(state.users, capacity))
        case .leased: return Double(capacity)
        case .serverLeased: return Double(serverLeased(SlotID(index: Int32(slot))))
        case .reserved: return Double(up ? state.reservedHeld : 0)
        case .incremental: return Double(up ? state.incrementHeld : 0)
        case .deniedLogins: return Double(state.deniedLogins)
        case .deniedUserHours: return Double(state.deniedUserMilliseconds) / Self.millisecondsPerHour
        case .peakUsers: return Double(state.peakUsers)
        case .peakLeased: return Double(state.peakLeased)
        case .utilisation: return ratio(state.servedUserMilliseconds, state.leasedUserMilliseconds)
        case .messagesSent: return Double(messages(ofClient: client).sent)
        case .installed, .used, .free, .peakUsed: return 0
        }
    }

    func serverMetric(_ metric: Metric, index: Int) -> Double {
        let state = serverFeatureStates[index]
        switch metric {
        case .installed: return Double(state.installed)
        case .used: return Double(state.used)
        case .free: return Double(state.free)
        case .peakUsed: return Double(state.peakUsed)
        case .utilisation: return ratio(state.usedUserMilliseconds, state.installedUserMilliseconds)
        default: return 0
        }
    }

    func fleetMetric(_ metric: Metric, feature: Int) -> Double {
        let totals = featureTotals[feature]
        switch metric {
        case .users: return Double(totals.users)
        case .served: return Double(totals.served)
        case .leased: return Double(totals.leased)
        case .deniedLogins: return Double(totals.deniedLogins)
        case .deniedUserHours:
            return Double(fleetIntegrals(feature: feature).deniedUserMilliseconds) / Self.millisecondsPerHour
        case .peakUsers: return Double(totals.peakUsers)
        case .peakLeased: return Double(totals.peakLeased)
        case .messagesSent: return Double(counters.messages)
        case .installed: return Double(fleetCapacity(feature: feature).installed)
        case .used: return Double(fleetCapacity(feature: feature).used)
        case .free:
            let capacity = fleetCapacity(feature: feature)
            return Double(capacity.installed - capacity.used)
        default: return 0
        }
    }

    func ratio<Count: BinaryInteger>(_ numerator: Count, _ denominator: Count) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}
