import LeaseKernel
import LeaseScenario

/// The options a subcommand accepts: flags that take a value and switches (`--help` and `-h` come with every one).
/// Parsing reads these lists, and a test checks that the command's `--help` and docs/commands.md name each.
struct CommandOptions: Sendable {
    let command: String
    let values: [String]
    let switches: [String]

    init(_ command: String, values: [String], switches: [String]) {
        self.command = command
        self.values = values
        self.switches = switches + ["--help", "-h"]
    }
}

/// Parsed options of one subcommand: flags with values, switches, and positional arguments.
struct ParsedArguments {
    /// Every value of each flag, in command-line order (lookups only; repeatable flags keep them all).
    var allValues: [String: [String]] = [:]
    /// The last value of each flag.
    var values: [String: String] { allValues.compactMapValues(\.last) }
    var switches: Set<String> = []
    var positional: [String] = []

    /// Parses `arguments` against the options of a command.
    init(_ arguments: [String], _ options: CommandOptions) throws(UsageError) {
        try self.init(arguments, valueFlags: options.values, switchFlags: options.switches, command: options.command)
    }

    /// Parses `arguments` against the flags a command accepts; unknown flags are errors with a hint.
    init(_ arguments: [String], valueFlags: [String], switchFlags: [String], command: String) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("-"), argument != "-" else {
                positional.append(argument)
                continue
            }
            var flag = argument, inlineValue: String? = nil
            if let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if valueFlags.contains(flag) {
                guard let value = inlineValue ?? (index < arguments.count ? arguments[index] : nil) else {
                    throw UsageError(message: "\(command): \(flag) needs a value")
                }
                if inlineValue == nil { index += 1 }
                allValues[flag, default: []].append(value)
            } else if switchFlags.contains(flag), inlineValue == nil {
                switches.insert(flag)
            } else {
                let hint = SpellingHint.closest(to: flag, in: valueFlags + switchFlags).map { " (did you mean \($0)?)" } ?? ""
                throw UsageError(message: "\(command): unknown option \(Excerpt.plain(argument))\(hint); see 'leasesim \(command) --help'")
            }
        }
    }

    /// A duration flag's value, at least `minimum`.
    func duration(_ flag: String, minimum: SimDuration = .milliseconds(1)) throws(UsageError) -> SimDuration? {
        guard let text = values[flag] else { return nil }
        guard let value = TimeSyntax.duration(text), value >= minimum else {
            throw UsageError(message: "\(flag): expected \(TimeSyntax.durationForm) of at least \(minimum), found \(Excerpt.quoted(text))")
        }
        return value
    }

    /// How to load scenarios: `--seed`, `--set` and `--allow-outside-files`.
    func loadOptions() throws -> LoadOptions {
        var overrides: [ScenarioOverride] = []
        for text in allValues["--set"] ?? [] { overrides.append(try ScenarioOverride(text)) }
        return LoadOptions(seed: try seed(), allowsFilesOutside: switches.contains("--allow-outside-files"), overrides: overrides)
    }

    /// A whole-number flag's value, in `range`.
    func count(_ flag: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = values[flag] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError(message: "\(flag): expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(Excerpt.quoted(text))")
        }
        return value
    }

    /// A flag's value among `choices` (the first is the default).
    /// `--timeline wide|by-role`: whether a run writes a timeline table per role.
    func timelineByRole() throws(UsageError) -> Bool { try choice("--timeline", among: ["wide", "by-role"]) == "by-role" }

    func choice(_ flag: String, among choices: [String]) throws(UsageError) -> String {
        guard let text = values[flag] else { return choices[0] }
        guard choices.contains(text) else {
            throw UsageError(message: "\(flag): expected one of \(choices.joined(separator: ", ")), found \(Excerpt.quoted(text))")
        }
        return text
    }

    func seed() throws(UsageError) -> UInt64? {
        guard let text = values["--seed"] else { return nil }
        guard let seed = UInt64(text), seed <= UInt64(Int64.max) else {
            throw UsageError(message: "--seed: expected a whole number from 0 to \(Int64.max), found \(Excerpt.quoted(text))")
        }
        return seed
    }

}
