import Foundation
import LeaseScenario

/// `leasesim plan`: the smallest value of a field that meets a target.
extension LeaseSimCLI {
    static let planOptions = CommandOptions("plan", values: ["--target", "--vary", "--replications", "--share", "--low", "--high", "--jobs", "--set", "--seed"],
                                        switches: ["--allow-outside-files"])

    static let planHelp = """
    leasesim plan SCENARIO --target FIGURE<=VALUE --vary PATH [options]: find the smallest value that meets a target

      --target T           FIGURE OP VALUE (OP: <=, <, >=, >, ==). FIGURE is a figure of runs.csv (deniedLogins,
                           deniedUserHours, users.peakLeased, ...) or ID.METRIC of a client or server
                           (gw-1.deniedLogins; ID.METRIC@FEATURE when it has several)
      --vary PATH          the whole-number field to search, as --set names it (servers[ls-1].licenses[0].count,
                           clients[gw-1].allocations.users.muc)
      --replications N     runs per value tried, with the seeds a sweep's replications get (default 20 when the
                           scenario draws from its seed: random sessions, loss, random faults, variation; else 1)
      --share S            the share of replications that must meet the target, 0 < S <= 1 (default 1: every one)
      --low N, --high N    the range searched (default: from the field's value, doubled until the target is met,
                           then halved and bisected)
      --jobs N             runs at the same time (default: the number of processors)
      --set PATH=VALUE     other fields changed first; repeatable
      --seed N             the base seed of the replications
      --allow-outside-files  let the scenario read trace files outside its own folder

    The search assumes meeting the target is monotone in the value (more licenses, or a larger RUC or MUC, deny
    no more logins), and warns when the runs it made say otherwise. Exits 0 with the answer, 1 when no value in
    the range meets the target, 2 on bad input.
    """

    static func plan(_ arguments: [String]) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, planOptions)
        if parsed.switches.contains("--help") || parsed.switches.contains("-h") { print(planHelp); return 0 }
        guard parsed.positional.count == 1 else {
            throw UsageError(message: "plan: expected one scenario file, found \(parsed.positional.count); see 'leasesim plan --help'")
        }
        guard let targetText = parsed.values["--target"], let path = parsed.values["--vary"] else {
            throw UsageError(message: "plan: --target and --vary are required; see 'leasesim plan --help'")
        }
        var search = PlanSearch(scenarioPath: parsed.positional[0], path: path, target: try PlanTarget(targetText))
        _ = try ScenarioOverride(path + "=0") // the path's syntax, before any run
        search.loadOptions = try parsed.loadOptions()
        let replications = try parsed.count("--replications", in: 1...SweepFormat.maxReplications)
        search.jobs = try parsed.count("--jobs", in: 1...1024) ?? ProcessInfo.processInfo.activeProcessorCount
        if let text = parsed.values["--share"] {
            guard let share = Double(text), share > 0, share <= 1 else {
                throw UsageError(message: "--share: expected a number above 0 and at most 1, found \(Excerpt.quoted(text))")
            }
            search.share = share
        }
        let bound = 0...Int(PlanSearch.ceiling)
        search.low = try parsed.count("--low", in: bound).map(Int64.init)
        search.high = try parsed.count("--high", in: bound).map(Int64.init)
        if let low = search.low, let high = search.high, low > high {
            throw UsageError(message: "plan: --low \(low) is above --high \(high)")
        }
        let random = try search.check().randomSources
        search.replications = replications ?? (random.isEmpty ? 1 : PlanSearch.randomReplications)
        let needed = search.share == 1 ? "every replication" : "\(PlanSearch.text(search.share * 100))% of replications"
        var why = ""
        if replications == nil, let first = random.first {
            why = ": the default when the scenario draws from its seed, as \(first)\(random.count > 1 ? " and \(OutputText.count(random.count - 1, "other field")) do" : " does")"
        }
        print("plan: the smallest \(path) with \(search.target) in \(needed) (\(OutputText.count(search.replications, "replication")) a value\(why))")
        if random.isEmpty, search.replications > 1 {
            standardError("leasesim: warning: the scenario draws nothing from its seed: its \(search.replications) replications of a value are the same run")
        }
        let result = try search.run { trial in
            let figures = trial.figures.sorted()
            let mean = figures.reduce(0, +) / Double(max(1, figures.count))
            print("  \(path)=\(trial.value): \(trial.met) of \(figures.count) meet it (\(trial.meets ? "meets" : "falls short")); \(search.target.figure) mean \(PlanSearch.text(mean)), min \(PlanSearch.text(figures.first ?? 0)), max \(PlanSearch.text(figures.last ?? 0))")
        }
        for warning in result.warnings { standardError("leasesim: warning: " + warning) }
        let runs = result.trials.count * search.replications
        guard let answer = result.answer else {
            // The largest value run (an invalid one is never run: the search stops below it).
            let largest = result.trials.map(\.value).max().map { "up to \($0)" } ?? "in the range"
            print("plan: no value \(largest) meets the target (\(OutputText.count(runs, "run")))")
            return ExitCode.expectationFailed.rawValue
        }
        print("plan: \(path)=\(answer) (\(OutputText.count(result.trials.count, "value")) tried, \(OutputText.count(runs, "run")); seeds from base \(result.baseSeed))")
        return ExitCode.success.rawValue
    }
}
