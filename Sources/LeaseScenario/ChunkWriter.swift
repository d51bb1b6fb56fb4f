import Foundation

/// Where a `CSVBuffer` sends its full chunks, and gets fresh ones from.
@usableFromInline protocol ChunkSink: AnyObject {
    /// Takes a filled chunk (or gives back an empty one) and, unless `final`, returns a fresh one.
    func exchangeChunk(_ chunk: UnsafeMutablePointer<UInt8>?, filled: Int, final: Bool) -> UnsafeMutablePointer<UInt8>?
}

/// Rows captured on the run's thread, formatted later on the writer's thread.
protocol ChunkRenderer: Sendable {
    func render(into rows: inout CSVBuffer)
}

/// Writes chunks of bytes to a file descriptor on a thread of its own, in the order they were handed over.
///
/// The run's thread fills one chunk while this thread writes earlier ones, so
/// the kernel's copy into the page cache (and any write-back throttling)
/// overlaps the simulation instead of stopping it. A job may also be a
/// `ChunkRenderer` (a sample's levels), formatted here, off the run's thread.
/// Chunks come from a small pool and renderers in flight are limited, so
/// memory stays bounded: a run that gets ahead of the disk waits. Bytes reach
/// the file exactly in submission order.
final class ChunkWriter: @unchecked Sendable {
    /// Bytes per chunk.
    static let chunkBytes = 1 << 20
    /// Chunks at most, filled or in flight (allocated as needed).
    static let chunkLimit = 4
    /// Renderers at most, queued or being formatted.
    static let renderLimit = 2

    private enum Job {
        case bytes(UnsafeMutablePointer<UInt8>, count: Int)
        case render(any ChunkRenderer)
    }

    private let descriptor: Int32
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var spare: [UnsafeMutablePointer<UInt8>] = []
    /// Every chunk allocated, wherever it is now; all are freed by `finish`.
    private var allocated: [UnsafeMutablePointer<UInt8>] = []
    private var queued: [Job] = []
    private var rendersInFlight = 0
    private var closing = false
    private var stopped = false
    private var failure: String?
    private var produced: Int64 = 0

    /// Bytes handed to this writer so far, written or queued (rendered rows once formatted): for the output-size
    /// limit, which must see bytes as they are produced, not as the disk catches up.
    var bytesProduced: Int64 {
        condition.lock()
        defer { condition.unlock() }
        return produced
    }

    /// Starts the writing thread for `descriptor` (which the caller keeps open until `finish`).
    init(descriptor: Int32) {
        self.descriptor = descriptor
        let thread = Thread { [self] in writeQueuedJobs() }
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
        produced += Int64(count)
        enqueue(.bytes(chunk, count: count))
        condition.unlock()
    }

    /// Queues rows to be formatted and written on the writer thread, after everything queued before.
    func submit(_ renderer: any ChunkRenderer) {
        condition.lock()
        while rendersInFlight == ChunkWriter.renderLimit { condition.wait() }
        rendersInFlight += 1
        enqueue(.render(renderer))
        condition.unlock()
    }

    /// Appends a job and wakes the writer; the caller holds the lock.
    private func enqueue(_ job: Job) {
        precondition(!closing, "job submitted after finish")
        queued.append(job)
        condition.broadcast()
    }

    /// Gives back a chunk taken but not submitted.
    func giveBack(_ chunk: UnsafeMutablePointer<UInt8>) {
        condition.lock()
        spare.append(chunk)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every queued job is written and the thread has stopped; frees every chunk,
    /// including any taken and not submitted (a discarded run's), so none may be used afterwards.
    /// - Returns: the first write error, if any (later jobs are dropped after one).
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

    private func writeQueuedJobs() {
        let renderSink = DirectSink(writer: self)
        condition.lock()
        while true {
            while queued.isEmpty && !closing { condition.wait() }
            if queued.isEmpty { break }
            let job = queued.removeFirst()
            let skip = failure != nil
            condition.unlock()
            var error: String?
            var bytes = 0
            switch job {
            case let .bytes(chunk, count):
                if !skip { error = ChunkWriter.writeAll(descriptor, chunk, count) }
            case let .render(renderer):
                if !skip {
                    var rows = CSVBuffer(writingTo: renderSink)
                    renderer.render(into: &rows)
                    rows.finish()
                    (error, bytes) = renderSink.takeResult()
                }
            }
            condition.lock()
            produced += Int64(bytes)
            if failure == nil { failure = error }
            switch job {
            case let .bytes(chunk, _): spare.append(chunk)
            case .render: rendersInFlight -= 1
            }
            condition.broadcast()
        }
        renderSink.release()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Writes all bytes, retrying short writes and interruptions; returns the error text on failure.
    fileprivate static func writeAll(_ descriptor: Int32, _ bytes: UnsafeMutablePointer<UInt8>, _ count: Int) -> String? {
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

    /// The writer thread's own chunk for rendering: written at once, in place, when full.
    private final class DirectSink: ChunkSink {
        let descriptor: Int32
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: ChunkWriter.chunkBytes)
        var failure: String?
        var bytes = 0

        init(writer: ChunkWriter) { descriptor = writer.descriptor }

        func exchangeChunk(_ filledChunk: UnsafeMutablePointer<UInt8>?, filled: Int, final: Bool) -> UnsafeMutablePointer<UInt8>? {
            precondition(filledChunk == nil || filledChunk == chunk, "a render sink only ever hands out its own chunk")
            if filledChunk != nil, filled > 0, failure == nil {
                failure = ChunkWriter.writeAll(descriptor, chunk, filled)
                bytes += filled
            }
            return final ? nil : chunk
        }

        /// The first error and the bytes written since the last call.
        func takeResult() -> (String?, Int) {
            defer { (failure, bytes) = (nil, 0) }
            return (failure, bytes)
        }

        func release() { chunk.deallocate() }
    }
}
