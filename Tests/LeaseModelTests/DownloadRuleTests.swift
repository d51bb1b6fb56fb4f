import Testing
import LeaseKernel
@testable import LeaseModel

/// The automatic license download schedule (R-DL-1).

/// R-DL-1: every 3 months when nothing expires soon; monthly within 3 months of a license's end; weekly within 2
/// weeks; daily within a week of a grace period's end (a month is 30 days).
@Test func rDl1TheScheduleFollowsTheNearestEnd() {
    let now = SimInstant.start + .days(10)
    #expect(DownloadSchedule.interval(now: now, licenseEnds: [.never], graceEnds: nil) == .days(90))
    #expect(DownloadSchedule.interval(now: now, licenseEnds: [now + .days(91)], graceEnds: nil) == .days(90))
    #expect(DownloadSchedule.interval(now: now, licenseEnds: [now + .days(90)], graceEnds: nil) == .days(30))
    #expect(DownloadSchedule.interval(now: now, licenseEnds: [now + .days(15), now + .days(200)], graceEnds: nil) == .days(30))
    #expect(DownloadSchedule.interval(now: now, licenseEnds: [now + .days(14)], graceEnds: nil) == .days(7))
    #expect(DownloadSchedule.interval(now: now, licenseEnds: [now - .days(1)], graceEnds: now + .days(7)) == .days(1))
    #expect(DownloadSchedule.interval(now: now, licenseEnds: [], graceEnds: now + .days(8)) == .days(90))
}

/// A server with a subscription of 100 ending on day `ends` and, at the vendor, its renewal from day 5 and (with
/// `more`) another subscription of 50 from day 30; one client.
private func downloadWorld(ends: Int64 = 20, more: Bool = true, cut: (from: Double, until: Double)? = nil,
                           days: Int64 = 130) -> FleetWorld {
    var builder = WorldBuilder(installed: 0, policy: .withoutAutoLeasing)
    builder.spec.servers[0].licenses = [License(sku: "S-1YR", feature: 0, kind: .subscription, count: 100, startsAt: .start - day,
                                                endsAt: .start + .days(ends))]
    builder.spec.servers[0].autoDownload = true
    builder.spec.servers[0].vendorLicenses = [
        VendorLicense(license: License(sku: "S-1YR-R", feature: 0, kind: .renewal, count: 100, startsAt: .start + .days(ends),
                                       endsAt: .start + .days(400)), availableAt: .start + .days(5)),
    ]
    if more {
        builder.spec.servers[0].vendorLicenses.append(
            VendorLicense(license: License(sku: "ADD-50", feature: 0, kind: .subscription, count: 50, startsAt: .start,
                                           endsAt: .start + .days(400)), availableAt: .start + .days(30)))
    }
    builder.client("gw", ruc: 25, ilq: 25, muc: 100, steps: [(0, 50)], latency: .milliseconds(10))
    if let cut {
        let links = [FaultSpec.LinkEnds(from: .server(ServerID(index: 0)), to: .cloud),
                     FaultSpec.LinkEnds(from: .cloud, to: .server(ServerID(index: 0)))]
        builder.spec.faults.append(FaultSpec(id: "cut", effect: .partition, links: links, at: instant(cut.from), until: instant(cut.until)))
    }
    return builder.world(days: days, records: true)
}

/// R-DL-1, R-LIC-3: checks at 0 (the subscription ends within 3 months: next in 30 days), at day 30 (nothing
/// ends soon: next in 90); the renewal, downloaded at day 30 after its subscription ended at day 20, counts from
/// the download; the other subscription too.
@Test func rDl1DownloadsInstallWhatTheVendorHasOnTheSchedule() throws {
    var world = downloadWorld()
    _ = try world.slot(0, at: 24 * 25)
    #expect(world.model.serverFeatureStates[0].installed == 0)       // ended at day 20; nothing downloaded yet
    _ = try world.slot(0, at: 24 * 30 + 0.01)
    let checks = world.records(.downloadChecked)
    #expect(checks.map(\.time) == [.start, .start + .days(30)])
    #expect(checks.map(\.expiry) == [.start + .days(30), .start + .days(120)])
    let downloads = world.records(.licenseDownloaded)
    let at: SimInstant = .start + .days(30) + .milliseconds(200)
    #expect(downloads.map(\.count) == [100, 50] && downloads.allSatisfy { $0.time == at })
    #expect(world.model.serverFeatureStates[0].installed == 150)
}

/// R-DL-1: a check the cloud cannot answer fails, and shows at the next one, which the schedule sets by what
/// expires: nothing does after day 20, so it is 90 days later.
@Test func rDl1ADownloadFailsWhileTheCloudIsCutOff() throws {
    var world = downloadWorld(cut: (from: 24 * 29, until: 24 * 31))
    _ = try world.slot(0, at: 24 * 121)
    #expect(world.records(.downloadChecked).map(\.time) == [.start, .start + .days(30), .start + .days(120)])
    #expect(world.records(.downloadFailed).map(\.time) == [.start + .days(120)])
    let downloaded: SimInstant = .start + .days(120) + .milliseconds(200)
    #expect(world.records(.licenseDownloaded).first?.time == downloaded)
    #expect(world.model.serverFeatureStates[0].installed == 150)
}

/// R-DL-1, R-LIC-3: a renewal downloaded before its subscription ends takes over at the end, without a gap.
@Test func rDl1ARenewalDownloadedInTimeTakesOverAtTheEnd() throws {
    var world = downloadWorld(ends: 40, more: false, days: 50)
    _ = try world.slot(0, at: 24 * 45)
    let downloaded: SimInstant = .start + .days(30) + .milliseconds(200)   // the cloud's 100 ms each way
    #expect(world.records(.licenseDownloaded).map(\.time) == [downloaded])
    #expect(world.records(.licenseStarted).map(\.time) == [.start + .days(40)])
    #expect(world.records(.licenseEnded).map(\.time) == [.start + .days(40)])
    #expect(world.model.serverFeatureStates[0].installed == 100)
}

/// R-DL-1, R-HA-2: an HA pair's grace counts as a grace period: ls-b crashes at the start, so ls-a runs on a 5-day
/// grace, and checks daily until it ends (day 5), then every 3 months.
@Test func rDl1APairsGraceMakesTheChecksDaily() throws {
    var builder = WorldBuilder(installed: 100, policy: .withoutAutoLeasing)
    builder.spec.policy.ha.grace = .days(5)
    builder.spec.servers[0].autoDownload = true
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: [License(sku: "B", feature: 0, kind: .perpetual, count: 50)]))
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activePassive)]
    builder.spec.faults = [FaultSpec(id: "b-down", effect: .crash, nodes: [.server(ServerID(index: 1))], at: .start, until: .never)]
    builder.client("gw", ruc: 50, ilq: 25, muc: 100, steps: [(0, 10)])
    var world = builder.world(days: 20, records: true)
    _ = try world.slot(0, at: 24 * 19)
    let checks = world.records(.downloadChecked).filter { $0.server == 0 }.map(\.expiry)
    let expected: [SimInstant] = [1, 2, 3, 4, 5, 95].map { SimInstant.start + .days($0) }
    #expect(checks == expected)
}
