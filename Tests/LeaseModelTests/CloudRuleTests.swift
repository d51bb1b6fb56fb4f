import Testing
import LeaseKernel
@testable import LeaseModel

/// Virtual license servers and the vendor's cloud (R-VLS-1).

/// A VLS with 300 licenses and one client (RUC 50, ILQ 25, MUC 200, 150 users); its link to the cloud (100 ms
/// each way) is cut from `cut.from` to `cut.until` hours.
private func cloudWorld(cut: (from: Double, until: Double)?, days: Int64 = 40, policy: LeasePolicy = .withoutAutoLeasing) -> FleetWorld {
    var builder = WorldBuilder(installed: 300, policy: policy)
    builder.spec.servers[0].vls = true
    builder.client("gw", ruc: 50, ilq: 25, muc: 200, steps: [(0, 150)], latency: .milliseconds(10))
    if let cut {
        let links = [FaultSpec.LinkEnds(from: .server(ServerID(index: 0)), to: .cloud),
                     FaultSpec.LinkEnds(from: .cloud, to: .server(ServerID(index: 0)))]
        builder.spec.faults.append(FaultSpec(id: "cut", effect: .partition, links: links, at: instant(cut.from), until: instant(cut.until)))
    }
    return builder.world(days: days, records: true)
}

/// R-VLS-1: a heartbeat every 8 h; 24 days after the last acknowledged one licensing stops: requests and renewals
/// are refused with the reason, leases already granted run to their own expiry; the next acknowledged heartbeat
/// starts licensing again.
@Test func rVls1LicensingStops24DaysAfterTheLastAcknowledgedHeartbeat() throws {
    // Cut from 20 h: the heartbeat sent at 16 h was acknowledged at 16 h 0.2 s; the next ones (24 h, ...) are lost.
    var world = cloudWorld(cut: (from: 20, until: 24 * 30))
    let stop = SimInstant.start + .hours(16) + .milliseconds(200) + .days(24)
    _ = try world.slot(0, at: 16 + 24 * 24 - 0.01)
    #expect(world.model.cloudContact(of: ServerID(index: 0))?.licensingStopped == false)
    let stopped = try world.slot(0, at: 16 + 24 * 24 + 0.01)
    #expect(world.records(.licensingStopped).map(\.time) == [stop])
    let acknowledged: SimInstant = .start + .hours(16) + .milliseconds(200)
    #expect(world.model.cloudContact(of: ServerID(index: 0))?.lastHeartbeat == acknowledged)
    #expect(stopped.held == 150)
    // Heartbeats missed: each one due while the one before is unanswered (from 32 h on).
    let firstMissed: SimInstant = .start + .hours(32)
    #expect(world.records(.heartbeatMissed).first?.time == firstMissed)
    // The renewal at 24 d 20 h is refused; the increments lapse 24 h after the last renewal granted (24 d 16 h).
    let lapsed = try world.slot(0, at: 24 * 25 + 16.5)
    #expect(lapsed.held == 50 && lapsed.reservedHeld == 50)
    let refusals = world.records(.refusal).filter { $0.reason == .licensingStopped }
    #expect(!refusals.isEmpty && refusals.allSatisfy { $0.rule.description == "R-VLS-1" })
    // The cut ends at day 30 00:00; the heartbeat then (due at 00:00) is acknowledged 0.2 s later.
    _ = try world.slot(0, at: 24 * 30 + 0.01)
    let resumed: SimInstant = .start + .days(30) + .milliseconds(200)
    #expect(world.records(.licensingResumed).map(\.time) == [resumed])
    #expect(try world.slot(0, at: 24 * 30 + 4.5).held == 150)   // the next renewal, and the increments asked at it
}

/// R-VLS-1: the `cloud` column: in touch from the start; out of touch from the first missed heartbeat (32 h, the one
/// sent at 24 h unanswered) to the first acknowledged one after the cut (day 30 + 0.2 s).
@Test func rVls1TheCloudColumnFollowsAnsweredHeartbeats() throws {
    var world = cloudWorld(cut: (from: 20, until: 24 * 30))
    _ = try world.slot(0, at: 31.99)
    #expect(world.model.serverFeatureStates[0].cloudContact)
    _ = try world.slot(0, at: 32)
    #expect(!world.model.serverFeatureStates[0].cloudContact)
    _ = try world.slot(0, at: 24 * 30 + 0.01)
    #expect(world.model.serverFeatureStates[0].cloudContact)
    let rows = world.model.records.states.filter { $0.entity == .server && $0.levels.cloud == 0 }
    #expect(rows.first?.time == instant(32))
}

/// R-VLS-1: a server in touch with the cloud never stops, and a server that is not a VLS sends no heartbeat.
@Test func rVls1AServerInTouchWithTheCloudKeepsLicensing() throws {
    var world = cloudWorld(cut: nil)
    _ = try world.slot(0, at: 24 * 39)
    #expect(world.records(.licensingStopped).isEmpty && world.records(.heartbeatMissed).isEmpty)
    let latest: SimInstant = .start + .hours(24 * 39 - 8) + .milliseconds(200)
    #expect(world.model.cloudContact(of: ServerID(index: 0))?.lastHeartbeat == latest)
    var plain = WorldBuilder(installed: 300)
    plain.client("gw", ruc: 50, ilq: 25, muc: 200, steps: [(0, 150)])
    var plainWorld = plain.world(records: true)
    _ = try plainWorld.slot(0, at: 24)
    #expect(plainWorld.model.servers[ServerID(index: 0)].cloud == nil)
}

/// R-VLS-2: two live servers with one authorization code are flagged by the cloud, each once, when both are heard
/// within a heartbeat interval; a server down sends nothing and is not live.
@Test func rVls2TheCloudFlagsTwoLiveServersWithOneAuthorizationCode() throws {
    var builder = WorldBuilder(installed: 300, policy: .withoutAutoLeasing)
    builder.spec.servers.append(ServerSpec(id: "ls-2", licenses: builder.spec.servers[0].licenses))
    for index in 0..<2 {
        builder.spec.servers[index].vls = true
        builder.spec.servers[index].authorizationCode = "AUTH-1"
    }
    builder.client("gw", ruc: 50, ilq: 25, muc: 200, steps: [(0, 100)])
    builder.crash(client: nil, from: 0, until: 48)   // ls is down for two days
    var world = builder.world(days: 4, records: true)
    _ = try world.slot(0, at: 47)
    #expect(world.records(.duplicateAuthorization).isEmpty)
    _ = try world.slot(0, at: 49)
    // Back at 48 h: ls's heartbeat (48 h) finds ls-2 heard at 40 h, within 8 h; ls-2's then finds ls.
    let flagged = world.records(.duplicateAuthorization)
    let at: SimInstant = .start + .hours(48) + .milliseconds(100)
    #expect(flagged.map(\.server) == [0, 1] && flagged.allSatisfy { $0.time == at && $0.rule.description == "R-VLS-2" })
    _ = try world.slot(0, at: 90)
    #expect(world.records(.duplicateAuthorization).count == 2)   // flagged when it begins, not at every heartbeat
}

/// R-VLS-3: a VLS restored from a backup without its licenses re-installed leases for 90 days from the restore;
/// re-installing them lifts the limit.
@Test func rVls3ARestoredServerLeasesNinetyDaysUnlessItsLicensesAreReinstalled() throws {
    var builder = WorldBuilder(installed: 300, policy: .withoutAutoLeasing)
    builder.spec.servers[0].vls = true
    builder.spec.servers[0].restoredAt = .start - .days(85)
    builder.client("gw", ruc: 50, ilq: 25, muc: 200, steps: [(0, 150)])
    builder.spec.actions = [ActionSpec(at: .start + .days(8), change: .reinstallLicenses(server: 0))]
    var world = builder.world(days: 10, records: true)
    _ = try world.slot(0, at: 24 * 5 - 0.01)
    #expect(world.model.serverFeatureStates[0].licensing)
    _ = try world.slot(0, at: 24 * 5)
    #expect(!world.model.serverFeatureStates[0].licensing)
    #expect(world.records(.restoreGraceEnded).map(\.time) == [.start + .days(5)])
    // Renewals are refused (R-VLS-3); increments lapse 24 h after the last renewal granted (day 4 20:00).
    #expect(try world.slot(0, at: 24 * 5 + 21).held == 50)
    #expect(world.records(.refusal).contains { $0.reason == .restoreGraceEnded && $0.rule.description == "R-VLS-3" })
    _ = try world.slot(0, at: 24 * 8)
    #expect(world.model.serverFeatureStates[0].licensing && world.records(.licensesReinstalled).count == 1)
    #expect(try world.slot(0, at: 24 * 8 + 4.5).held == 150)
}

/// R-AUTO-2 with R-VLS-1: a VLS whose licensing has stopped does not tell its clients that auto-leasing is enabled.
/// The cloud is cut from 20 h; licensing stops 24 days after the heartbeat acknowledged at 16 h. The refusal of the
/// next renewal (at 24 d 20 h) says "disabled", so when the client is then cut off itself (from 25 d) and its users
/// rise from 150 to 175, its request times out and it auto-leases nothing: the 25 new logins are denied.
@Test func rVls1AStoppedServerDoesNotEnableAutoLeasing() throws {
    var builder = WorldBuilder(installed: 300)
    builder.spec.servers[0].vls = true
    builder.client("gw", ruc: 50, ilq: 25, muc: 200, steps: [(0, 150), (24 * 25 + 2, 175)], latency: .milliseconds(10))
    let links = [FaultSpec.LinkEnds(from: .server(ServerID(index: 0)), to: .cloud), FaultSpec.LinkEnds(from: .cloud, to: .server(ServerID(index: 0)))]
    builder.spec.faults.append(FaultSpec(id: "cut", effect: .partition, links: links, at: instant(20), until: instant(24 * 35)))
    builder.fault(.partition, client: 0, from: 24 * 25, until: 24 * 30)
    var world = builder.world(days: 27, records: true)
    let stopped = try world.slot(0, at: 24 * 24 + 21)
    #expect(world.records(.licensingStopped).count == 1 && !stopped.autoLeaseHeard)
    #expect(world.model.serverFeatureStates[0].autoLeaseAllowed && !world.model.serverFeatureStates[0].autoLeasing)
    let cut = try world.slot(0, at: 24 * 25 + 2.1)
    #expect(cut.autoLeased == 0 && cut.deniedLogins == 25 && world.records(.autoIncrement).isEmpty)
}

/// R-LIC-8 for a VLS: it needs a license-server license too, and stops serving when it ends. The VLS's license covers
/// it until day 2; its cloud is cut from day 1 for 30 days. From day 2 it refuses gw's renewals for want of the
/// license (named before the cloud's silence); when the cloud is back, it still serves nothing.
@Test func rLic8AVirtualLicenseServerStopsWhenItsLicenseServerLicenseEnds() throws {
    var builder = WorldBuilder(installed: 300, policy: .withoutAutoLeasing)
    builder.spec.servers[0].vls = true
    builder.spec.servers[0].serves = [SimInstant.start..<(.start + .days(2))]
    builder.client("gw", ruc: 50, ilq: 25, muc: 200, steps: [(0, 150)], latency: .milliseconds(10))
    let links = [FaultSpec.LinkEnds(from: .server(ServerID(index: 0)), to: .cloud), FaultSpec.LinkEnds(from: .cloud, to: .server(ServerID(index: 0)))]
    builder.spec.faults.append(FaultSpec(id: "cut", effect: .partition, links: links, at: instant(24), until: instant(24 * 31)))
    var world = builder.world(days: 33, records: true)
    _ = try world.slot(0, at: 48.01)
    #expect(world.records(.serverLicenseEnded).map(\.time) == [.start + .days(2)] && !world.model.serverFeatureStates[0].licensing)
    _ = try world.slot(0, at: 24 * 32)
    let refusals = world.records(.refusal)
    #expect(!refusals.isEmpty && refusals.allSatisfy { $0.reason == .noServerLicense && $0.time > .start + .days(2) })
    #expect(world.records(.licensingStopped).count == 1 && world.records(.licensingResumed).count == 1)
    #expect(world.model.servers[ServerID(index: 0)].stop == .noServerLicense && world.model.slotStates[0].held == 0)
}
