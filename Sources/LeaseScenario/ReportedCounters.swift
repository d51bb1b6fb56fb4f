import LeaseModel

/// The protocol counters the outputs name, in one order: summary.json's `run` object holds those marked
/// `summary` (after `events`), runs.csv those marked `runs` (after `events`, `messages` and the denials). A new
/// counter is one line here.
enum ReportedCounters {
    struct Counter: Sendable {
        let name: String
        let read: @Sendable (ProtocolCounters) -> Int64
        let summary: Bool
        let runs: Bool
    }

    static let all: [Counter] = [
        Counter(name: "messages", read: { $0.messages }, summary: true, runs: false), // runs.csv has it before the denials
        Counter(name: "incrementRequests", read: { $0.incrementRequests }, summary: true, runs: true),
        Counter(name: "renewals", read: { $0.renewals }, summary: true, runs: true),
        Counter(name: "releases", read: { $0.releases }, summary: true, runs: true),
        Counter(name: "refusals", read: { $0.refusals }, summary: true, runs: true),
        Counter(name: "reclaims", read: { $0.reclaims }, summary: true, runs: true),
        Counter(name: "notCovered", read: { $0.notCovered }, summary: true, runs: true),
        Counter(name: "autoIncrements", read: { $0.autoIncrements }, summary: true, runs: true),
        Counter(name: "autoLeaseReports", read: { $0.autoLeaseReports }, summary: true, runs: false),
        Counter(name: "reconcilesShort", read: { $0.reconcilesShort }, summary: true, runs: false),
        Counter(name: "penalties", read: { $0.penalties }, summary: true, runs: true),
        Counter(name: "surrenders", read: { $0.surrenders }, summary: true, runs: true),
        Counter(name: "recalls", read: { $0.recalls }, summary: true, runs: true),
        Counter(name: "surrendersExpired", read: { $0.surrendersExpired }, summary: true, runs: false),
        Counter(name: "leaderChanges", read: { $0.leaderChanges }, summary: true, runs: true),
        Counter(name: "failovers", read: { $0.failovers }, summary: true, runs: true),
        Counter(name: "pairSplits", read: { $0.pairSplits }, summary: true, runs: true),
        Counter(name: "pairRejoins", read: { $0.pairRejoins }, summary: true, runs: false),
        // summary.json has these in its faults section.
        Counter(name: "messagesDropped", read: { $0.messagesDropped }, summary: false, runs: true),
        Counter(name: "timeouts", read: { $0.timeouts }, summary: false, runs: true),
        Counter(name: "retries", read: { $0.retries }, summary: false, runs: true),
        Counter(name: "abandoned", read: { $0.abandoned }, summary: false, runs: true),
    ]

    static let summary = all.filter(\.summary)
    static let runs = all.filter(\.runs)
}
