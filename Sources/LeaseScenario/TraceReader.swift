import LeaseKernel
import LeaseModel

/// Reads a demand trace: CSV with the header `time,users`, one step a row.
public enum TraceReader {
    /// The steps of a trace file's bytes.
    ///
    /// Time is seconds since the start, a duration, or an instant, within `ScenarioLimits.maxTime`; users are
    /// 0...`ScenarioLimits.maxCount`; rows come in increasing time. Lines may end in CRLF and the file may start
    /// with a UTF-8 byte order mark. Errors give the line and the column of the bad cell and show at most a
    /// short, escaped excerpt of it. Time and memory are linear in the file.
    /// - Parameters:
    ///   - file: the trace's path, for errors; `jsonPath`: the scenario field that named it.
    public static func steps(_ bytes: [UInt8], file: String, jsonPath: String, startEpochMilliseconds: Int64) throws(ScenarioError) -> [DemandStep] {
        var text = bytes[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) } // A UTF-8 byte order mark.
        var steps: [DemandStep] = []
        let maxSeconds = ScenarioLimits.maxTime.milliseconds / SimDuration.millisecondsPerSecond
        // Lines end in "\n" or "\r\n" (Windows exports); split on bytes, where "\r\n" is not one character.
        for (offset, rawLine) in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let lineBytes = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            let lineNumber = offset + 1
            let fail = { (column: Int, expected: String, found: String) in
                ScenarioError(file: file, position: TextPosition(line: lineNumber, column: column), path: jsonPath,
                              expected: expected, found: found)
            }
            guard let line = String(validating: lineBytes, as: UTF8.self) else { throw fail(1, "a line of UTF-8 text", "invalid UTF-8") }
            if lineNumber == 1 {
                guard line == "time,users" else { throw fail(1, "the header \"time,users\"", Excerpt.quoted(line)) }
                continue
            }
            if line.isEmpty { continue }
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == 2 else { throw fail(1, "two cells: time,users", "\(cells.count) cells") }
            let timeText = String(cells[0]), usersColumn = cells[0].unicodeScalars.count + 2
            let at: SimInstant
            if let seconds = Int64(timeText), seconds >= 0 {
                guard seconds <= maxSeconds else {
                    throw fail(1, "at most \(maxSeconds) seconds (\(ScenarioLimits.maxTime))", Excerpt.quoted(timeText))
                }
                at = .start + .seconds(seconds)
            } else if let instant = TimeSyntax.instant(timeText, startEpochMilliseconds: startEpochMilliseconds),
                      instant <= .start + ScenarioLimits.maxTime {
                at = instant
            } else {
                throw fail(1, "seconds since start or " + TimeSyntax.instantForm + " within \(ScenarioLimits.maxTime)", Excerpt.quoted(timeText))
            }
            guard let users = Int64(cells[1]), (0...ScenarioLimits.maxCount).contains(users) else {
                throw fail(usersColumn, "a user count from 0 to \(ScenarioLimits.maxCount)", Excerpt.quoted(String(cells[1])))
            }
            if let last = steps.last, at <= last.at { throw fail(1, "times in increasing order", "\(at) after \(last.at)") }
            steps.append(DemandStep(at: at, users: Int32(users)))
        }
        guard !steps.isEmpty else {
            throw ScenarioError(file: file, position: nil, path: jsonPath, expected: "at least one row", found: "none")
        }
        return steps
    }
}
