import Foundation

/// An output file written under a temporary name and renamed into place on `commit()`.
///
/// A run that fails never leaves a half-written file: `discard()` (or never
/// committing) removes the temporary file. Bytes travel in chunks that a
/// `ChunkWriter` writes on its own thread while the run goes on; rows are
/// built straight in those chunks by a `CSVBuffer`.
public final class OutputFile: ChunkSink {
    public let finalPath: String
    let temporaryPath: String
    let handle: FileHandle
    let writer: ChunkWriter
    /// Set once `commit` or `discard` has stopped the writer.
    var closed = false

    /// Creates the temporary file next to `path`.
    public init(path: String) throws {
        finalPath = path
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        temporaryPath = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporaryPath) else {
            throw OutputError(path: path, reason: "cannot create \(temporaryPath)")
        }
        self.handle = handle
        writer = ChunkWriter(descriptor: handle.fileDescriptor)
    }

    deinit {
        if !closed { discard() }
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(bytes: $0) }
    }

    /// Copies bytes into chunks and queues them at once (for headers and whole documents).
    public func write(bytes: UnsafeBufferPointer<UInt8>) {
        precondition(!closed, "write after commit or discard")
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let chunk = writer.takeChunk(), count = min(remaining, ChunkWriter.chunkBytes)
            chunk.update(from: next, count: count)
            writer.submit(chunk, count: count)
            next += count
            remaining -= count
        }
    }

    /// Queues rows to be formatted on the writer thread, after everything written so far.
    func write(_ renderer: any ChunkRenderer) {
        precondition(!closed, "write after commit or discard")
        writer.submit(renderer)
    }

    /// Queues a filled chunk (or gives back an empty one) and, unless `final`, returns a fresh one.
    public func exchangeChunk(_ chunk: UnsafeMutablePointer<UInt8>?, filled: Int, final: Bool = false) -> UnsafeMutablePointer<UInt8>? {
        precondition(!closed, "write after commit or discard")
        if let chunk {
            if filled > 0 { writer.submit(chunk, count: filled) } else { writer.giveBack(chunk) }
        }
        return final ? nil : writer.takeChunk()
    }

    /// Waits for the writer, closes and renames the file into place.
    public func commit() throws {
        closed = true
        if let writeError = writer.finish() {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw OutputError(path: finalPath, reason: writeError)
        }
        try handle.close()
        if FileManager.default.fileExists(atPath: finalPath) { try FileManager.default.removeItem(atPath: finalPath) }
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: finalPath)
    }

    /// Stops the writer, closes and removes the temporary file.
    public func discard() {
        guard !closed else { return }
        closed = true
        _ = writer.finish()
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}

/// An output file could not be written.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot write output: \(reason)" }
}
