import Foundation
import Testing
import LeaseKernel
@testable import LeaseScenario

/// A FlexNet debug log in the line forms real logs have (names made up): a byte order mark, CRLF, an OUT before
/// the first date (dated back from it, and ended by lmgrd's start banner), midnight passing, `(N licenses)`, a user
/// name with spaces, a re-read that keeps checkouts and a restart that ends them, INs with no OUT, a malformed time,
/// and the two kinds of denial.
private let flexnet = "\u{FEFF}" + """
22:10:00 (lmgrd) Copyright (c) 1988-2015 Flexera Software LLC. All Rights Reserved.\r
22:10:01 (ansyslmd) OUT: "hpc" alice@node17.example.edu  (8 licenses) \r
22:15:00 (lmgrd) FlexNet Licensing (v11.13.1.2 build 173085 x64_lsb) started on srv (linux) (1/8/2017)
22:20:00 (ansyslmd) OUT: "solver" Ana María López@pc-07  
23:59:30 (ansyslmd) OUT: "solver" bob@ws01  
 0:00:30 (ansyslmd) IN: "hpc" alice@node17.example.edu  (8 licenses) 
 0:01:00 (ansyslmd) DENIED: "solver" carol@pc-05  (Licensed number of users already reached. (-4,342:104 "Connection reset by peer"))
 0:01:01 (ansyslmd) DENIED: "solver" dave@pc-06  "v2023.12"(License server system does not support this version of this feature. (-25,334))
 0:02:00 (ansyslmd) IN: "solver" eve@pc-09  
 1:00:00 (ansyslmd) Rereading license file...
 1:00:01 (ansyslmd) Server started on srv for: solver hpc
12:49:3a9 (ansyslmd) OUT: "solver" mallory@pc-66
 6:15:00 (lmgrd) TIMESTAMP 1/9/2017
 7:00:00 (ansyslmd) EXITING DUE TO SIGNAL 15
 7:05:00 (ansyslmd) OUT: "solver" bob@ws01  
 7:06:00 (ansyslmd) OUT: "solver" bob@ws01  (2 licenses)
 7:30:00 (ansyslmd) IN: "solver" bob@ws01  (2 licenses)
garbage without a frame
"""

@Test func flexNetLogsAreDatedMatchedAndAccountedFor() {
    let log = LicenseLog.read(Array(flexnet.utf8), file: "f.log")
    #expect(log.format == .flexnet && log.features == ["hpc", "solver"])
    let day = Int64(17_174) * 86_400_000 // 2017-01-08
    #expect(log.steps(of: "hpc").map { [$0.epochMilliseconds - day, $0.users] } == [[79_801_000, 8], [80_100_000, 0]])
    let nextDay: Int64 = 86_400_000
    let solver: [[Int64]] = [
        [80_400_000, 1], [86_370_000, 2],                // OUT at 22:20 and 23:59:30 on the 8th
        [nextDay + 25_200_000, 0],                       // both ended by the daemon's EXITING at 07:00 on the 9th (the re-read kept them)
        [nextDay + 25_500_000, 1], [nextDay + 25_560_000, 3],
        [nextDay + 27_000_000, 1],                       // the IN of 2 closes the checkout of 2, not the older one of 1
    ]
    #expect(log.steps(of: "solver").map { [$0.epochMilliseconds - day, $0.users] } == solver)
    #expect(log.denials == [LicenseLog.Denial(epochMilliseconds: day + 86_460_000, feature: "solver", user: "carol", host: "pc-05")])
    let stats = log.statistics
    #expect(stats.linesRead == 18 && stats.checkouts == 5 && stats.checkins == 1 && stats.denials == 1 && stats.otherDenials == 1)
    #expect(stats.checkinsWithoutCheckout == 2 && stats.openAtEnd == 1 && stats.endedByRestart == 3 && stats.restarts == 2 && stats.backdated == 1)
    #expect(stats.anchorCorrections == 0)
    #expect(stats.skipped.map(\.reason) == ["server message (no usage)", "check-in with no open checkout", "malformed time of day", "line without a time and a (tag)"])
    #expect(log.warnings == ["f.log:12: malformed time of day"])
    #expect(log.peak(of: "solver").users == 3)
    #expect(log.peak(of: "hpc").users == 8)
}

/// An RLM report log: INUSE seeds checkouts and, restated after REREAD, is not counted twice; IN closes by server
/// handle; the year turns when December gives way to January; SHUTDOWN ends what is open.
private let rlm = """
RLM Report Log Format 0, version 14.1, authenticated
START srv 12/31/2024 23:00:00
PRODUCT solver 5.0 3 2 0 2 "" "" "" "" "" "" 4 2 0 0 0 0 0 0 0
INUSE solver 5.0 3 alice ws1 "x" 1 1db 1db 10290 12/31 23:00:00
OUT solver 5.0 3 bob ws2 "x" 1 2 0 1dc 1dc 485c "" "" "" 12/31 23:30:00
REREAD admin srv 12/31 23:40:00
INUSE solver 5.0 3 alice ws1 "x" 1 1db 1db 10290 12/31 23:40:00
DENY solver 5.0 carol ws3 "x" 1 -22 1 485c 12/31 23:50
01/01/2025 00:00
IN 1 solver 5.0 alice ws1 "x" 1 1 0 1db 01/01 00:10:00
IN 1 solver 5.0 dave ws4 "x" 1 1 0 9ff 01/01 00:11:00
--OUT solver added by an uploader
SHUTDOWN admin srv 01/01 02:00:00
"""

@Test func rlmReportLogsAreMatchedByHandle() {
    let log = LicenseLog.read(Array(rlm.utf8), file: "r.rlog")
    #expect(log.format == .rlm && log.capacity.map(\.count) == [2])
    let day = Int64(20_088) * 86_400_000 // 2024-12-31
    #expect(log.steps(of: "solver").map { [$0.epochMilliseconds - day, $0.users] } == [
        [82_800_000, 1], [84_600_000, 2], [86_400_000 + 600_000, 1], [86_400_000 + 7_200_000, 0]])
    #expect(log.denials.map { $0.epochMilliseconds - day } == [85_800_000])
    let stats = log.statistics
    #expect(stats.checkouts == 2 && stats.checkins == 1 && stats.checkinsWithoutCheckout == 1 && stats.endedByRestart == 1 && stats.denials == 1)
    #expect(stats.skipped.contains { $0.reason == "INUSE restating an open checkout" && $0.count == 1 })
    #expect(stats.skipped.contains { $0.reason == "not RLM syntax" && $0.count == 1 })
}

/// A scenario replays a log's feature as demand: the level at its start is what was in use then.
@Test func scenariosReplayALogsFeature() throws {
    let folder = NSTemporaryDirectory() + "leasesim-log-\(ProcessInfo.processInfo.processIdentifier)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try rlm.write(toFile: folder + "/server.rlog", atomically: true, encoding: .utf8)
    let scenario = """
    {"format": "leasesim/1", "start": "2024-12-31T23:20Z", "duration": "6h",
     "servers": [{"id": "ls", "licenses": [{"sku": "P", "feature": "users", "type": "perpetual", "count": 2}]}],
     "clients": [{"id": "gw", "server": "ls", "allocations": {"users": {"ruc": 0, "ilq": 1, "muc": 2}},
                  "demand": {"users": {"kind": "log", "file": "server.rlog", "feature": "solver"}}}]}
    """
    try scenario.write(toFile: folder + "/s.json", atomically: true, encoding: .utf8)
    let spec = try ScenarioLoader.load(path: folder + "/s.json").spec
    guard case .steps(let steps) = spec.demandPatterns[0] else { Issue.record("\(spec.demandPatterns)"); return }
    #expect(steps.map { [$0.at.millisecondsSinceStart, Int64($0.users)] } == [[0, 1], [600_000, 2], [3_000_000, 1], [9_600_000, 0]])
    let wrong = scenario.replacingOccurrences(of: "\"feature\": \"solver\"", with: "\"feature\": \"slover\"")
    try wrong.write(toFile: folder + "/w.json", atomically: true, encoding: .utf8)
    #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: folder + "/w.json") }
}

/// Found by the fuzzer (log target): a line that starts with "(" read a character before the start of the line.
@Test func logLinesThatStartWithAParenthesisAreSkipped() {
    let text = "(lmgrd) FlexNet lmga\n22815:00 (0 (lmgrd) x\nDENY s 5.0 c w3 \"x\" 1 -22 1 48 12/31 23:50\n"
    for format in LicenseLog.Format.allCases {
        let log = LicenseLog.read(Array(text.utf8), file: "f.log", format: format)
        #expect(log.statistics.linesRead == 3 && log.statistics.checkouts == 0)
    }
}

/// Found by the fuzzer (log target): a START whose year had dozens of digits reached the calendar unchecked. Every
/// date of a log is now checked (years 1970 to 9999, real days) before it is used.
@Test func logDatesOutOfRangeAreNotUsed() {
    let text = "START srv 00000000000000000000000000000000000800000000000000012/32/01 02:00:00\nSTART srv 12/31/20245 23:00:00\n"
        + "INUSE s 5.0 3 a w \"x\" 1 1db 1db 10 13/31 23:00:00\nSTART srv 02/30/2024 00:00:00\n"
    let log = LicenseLog.read(Array(text.utf8), file: "r.log", format: .rlm)
    #expect(log.statistics.linesRead == 4 && log.statistics.checkouts == 0)
    #expect(log.warnings == ["r.log:1: START without a date", "r.log:2: START without a date", "r.log:3: malformed INUSE", "r.log:4: START without a date"])
}

/// An RLM ISV debug log: minute resolution and no year (the year given, turning at New Year), a check-in that
/// starts with its reason, a DENIED whose reason follows on the next line (all in use: for want of a license; a
/// product that does not exist: configuration), and a reread that keeps checkouts.
private let rlmDebug = """
12/31 15:16 (demo) Server started on Win2008 (hostid: 6fc049e3e83d) for:
12/31 15:17 (demo) OUT: analytics v2.09 by cecil@win2008 (2 licenses)
12/31 23:59 (demo) OUT: simulator v2.12 by terra@ubuntu
01/01 0:00 (demo) ==== Reread request by automatic@midnight ====
01/01 0:00 (demo) Server started on Win2008 (hostid: 6fc049e3e83d) for:
01/01 0:20 (demo) DENIED: (1) simulator v2.1 to cecil@win2008
01/01 0:20 (demo)         All licenses in use
01/01 0:21 (demo) DENIED: (1) no good 1 v3.03 to edgar@vaio
01/01 0:21 (demo)         No such product
01/01 5:17 (demo) IN: (client exit) simulator v2.12 by terra@ubuntu
01/01 6:00 (demo) Shutdown request by webuser@win2008
"""

@Test func rlmDebugLogsAreDatedByTheYearGiven() {
    #expect(LicenseLog.detect(Array(rlmDebug.utf8)) == .rlmDebug)
    let start = Int64(20_088) // 2024-12-31
    let log = LicenseLog.read(Array(rlmDebug.utf8), file: "isv.log", startDay: start)
    let day = start * 86_400_000
    #expect(log.steps(of: "analytics").map { [$0.epochMilliseconds - day, $0.users] } == [[55_020_000, 2], [86_400_000 + 21_600_000, 0]])
    #expect(log.steps(of: "simulator").map { [$0.epochMilliseconds - day, $0.users] } == [[86_340_000, 1], [86_400_000 + 19_020_000, 0]])
    #expect(log.denials == [LicenseLog.Denial(epochMilliseconds: day + 86_400_000 + 1_200_000, feature: "simulator", user: "cecil", host: "win2008")])
    let stats = log.statistics
    #expect(stats.checkouts == 2 && stats.checkins == 1 && stats.denials == 1 && stats.otherDenials == 1 && stats.endedByRestart == 1)
}

/// Calibration demand: the checkouts, plus one user per denial (once per user, host and minute) for the feature's
/// mean session (here ana's 70 minutes).
@Test func calibrationDemandAddsDeniedUsersForTheMeanSession() {
    let text = """
    22:15:00 (lmgrd) FlexNet Licensing (v11.13.1.2 build 173085 x64_lsb) started on srv (linux) (1/8/2017)
    22:20:00 (ansyslmd) OUT: "solver" ana@pc-07  (2 licenses)
    23:10:00 (ansyslmd) DENIED: "solver" bob@pc-05  (Licensed number of users already reached. (-4,342))
    23:10:30 (ansyslmd) DENIED: "solver" bob@pc-05  (Licensed number of users already reached. (-4,342))
    23:30:00 (ansyslmd) IN: "solver" ana@pc-07  (2 licenses)
    """
    let log = LicenseLog.read(Array(text.utf8), file: "f.log")
    #expect(log.meanSession(of: "solver") == 70 * 60_000 && log.denials.count == 2)
    let day = Int64(17_174) * 86_400_000
    #expect(log.demandSteps(of: "solver").map { [$0.epochMilliseconds - day, $0.users] } == [
        [80_400_000, 2], [83_400_000, 3], [84_600_000, 1], [87_600_000, 0]])
}
