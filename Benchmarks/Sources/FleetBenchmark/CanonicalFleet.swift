import LeaseKernel
import LeaseModel
import LeaseScenario

/// The canonical fleet workload, built from leasesim's own model (see "Benchmarks" in the README).
///
/// One server with 60 licenses per client; N clients with RUC 50, ILQ 25,
/// MUC 150 holding their reserved 50 at instant zero; hourly demand
/// `50 + ((i * 7919 + h * 104729) mod 101)`; 4 h renewals, 24 h and 240 h
/// leases, zero latency, release as soon as the load drops (R-LEASE-9 `onDrop`).
public enum CanonicalFleet {
    public static let reservedPerClient: Int32 = 50
    public static let quantum: Int32 = 25
    public static let maximumPerClient: Int32 = 150
    public static let installedPerClient: Int32 = 60

    /// The reference demand, `50 + ((i * 7919 + h * 104729) mod 101)` for client i at hour h, as a cycle of the 101
    /// values 50...150 that client i enters 7919 values in and walks 104,729 values an hour.
    public static let demand = DemandPattern.cycle(Array(50...150), step: 104_729, offsetPerMember: 7919)

    /// The model input for `clients` clients.
    public static func spec(clients: Int) -> FleetSpec {
        var spec = FleetSpec()
        spec.features = ["users"]
        spec.policy.reservedLeaseDuration = .hours(240)
        spec.policy.incrementalLeaseDuration = .hours(24)
        spec.policy.renewalInterval = .hours(4)
        spec.policy.minimumHold = .hours(24)
        spec.policy.releasePolicy = .onDrop
        spec.policy.initialLeases = .held
        // The reference client asks for more only when its hourly demand is evaluated, for every quantum it needs
        // at once (R-LEASE-1b `needed`), and holds its increments from the latest grant (R-LEASE-7 `latestGrant`).
        spec.policy.requestsAtRenewal = false
        spec.policy.quantaPerRequest = .needed
        spec.policy.holdPolicy = .latestGrant
        // The reference has no auto-leasing (R-AUTO): its servers never enable it.
        spec.policy.autoLease.enabled = false
        spec.servers = [ServerSpec(id: "ls", licenses: [
            License(sku: "BENCH", feature: 0, kind: .perpetual, count: installedPerClient * Int32(clients)),
        ])]
        spec.demandPatterns = [CanonicalFleet.demand]
        let allocation = Allocation(reserved: reservedPerClient, quantum: quantum, maximum: maximumPerClient)
        spec.clients = (0..<clients).map { index in
            ClientSpec(id: "c\(index)", server: 0, allocations: [
                ClientAllocationSpec(feature: 0, allocation: allocation, demand: DemandSpec(pattern: 0, member: Int64(index))),
            ])
        }
        return spec
    }

    /// What a run of the workload produced, in the reference's terms.
    public struct Outcome: Equatable, Sendable {
        /// Events as the reference counts them: demand, renewal timers, RENEW, REQUEST, GRANT, RELEASE, expiry checks.
        public var events: Int64
        /// Denied user-hours: unserved users integrated over time (exact here: demand changes on the hour).
        public var deniedUserHours: Int64
        /// Leased count of all clients at the end.
        public var finalLeased: Int64
        /// Every event the kernel processed, including the model's own (renewal replies, client lease checks).
        public var kernelEvents: Int64
    }

    /// Runs the workload for `days` days and returns its outcome.
    public static func run(clients: Int, days: Int64) throws(RunLimitExceeded) -> Outcome {
        let horizon = SimInstant.start + .days(days)
        let spec = spec(clients: clients)
        var world = FleetWorld(spec: spec, horizon: horizon)
        var tally = ExpiryTally(spec: spec, horizon: horizon)
        for cutoff in tally.cutoffs {
            try world.run(until: cutoff)
            tally.read(world.model.counters, before: cutoff)
        }
        try world.run(until: horizon)
        world.model.accountAll(upTo: horizon)
        // Read from the model itself: a figures snapshot would copy every slot and add to the peak memory measured.
        return outcome(counters: world.model.counters, expiryChecksDue: tally.due, slots: world.model.slotStates,
                       used: world.model.serverFeatureStates[0].used, kernelEvents: world.simulation.eventsProcessed)
    }

    /// Runs the workload through the scenario runner and its writers (timeline, events, summary) with `options`.
    public static func run(clients: Int, days: Int64, options: RunOptions) throws -> Outcome {
        let scenario = Scenario(file: "canonical-fleet", name: "canonical-fleet", spec: spec(clients: clients), duration: .days(days))
        // The runner reads after every event at an instant; the tally wants every event before its cutoff.
        final class Box { var tally: ExpiryTally; init(_ tally: ExpiryTally) { self.tally = tally } }
        let box = Box(ExpiryTally(spec: scenario.spec, horizon: scenario.horizon))
        var options = options
        options.probes = box.tally.cutoffs.map { $0 - .milliseconds(1) }
        options.probe = { instant, model in box.tally.read(model.counters, before: instant + .milliseconds(1)) }
        let report = try ScenarioRunner.run(scenario, options: options)
        return outcome(of: report.figures, expiryChecksDue: box.tally.due, kernelEvents: report.eventsProcessed)
    }

    /// The reference's expiry-check events: it schedules a check at every lease expiry it sets and counts those
    /// that come due before the horizon (a later renewal makes the earlier check moot, and it still runs). Every
    /// expiry here is the instant it was set plus the lease's duration, so the checks due are the expiries set
    /// before the horizon less that duration: the model's counts of expiries set, read at those two instants.
    public struct ExpiryTally {
        let reservedCutoff: SimInstant
        let incrementCutoff: SimInstant
        public private(set) var due: Int64 = 0

        public init(spec: FleetSpec, horizon: SimInstant) {
            reservedCutoff = horizon - spec.policy.reservedLeaseDuration
            incrementCutoff = horizon - spec.policy.incrementalLeaseDuration
        }

        /// The instants to read the counts at (before any event at them), in order; none before the run starts.
        public var cutoffs: [SimInstant] { [reservedCutoff, incrementCutoff].filter { $0 > .start }.sorted() }

        /// Reads the counts of expiries set before `cutoff`.
        public mutating func read(_ counters: ProtocolCounters, before cutoff: SimInstant) {
            if cutoff == reservedCutoff { due += counters.reservedExpiriesSet }
            if cutoff == incrementCutoff { due += counters.incrementExpiriesSet }
        }
    }

    /// The outcome of a finished run, from its figures and the tally of expiry checks due.
    public static func outcome(of figures: FleetFigures, expiryChecksDue: Int64, kernelEvents: Int64) -> Outcome {
        outcome(counters: figures.counters, expiryChecksDue: expiryChecksDue, slots: figures.slotStates,
                used: figures.serverFeatureStates[0].used, kernelEvents: kernelEvents)
    }

    /// The outcome from the run's counters and slots (accounted up to its end) and the server's used count.
    static func outcome<Slots: Collection>(counters: ProtocolCounters, expiryChecksDue: Int64, slots slotStates: Slots, used: Int32,
                                           kernelEvents: Int64) -> Outcome where Slots.Element == SlotState {
        let referenceEvents = counters.demandChanges + counters.renewalTimers + counters.renewals
            + counters.incrementRequests + counters.incrementReplies + counters.releases + expiryChecksDue
        let deniedUserMilliseconds = slotStates.reduce(Int64(0)) { $0 + $1.deniedUserMilliseconds }
        precondition(deniedUserMilliseconds % SimDuration.millisecondsPerHour == 0, "denied user-time not in whole hours")
        let finalLeased = slotStates.reduce(Int64(0)) { $0 + Int64($1.held) }
        precondition(finalLeased == Int64(used), "clients and server disagree")
        return Outcome(events: referenceEvents, deniedUserHours: deniedUserMilliseconds / SimDuration.millisecondsPerHour,
                       finalLeased: finalLeased, kernelEvents: kernelEvents)
    }
}
