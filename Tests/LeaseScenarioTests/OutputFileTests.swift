import Foundation
import Testing
@testable import LeaseScenario

/// Rows built across many chunks reach the file in order, byte for byte, and only on commit.
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
    #expect(!FileManager.default.fileExists(atPath: directory + "/rows.csv"))
    try file.commit()
    let written = try String(contentsOfFile: directory + "/rows.csv", encoding: .utf8)
    #expect(written.utf8.count == expected.utf8.count)
    #expect(written == expected)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["rows.csv"])
}

/// A discarded file leaves nothing behind, even with rows still in a chunk.
@Test func aDiscardedFileLeavesNothing() throws {
    let directory = temporaryDirectory("output-discard")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let file = try OutputFile(path: directory + "/rows.csv")
    var rows = CSVBuffer(writingTo: file)
    rows.reserve(16)
    rows.integer(42)
    file.discard()
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
}

/// A write error on the writer thread is reported by `finish` (and so by `commit`), not lost.
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
