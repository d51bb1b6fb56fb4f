import Foundation

/// Writes chunks of bytes to a file descriptor on a thread of its own, in the order they were handed over.
///
/// The run's thread fills one chunk while this thread writes earlier ones, so
/// the kernel's copy into the page cache (and any write-back throttling)
/// overlaps the simulation instead of stopping it. Chunks come from a small
/// pool: memory stays bounded, and a run that gets ahead of the disk waits
/// for a chunk to come back. Bytes reach the file exactly in submission order.
final class ChunkWriter: @unchecked Sendable {
    /// Bytes per chunk.
    static let chunkBytes = 1 << 20
    /// Chunks at most, filled or in flight (allocated as needed).
    static let chunkLimit = 4

    private let descriptor: Int32
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var spare: [UnsafeMutablePointer<UInt8>] = []
    /// Every chunk allocated, wherever it is now; all are freed by `finish`.
    private var allocated: [UnsafeMutablePointer<UInt8>] = []
    private var queued: [(chunk: UnsafeMutablePointer<UInt8>, count: Int)] = []
    private var closing = false
    private var stopped = false
    private var failure: String?

    /// Starts the writing thread for `descriptor` (which the caller keeps open until `finish`).
    init(descriptor: Int32) {
        self.descriptor = descriptor
        let thread = Thread { [self] in writeQueuedChunks() }
        thread.name = "leasesim-writer"
        thread.start()
    }

    /// A chunk to fill: a spare one, a new one while under the limit, or else the next one written.
    func takeChunk() -> UnsafeMutablePointer<UInt8> {
        condition.lock()
        defer { condition.unlock() }
        precondition(!closing, "chunk taken after finish")
        while spare.isEmpty && allocated.count == ChunkWriter.chunkLimit { condition.wait() }
        if let chunk = spare.popLast() { return chunk }
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: ChunkWriter.chunkBytes)
        allocated.append(chunk)
        return chunk
    }

    /// Queues the first `count` bytes of a chunk (from `takeChunk`) for writing; the chunk is the writer's now.
    func submit(_ chunk: UnsafeMutablePointer<UInt8>, count: Int) {
        precondition(count <= ChunkWriter.chunkBytes, "chunk overfilled")
        condition.lock()
        queued.append((chunk, count))
        condition.broadcast()
        condition.unlock()
    }

    /// Gives back a chunk taken but not submitted.
    func giveBack(_ chunk: UnsafeMutablePointer<UInt8>) {
        condition.lock()
        spare.append(chunk)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every queued chunk is written and the thread has stopped; frees every chunk,
    /// including any taken and not submitted (a discarded run's), so none may be used afterwards.
    /// - Returns: the first write error, if any (later chunks are dropped after one).
    func finish() -> String? {
        condition.lock()
        closing = true
        condition.broadcast()
        while !stopped { condition.wait() }
        for chunk in allocated { chunk.deallocate() }
        (allocated, spare) = ([], [])
        let result = failure
        condition.unlock()
        return result
    }

    private func writeQueuedChunks() {
        condition.lock()
        while true {
            while queued.isEmpty && !closing { condition.wait() }
            if queued.isEmpty { break }
            let (chunk, count) = queued.removeFirst()
            let skip = failure != nil
            condition.unlock()
            let error = skip ? nil : ChunkWriter.writeAll(descriptor, chunk, count)
            condition.lock()
            if failure == nil { failure = error }
            spare.append(chunk)
            condition.broadcast()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Writes all bytes, retrying short writes and interruptions; returns the error text on failure.
    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) -> String? {
        var next = UnsafePointer(bytes), remaining = count
        while remaining > 0 {
            let written = Foundation.write(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            remaining -= written
            next += written
        }
        return nil
    }
}
