import Foundation
import Testing
@testable import LeaseScenario

/// Rows built across many chunks reach the file in order, byte for byte; the bytes are counted.
@Test func rowsSpanningManyChunksArriveInOrder() throws {
    let directory = temporaryDirectory("output-chunks")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = try OutputFile(path: directory + "/rows.csv")
    file.write("n,square\n")
    var rows = CSVBuffer(writingTo: file)
    var expected = "n,square\n"
    for n in 0..<300_000 { // About 4.5 MB: more chunks than the pool holds, so the run waits on the writer.
        rows.reserve(48)
        rows.integer(Int64(n)); rows.comma()
        rows.integer(Int64(n) * Int64(n) - 1_000); rows.newline()
        expected += "\(n),\(n * n - 1_000)\n"
    }
    rows.finish()
    try file.close()
    #expect(file.bytesProduced == Int64(expected.utf8.count))
    let written = try String(contentsOfFile: directory + "/rows.csv", encoding: .utf8)
    #expect(written == expected)
}

/// A write error on the writer thread is reported by `finish` (and so by `close`), not lost.
@Test func aWriteErrorIsReported() throws {
    let descriptor = open("/dev/full", O_WRONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let writer = ChunkWriter(descriptor: descriptor)
    let chunk = writer.takeChunk()
    chunk.initialize(repeating: UInt8(ascii: "x"), count: 1_000)
    writer.submit(chunk, count: 1_000)
    let failure = writer.finish()
    #expect(failure == String(cString: strerror(ENOSPC)))
}

/// The names in a directory, sorted.
func entries(_ path: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

/// Writes a set of files with the given contents and commits it.
func writeSet(_ directory: String, _ files: [(String, String)]) throws {
    let set = try OutputSet(directory: directory)
    for (name, text) in files {
        let file = try set.createFile(named: name)
        file.write(text)
        try file.close()
    }
    try set.commit()
}

/// A new set replaces the old one whole: a file the new run does not write (events.csv under --no-events) is gone,
/// and no staging directory is left beside the output directory.
@Test func aCommittedSetReplacesTheWholeDirectory() throws {
    let parent = temporaryDirectory("set-replace"), out = parent + "/out"
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try writeSet(out, [("timeline.csv", "old"), ("events.csv", "old"), ("summary.json", "old")])
    #expect(entries(out) == [".leasesim-outputs", "events.csv", "summary.json", "timeline.csv"])
    try writeSet(out, [("timeline.csv", "new"), ("summary.json", "new")])
    #expect(entries(out) == [".leasesim-outputs", "summary.json", "timeline.csv"])
    #expect(try String(contentsOfFile: out + "/timeline.csv", encoding: .utf8) == "new")
    #expect(entries(parent) == ["out"])
}

/// Nothing leasesim did not write is deleted: a foreign file, or a directory named like an output, stops the run.
@Test func aDirectoryHoldingForeignFilesIsLeftAlone() throws {
    let parent = temporaryDirectory("set-foreign"), out = parent + "/out"
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try FileManager.default.createDirectory(atPath: out + "/timeline.csv", withIntermediateDirectories: true)
    try "keep".write(toFile: out + "/timeline.csv/notes.txt", atomically: true, encoding: .utf8)
    #expect(throws: OutputError.self) { try writeSet(out, [("timeline.csv", "new")]) }
    #expect(entries(out + "/timeline.csv") == ["notes.txt"])
    try FileManager.default.removeItem(atPath: out + "/timeline.csv")
    try "mine".write(toFile: out + "/README.md", atomically: true, encoding: .utf8)
    do {
        try writeSet(out, [("timeline.csv", "new")])
        Issue.record("a directory with a foreign file was replaced")
    } catch let error as OutputError {
        #expect(error.reason == "it holds \"README.md\", which leasesim did not write (left alone); choose an empty directory or one leasesim wrote")
    }
    #expect(entries(out) == ["README.md"])
    #expect(entries(parent) == ["out"])
}

/// A second run into the same directory at the same time fails at once with a clear message.
@Test func aSecondSetIntoTheSameDirectoryFails() throws {
    let parent = temporaryDirectory("set-lock"), out = parent + "/out"
    defer { try? FileManager.default.removeItem(atPath: parent) }
    let first = try OutputSet(directory: out)
    do {
        _ = try OutputSet(directory: out)
        Issue.record("two sets held one directory")
    } catch {
        #expect(error.reason == "another leasesim run is writing its outputs there now; wait for it or choose another --out")
    }
    first.discard()
    try writeSet(out, [("summary.json", "{}")]) // Free again.
}

/// A killed run's staging directory (its process gone) and an older leasesim's temporary files are removed by the
/// next run; a failed run leaves only error.txt; a discarded set leaves the directory as it was.
@Test func leftoversAreRemovedAndFailuresLeaveOnlyTheError() throws {
    let parent = temporaryDirectory("set-leftovers"), out = parent + "/out"
    defer { try? FileManager.default.removeItem(atPath: parent) }
    try writeSet(out, [("timeline.csv", "old")])
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    let dead = process.processIdentifier
    let leftover = parent + "/.out.leasesim-\(dead)-7"
    try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: false)
    try "partial".write(toFile: leftover + "/timeline.csv", atomically: true, encoding: .utf8)
    try "partial".write(toFile: out + "/.events.csv.tmp-\(dead)", atomically: true, encoding: .utf8)
    let set = try OutputSet(directory: out)
    #expect(entries(parent) == [(set.staging as NSString).lastPathComponent, "out"])
    #expect(entries(out) == [".leasesim-outputs", "timeline.csv"])
    set.discard()
    #expect(entries(parent) == ["out"])
    #expect(try String(contentsOfFile: out + "/timeline.csv", encoding: .utf8) == "old")
    let failing = try OutputSet(directory: out)
    _ = try failing.createFile(named: "timeline.csv")
    try failing.commitFailure("run stopped")
    #expect(entries(out) == [".leasesim-outputs", "error.txt"])
    #expect(try String(contentsOfFile: out + "/error.txt", encoding: .utf8) == "run stopped\n")
}
