import Foundation
import LeaseKernel
import LeaseModel

/// A license server's log turned into demand: per feature, the concurrent users over time (checkouts weighted by
/// their license counts), the denials it recorded, and an account of every line (`LicenseLog.Statistics`).
///
/// Two formats are read (see `../shared/real-logs/FORMATS.md` in the project's notes):
/// - FlexNet (FLEXlm) debug logs of lmgrd and vendor daemons: `H:MM:SS (tag) message` lines with no date, dated
///   from start banners, `TIMESTAMP` and SLOG `Time:` lines, with a day added when the time of day steps back by
///   more than 12 hours; events before the first date are dated backwards from it. A restart (an lmgrd start
///   banner, a vendor `Server started on` that is not a re-read, `EXITING`) ends the daemon's open checkouts. An
///   IN closes the oldest open OUT of the same daemon, feature, user, host and count.
/// - RLM report logs (format 0): `START`, `OUT`, `IN`, `INUSE`, `DENY`, `SHUTDOWN` records dated `MM/DD` with the
///   year from `START`, `END` and the periodic `MM/DD/YYYY HH:MM` lines (a new year when the month goes back);
///   IN closes the OUT of the same server handle; INUSE seeds checkouts once.
/// - RLM ISV debug logs: `MM/DD HH:MM (isv) OUT: product vVER by user@host` lines, dated to the minute with no year
///   (the year of `startDay`, turning when December gives way to January); a DENIED is for want of a license
///   when the reason on the next line says all licenses are in use (or no reason follows).
/// Times are the server's local wall clock, read as UTC (a log names no zone reliably).
public struct LicenseLog: Sendable {
    public enum Format: String, Sendable, CaseIterable { case flexnet, rlm, rlmDebug }

    /// A change of one feature's users in use.
    public struct Change: Sendable, Equatable {
        public var epochMilliseconds: Int64
        public var delta: Int64
    }

    public struct Denial: Sendable, Equatable {
        public var epochMilliseconds: Int64
        public var feature: String
        public var user: String
        public var host: String
    }

    public struct Statistics: Sendable, Equatable {
        public var linesRead = 0
        public var checkouts = 0
        public var checkins = 0
        /// Denials for want of a license (FlexNet -4,342; RLM DENY), and denials for other reasons (unsupported
        /// versions or features: configuration, not demand).
        public var denials = 0
        public var otherDenials = 0
        /// Check-ins with no open checkout (checked out before the log begins), checkouts still open at its end,
        /// checkouts ended by a restart or shutdown.
        public var checkinsWithoutCheckout = 0
        public var openAtEnd = 0
        public var endedByRestart = 0
        public var restarts = 0
        /// Events dated backwards from the first date line, and date lines that disagreed with the day counted.
        public var backdated = 0
        public var anchorCorrections = 0
        /// Lines not used, by reason, in the order first met.
        public var skipped: [(reason: String, count: Int)] = []

        public static func == (a: Statistics, b: Statistics) -> Bool {
            a.linesRead == b.linesRead && a.checkouts == b.checkouts && a.checkins == b.checkins && a.denials == b.denials
                && a.otherDenials == b.otherDenials && a.skipped.map(\.reason) == b.skipped.map(\.reason) && a.skipped.map(\.count) == b.skipped.map(\.count)
        }

        mutating func skip(_ reason: String) {
            if let index = skipped.firstIndex(where: { $0.reason == reason }) { skipped[index].count += 1 } else { skipped.append((reason, 1)) }
        }
    }

    public var format: Format
    /// Features in the order first seen, and each one's changes in time order.
    public var features: [String] = []
    public var changes: [[Change]] = []
    /// Per feature: the time checked out, summed over the checkouts whose check-in the log holds, and their number.
    public var sessionMilliseconds: [Int64] = []
    public var sessions: [Int64] = []
    public var denials: [Denial] = []
    /// RLM: the licenses each product's pools hold (from PRODUCT lines), when the log says.
    public var capacity: [(feature: String, count: Int64)] = []
    public var statistics = Statistics()
    /// Malformed lines, as `file:line: what` (the first 20; every one is counted in `statistics.skipped`).
    public var warnings: [String] = []

    /// A feature's concurrent users as steps (epoch milliseconds, users), changes at one instant merged.
    public func steps(of feature: String) -> [(epochMilliseconds: Int64, users: Int64)] {
        guard let index = features.firstIndex(of: feature) else { return [] }
        var steps: [(epochMilliseconds: Int64, users: Int64)] = [], level: Int64 = 0
        for change in changes[index] {
            level += change.delta
            if let last = steps.last, last.epochMilliseconds == change.epochMilliseconds {
                steps[steps.count - 1].users = level
            } else {
                steps.append((change.epochMilliseconds, level))
            }
        }
        return steps
    }

    /// The mean time a feature's license was held, over the checkouts the log saw returned.
    public func meanSession(of feature: String) -> Int64? {
        guard let index = features.firstIndex(of: feature), sessions[index] > 0 else { return nil }
        return sessionMilliseconds[index] / sessions[index]
    }

    /// What users wanted of a feature, for a calibration: its checkouts, and each denial for want of a license as
    /// one more user for the feature's mean session (an hour when no session was seen), a user denied several
    /// times in one minute counting once (retry storms, FORMATS.md 1.4.7).
    public func demandSteps(of feature: String) -> [(epochMilliseconds: Int64, users: Int64)] {
        guard let index = features.firstIndex(of: feature) else { return [] }
        let session = max(60_000, meanSession(of: feature) ?? 3_600_000)
        var changes = self.changes[index], seen: Set<String> = []
        for denial in denials where denial.feature == feature {
            let minute = denial.epochMilliseconds / 60_000
            guard seen.insert("\(denial.user)@\(denial.host)@\(minute)").inserted else { continue }
            changes.append(Change(epochMilliseconds: denial.epochMilliseconds, delta: 1))
            changes.append(Change(epochMilliseconds: denial.epochMilliseconds + session, delta: -1))
        }
        changes = changes.enumerated().sorted { ($0.element.epochMilliseconds, $0.offset) < ($1.element.epochMilliseconds, $1.offset) }.map(\.element)
        var steps: [(epochMilliseconds: Int64, users: Int64)] = [], level: Int64 = 0
        for change in changes {
            level += change.delta
            if let last = steps.last, last.epochMilliseconds == change.epochMilliseconds { steps[steps.count - 1].users = level } else { steps.append((change.epochMilliseconds, level)) }
        }
        return steps
    }

    /// The highest concurrent use of a feature, and when it was first reached.
    public func peak(of feature: String) -> (users: Int64, epochMilliseconds: Int64) {
        steps(of: feature).reduce((Int64(0), Int64(0))) { $1.users > $0.0 ? ($1.users, $1.epochMilliseconds) : $0 }
    }

    /// The format a log's text is in: RLM when a line starts as a report log's records do, else FlexNet.
    public static func detect(_ bytes: [UInt8]) -> Format {
        let head = String(decoding: bytes.prefix(65_536), as: UTF8.self)
        let lines = head.split(separator: "\n")
        if head.contains("RLM Report Log Format") || lines.contains(where: { $0.hasPrefix("START ") && $0.split(separator: " ").count == 4 }) { return .rlm }
        // `MM/DD H:MM (isv) ...` on most lines.
        let debug = lines.prefix(200).filter { line in
            let words = line.split(separator: " ", maxSplits: 2)
            return words.count == 3 && words[0].count == 5 && words[0].dropFirst(2).first == "/" && words[1].contains(":") && words[2].hasPrefix("(")
        }.count
        return debug * 2 > min(lines.count, 200) ? .rlmDebug : .flexnet
    }

    /// Reads a log's bytes (CRLF, a byte order mark and invalid UTF-8 are accepted; nothing in it stops the read).
    public static func read(_ bytes: [UInt8], file: String, format: Format? = nil, startDay: Int64? = nil) -> LicenseLog {
        var reader = LogReader(file: file, format: format ?? detect(bytes), startDay: startDay)
        var text = bytes[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        var number = 0
        for raw in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            let line = raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw
            if number == 1 && line.isEmpty { continue }
            reader.log.statistics.linesRead += 1
            let string = String(decoding: line, as: UTF8.self)
            switch reader.log.format {
            case .flexnet: reader.flexnet(string, line: number)
            case .rlm: reader.rlm(string, line: number)
            case .rlmDebug: reader.rlmDebug(string, line: number)
            }
        }
        if text.last == UInt8(ascii: "\n") { reader.log.statistics.linesRead -= 1 } // the empty piece after the last newline
        reader.settleDenial(reason: nil)
        return reader.finish()
    }
}

/// The reading state of one log.
struct LogReader {
    var log: LicenseLog
    let file: String
    let startDay: Int64?
    /// Events seen so far: (day index, milliseconds of day, feature, delta, sequence); dated at the end.
    var events: [(day: Int, clock: Int64, feature: Int, delta: Int64)] = []
    var pendingDenials: [(day: Int, clock: Int64, denial: LicenseLog.Denial)] = []
    /// Date anchors: (sequence of events so far, day index, epoch day).
    var anchors: [(events: Int, day: Int, epochDay: Int64)] = []
    var dayIndex = 0
    var lastClock: Int64 = -1
    /// FlexNet: open checkouts by daemon, feature, user and host (counts, oldest first); daemons re-reading.
    var open: [String: [(count: Int64, day: Int, clock: Int64)]] = [:] // lookups only; key "tag\0feature\0user\0host"
    var openKeys: [String] = []
    var rereading: Set<String> = []
    /// RLM: open checkouts by server handle (feature, count); the year and month last seen.
    var handles: [String: (feature: Int, count: Int64, day: Int64, clock: Int64)] = [:] // lookups only
    var handleOrder: [String] = []
    var year: Int64 = 1970
    var month: Int64 = 0
    /// RLM debug logs: a DENIED waiting for the reason on its next line.
    var unsettledDenial: (day: Int, clock: Int64, denial: LicenseLog.Denial)?

    init(file: String, format: LicenseLog.Format, startDay: Int64?) {
        log = LicenseLog(format: format)
        self.file = file
        self.startDay = startDay
        if let startDay { year = CivilCalendar.date(days: startDay).year }
    }

    mutating func warn(_ line: Int, _ reason: String) {
        log.statistics.skip(reason)
        if log.warnings.count < 20 { log.warnings.append("\(file):\(line): \(reason)") }
    }

    mutating func feature(_ name: String) -> Int {
        if let index = log.features.firstIndex(of: name) { return index }
        log.features.append(name)
        log.changes.append([])
        log.sessionMilliseconds.append(0)
        log.sessions.append(0)
        return log.features.count - 1
    }

    /// A checkout the log saw returned: how long it was held.
    mutating func session(_ feature: Int, days: Int64, from start: Int64, to end: Int64) {
        let held = days * SimDuration.millisecondsPerDay + end - start
        guard held >= 0 else { return }
        log.sessionMilliseconds[feature] += held
        log.sessions[feature] += 1
    }

    mutating func change(_ feature: Int, _ delta: Int64, clock: Int64) {
        events.append((dayIndex, clock, feature, delta))
    }

    /// A date line: from here on, the current day is `epochDay`.
    mutating func anchor(_ epochDay: Int64) {
        if let last = anchors.last, last.epochDay + Int64(dayIndex - last.day) != epochDay { log.statistics.anchorCorrections += 1 }
        anchors.append((events.count, dayIndex, epochDay))
    }

    /// The time of day of a framed line; a step back of more than 12 hours is midnight passing.
    mutating func clock(_ milliseconds: Int64) {
        if lastClock >= 0 && milliseconds + 12 * 3_600_000 < lastClock { dayIndex += 1 }
        lastClock = milliseconds
    }

    /// Dates every event from the anchor before it (or the first one), then builds the features' changes.
    mutating func finish() -> LicenseLog {
        log.statistics.openAtEnd = open.values.reduce(0) { $0 + $1.count } + handles.count
        let fallback = anchors.first.map { ($0.day, $0.epochDay) } ?? (0, startDay ?? 0)
        var anchor = 0
        for (sequence, event) in events.enumerated() {
            while anchor < anchors.count && anchors[anchor].events <= sequence { anchor += 1 }
            let (day, epochDay) = anchor > 0 ? (anchors[anchor - 1].day, anchors[anchor - 1].epochDay) : fallback
            if anchor == 0 && !anchors.isEmpty { log.statistics.backdated += 1 }
            let epoch = (epochDay + Int64(event.day - day)) * SimDuration.millisecondsPerDay + event.clock
            log.changes[event.feature].append(LicenseLog.Change(epochMilliseconds: epoch, delta: event.delta))
        }
        for index in log.changes.indices {
            log.changes[index] = log.changes[index].enumerated().sorted { ($0.element.epochMilliseconds, $0.offset) < ($1.element.epochMilliseconds, $1.offset) }.map(\.element)
        }
        log.denials = pendingDenials.map { pending in
            var denial = pending.denial
            let (day, epochDay) = anchors.last(where: { $0.day <= pending.day }).map { ($0.day, $0.epochDay) } ?? fallback
            denial.epochMilliseconds = (epochDay + Int64(pending.day - day)) * SimDuration.millisecondsPerDay + pending.clock
            return denial
        }.sorted { ($0.epochMilliseconds, $0.feature, $0.user) < ($1.epochMilliseconds, $1.feature, $1.user) }
        return log
    }

    // MARK: FlexNet

    /// `H:MM:SS` (the hour may have a space instead of a leading zero), in milliseconds of the day.
    static func timeOfDay(_ text: Substring) -> Int64? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let hour = Int64(parts[0]), let minute = Int64(parts[1]), let second = Int64(parts[2]),
              parts[1].count == 2, parts[2].count == 2, (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        return ((hour * 60 + minute) * 60 + second) * 1000
    }

    /// `M/D/YYYY` as an epoch day.
    static func usDate(_ text: Substring) -> Int64? {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let month = Int64(parts[0]), let day = Int64(parts[1]), let year = Int64(parts[2]),
              CivilCalendar.isValid(year: year, month: month, day: day), (1970...9999).contains(year) else { return nil }
        return CivilCalendar.days(year: year, month: month, day: day)
    }

    /// `Tue May 10 2016 ...` (SLOG `Time:`, `Server's System Date and Time:`) as an epoch day.
    static func wordDate(_ text: Substring) -> Int64? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let words = text.split(separator: " ")
        guard words.count >= 4, let month = months.firstIndex(of: String(words[1])), let day = Int64(words[2]), let year = Int64(words[3]),
              CivilCalendar.isValid(year: year, month: Int64(month + 1), day: day), (1970...9999).contains(year) else { return nil }
        return CivilCalendar.days(year: year, month: Int64(month + 1), day: day)
    }

    mutating func flexnet(_ line: String, line number: Int) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return log.statistics.skip("empty line") }
        guard let open = line.firstIndex(of: "("), open > line.startIndex, let close = line[open...].firstIndex(of: ")"),
              line[line.index(before: open)] == " " else { return log.statistics.skip("line without a time and a (tag)") }
        guard let clock = LogReader.timeOfDay(line[..<open]) else { return warn(number, "malformed time of day") }
        let tag = String(line[line.index(after: open)..<close])
        let message = line[line.index(after: close)...].dropFirst().trimmingCharacters(in: .whitespaces)
        self.clock(clock)
        // Dates.
        if message.hasPrefix("TIMESTAMP ") {
            guard let day = LogReader.usDate(message.dropFirst(10)) else { return warn(number, "malformed TIMESTAMP") }
            anchor(day)
            return
        }
        if let range = message.range(of: "Time: ") ?? message.range(of: "Server's System Date and Time: "),
           message.contains("SLOG@") || message.hasPrefix("Server's System Date") {
            if let day = LogReader.wordDate(message[range.upperBound...]) { anchor(day) }
            return
        }
        if tag == "lmgrd", message.contains(" started on "), message.hasSuffix(")"), let start = message.lastIndex(of: "(") {
            if let day = LogReader.usDate(message[message.index(after: start)..<message.index(before: message.endIndex)]) { anchor(day) }
            restart(daemon: nil, clock: clock)
            return
        }
        // Restarts and re-reads of a vendor daemon.
        if message.contains("Rereading license file") || message.contains("-- rereading") { rereading.insert(tag); return }
        if message.hasPrefix("Server started on") {
            if !rereading.remove(tag).isSome { restart(daemon: tag, clock: clock) }
            return
        }
        if message.hasPrefix("EXITING") { restart(daemon: tag == "lmgrd" ? nil : tag, clock: clock); return }
        // Usage.
        for kind in ["OUT: ", "IN: ", "DENIED: ", "UNSUPPORTED: "] where message.hasPrefix(kind) {
            guard tag != "lmgrd" else { return log.statistics.skip("usage line of lmgrd") }
            return usage(String(kind.dropLast(2)), message.dropFirst(kind.count), tag: tag, clock: clock, line: number)
        }
        log.statistics.skip("server message (no usage)")
    }

    /// An OUT, IN, DENIED or UNSUPPORTED line's `"feature" user@host suffixes`.
    mutating func usage(_ kind: String, _ rest: Substring, tag: String, clock: Int64, line number: Int) {
        guard rest.hasPrefix("\""), let end = rest.dropFirst().firstIndex(of: "\"") else { return warn(number, "\(kind) without a \"feature\"") }
        let name = String(rest[rest.index(after: rest.startIndex)..<end])
        var tail = rest[rest.index(after: end)...].drop { $0 == " " }
        if kind == "UNSUPPORTED", tail.hasPrefix("("), let close = tail.firstIndex(of: ")") { tail = tail[tail.index(after: close)...].drop { $0 == " " } }
        // The user@host token runs to two spaces, " [", or the end; the user may hold spaces, so split at the last @.
        var stop = tail.endIndex
        if let double = tail.range(of: "  ") { stop = double.lowerBound }
        if let bracket = tail.range(of: " ["), bracket.lowerBound < stop { stop = bracket.lowerBound }
        let token = tail[..<stop].trimmingCharacters(in: .whitespaces)
        guard let at = token.lastIndex(of: "@"), at != token.startIndex else { return warn(number, "\(kind) without user@host") }
        let user = String(token[..<at]), host = String(token[token.index(after: at)...])
        let suffix = tail[stop...]
        var count: Int64 = 1
        if let licenses = suffix.range(of: " licenses)"), let open = suffix[..<licenses.lowerBound].lastIndex(of: "("),
           let value = Int64(suffix[suffix.index(after: open)..<licenses.lowerBound]), value >= 1 {
            count = value
        }
        switch kind {
        case "OUT": checkOut(tag: tag, feature: name, user: user, host: host, count: count, clock: clock)
        case "IN": checkIn(tag: tag, feature: name, user: user, host: host, count: count, clock: clock)
        default:
            // DENIED (-4,342): every license of the feature is in use; anything else is configuration, not demand.
            let capacity = kind == "DENIED" && suffix.contains("(-4,342")
            if capacity {
                _ = feature(name)
                log.statistics.denials += 1
                pendingDenials.append((dayIndex, clock, LicenseLog.Denial(epochMilliseconds: 0, feature: name, user: user, host: host)))
            } else {
                log.statistics.otherDenials += 1
            }
        }
    }

    /// A checkout opens: of a daemon, feature, user and host, with its count.
    mutating func checkOut(tag: String, feature name: String, user: String, host: String, count: Int64, clock: Int64) {
        let key = "\(tag)\u{0}\(name)\u{0}\(user)\u{0}\(host)"
        if open[key] == nil { openKeys.append(key) }
        open[key, default: []].append((count, dayIndex, clock))
        change(feature(name), count, clock: clock)
        log.statistics.checkouts += 1
    }

    /// A check-in closes the oldest open checkout of the same daemon, feature, user, host and count.
    mutating func checkIn(tag: String, feature name: String, user: String, host: String, count: Int64, clock: Int64) {
        let key = "\(tag)\u{0}\(name)\u{0}\(user)\u{0}\(host)"
        guard var counts = open[key], let match = counts.firstIndex(where: { $0.count == count }) else {
            log.statistics.checkinsWithoutCheckout += 1
            return log.statistics.skip("check-in with no open checkout")
        }
        let opened = counts.remove(at: match)
        open[key] = counts
        let index = feature(name)
        change(index, -count, clock: clock)
        session(index, days: Int64(dayIndex - opened.day), from: opened.clock, to: clock)
        log.statistics.checkins += 1
    }

    /// A restart: the daemon's (or, for lmgrd, every daemon's) open checkouts end now.
    mutating func restart(daemon: String?, clock: Int64) {
        log.statistics.restarts += 1
        for key in openKeys {
            guard let counts = open[key], !counts.isEmpty else { continue }
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            guard daemon == nil || String(parts[0]) == daemon else { continue }
            let index = feature(String(parts[1]))
            for checkout in counts { change(index, -checkout.count, clock: clock) }
            log.statistics.endedByRestart += counts.count
            open[key] = []
        }
        openKeys = openKeys.filter { !(open[$0]?.isEmpty ?? true) }
    }

    // MARK: RLM report log

    /// Space-separated fields; a field in double quotes may hold spaces or be empty.
    static func fields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false, started = false
        for character in line {
            if character == "\"" { quoted.toggle(); started = true; continue }
            if character == " " && !quoted {
                if started { fields.append(current) }
                current = ""
                started = false
                continue
            }
            current.append(character)
            started = true
        }
        if started { fields.append(current) }
        return fields
    }

    /// `MM/DD` and `HH:MM[:SS]` at the end of a record: the epoch day (year from the log) and the time of day.
    mutating func rlmTime(_ date: String, _ time: String) -> (day: Int64, clock: Int64)? {
        let parts = date.split(separator: "/"), clock = time.split(separator: ":")
        guard parts.count == 2, let month = Int64(parts[0]), let day = Int64(parts[1]), (1...12).contains(month), (1...31).contains(day),
              clock.count == 2 || clock.count == 3, let hour = Int64(clock[0]), let minute = Int64(clock[1]) else { return nil }
        let second = clock.count == 3 ? Int64(clock[2]) ?? 0 : 0
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        if month < self.month && self.month == 12 && month == 1 && year < 9999 { year += 1 }
        self.month = month
        guard CivilCalendar.isValid(year: year, month: month, day: day) else { return nil }
        return (CivilCalendar.days(year: year, month: month, day: day), ((hour * 60 + minute) * 60 + second) * 1000)
    }

    mutating func rlm(_ line: String, line number: Int) {
        let fields = LogReader.fields(line)
        guard let record = fields.first else { return log.statistics.skip("empty line") }
        // A periodic MM/DD/YYYY HH:MM line sets the year.
        if fields.count == 2, let date = LogReader.rlmDate(record) {
            (year, month) = (date.year, date.month)
            return log.statistics.skip("timestamp")
        }
        switch record {
        case "START", "END":
            guard fields.count >= 3, let dateIndex = fields.firstIndex(where: { LogReader.rlmDate($0) != nil }),
                  let date = LogReader.rlmDate(fields[dateIndex]) else {
                return warn(number, "\(record) without a date")
            }
            (year, month) = (date.year, date.month)
            if record == "START", dateIndex + 1 < fields.count, let clock = TimeSyntax.timeOfDay(fields[dateIndex + 1]) {
                endAllHandles((CivilCalendar.days(year: date.year, month: date.month, day: date.day), clock))
            }
            log.statistics.skip(record == "START" ? "server start" : "log end")
        case "SHUTDOWN":
            if fields.count >= 5, let time = rlmTime(fields[fields.count - 2], fields[fields.count - 1]) { endHandles(time) }
            log.statistics.restarts += 1
            log.statistics.skip("server shutdown")
        case "PRODUCT":
            if fields.count >= 5, let count = Int64(fields[4]) {
                if let index = log.capacity.firstIndex(where: { $0.feature == fields[1] }) { log.capacity[index].count += count } else { log.capacity.append((fields[1], count)) }
            }
            log.statistics.skip("product (capacity)")
        case "OUT", "INUSE":
            let handleField = record == "OUT" ? 10 : 8
            guard fields.count >= handleField + 3, let count = Int64(fields[7]), count >= 1,
                  let time = rlmTime(fields[fields.count - 2], fields[fields.count - 1]) else { return warn(number, "malformed \(record)") }
            let handle = fields[handleField]
            if handles[handle] != nil { return log.statistics.skip("INUSE restating an open checkout") }
            let index = feature(fields[1])
            handles[handle] = (index, count, time.day, time.clock)
            handleOrder.append(handle)
            rlmEvent(index, count, time)
            log.statistics.checkouts += 1
        case "IN":
            guard fields.count >= 13, let time = rlmTime(fields[fields.count - 2], fields[fields.count - 1]) else { return warn(number, "malformed IN") }
            guard let checkout = handles.removeValue(forKey: fields[10]) else {
                log.statistics.checkinsWithoutCheckout += 1
                return log.statistics.skip("check-in with no open checkout")
            }
            rlmEvent(checkout.feature, -checkout.count, time)
            session(checkout.feature, days: time.day - checkout.day, from: checkout.clock, to: time.clock)
            log.statistics.checkins += 1
        case "DENY":
            guard fields.count >= 10, let time = rlmTime(fields[fields.count - 2], fields[fields.count - 1]) else { return warn(number, "malformed DENY") }
            _ = feature(fields[1])
            log.statistics.denials += 1
            pendingDenials.append((Int(time.day), time.clock, LicenseLog.Denial(epochMilliseconds: 0, feature: fields[1], user: fields[3], host: fields[4])))
        case "REREAD": log.statistics.skip("license re-read")
        case "SWITCH", "TIMEZONE", "LICENSE", "ISV:", "AUTH:", "RLM": log.statistics.skip("log header")
        default:
            log.statistics.skip(record.hasPrefix("--") ? "not RLM syntax" : "comment or unknown record")
        }
    }

    /// RLM events are dated as they are read: their day is an epoch day, with a fixed anchor at day 0.
    mutating func rlmEvent(_ feature: Int, _ delta: Int64, _ time: (day: Int64, clock: Int64)) {
        if anchors.isEmpty { anchors.append((0, 0, 0)) }
        events.append((Int(time.day), time.clock, feature, delta))
    }

    /// `MM/DD/YYYY`, checked (years 1970 to 9999).
    static func rlmDate(_ text: String) -> (year: Int64, month: Int64, day: Int64)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].count == 4, let month = Int64(parts[0]), let day = Int64(parts[1]), let year = Int64(parts[2]),
              CivilCalendar.isValid(year: year, month: month, day: day), (1970...9999).contains(year) else { return nil }
        return (year, month, day)
    }

    /// A server start: what is open ends.
    mutating func endAllHandles(_ time: (day: Int64, clock: Int64)) {
        guard !handles.isEmpty else { return }
        endHandles(time)
        log.statistics.restarts += 1
    }

    mutating func endHandles(_ time: (day: Int64, clock: Int64)) {
        for handle in handleOrder {
            guard let checkout = handles.removeValue(forKey: handle) else { continue }
            rlmEvent(checkout.feature, -checkout.count, time)
            log.statistics.endedByRestart += 1
        }
        handleOrder = []
    }
}

extension LogReader {
    // MARK: RLM ISV debug log

    mutating func rlmDebug(_ line: String, line number: Int) {
        let words = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard words.count == 3, words[2].hasPrefix("("), let close = words[2].firstIndex(of: ")") else {
            settleDenial(reason: nil)
            return log.statistics.skip(line.trimmingCharacters(in: .whitespaces).isEmpty ? "empty line" : "line without a date, a time and an (isv)")
        }
        guard let time = rlmTime(String(words[0]), String(words[1])) else {
            settleDenial(reason: nil)
            return warn(number, "malformed date or time")
        }
        let tag = String(words[2][words[2].index(after: words[2].startIndex)..<close])
        let raw = words[2][words[2].index(after: close)...].dropFirst()
        let message = raw.trimmingCharacters(in: .whitespaces)
        if unsettledDenial != nil {
            // The line after a DENIED, indented, gives its reason.
            if raw.hasPrefix("  "), !message.isEmpty { settleDenial(reason: message); return log.statistics.skip("denial reason") }
            settleDenial(reason: nil)
        }
        if anchors.isEmpty { anchors.append((0, 0, 0)) }
        dayIndex = Int(time.day)
        if message.hasPrefix("Server started on") {
            if !rereading.contains(tag) { restart(daemon: tag, clock: time.clock) }
            rereading.remove(tag)
            return
        }
        if message.contains("Reread request") { rereading.insert(tag); return log.statistics.skip("license re-read") }
        if message.hasPrefix("Shutdown request") { restart(daemon: tag, clock: time.clock); return }
        for kind in ["OUT: ", "IN: ", "DENIED: "] where message.hasPrefix(kind) {
            return rlmDebugUsage(String(kind.dropLast(2)), message.dropFirst(kind.count), tag: tag, clock: time.clock, line: number)
        }
        log.statistics.skip("server message (no usage)")
    }

    /// `product vVER by user@host[ isv_def][ (N licenses)]` (IN may start with its reason in parentheses);
    /// DENIED: `(count) product vVER to user@host`, where the product may hold spaces.
    mutating func rlmDebugUsage(_ kind: String, _ rest: Substring, tag: String, clock: Int64, line number: Int) {
        var text = rest
        if text.hasPrefix("("), let close = text.firstIndex(of: ")") { text = text[text.index(after: close)...].drop { $0 == " " } }
        let separator = kind == "DENIED" ? " to " : " by "
        guard let split = text.range(of: separator, options: .backwards) else {
            return warn(number, "\(kind) without \(separator.trimmingCharacters(in: .whitespaces)) user@host")
        }
        let head = text[..<split.lowerBound], tail = text[split.upperBound...]
        // The product is what comes before its version (`v2.12`).
        let product = head.range(of: " v", options: .backwards).map { String(head[..<$0.lowerBound]) } ?? String(head)
        let token = tail.split(separator: " ").first.map(String.init) ?? ""
        guard !product.isEmpty, let at = token.lastIndex(of: "@"), at != token.startIndex else {
            return warn(number, "\(kind) without a product and user@host")
        }
        let user = String(token[..<at]), host = String(token[token.index(after: at)...])
        var count: Int64 = 1
        if kind != "DENIED", let licenses = tail.range(of: " licenses)"), let open = tail[..<licenses.lowerBound].lastIndex(of: "("),
           let value = Int64(tail[tail.index(after: open)..<licenses.lowerBound]), value >= 1 {
            count = value
        }
        switch kind {
        case "OUT": checkOut(tag: tag, feature: product, user: user, host: host, count: count, clock: clock)
        case "IN": checkIn(tag: tag, feature: product, user: user, host: host, count: count, clock: clock)
        default: unsettledDenial = (dayIndex, clock, LicenseLog.Denial(epochMilliseconds: 0, feature: product, user: user, host: host))
        }
    }

    /// A DENIED is for want of a license when its reason says all licenses are in use, or when none follows.
    mutating func settleDenial(reason: String?) {
        guard let pending = unsettledDenial else { return }
        unsettledDenial = nil
        if reason.map({ $0.lowercased().contains("all licenses in use") }) ?? true {
            _ = feature(pending.denial.feature)
            log.statistics.denials += 1
            pendingDenials.append(pending)
        } else {
            log.statistics.otherDenials += 1
        }
    }
}

private extension Optional {
    var isSome: Bool { self != nil }
}
