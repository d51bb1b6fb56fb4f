import Testing
import LeaseKernel
@testable import LeaseModel

let day = SimDuration.days(1)

/// R-LIC-1: counts of a feature stack; features do not.
@Test func rLic1CountsOfOneFeatureStackAndFeaturesStaySeparate() {
    let licenses = [
        License(sku: "P-100", feature: 0, kind: .perpetual, count: 100),
        License(sku: "S-200", feature: 0, kind: .subscription, count: 200, startsAt: .start - day, endsAt: .start + day * 30),
        License(sku: "RDP-50", feature: 1, kind: .perpetual, count: 50),
    ]
    let capacity = LicenseSchedule.capacity(server: 0, licenses: licenses, featureCount: 2)
    #expect(capacity.initial == [300, 50])
    #expect(capacity.changes.count == 1)
    #expect(capacity.changes.first?.at == .start + day * 30)
    #expect(capacity.changes.first?.delta == -200)
    #expect(capacity.changes.first?.kind.rule.description == "R-LIC-2")
}

/// R-LIC-2: a subscription counts from 00:00 of its start date to 24:00 of its end date.
@Test func rLic2FutureStartIsInactiveUntilItsDay() {
    let license = License(sku: "S", feature: 0, kind: .subscription, count: 40, startsAt: .start + day * 3, endsAt: .start + day * 10)
    let capacity = LicenseSchedule.capacity(server: 0, licenses: [license], featureCount: 1)
    #expect(capacity.initial == [0])
    #expect(capacity.changes.map(\.at) == [.start + day * 3, .start + day * 10])
    #expect(capacity.changes.map(\.delta) == [40, -40])
}

/// R-LIC-3: a renewal activates when its subscription (or an earlier renewal) expires.
@Test func rLic3RenewalTakesOverWhenItsSubscriptionEnds() {
    let licenses = [
        License(sku: "ACCESS-200U-1YR", feature: 0, kind: .subscription, count: 200, startsAt: .start - day * 300, endsAt: .start + day * 5),
        // Installed early, starts counting only when the subscription ends.
        License(sku: "ACCESS-200U-1YR-R", feature: 0, kind: .renewal, count: 200, startsAt: .start - day * 10, endsAt: .start + day * 370),
        // A second renewal chains onto the first.
        License(sku: "ACCESS-200U-1YR-R", feature: 0, kind: .renewal, count: 200, startsAt: .start, endsAt: .start + day * 735),
        // A renewal with nothing to renew never counts.
        License(sku: "OTHER-R", feature: 0, kind: .renewal, count: 999, startsAt: .start, endsAt: .start + day * 50),
    ]
    let intervals = LicenseSchedule.activeIntervals(of: licenses)
    #expect(intervals[0] == .start..<(.start + day * 5))
    #expect(intervals[1] == (.start + day * 5)..<(.start + day * 370))
    #expect(intervals[2] == (.start + day * 370)..<(.start + day * 735))
    #expect(intervals[3] == nil)
}

/// R-LIC-3: a long renewal chain (1 subscription, 20,000 renewals) pairs each renewal with the one before it, in
/// time linear in the licenses (a quadratic pairing took minutes here).
@Test func rLic3LongRenewalChainsPairInOrder() {
    var licenses = [License(sku: "S", feature: 0, kind: .subscription, count: 10, startsAt: .start, endsAt: .start + day)]
    for year in 1...20_000 as ClosedRange<Int64> {
        licenses.append(License(sku: "S-R", feature: 0, kind: .renewal, count: 10, startsAt: .start, endsAt: .start + day * (year + 1)))
    }
    let intervals = LicenseSchedule.activeIntervals(of: licenses)
    #expect(intervals[1] == (.start + day)..<(.start + day * 2))
    #expect(intervals[20_000] == (.start + day * 20_000)..<(.start + day * 20_001))
    #expect(intervals.allSatisfy { $0 != nil })
    // A subscription whose own SKU ends in -R is renewed by a renewal of that SKU.
    let odd = LicenseSchedule.activeIntervals(of: [
        License(sku: "X-R", feature: 0, kind: .subscription, count: 5, startsAt: .start, endsAt: .start + day),
        License(sku: "X-R", feature: 0, kind: .renewal, count: 5, startsAt: .start, endsAt: .start + day * 3),
    ])
    #expect(odd[1] == (.start + day)..<(.start + day * 3))
}
