/// The documented exit codes of `leasesim`.
public enum ExitCode: Int32, CaseIterable {
    /// Everything ran; every expectation held.
    case success = 0
    /// `check`: at least one expectation did not hold.
    case expectationFailed = 1
    /// Bad input or usage: a malformed scenario, an unknown flag, a missing file.
    case badInput = 2
    /// A run hit one of its limits (events, simulated time, pending events).
    case runLimit = 3
    /// An output file could not be written.
    case outputFailed = 4

    /// The graver of two outcomes, when several scenarios are judged: bad input, then an
    /// output failure, then a run limit, then a failed expectation.
    func worse(_ other: ExitCode) -> ExitCode {
        let gravity: [ExitCode] = [.success, .expectationFailed, .runLimit, .outputFailed, .badInput]
        return gravity.firstIndex(of: other)! > gravity.firstIndex(of: self)! ? other : self
    }
}

/// A usage error: what was wrong with the command line, with a hint.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
