import LeaseKernel

/// The kind of an installed license (R-LIC-1).
public enum LicenseKind: String, Sendable, CaseIterable {
    case perpetual, subscription, renewal
    /// R-LIC-4: valid for its period (8 weeks) from installation.
    case evaluation
    /// R-LIC-5: an emergency license, dormant until activated; its period (8 weeks) is used only while it is on.
    case ice

    /// The rule that decides when a license of this kind counts.
    public var rule: StaticString {
        switch self {
        case .perpetual: return "R-LIC-1"
        case .subscription: return "R-LIC-2"
        case .renewal: return "R-LIC-3"
        case .evaluation: return "R-LIC-4"
        case .ice: return "R-LIC-5"
        }
    }

    /// Whether a license of this kind has a start and an end date (R-LIC-2, R-LIC-3).
    public var isDated: Bool { self == .subscription || self == .renewal }
}

/// One installed license: a count of one feature, valid over an interval.
public struct License: Sendable, Equatable {
    public var sku: String
    public var feature: Int
    public var kind: LicenseKind
    public var count: Int32
    /// When the license is installed on the server (instant zero unless installed mid-run).
    public var installedAt: SimInstant
    /// R-LIC-2: 00:00 of the start date (subscriptions and renewals), as an instant.
    public var startsAt: SimInstant
    /// R-LIC-2: 24:00 of the end date, as an instant; `.never` for perpetual licenses.
    public var endsAt: SimInstant
    /// When the license is removed from the server (`.never` unless removed during the run).
    public var removedAt: SimInstant = .never
    /// R-LIC-4, R-LIC-5: how long an evaluation license lasts from installation, or an ICE license while it is on.
    public var period: SimDuration = License.defaultPeriod
    /// R-LIC-5: an ICE license's activations, in time order, each until it was switched off (`.never`: not switched off).
    public var activations: [Range<SimInstant>] = []
    /// R-LIC-6: the platform family the license is bound to (an index into `FleetSpec.platforms`), or nil: any client.
    public var platform: Int? = nil

    /// R-LIC-4, R-LIC-5: 8 weeks.
    public static let defaultPeriod = SimDuration.weeks(8)
    /// R-LIC-5: an ICE license's period is used up in steps of this.
    public static let iceStep = SimDuration.minutes(5)

    public init(sku: String, feature: Int, kind: LicenseKind, count: Int32, installedAt: SimInstant = .start,
                startsAt: SimInstant = .start, endsAt: SimInstant = .never) {
        self.sku = sku
        self.feature = feature
        self.kind = kind
        self.count = count
        self.installedAt = installedAt
        self.startsAt = startsAt
        self.endsAt = endsAt
    }

    /// The SKU a renewal license renews: `X-R` renews `X` (R-LIC-3).
    public var renewedSKU: String? {
        guard kind == .renewal, sku.hasSuffix("-R") else { return nil }
        return String(sku.dropLast(2))
    }
}

/// A change of one server's installed count of one feature at an instant.
public struct CapacityChange: Sendable, Equatable {
    public var at: SimInstant
    public var server: Int
    public var feature: Int
    public var delta: Int32
    /// The license that changed; its index in the server's license list.
    public var license: Int
    public var kind: LicenseKind
    /// R-HA-3: whether an administrator's act at the server makes the change (the license installed or removed, an
    /// ICE license switched on or off), rather than its calendar (a start or end date, a renewal taking over, an
    /// evaluation or ICE period used up). During a split only the node where it is done sees an administrative change.
    public var administrative = true
    /// R-HA-3: from when a node holding the license knows it (its installation, or an ICE activation's start): the
    /// other node of a split pair follows its calendar only if it knew it before the split.
    public var knownFrom = SimInstant.start

    public init(at: SimInstant, server: Int, feature: Int, delta: Int32, license: Int, kind: LicenseKind,
                administrative: Bool = true, knownFrom: SimInstant = .start) {
        self.at = at
        self.server = server
        self.feature = feature
        self.delta = delta
        self.license = license
        self.kind = kind
        self.administrative = administrative
        self.knownFrom = knownFrom
    }

    /// The event the change is: a license starts counting, ends, or is removed now.
    func eventKind(_ license: License, _ now: SimInstant) -> ProtocolEventKind {
        delta > 0 ? .licenseStarted : license.removedAt == now ? .licenseRemoved : .licenseEnded
    }
}

/// Turns a server's licenses into the instants its installed counts change.
public enum LicenseSchedule {
    /// R-LIC-5: when an ICE license counts: each activation while its period lasts, the period used up in whole
    /// 5-minute steps (an activation of 7 minutes uses 10); at zero the license is gone. Ends at its removal.
    public static func iceIntervals(of license: License) -> [Range<SimInstant>] {
        var left = license.period, intervals: [Range<SimInstant>] = []
        for activation in license.activations where left > .zero && activation.lowerBound < license.removedAt {
            let until = min(activation.upperBound, activation.lowerBound + left, license.removedAt)
            let on = until - activation.lowerBound
            let steps = (on.milliseconds + License.iceStep.milliseconds - 1) / License.iceStep.milliseconds
            left = max(.zero, left - License.iceStep * steps)
            if on > .zero { intervals.append(activation.lowerBound..<until) }
        }
        return intervals
    }

    /// When each license counts: R-LIC-1 stacking, R-LIC-2 dates, R-LIC-3 renewal chains, R-LIC-4 evaluation periods;
    /// every license ends when it is removed. (ICE licenses: `iceIntervals`; here they count never.)
    ///
    /// Counts of one feature add up whatever the license kind (stacking is per
    /// feature). A renewal `X-R` pairs with the earliest-ending unpaired license
    /// of SKU `X` (or an earlier renewal of it) that ends before the renewal does,
    /// and counts from that license's end, or its own start if later, to its own end.
    /// Complexity: O(n log n) in the number of licenses.
    /// - Returns: one active interval per license, `nil` for a license that never counts.
    public static func activeIntervals(of licenses: [License]) -> [Range<SimInstant>?] {
        var intervals: [Range<SimInstant>?] = licenses.map { license in
            guard license.kind != .renewal && license.kind != .ice else { return nil }
            let from = max(license.installedAt, license.startsAt)
            var until = min(license.endsAt, license.removedAt)
            if license.kind == .evaluation { until = min(until, license.installedAt + license.period) } // R-LIC-4
            return from < until ? from..<until : nil
        }
        // Every license may be renewed by a renewal of its own SKU plus "-R" (a renewal's SKU also matches its own):
        // candidates by (feature, renewed SKU), in order of their end, then their order in the file.
        let byEnd = licenses.indices.sorted { (licenses[$0].endsAt, $0) < (licenses[$1].endsAt, $1) }
        var candidates: [ChainKey: [Int]] = [:] // Lookups only.
        for index in byEnd {
            let license = licenses[index]
            candidates[ChainKey(feature: license.feature, sku: license.sku), default: []].append(index)
            if license.sku.hasSuffix("-R") {
                candidates[ChainKey(feature: license.feature, sku: String(license.sku.dropLast(2))), default: []].append(index)
            }
        }
        var next: [ChainKey: Int] = [:] // The first candidate of each key not yet looked past.
        var paired = [Bool](repeating: false, count: licenses.count)
        // R-LIC-3: chain renewals in order of their end date, then their order in the file.
        for renewal in byEnd where licenses[renewal].kind == .renewal {
            let license = licenses[renewal]
            guard let base = license.renewedSKU else { continue }
            let key = ChainKey(feature: license.feature, sku: base)
            guard let list = candidates[key] else { continue }
            // Candidates end in order, and renewals come in order of their end, so the earliest unpaired one that
            // ends before this renewal is found by moving forward; skipped ones are paired or never count.
            var position = next[key, default: 0]
            while position < list.count {
                let candidate = list[position]
                guard licenses[candidate].endsAt < license.endsAt else { break }
                if !paired[candidate] && (licenses[candidate].kind != .renewal || intervals[candidate] != nil) { break }
                position += 1
            }
            next[key] = position
            guard position < list.count, licenses[list[position]].endsAt < license.endsAt else { continue }
            let predecessor = list[position]
            paired[predecessor] = true
            next[key] = position + 1
            let from = max(licenses[predecessor].endsAt, license.startsAt, license.installedAt)
            let until = min(license.endsAt, license.removedAt)
            intervals[renewal] = from < until ? from..<until : nil
        }
        return intervals
    }

    /// Licenses that a renewal may renew: one feature, one renewed SKU.
    struct ChainKey: Hashable {
        var feature: Int
        var sku: String
    }

    /// When each license counts, in time order (ICE licenses may count several times).
    public static func spans(of licenses: [License]) -> [[Range<SimInstant>]] {
        let intervals = activeIntervals(of: licenses)
        return licenses.indices.map { licenses[$0].kind == .ice ? iceIntervals(of: licenses[$0]) : intervals[$0].map { [$0] } ?? [] }
    }

    /// The installed count of each feature at instant zero, and the later changes in time order.
    public static func capacity(server: Int, licenses: [License], featureCount: Int)
        -> (initial: [Int32], changes: [CapacityChange]) {
        var initial = [Int32](repeating: 0, count: featureCount)
        var changes: [CapacityChange] = []
        for (index, (license, spans)) in zip(licenses, spans(of: licenses)).enumerated() {
            for interval in spans {
                // R-HA-3: an ICE license counts while switched on (each activation an administrator's act, and known
                // from it); any other license from its installation, or from a date of its calendar.
                let ice = license.kind == .ice
                let known = ice ? interval.lowerBound : license.installedAt
                let switchedOff = ice && license.activations.contains { $0.lowerBound == interval.lowerBound && $0.upperBound == interval.upperBound }
                if interval.lowerBound == .start {
                    initial[license.feature] += license.count
                } else {
                    changes.append(CapacityChange(at: interval.lowerBound, server: server, feature: license.feature,
                                                  delta: license.count, license: index, kind: license.kind,
                                                  administrative: ice || interval.lowerBound == license.installedAt, knownFrom: known))
                }
                if interval.upperBound != .never {
                    changes.append(CapacityChange(at: interval.upperBound, server: server, feature: license.feature,
                                                  delta: -license.count, license: index, kind: license.kind,
                                                  administrative: interval.upperBound == license.removedAt || switchedOff, knownFrom: known))
                }
            }
        }
        // Stable order: time, then removals before additions are irrelevant to totals; keep license order.
        changes.sort { ($0.at, $0.license, $0.delta) < ($1.at, $1.license, $1.delta) }
        return (initial, changes)
    }
}
