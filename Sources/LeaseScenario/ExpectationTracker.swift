import LeaseKernel
import LeaseModel

/// The verdict on one expectation.
public struct ExpectationResult: Sendable {
    public var expectation: Expectation
    public var passed: Bool
    /// The value judged: at the instant, at the end, or the first value that broke an always/never.
    public var actual: Double
    /// When the value was seen.
    public var seenAt: SimInstant
}

/// Watches "always"/"never" expectations over the stream of state records.
///
/// A condition is judged on the state at the end of each instant, after all
/// events due at that instant (transient states inside one instant, such as
/// the fleet's leases being granted one by one at instant zero, do not count).
/// Keeps the last value of every slot and server feature so fleet sums are
/// known after every change, without reading the model mid-chunk.
struct ExpectationTracker {
    let expectations: [Expectation]
    let featureCount: Int
    /// The client of each slot, and each expectation's slot when it is about a client.
    let slotClient: [Int32]
    let expectationSlot: [Int]
    /// Each watched expectation's reading of the counts (`Quantities`), by index into `expectations`.
    let readings: [LevelField?]
    /// Every entity's latest levels and the fleet's sums of them.
    var sums: FleetSums
    /// The first violation of each watched expectation, by index into `expectations`.
    var violations: [Int: (Double, SimInstant)] = [:]
    /// The latest value judged in each watched expectation's window (what a windowed one that held reports).
    var lastJudged: [Int: Double] = [:]
    let watched: [Int]
    /// Watched expectations touched at `pendingTime`, judged when the instant is over.
    var dirty: [Bool]
    var pendingTime = SimInstant.start

    init(expectations: [Expectation], model: FleetModel) {
        self.expectations = expectations
        featureCount = model.featureCount
        slotClient = model.slotStates.map(\.client.index)
        expectationSlot = expectations.map { expectation in
            if case .client(let client) = expectation.subject { return model.slot(client: client, feature: expectation.feature) ?? -1 }
            return -1
        }
        watched = expectations.indices.filter { expectations[$0].when == .always || expectations[$0].when == .never }
        readings = expectations.map { expectation in
            let role: Role
            switch expectation.subject {
            case .client: role = .client
            case .server: role = .server
            case .fleet: role = .fleet
            }
            return Quantities.of(expectation.metric).level(role)
        }
        dirty = Array(repeating: true, count: expectations.count)
        // Only watched expectations need every entity's latest levels.
        sums = watched.isEmpty ? FleetSums() : FleetSums(model: model)
    }

    var isWatching: Bool { !watched.isEmpty }

    mutating func observe(_ record: StateRecord) {
        if record.time != pendingTime { finishInstant() }
        pendingTime = record.time
        sums.observe(record)
        for index in watched where concerns(expectations[index], record) { dirty[index] = true }
    }

    /// Judges the expectations touched during the instant just finished.
    mutating func finishInstant() {
        for index in watched where dirty[index] {
            dirty[index] = false
            check(index, at: pendingTime)
        }
    }

    func concerns(_ expectation: Expectation, _ record: StateRecord) -> Bool {
        guard Int32(expectation.feature) == record.feature else { return false }
        switch expectation.subject {
        case .fleet: return true
        case .client(let client): return record.entity == .client && slotClient[Int(record.index)] == Int32(client)
        case .server(let server):
            return record.entity == .server && ServerFeatureID(index: record.index).server(featureCount: featureCount) == server
        }
    }

    mutating func check(_ index: Int, at time: SimInstant) {
        let expectation = expectations[index]
        guard violations[index] == nil, expectation.watches(time) else { return }
        let value = current(index)
        lastJudged[index] = value
        let holds = expectation.compares(value)
        if (expectation.when == .always && !holds) || (expectation.when == .never && holds) {
            violations[index] = (value, time)
        }
    }

    /// A watched expectation's value now, read from the counts as the registry says.
    func current(_ index: Int) -> Double {
        guard let field = readings[index] else { return 0 }
        let expectation = expectations[index]
        switch expectation.subject {
        case .client:
            let slot = expectationSlot[index]
            return slot >= 0 ? Double(sums.slots[slot].value(field)) : 0
        case .server(let server):
            return Double(sums.servers[ServerFeatureID(server: server, feature: expectation.feature, featureCount: featureCount).offset].value(field))
        case .fleet:
            return Double(sums.fleet[expectation.feature].value(field))
        }
    }
}
