import CLeaseSystem
import Foundation

/// One run's output files, put in place as a whole.
///
/// The files are written into a fresh hidden staging directory beside the output directory
/// (`PARENT/.NAME.leasesim-PID-N`) and swapped in with one atomic exchange of the two directories, so a reader
/// of the output directory always sees one complete set: the previous run's or this one's. Where the system
/// cannot exchange directories, the old one is renamed aside first (the directory is then briefly absent, never
/// mixed).
///
/// The output directory must be leasesim's: empty, or holding only the files a manifest (`.leasesim-outputs`)
/// lists (or the three files an older leasesim wrote). Anything else stops the run, and nothing leasesim did not
/// write is ever deleted. A lock on the directory makes a second run into it at the same time fail at once with a
/// clear message. Staging directories left by killed runs are removed by the next run; SIGINT, SIGTERM and SIGHUP
/// remove this run's before the process ends.
final class OutputSet {
    static let manifestName = ".leasesim-outputs"
    static let manifestHeader = "leasesim output set"
    /// What leasesim wrote before it kept a manifest.
    static let legacyNames = ["timeline.csv", "events.csv", "summary.json"]
    static let errorName = "error.txt"

    /// The output directory, resolved to an absolute path.
    let directory: String
    let staging: String
    private var lock: Int32
    private var files: [String] = []
    private var done = false

    /// Takes the directory's lock, trying again for up to 0.2 s: a process of ours that forked but has not yet
    /// exec'd (a test or tool starting a child) briefly shares the open lock of a set just closed.
    static func lockBriefly(_ descriptor: Int32) -> Bool {
        for attempt in 0..<100 {
            if flock(descriptor, LOCK_EX | LOCK_NB) == 0 { return true }
            guard errno == EWOULDBLOCK, attempt < 99 else { return false }
            usleep(2_000)
        }
        return false
    }

    /// Checks and locks the output directory (made if missing) and creates the staging directory.
    init(directory requested: String) throws(OutputError) {
        directory = try OutputSet.prepareDirectory(requested)
        lock = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0 else { throw OutputError(path: requested, reason: "cannot open the directory: \(OutputError.systemReason())") }
        guard OutputSet.lockBriefly(lock) else {
            let reason = errno == EWOULDBLOCK ? "another leasesim run is writing its outputs there now; wait for it or choose another --out"
                                              : OutputError.systemReason()
            Foundation.close(lock)
            throw OutputError(path: requested, reason: reason)
        }
        do throws(OutputError) {
            try OutputSet.checkOwnership(directory, shownAs: requested)
            OutputSet.removeLeftovers(of: directory)
            staging = OutputSet.stagingPath(for: directory)
            // Registered before it exists: a signal at any moment after this removes it.
            OutputCleanup.shared.register(staging)
            guard mkdir(staging, 0o755) == 0 else {
                OutputCleanup.shared.whileHeld { OutputCleanup.shared.unregister(staging) }
                throw OutputError(path: requested, reason: "cannot create \(staging): \(OutputError.systemReason())")
            }
        } catch {
            Foundation.close(lock)
            throw error
        }
    }

    deinit { discard() }

    /// A new file of the set.
    func createFile(named name: String) throws(OutputError) -> OutputFile {
        precondition(!done && !name.contains("/") && !files.contains(name), "bad output name \(name)")
        let file = try OutputFile(path: staging + "/" + name)
        files.append(name)
        return file
    }

    /// Puts the set in place: the output directory now holds exactly these files.
    func commit() throws(OutputError) {
        precondition(!done, "output set committed twice")
        try write(OutputSet.manifestHeader + "\n" + files.map { $0 + "\n" }.joined(), to: OutputSet.manifestName)
        try OutputCleanup.shared.whileHeld { () throws(OutputError) in
            if leasesim_exchange_paths(staging, directory) == 0 {
                // The staging path now holds the previous set: leasesim's files only (checked under the lock).
                OutputSet.removeSet(at: staging)
            } else {
                let aside = staging + "-previous"
                guard rename(directory, aside) == 0 else {
                    let reason = errno == EBUSY || errno == EXDEV
                        ? "it is a mount point, which cannot be replaced as a whole; use a directory inside it"
                        : OutputError.systemReason()
                    throw OutputError(path: directory, reason: reason)
                }
                guard rename(staging, directory) == 0 else {
                    let reason = OutputError.systemReason()
                    _ = rename(aside, directory)
                    throw OutputError(path: directory, reason: reason)
                }
                OutputSet.removeSet(at: aside)
            }
            OutputCleanup.shared.unregister(staging)
        }
        finish()
    }

    /// Puts a set holding only `error.txt` in place: a run that failed leaves no results that look current.
    func commitFailure(_ message: String) throws(OutputError) {
        for name in files { unlink(staging + "/" + name) }
        files = []
        try write(message.hasSuffix("\n") ? message : message + "\n", to: OutputSet.errorName)
        files = [OutputSet.errorName]
        try commit()
    }

    /// Adds a file to a set already in place (a report drawn from it): the file and then the manifest are each
    /// written beside their place and renamed in, under the directory's lock.
    static func add(named name: String, text: String, to requested: String) throws(OutputError) {
        precondition(!name.contains("/"), "bad output name \(name)")
        guard let directory = ScenarioLoader.resolved(requested), let listed = manifest(in: directory) else {
            throw OutputError(path: requested, reason: "not an output directory leasesim wrote (no \(manifestName))")
        }
        let lock = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0, lockBriefly(lock) else {
            if lock >= 0 { Foundation.close(lock) }
            throw OutputError(path: requested, reason: "another leasesim run is writing its outputs there now")
        }
        defer { Foundation.close(lock) }
        func place(_ content: String, as file: String) throws(OutputError) {
            let temporary = directory + "/." + file + ".leasesim-\(getpid())"
            let output = try OutputFile(path: temporary)
            output.write(content)
            try output.close()
            guard rename(temporary, directory + "/" + file) == 0 else {
                unlink(temporary)
                throw OutputError(path: directory + "/" + file, reason: OutputError.systemReason())
            }
        }
        try place(text, as: name)
        if !listed.contains(name) { try place(manifestHeader + "\n" + (listed + [name]).map { $0 + "\n" }.joined(), as: manifestName) }
    }

    /// Removes the staging directory and leaves the output directory as it was.
    func discard() {
        guard !done else { return }
        OutputCleanup.shared.whileHeld {
            OutputSet.removeSet(at: staging)
            OutputCleanup.shared.unregister(staging)
        }
        finish()
    }

    private func finish() {
        done = true
        Foundation.close(lock)
    }

    private func write(_ text: String, to name: String) throws(OutputError) {
        let file = try OutputFile(path: staging + "/" + name)
        file.write(text)
        try file.close()
    }

    // MARK: The output directory

    /// The absolute path of the output directory, made (with its parents) if missing.
    static func prepareDirectory(_ requested: String) throws(OutputError) -> String {
        guard !requested.isEmpty else { throw OutputError(path: requested, reason: "an empty directory name") }
        var info = stat()
        if stat(requested, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw OutputError(path: requested, reason: "not a directory") }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: requested, withIntermediateDirectories: true)
            } catch {
                throw OutputError(path: requested, reason: "cannot create the directory")
            }
        }
        guard let resolved = ScenarioLoader.resolved(requested), resolved != "/" else {
            throw OutputError(path: requested, reason: "not a directory leasesim can replace")
        }
        return resolved
    }

    /// The output directory holds nothing leasesim did not write; leftovers of an older leasesim are removed.
    static func checkOwnership(_ directory: String, shownAs requested: String) throws(OutputError) {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory).sorted()) ?? []
        let owned = Set(manifest(in: directory) ?? legacyNames)
        var foreign: [String] = []
        for name in entries where name != manifestName {
            if let pid = legacyTemporaryPid(name), !isAlive(pid) {
                unlink(directory + "/" + name)
                continue
            }
            if !owned.contains(name) || !isRegularFile(directory + "/" + name) { foreign.append(name) }
        }
        guard foreign.isEmpty else {
            let shown = foreign.prefix(3).map { Excerpt.quoted($0) }.joined(separator: ", ") + (foreign.count > 3 ? ", ..." : "")
            throw OutputError(path: requested, reason: "it holds \(shown), which leasesim did not write (left alone); "
                                  + "choose an empty directory or one leasesim wrote")
        }
    }

    /// The file names a manifest lists, if the directory has one.
    static func manifest(in directory: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + manifestName),
              let text = String(data: data, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.first == manifestHeader else { return nil }
        return lines.dropFirst().filter { !$0.isEmpty && !$0.contains("/") && $0 != "." && $0 != ".." }
    }

    /// `.NAME.tmp-PID`: a temporary file an older leasesim left in the output directory.
    static func legacyTemporaryPid(_ name: String) -> Int32? {
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-", options: .backwards),
              legacyNames.contains(String(name[name.index(after: name.startIndex)..<range.lowerBound])) else { return nil }
        return Int32(name[range.upperBound...])
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    static func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 || errno == EPERM }

    // MARK: Staging directories

    static let counter = Counter()

    static func stagingPrefix(for directory: String) -> (parent: String, prefix: String) {
        let parent = (directory as NSString).deletingLastPathComponent
        return (parent, "." + (directory as NSString).lastPathComponent + ".leasesim-")
    }

    static func stagingPath(for directory: String) -> String {
        let (parent, prefix) = stagingPrefix(for: directory)
        return parent + "/" + prefix + "\(getpid())-\(counter.next())"
    }

    /// Removes staging directories of this output directory whose process is gone (killed runs).
    static func removeLeftovers(of directory: String) {
        let (parent, prefix) = stagingPrefix(for: directory)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid(), !isAlive(pid) else { continue }
            removeSet(at: parent + "/" + name)
        }
    }

    /// Removes a set's directory: its regular files, then the directory (left if anything else is in it).
    static func removeSet(at path: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where isRegularFile(path + "/" + name) {
            unlink(path + "/" + name)
        }
        rmdir(path)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}

/// The staging directories of runs in progress, removed when SIGINT, SIGTERM or SIGHUP ends the process.
///
/// The signal handler only writes the signal's number to a pipe (all a handler may safely do); a thread of its
/// own reads it, removes the staging directories under the same lock a commit takes (so a set is never half put
/// in place), and then ends the process with the signal's default action, as the signal would have.
final class OutputCleanup: @unchecked Sendable {
    static let shared = OutputCleanup()
    static let signals = [SIGINT, SIGTERM, SIGHUP]
    private let lock = NSLock()
    private var stagings: [String] = []
    private var installed = false

    func register(_ staging: String) {
        lock.lock()
        defer { lock.unlock() }
        if !installed { installHandlers() }
        stagings.append(staging)
    }

    /// Called under the lock (from `whileHeld`).
    func unregister(_ staging: String) {
        stagings.removeAll { $0 == staging }
    }

    func whileHeld<Result>(_ body: () throws(OutputError) -> Result) throws(OutputError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func whileHeld(_ body: () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        body()
    }

    private func installHandlers() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return } // No cleanup on signals then; the next run removes leftovers.
        signalPipe = ends[1]
        let readEnd = ends[0]
        let thread = Thread { [self] in
            var signal: Int32 = 0
            while read(readEnd, &signal, MemoryLayout<Int32>.size) != MemoryLayout<Int32>.size {}
            lock.lock() // Held until the process ends: no set is put in place after this.
            for staging in stagings { OutputSet.removeSet(at: staging) }
            Foundation.signal(signal, SIG_DFL)
            raise(signal)
        }
        // A process may start with these signals blocked (inherited from its parent); they would never arrive.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for signal in OutputCleanup.signals { sigaddset(&unblocked, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        thread.name = "leasesim-signals"
        thread.start()
        for signal in OutputCleanup.signals {
            Foundation.signal(signal) { number in
                var number = number
                _ = write(signalPipe, &number, MemoryLayout<Int32>.size)
            }
        }
        installed = true
    }
}

/// Where the signal handler writes (set once, before any handler is installed).
nonisolated(unsafe) private var signalPipe: Int32 = -1
