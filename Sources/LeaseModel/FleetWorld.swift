import LeaseKernel

/// One simulated world: the kernel's simulation and the fleet model it drives (not copyable, as the simulation).
public struct FleetWorld: ~Copyable {
    public var simulation: Simulation<FleetEvent>
    public var model: FleetModel

    /// Builds the world and schedules its first events.
    /// - Parameter records: which records the model keeps from the first event on.
    public init(spec: FleetSpec, horizon: SimInstant, limits: RunLimits = RunLimits(), records: ModelLog = ModelLog()) {
        var simulation = Simulation<FleetEvent>(limits: limits)
        var model = FleetModel(spec: spec, horizon: horizon, simulation: &simulation)
        model.records = records
        model.start(&simulation)
        self.simulation = simulation
        self.model = model
    }

    /// Runs every event due before `end` (and at `end` too when `includingEnd`).
    public mutating func run(until end: SimInstant, includingEnd: Bool = false) throws(RunLimitExceeded) {
        try simulation.run(until: end, includingEnd: includingEnd, handler: &model)
    }
}
