import LeaseKernel

/// The platforms a virtual license server runs on (R-HA-5: "Active/passive clustering of license servers are
/// supported on all virtual platforms that support VLS ... Cloud Platforms (MS Azure, AWS, OpenStack, AliCloud) - only
/// for Active/Active Cluster").
public enum VLSPlatform: String, Sendable, CaseIterable {
    case esxi, hyperV, kvm, azure, aws, openStack, aliCloud

    /// Whether it is a cloud platform, whose pairs are active/active only (R-HA-5).
    public var isCloud: Bool {
        switch self {
        case .esxi, .hyperV, .kvm: return false
        case .azure, .aws, .openStack, .aliCloud: return true
        }
    }
}

/// R-VLS-1: how a virtual license server keeps in touch with the vendor's cloud.
public struct CloudPolicy: Sendable, Equatable {
    /// How often a virtual license server sends the cloud a heartbeat (8 h).
    public var heartbeatInterval: SimDuration = .hours(8)
    /// How long it may go without a successful heartbeat before its licensing stops (24 days).
    public var maxSilence: SimDuration = .days(24)
    /// One-way latency of the link between a server and the cloud (assumed: 100 ms).
    public var latency: SimDuration = .milliseconds(100)
    /// R-VLS-3: how long a VLS restored from a backup without its licenses re-installed may lease (90 days).
    public var restoreGrace: SimDuration = .days(90)

    public init() {}
}

/// R-VLS-1: a virtual license server's contact with the vendor's cloud.
public struct CloudContact: Sendable {
    /// When the cloud last acknowledged a heartbeat (instant zero: the server starts in touch).
    public var lastHeartbeat: SimInstant = .start
    /// Whether the latest heartbeat sent is still unanswered.
    var awaitingAck = false
    /// Whether it is a virtual license server (it sends heartbeats, R-VLS-1); a server that only downloads is not.
    public var isVLS = true
    /// R-DL-1: whether the latest download request is still unanswered (which vendor licenses it installed is in
    /// `FleetModel.downloadedLicenses`: this record holds no reference, so copying it costs nothing).
    var awaitingDownload = false
    var downloadTimer: TimerID? = nil
    /// R-DL-1: when the latest download check was made (the schedule counts from it; nil before the first).
    var lastDownloadCheck: SimInstant? = nil
    /// Whether its licensing has stopped for want of heartbeats: it leases nothing new and renews nothing.
    public var licensingStopped = false
    /// R-VLS-3: whether its grace period as a restored server without re-installed licenses has ended.
    public var restoreGraceEnded = false
    /// R-VLS-2: when the cloud last heard a heartbeat from it, and whether the cloud flags it as a duplicate.
    public var heardByCloud: SimInstant? = nil
    public var duplicate = false
    /// R-VLS-3: its licenses were re-installed after a restore (no grace limit).
    public var reinstalled = false
    /// R-VLS-2: servers with the same authorization code share this number.
    public var authorizationGroup: Int32 = 0
    var heartbeatTimer: TimerID
    /// Fires `maxSilence` after the latest acknowledged heartbeat.
    var silenceTimer: TimerID

    init(heartbeatTimer: TimerID, silenceTimer: TimerID) {
        self.heartbeatTimer = heartbeatTimer
        self.silenceTimer = silenceTimer
    }
}

/// R-DL-1: a license the vendor makes available to a server from an instant; the server installs it at its first
/// download after that.
public struct VendorLicense: Sendable, Equatable {
    public var license: License
    public var availableAt: SimInstant

    public init(license: License, availableAt: SimInstant) {
        self.license = license
        self.availableAt = availableAt
    }
}

/// R-DL-1: the automatic download schedule: every 3 months when no license expires soon; monthly when one expires
/// within 3 months; weekly within 2 weeks; daily when a grace period ends within a week (a month is 30 days).
public enum DownloadSchedule {
    public static let quarterly = SimDuration.days(90), monthly = SimDuration.days(30)
    public static let weekly = SimDuration.days(7), daily = SimDuration.days(1)

    static let fortnight = SimDuration.days(14)

    /// The wait the schedule asks for at `now`, given when licenses end and when a grace period ends (nil: none).
    public static func interval(now: SimInstant, licenseEnds: [SimInstant], graceEnds: SimInstant?) -> SimDuration {
        if let grace = graceEnds, grace > now, grace <= now + weekly { return daily }
        let soonest = licenseEnds.filter { $0 > now }.min() ?? .never
        if soonest <= now + fortnight { return weekly }
        if soonest <= now + quarterly { return monthly }
        return quarterly
    }

    /// When the check after one at `last` is due: the first instant whose own interval has passed since `last`, so a
    /// tighter window entered before a looser interval is over is followed at once ("once a day if a license grace
    /// period is expiring within the next week", whatever the interval set before). The interval changes only where
    /// a window begins or an end passes, so only those instants are looked at.
    /// Complexity: O(e log e) in the number of ends.
    public static func next(after last: SimInstant, licenseEnds: [SimInstant], graceEnds: SimInstant?) -> SimInstant {
        var bounds = [last]
        for end in licenseEnds where end > last && end != .never { bounds += [end - quarterly, end - fortnight, end] }
        if let grace = graceEnds, grace > last { bounds += [grace - weekly, grace] }
        bounds = bounds.filter { $0 >= last }.sorted()
        for (position, from) in bounds.enumerated() {
            let due = max(from, last + interval(now: from, licenseEnds: licenseEnds, graceEnds: graceEnds))
            // A check due as a window closes (the end itself) still belongs to it.
            if position + 1 == bounds.count || due <= bounds[position + 1] { return due }
        }
        return last + quarterly // (not reached: the last region is open)
    }
}
