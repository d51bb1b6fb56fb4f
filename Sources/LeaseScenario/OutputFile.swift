import Foundation

/// One output file of a run, written in the run's staging directory (`OutputSet`) by a writer thread.
///
/// Bytes travel in chunks that a `ChunkWriter` writes on its own thread while the run goes on; rows are built
/// straight in those chunks by a `CSVBuffer`. The file is never renamed on its own: the whole set is put in
/// place at once by `OutputSet.commit()`.
public final class OutputFile: ChunkSink {
    public let path: String
    let descriptor: Int32
    let writer: ChunkWriter
    /// Set once `close` or `abandon` has stopped the writer.
    var closed = false

    /// Creates the file, which must not exist yet.
    public init(path: String) throws(OutputError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw OutputError(path: path, reason: "cannot create the file: \(OutputError.systemReason())") }
        writer = ChunkWriter(descriptor: descriptor)
    }

    deinit { abandon() }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(bytes: $0) }
    }

    /// Copies bytes into chunks and queues them at once (for headers and whole documents).
    public func write(bytes: UnsafeBufferPointer<UInt8>) {
        precondition(!closed, "write after close")
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
        precondition(!closed, "write after close")
        writer.submit(renderer)
    }

    /// Queues a filled chunk (or gives back an empty one) and, unless `final`, returns a fresh one.
    public func exchangeChunk(_ chunk: UnsafeMutablePointer<UInt8>?, filled: Int, final: Bool = false) -> UnsafeMutablePointer<UInt8>? {
        precondition(!closed, "write after close")
        if let chunk {
            if filled > 0 { writer.submit(chunk, count: filled) } else { writer.giveBack(chunk) }
        }
        return final ? nil : writer.takeChunk()
    }

    /// Bytes handed to the file so far (queued or written).
    var bytesProduced: Int64 { writer.bytesProduced }

    /// Waits for the writer and closes the file.
    /// - Throws: `OutputError` when a write (or the close) failed.
    public func close() throws(OutputError) {
        guard !closed else { return }
        closed = true
        let writeError = writer.finish()
        let closeFailed = Foundation.close(descriptor) != 0
        if let writeError { throw OutputError(path: path, reason: writeError) }
        if closeFailed { throw OutputError(path: path, reason: OutputError.systemReason()) }
    }

    /// Stops the writer and closes the file, ignoring errors (the file is about to be removed).
    public func abandon() {
        guard !closed else { return }
        closed = true
        _ = writer.finish()
        _ = Foundation.close(descriptor)
    }
}

/// An output could not be written.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot write output: \(reason)" }

    /// The text of the last system error.
    static func systemReason() -> String { String(cString: strerror(errno)) }
}
