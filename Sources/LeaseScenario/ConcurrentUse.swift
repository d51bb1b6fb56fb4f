import LeaseModel

/// A fleet feature's concurrent use through a run, exactly, as license report tools show it: the time spent at
/// each level of demand and of leased licenses (for time-weighted percentiles and high-water marks), and each
/// calendar month's (UTC) peaks against what was installed. Fed the fleet's levels as they change; memory grows
/// with the distinct levels and the months, not with the run.
struct ConcurrentUse {
    struct Levels: Equatable {
        var users: Int64 = 0
        var leased: Int64 = 0
        var installed: Int64 = 0
        var denied: Int64 = 0
    }

    /// One calendar month of the run (the first and last may be partial).
    struct Month {
        /// `2026-03`.
        var label: String
        var peakUsers: Int64
        var peakLeased: Int64
        var installedLow: Int64
        var installedHigh: Int64
        /// Denied logins so far when the month began, and at its end.
        var deniedBefore: Int64
        var deniedAfter: Int64
        var denied: Int64 { deniedAfter - deniedBefore }
    }

    let startEpoch: Int64
    let duration: Int64
    private(set) var months: [Month] = []
    /// Milliseconds at each level (lookups only; read sorted).
    private var timeAtUsers: [Int64: Int64] = [:]
    private var timeAtLeased: [Int64: Int64] = [:]
    private var current = Levels()
    private var since: Int64 = 0
    private var seen = false
    /// Where the current month ends, in milliseconds since the start.
    private var monthEnd: Int64 = 0

    init(startEpoch: Int64, duration: Int64) {
        self.startEpoch = startEpoch
        self.duration = max(1, duration)
    }

    /// The fleet's levels are `levels` from `time` (milliseconds since the start) on.
    mutating func record(_ time: Int64, _ levels: Levels) {
        let time = min(max(time, 0), duration)
        if !seen {
            seen = true
            current = levels
            openMonth(at: 0)
        }
        advance(to: time)
        current = levels
        notePeaks()
    }

    /// The run is over: the levels in force count up to its end.
    mutating func finish() {
        guard seen else { return }
        advance(to: duration)
    }

    private mutating func advance(to time: Int64) {
        while monthEnd <= time && monthEnd < duration {
            account(upTo: monthEnd)
            months[months.count - 1].deniedAfter = current.denied
            openMonth(at: monthEnd)
        }
        account(upTo: time)
        months[months.count - 1].deniedAfter = current.denied
    }

    private mutating func account(upTo time: Int64) {
        guard time > since else { return }
        timeAtUsers[current.users, default: 0] += time - since
        timeAtLeased[current.leased, default: 0] += time - since
        since = time
    }

    private mutating func openMonth(at time: Int64) {
        let epoch = startEpoch + time, day = CivilCalendar.millisecondsPerDay
        let date = CivilCalendar.date(days: epoch >= 0 ? epoch / day : -((-epoch + day - 1) / day))
        let next = date.month == 12 ? CivilCalendar.days(year: date.year + 1, month: 1, day: 1) : CivilCalendar.days(year: date.year, month: date.month + 1, day: 1)
        monthEnd = next * CivilCalendar.millisecondsPerDay - startEpoch
        let label = String(CivilCalendar.iso8601(epochMilliseconds: epoch).prefix(7))
        months.append(Month(label: label, peakUsers: current.users, peakLeased: current.leased, installedLow: current.installed,
                            installedHigh: current.installed, deniedBefore: current.denied, deniedAfter: current.denied))
    }

    private mutating func notePeaks() {
        let index = months.count - 1
        months[index].peakUsers = max(months[index].peakUsers, current.users)
        months[index].peakLeased = max(months[index].peakLeased, current.leased)
        months[index].installedLow = min(months[index].installedLow, current.installed)
        months[index].installedHigh = max(months[index].installedHigh, current.installed)
    }

    /// The time-weighted percentile of demand or of leased licenses: the smallest level at or below which the fleet
    /// spent at least `percent`% of the run (100: the high-water mark).
    func percentile(_ percent: Int64, leased: Bool) -> Int64 {
        let times = leased ? timeAtLeased : timeAtUsers
        let total = times.values.reduce(0, +)
        guard total > 0 else { return 0 }
        var covered: Int64 = 0
        for (level, time) in times.sorted(by: { $0.key < $1.key }) {
            covered += time
            // covered / total >= percent / 100, in integers (total is at most the run's milliseconds).
            if Int128(covered) * 100 >= Int128(total) * Int128(percent) { return level }
        }
        return times.keys.max() ?? 0
    }

    /// The share of the run (in ten-thousandths) the level was above `threshold`.
    func shareAbove(_ threshold: Int64, leased: Bool) -> Int64 {
        let times = leased ? timeAtLeased : timeAtUsers
        let total = times.values.reduce(0, +)
        guard total > 0 else { return 0 }
        let above = times.filter { $0.key > threshold }.values.reduce(0, +)
        return above * 10_000 / total
    }
}
