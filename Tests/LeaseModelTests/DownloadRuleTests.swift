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
    // The next check: the first instant whose own interval has passed since the last one.
    #expect(DownloadSchedule.next(after: now, licenseEnds: [.never], graceEnds: nil) == now + .days(90))
    #expect(DownloadSchedule.next(after: now, licenseEnds: [now + .days(100)], graceEnds: nil) == now + .days(30))  // monthly from day 10
    #expect(DownloadSchedule.next(after: now, licenseEnds: [now + .days(20)], graceEnds: nil) == now + .days(7))    // weekly from day 6
    #expect(DownloadSchedule.next(after: now, licenseEnds: [now + .days(40)], graceEnds: nil) == now + .days(26))   // weekly from day 26
    #expect(DownloadSchedule.next(after: now, licenseEnds: [], graceEnds: now + .days(60)) == now + .days(53))       // daily from day 53
    #expect(DownloadSchedule.next(after: now, licenseEnds: [], graceEnds: now + .days(1)) == now + .days(1))         // the end itself
    #expect(DownloadSchedule.next(after: now, licenseEnds: [now - .days(1)], graceEnds: now) == now + .days(90))     // both past
}

/// The instants of whole days.
private func onDays(_ days: Int64...) -> [SimInstant] { days.map { SimInstant.start + .days($0) } }

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

/// R-DL-1, R-LIC-3: the check at 0 (the subscription ends on day 20, within 3 months) sets the next by the windows
/// ahead: monthly until day 6, weekly from then (it ends within 2 weeks), so the next check is on day 7, when the
/// weekly interval since the last has passed. It downloads the renewal (available from day 5), which takes over at
/// day 20 without a gap; day 14's check sees nothing ending soon after day 20 and sets the next 90 days after it (day
/// 104), which installs the other subscription (available from day 30).
@Test func rDl1DownloadsInstallWhatTheVendorHasOnTheSchedule() throws {
    var world = downloadWorld()
    _ = try world.slot(0, at: 24 * 25)
    #expect(world.model.serverFeatureStates[0].installed == 100)     // the renewal took over at day 20
    let checks = world.records(.downloadChecked)
    #expect(checks.map(\.time) == onDays(0, 7, 14))
    #expect(checks.map(\.expiry) == onDays(7, 14, 104))
    #expect(world.records(.licenseStarted).map(\.time) == [.start + .days(20)] && world.records(.licenseEnded).map(\.time) == [.start + .days(20)])
    _ = try world.slot(0, at: 24 * 104 + 0.01)
    let downloads = world.records(.licenseDownloaded)
    #expect(downloads.map(\.count) == [100, 50] && downloads.map(\.time) == onDays(7, 104).map { $0 + .milliseconds(200) })
    #expect(world.model.serverFeatureStates[0].installed == 150)
}

/// R-DL-1: a check the cloud cannot answer fails, and shows at the next one: the cloud is cut on days 13 to 15, so
/// day 14's check is lost; the next, 90 days later, reports it failed and downloads the other subscription.
@Test func rDl1ADownloadFailsWhileTheCloudIsCutOff() throws {
    var world = downloadWorld(cut: (from: 24 * 13, until: 24 * 15))
    _ = try world.slot(0, at: 24 * 105)
    #expect(world.records(.downloadChecked).map(\.time) == onDays(0, 7, 14, 104))
    #expect(world.records(.downloadFailed).map(\.time) == [.start + .days(104)])
    #expect(world.records(.licenseDownloaded).map(\.time).last == .start + .days(104) + .milliseconds(200))
    #expect(world.model.serverFeatureStates[0].installed == 150)
}

/// R-DL-1, R-LIC-3: a renewal downloaded before its subscription ends takes over at the end, without a gap: the
/// subscription ends on day 40, so the weekly window begins on day 26, a check is due then, and it downloads the
/// renewal.
@Test func rDl1ARenewalDownloadedInTimeTakesOverAtTheEnd() throws {
    var world = downloadWorld(ends: 40, more: false, days: 50)
    _ = try world.slot(0, at: 24 * 45)
    let downloaded: SimInstant = .start + .days(26) + .milliseconds(200)   // the cloud's 100 ms each way
    #expect(world.records(.licenseDownloaded).map(\.time) == [downloaded])
    #expect(world.records(.licenseStarted).map(\.time) == [.start + .days(40)])
    #expect(world.records(.licenseEnded).map(\.time) == [.start + .days(40)])
    #expect(world.model.serverFeatureStates[0].installed == 100)
}

/// R-DL-1 never reads the future: the schedule depends only on what is installed at each check. A perpetual license
/// is removed on day 20 and a subscription ending on day 40 is installed on day 10, both by actions: the check at 0
/// knows neither, and sets the next 90 days on. The install on day 10 changes what the server has: the next check
/// is set again from the last (monthly until day 26, weekly from then), and so falls on day 26, then 33 and 40 (the
/// end itself), then 90 days on.
@Test func rDl1TheScheduleKnowsOnlyWhatIsInstalledAtEachCheck() throws {
    var builder = WorldBuilder(installed: 100, policy: .withoutAutoLeasing)
    builder.spec.servers[0].autoDownload = true
    builder.spec.servers[0].licenses[0].removedAt = .start + .days(20)
    builder.spec.servers[0].licenses.append(License(sku: "S-1YR", feature: 0, kind: .subscription, count: 50, installedAt: .start + .days(10),
                                                    startsAt: .start - .days(1), endsAt: .start + .days(40)))
    builder.client("gw", ruc: 25, ilq: 25, muc: 100, steps: [(0, 10)])
    var world = builder.world(days: 140, records: true)
    _ = try world.slot(0, at: 24 * 9)
    #expect(world.records(.downloadChecked).map(\.expiry) == [.start + .days(90)])
    _ = try world.slot(0, at: 24 * 139)
    let checks = world.records(.downloadChecked)
    #expect(checks.map(\.time) == onDays(0, 26, 33, 40, 130))
}

/// R-DL-1, the daily window: the next check is set again whenever the state changes, so entering a grace period's
/// last week switches to daily checks instead of waiting out the 3 months set before. ls-b of a pair crashes on day
/// 10: ls-a's grace ends on day 30; its daily window begins on day 23, so it checks on days 23 to 30, then 90 days on.
@Test func rDl1EnteringTheLastWeekOfAGraceSwitchesToDailyChecks() throws {
    var builder = WorldBuilder(installed: 100, policy: .withoutAutoLeasing)
    builder.spec.servers[0].autoDownload = true
    builder.spec.servers.append(ServerSpec(id: "ls-b", licenses: [License(sku: "B", feature: 0, kind: .perpetual, count: 50)]))
    builder.spec.haPairs = [HAPairSpec(id: "ls-ha", nodes: [0, 1], mode: .activePassive)]
    builder.spec.faults = [FaultSpec(id: "b-down", effect: .crash, nodes: [.server(ServerID(index: 1))], at: .start + .days(10), until: .never)]
    builder.client("gw", ruc: 50, ilq: 25, muc: 100, steps: [(0, 10)])
    var world = builder.world(days: 125, records: true)
    _ = try world.slot(0, at: 24 * 124)
    let checks = world.records(.downloadChecked).filter { $0.server == 0 }.map(\.time)
    #expect(checks == [SimInstant.start] + (23...30).map { SimInstant.start + .days(Int64($0)) } + onDays(120))
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
