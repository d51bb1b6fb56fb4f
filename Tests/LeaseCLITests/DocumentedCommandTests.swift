import Foundation
import Testing

// Every command the README and docs/ show is run as written (issue 24). Two kinds of block are commands:
// - a ```sh block: every line (joined over trailing `\`) is a command that must exit 0;
// - a plain ``` block with `$ ` lines: a transcript. Each `$ ` line is a command; the lines after it, up to the next
//   `$ `, are what it prints (stdout and stderr together), matched line by line: a line `...` stands for any number of
//   lines, `...` inside a line for any text, and a duration after "in" (`read in 157 ms`) for any duration. A command
//   must exit 0 unless the next command is `echo $?`, whose shown output is then the exit code.
// A plain block with no `$ ` line is text (a synopsis, an error message, a tree); a line in it that starts with
// `leasesim ` and names no placeholder in capitals is a command written in the wrong kind of block, and fails.
//
// The blocks of one document run in order in one scratch folder (holding links to Scenarios/ and examples/, and to
// ../shared when it exists), each block in one shell, with the debug `leasesim` and `leasesim-bench` first on PATH.
// Commands are rewritten only where the document itself says a command is slow or a developer tool's:
// - `swift run -c release leasesim` is `leasesim`; `swift run -c release leasesim-bench` is `leasesim-bench` with the
//   horizon cut to one day, the fleet to at most 200 clients and counts to 3;
// - `swift test`, `swift build`, `llvm-*` and the developer scripts (fuzz, sanitizers, install) are not run here:
//   the script must exist and be executable (`.ci/run` runs the install step itself);
// - a command whose program is not installed (`duckdb`, SimPy for `Benchmarks/compare.sh`) or that reads
//   `../shared` on a machine without it is skipped and listed.

/// One command of a document, with what the document shows it printing.
struct DocumentedCommand {
    let line: Int
    var text: String
    var shown: [String] = []
}

/// A command block of a document.
struct CommandBlock {
    enum Kind { case shell, transcript }
    let file: String
    let line: Int
    let kind: Kind
    var commands: [DocumentedCommand]
}

/// The command blocks of a Markdown text, and the plain-block lines that look like commands in the wrong block.
func commandBlocks(of text: String, file: String) -> (blocks: [CommandBlock], misplaced: [String]) {
    var blocks: [CommandBlock] = [], misplaced: [String] = []
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var index = 0
    while index < lines.count {
        let fence = lines[index]
        index += 1
        guard fence.hasPrefix("```") else { continue }
        let language = fence.dropFirst(3).trimmingCharacters(in: .whitespaces)
        let start = index
        while index < lines.count, !lines[index].hasPrefix("```") { index += 1 }
        let body = Array(lines[start..<min(index, lines.count)])
        index += 1
        if language == "sh" {
            var commands: [DocumentedCommand] = [], pending: DocumentedCommand?
            for (offset, line) in body.enumerated() {
                var text = line
                if let hash = text.range(of: " #"), pending == nil { text = String(text[..<hash.lowerBound]) }
                text = text.trimmingCharacters(in: .whitespaces)
                if pending == nil, text.isEmpty || text.hasPrefix("#") { continue }
                let continues = text.hasSuffix("\\")
                if continues { text = String(text.dropLast()).trimmingCharacters(in: .whitespaces) }
                if var command = pending { command.text += " " + text; pending = command }
                else { pending = DocumentedCommand(line: start + offset + 1, text: text) }
                if !continues, let command = pending { commands.append(command); pending = nil }
            }
            if let command = pending { commands.append(command) }
            blocks.append(CommandBlock(file: file, line: start, kind: .shell, commands: commands))
        } else if language.isEmpty, body.contains(where: { $0.hasPrefix("$ ") }) {
            var commands: [DocumentedCommand] = []
            for (offset, line) in body.enumerated() {
                if line.hasPrefix("$ ") { commands.append(DocumentedCommand(line: start + offset + 1, text: String(line.dropFirst(2)))) }
                else if !commands.isEmpty { commands[commands.count - 1].shown.append(line) }
            }
            blocks.append(CommandBlock(file: file, line: start, kind: .transcript, commands: commands))
        } else if language.isEmpty {
            for (offset, line) in body.enumerated() where line.hasPrefix("leasesim ") {
                let placeholder = line.split(separator: " ").contains { word in
                    let letters = word.filter(\.isLetter)
                    return letters.count >= 2 && letters.allSatisfy(\.isUppercase)
                }
                if !placeholder { misplaced.append("\(file):\(start + offset + 1): \(line)") }
            }
        }
    }
    return (blocks, misplaced)
}

/// Whether `actual` (the printed lines) is what `shown` shows.
func transcriptMatches(shown: [String], actual: [String]) -> Bool {
    var shown = shown
    while shown.last?.isEmpty == true { shown.removeLast() }
    func normalized(_ line: String) -> String {
        line.replacing(/\ in \d+(\.\d+)? ?(ms|s)\b/, with: " in <duration>")
    }
    func lineMatches(_ pattern: String, _ line: String) -> Bool {
        let pattern = normalized(pattern), line = normalized(line)
        let parts = pattern.components(separatedBy: "...")
        guard parts.count > 1 else { return pattern == line }
        guard line.hasPrefix(parts[0]), line.hasSuffix(parts[parts.count - 1]),
              line.count >= parts[0].count + parts[parts.count - 1].count else { return false }
        var rest = Substring(line.dropFirst(parts[0].count).dropLast(parts[parts.count - 1].count))
        for part in parts.dropFirst().dropLast() {
            guard let found = rest.range(of: part) else { return false }
            rest = rest[found.upperBound...]
        }
        return true
    }
    // Match with `...` lines as any run of lines (a small backtracking matcher: transcripts are short).
    func match(_ s: Int, _ a: Int) -> Bool {
        if s == shown.count { return a == actual.count }
        if shown[s].trimmingCharacters(in: .whitespaces) == "..." {
            return (a...actual.count).contains { match(s + 1, $0) }
        }
        return a < actual.count && lineMatches(shown[s], actual[a]) && match(s + 1, a + 1)
    }
    return match(0, 0)
}

/// How a documented command is run here, or why it is not.
enum Rewrite: Equatable {
    case run(String)
    case notRun(String)
}

func rewrite(_ command: String, shared: Bool) -> Rewrite {
    var text = command
    let first = text.split(separator: " ").first.map(String.init) ?? ""
    let developerScripts = ["Tests/Fuzz/fuzz.sh", "Tests/Sanitizers/run.sh", "examples/install.sh"]
    if developerScripts.contains(first) {
        let executable = FileManager.default.isExecutableFile(atPath: repositoryRoot + "/" + first)
        return executable ? .notRun("developer tool (minutes each, or run by .ci/run)") : .run("echo 'no executable \(first)' >&2; exit 127")
    }
    if text.hasPrefix("swift test") || text.hasPrefix("swift build") || first.hasPrefix("llvm-") {
        return .notRun("the toolchain's own command")
    }
    if !shared, text.contains("../shared/") { return .notRun("reads ../shared, which this machine lacks") }
    if text.hasPrefix("swift run -c release leasesim-bench ") {
        text = "leasesim-bench " + text.dropFirst("swift run -c release leasesim-bench ".count)
        text = text.replacing(/--days \d+/, with: "--days 1").replacing(/--count \d+/, with: "--count 3")
            .replacing(/--pending \d+/, with: "--pending 1000")
        text = text.replacing(/--clients (\d+)/) { match in "--clients \(min(Int(match.1) ?? 200, 200))" }
    } else if text.hasPrefix("swift run -c release leasesim ") {
        text = "leasesim " + text.dropFirst("swift run -c release leasesim ".count)
    }
    if first == "Benchmarks/compare.sh" {
        guard shell("python3 -c 'import simpy'") == 0 else { return .notRun("needs SimPy (pip install simpy)") }
        text = "Benchmarks/compare.sh 50 1"
    }
    if first == "duckdb", shell("command -v duckdb") != 0 { return .notRun("needs duckdb") }
    return .run(text)
}

@discardableResult
private func shell(_ script: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script + " >/dev/null 2>&1"]
    guard (try? process.run()) != nil else { return 127 }
    process.waitUntilExit()
    return process.terminationStatus
}

/// Runs a block's commands in one shell in `folder`; the output and exit code of each.
private func run(_ commands: [String], in folder: String, path: String) throws -> [(output: [String], code: Int32)] {
    let marker = "@@leasesim-documented-command@@"
    var script = ""
    for command in commands {
        script += "\(command) 2>&1\nrc=$?\nprintf '\\n\(marker) %d\\n' $rc\n(exit $rc)\n"
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    process.environment = ProcessInfo.processInfo.environment.merging(["PATH": path]) { $1 }
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var results: [(output: [String], code: Int32)] = [], current: [String] = []
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix(marker + " ") {
            if current.last?.isEmpty == true { current.removeLast() } // the newline printed before the marker
            results.append((current, Int32(line.dropFirst(marker.count + 1)) ?? -1))
            current = []
        } else {
            current.append(String(line))
        }
    }
    return results
}

@Test func documentedCommandBlocksAreReadAsCommandsAndTranscripts() {
    let text = """
    ```sh
    leasesim run a.json --out x   # a comment
    leasesim run b.json \\
        --seed 3
    ```
    ```
    leasesim run SCENARIO [--out DIR]
    leasesim run c.json
    ```
    ```
    $ leasesim check c.json
    c.json: 1 of 2 expectations hold
      ...
    $ echo $?
    1
    ```
    """
    let (blocks, misplaced) = commandBlocks(of: text, file: "T.md")
    #expect(blocks.map(\.kind) == [.shell, .transcript])
    #expect(blocks[0].commands.map(\.text) == ["leasesim run a.json --out x", "leasesim run b.json --seed 3"])
    #expect(blocks[0].commands.map(\.line) == [2, 3])
    #expect(blocks[1].commands.map(\.text) == ["leasesim check c.json", "echo $?"])
    #expect(blocks[1].commands[0].shown == ["c.json: 1 of 2 expectations hold", "  ..."])
    #expect(misplaced == ["T.md:8: leasesim run c.json"])
    #expect(transcriptMatches(shown: ["a", "  ...", "z"], actual: ["a", "b", "c", "z"]))
    #expect(transcriptMatches(shown: ["a", "...", "z"], actual: ["a", "z"]))
    #expect(!transcriptMatches(shown: ["a", "z"], actual: ["a", "b", "z"]))
    #expect(transcriptMatches(shown: ["read in 157 ms, one of x, ..., found y"], actual: ["read in 3 ms, one of x, p, q, found y"]))
    #expect(!transcriptMatches(shown: ["one of x, ..., found y"], actual: ["one of x, p, found z"]))
    #expect(rewrite("swift run -c release leasesim-bench fleet --clients 100000 --days 30", shared: true)
        == .run("leasesim-bench fleet --clients 200 --days 1"))
    #expect(rewrite("swift run -c release leasesim run q.json --out out", shared: true) == .run("leasesim run q.json --out out"))
    #expect(rewrite("leasesim import ../shared/x.log", shared: false) == .notRun("reads ../shared, which this machine lacks"))
}

/// The documents: the README and every page of docs/ (a test keeps this list equal to the folder).
let documents = ["README.md", "docs/architecture.md", "docs/benchmarks.md", "docs/commands.md", "docs/hardening.md", "docs/model.md",
                 "docs/outputs.md", "docs/scenarios.md"]

@Test func theDocumentListHoldsEveryPageOfDocs() throws {
    let pages = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/docs").filter { $0.hasSuffix(".md") }.sorted()
    #expect(documents.dropFirst().map { String($0.dropFirst("docs/".count)) } == pages)
}

/// A heading's anchor as GitHub makes it: lower case, punctuation but `-` and `_` dropped, spaces as `-`.
func anchor(of heading: String) -> String {
    String(heading.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || "-_ ".unicodeScalars.contains($0) }
        .map(Character.init)).replacingOccurrences(of: " ", with: "-")
}

/// Every relative link of the README and docs/ names a file that exists and, with `#anchor`, a heading it has.
@Test(arguments: documents)
func everyDocumentLinkResolves(document: String) throws {
    let text = try String(contentsOfFile: repositoryRoot + "/" + document, encoding: .utf8)
    let folder = (document as NSString).deletingLastPathComponent
    var checked = 0
    for match in text.matches(of: /\]\(([^)\s]+)\)/) {
        let target = String(match.1)
        guard !target.hasPrefix("http://"), !target.hasPrefix("https://"), !target.hasPrefix("mailto:") else { continue }
        let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let path = parts[0].isEmpty ? document : URL(fileURLWithPath: repositoryRoot + "/" + folder + "/" + parts[0]).standardized.path
        let file = parts[0].isEmpty ? repositoryRoot + "/" + document : path
        #expect(FileManager.default.fileExists(atPath: file), "\(document): \(target): no such file")
        if parts.count == 2, file.hasSuffix(".md"), let linked = try? String(contentsOfFile: file, encoding: .utf8) {
            let headings = linked.split(separator: "\n").filter { $0.hasPrefix("#") }.map { anchor(of: String($0.drop { $0 == "#" }.dropFirst())) }
            #expect(headings.contains(parts[1]), "\(document): \(target): no such heading in \(parts[0].isEmpty ? document : parts[0])")
        }
        checked += 1
    }
    if document == "README.md" { #expect(checked >= 7) }
}

@Test(arguments: documents)
func everyDocumentedCommandWorksAsWritten(document: String) throws {
    let text = try String(contentsOfFile: repositoryRoot + "/" + document, encoding: .utf8)
    let (blocks, misplaced) = commandBlocks(of: text, file: document)
    #expect(misplaced.isEmpty, "commands in a plain block (use ```sh, or a `$ ` transcript): \(misplaced)")
    guard !blocks.isEmpty else { return } // a page of prose

    let root = scratch("documented-\(document.replacingOccurrences(of: "/", with: "-"))")
    let folder = root + "/leasesim", bin = root + "/bin"
    let manager = FileManager.default
    try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try manager.createDirectory(atPath: bin, withIntermediateDirectories: true)
    for name in ["Scenarios", "examples", "Tests", "Benchmarks"] {
        try manager.createSymbolicLink(atPath: folder + "/" + name, withDestinationPath: repositoryRoot + "/" + name)
    }
    let sharedPath = URL(fileURLWithPath: repositoryRoot + "/../shared").standardized.path
    let shared = manager.fileExists(atPath: sharedPath + "/real-logs")
    if shared { try manager.createSymbolicLink(atPath: root + "/shared", withDestinationPath: sharedPath) }
    let built = Bundle.main.bundleURL.path
    for tool in ["leasesim", "leasesim-bench"] {
        let candidates = [built + "/" + tool, repositoryRoot + "/.build/debug/" + tool]
        let executable = try #require(candidates.first { manager.isExecutableFile(atPath: $0) }, "no built \(tool)")
        try manager.createSymbolicLink(atPath: bin + "/" + tool, withDestinationPath: executable)
    }
    let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

    var ran = 0
    for block in blocks {
        var runnable: [(command: DocumentedCommand, text: String)] = []
        for command in block.commands {
            switch rewrite(command.text, shared: shared) {
            case .run(let text): runnable.append((command, text))
            case .notRun(let reason):
                // A transcript is one session: a skipped command leaves the rest of it unverifiable (below).
                if block.kind == .shell { print("\(document):\(command.line): not run here (\(reason)): \(command.text)") }
            }
        }
        if block.kind == .transcript, runnable.count != block.commands.count {
            print("\(document):\(block.line): transcript not run here: \(block.commands.map(\.text))")
            continue
        }
        guard !runnable.isEmpty else { continue }
        let results = try run(runnable.map(\.text), in: folder, path: path)
        try #require(results.count == runnable.count, "\(document):\(block.line): the block's shell stopped early")
        for (index, (entry, result)) in zip(runnable, results).enumerated() {
            ran += 1
            let command = entry.command
            let where_ = "\(document):\(command.line): \(command.text)"
            let checkedCode = index + 1 < runnable.count && runnable[index + 1].command.text == "echo $?"
            if !checkedCode && command.text != "echo $?" {
                #expect(result.code == 0, "\(where_): exit \(result.code)\n\(result.output.joined(separator: "\n"))")
            }
            if block.kind == .transcript {
                #expect(transcriptMatches(shown: command.shown, actual: result.output),
                        "\(where_)\nshown:\n\(command.shown.joined(separator: "\n"))\nprinted:\n\(result.output.joined(separator: "\n"))")
            }
        }
    }
    #expect(ran > 0 || document != "README.md")
    try? manager.removeItem(atPath: root)
}
