import Testing
import LeaseKernel
@testable import LeaseModel

/// R-ALLOC-1: an allocation is RUC, ILQ, MUC (and an optional expiry); counts are never negative.
@Test func rAlloc1CountsAreNotNegative() {
    #expect(Allocation(reserved: -1, quantum: 25, maximum: 100).violation?.rule == "R-ALLOC-1")
    #expect(Allocation(reserved: 0, quantum: 25, maximum: 100).violation == nil)
}

/// R-ALLOC-2: MUC >= RUC.
@Test func rAlloc2MaximumBelowReservedIsRejected() {
    let violation = Allocation(reserved: 50, quantum: 25, maximum: 40).violation
    #expect(violation?.rule == "R-ALLOC-2")
    #expect(violation?.field == .muc)
    #expect(violation?.expected == "a count >= ruc (50)")
}

@Test(arguments: [
    // (ruc, ilq, muc, expected rule or nil)
    (50, 25, 150, nil),          // spread 100: ILQ >= 25 and >= 10
    (50, 10, 150, "R-ALLOC-3"),  // below 25
    (100, 25, 400, "R-ALLOC-3"), // spread 300 needs ILQ >= 30
    (100, 30, 400, nil),
    (0, 2, 20, nil),             // spread 20 < 25: only ceil(10% of 20) = 2 applies
    (0, 1, 20, "R-ALLOC-3"),
    (10, 1, 10, nil),            // no spread at all
] as [(Int32, Int32, Int32, String?)])
/// R-ALLOC-3: ILQ >= 25 unless MUC - RUC < 25, and ILQ >= ceil(10% of (MUC - RUC)).
func rAlloc3QuantumFloor(ruc: Int32, ilq: Int32, muc: Int32, rule: String?) {
    #expect(Allocation(reserved: ruc, quantum: ilq, maximum: muc).violation?.rule == rule)
}

@Test func rAlloc3MessageNamesTheFloor() {
    #expect(Allocation(reserved: 100, quantum: 25, maximum: 400).violation?.expected == "a quantum >= 30 for muc - ruc = 300")
}

/// R-LEASE-1: whole quanta, never above MUC, no partial quantum.
@Test func rLease1RequestsWholeQuantaNeverAboveMUC() {
    let allocation = Allocation(reserved: 50, quantum: 25, maximum: 150)
    #expect(allocation.incrementWanted(users: 51, leased: 50) == 25)
    #expect(allocation.incrementWanted(users: 130, leased: 50) == 100)
    #expect(allocation.incrementWanted(users: 400, leased: 50) == 100)  // capped at MUC
    #expect(allocation.incrementWanted(users: 50, leased: 50) == 0)
    // 140 + 25 would pass MUC 150: no partial quantum.
    #expect(Allocation(reserved: 40, quantum: 25, maximum: 150).incrementWanted(users: 160, leased: 140) == 0)
    // Room for 60 more holds two whole quanta (the R-LEASE-2 grant uses the same rounding).
    #expect(Allocation(reserved: 40, quantum: 25, maximum: 150).incrementWanted(users: 200, leased: 90) == 50)
    #expect(Allocation.wholeQuanta(60, 25) == 50)
    #expect(Allocation.wholeQuanta(24, 25) == 0)
    #expect(Allocation.wholeQuanta(-10, 25) == 0)
}

/// R-LEASE-9: RUC plus whole quanta above it is what users need.
@Test func rLease9KeepsReservedPlusWholeQuantaForTheUsers() {
    let allocation = Allocation(reserved: 40, quantum: 25, maximum: 190)
    #expect(allocation.countNeeded(users: 10) == 40)
    #expect(allocation.countNeeded(users: 41) == 65)
    #expect(allocation.countNeeded(users: 90) == 90)
    #expect(allocation.countNeeded(users: 91) == 115)
}

/// R-LEASE-4: the renewal interval lies in 1 h ... ILD/2.
@Test func rLease4RenewalIntervalRange() {
    var policy = LeasePolicy()
    #expect(policy.renewalIntervalViolation == nil) // 240 min within 1 h ... 720 min
    policy.renewalInterval = .minutes(59)
    #expect(policy.renewalIntervalViolation != nil)
    policy.renewalInterval = .hours(12)
    #expect(policy.renewalIntervalViolation == nil)
    policy.renewalInterval = .hours(12) + .milliseconds(1)
    #expect(policy.renewalIntervalViolation == "a renewal interval between 1h and incrementalLeaseDuration/2 (12h) (R-LEASE-4)")
}

/// R-LEASE-3, R-LEASE-4, R-LEASE-7: the vendor's defaults.
@Test func rLease3DefaultDurationsAreTheVendors() {
    let policy = LeasePolicy()
    #expect(policy.reservedLeaseDuration == .minutes(14_400))
    #expect(policy.incrementalLeaseDuration == .minutes(1_440))
    #expect(policy.renewalInterval == .minutes(240))
    #expect(policy.minimumHold == .hours(24))
    #expect(policy.releasePolicy == .atRenewal)
}

/// R-ALLOC-3: ILQ 0 is valid only when MUC = RUC (the guide's cores allocation 200/0/200); such a lease never grows.
@Test func rAlloc3QuantumZeroOnlyWhenMaximumEqualsReserved() throws {
    #expect(Allocation(reserved: 200, quantum: 0, maximum: 200).violation == nil)
    #expect(Allocation(reserved: 200, quantum: 0, maximum: 250).violation?.rule == "R-ALLOC-3")
    #expect(Allocation.wholeQuanta(100, 0) == 0)
    #expect(Allocation(reserved: 200, quantum: 0, maximum: 200).largestLease == 200)
    var builder = WorldBuilder(installed: 400, features: ["cores"])
    builder.client("node", ruc: 200, ilq: 0, muc: 200, steps: [(0, 300)])
    var world = builder.world()
    let state = try world.slot(0, at: 5)
    #expect(state.held == 200)
    #expect(state.deniedLogins == 100)
    #expect(world.model.counters.incrementRequests == 0)
}

/// R-LEASE-10: the largest lease is RUC plus the whole ILQ that fit under MUC.
@Test func rLease10LargestLeaseIsReservedPlusWholeQuanta() {
    #expect(Allocation(reserved: 40, quantum: 30, maximum: 140).largestLease == 130)
    #expect(Allocation(reserved: 50, quantum: 25, maximum: 150).largestLease == 150)
}
