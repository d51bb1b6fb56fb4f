/// A row-building byte buffer for CSV: integers and cells are written as bytes, never as Strings.
///
/// Rows are built straight in the chunks of an `OutputFile`: one capacity
/// check per row (`reserve`) and none per byte; a full chunk goes to the
/// file's writer thread and the next row starts in a fresh one, so bytes are
/// never copied between buffers. A row may span two chunks (they are written
/// back to back). It has one owner (a writer moves it in and out with
/// `take`) and must be `finish`ed once.
public struct CSVBuffer {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>?
    @usableFromInline var capacity = 0
    /// Bytes written into the current chunk.
    @usableFromInline var written = 0
    /// Where full chunks go; nil only in the empty placeholder `take` leaves behind.
    @usableFromInline let sink: (any ChunkSink)?
    /// The most a single `reserve` may ask for.
    public static var largestReservation: Int { ChunkWriter.chunkBytes / 4 }

    /// A buffer whose rows go to `file`.
    public init(writingTo file: OutputFile) { sink = file }
    init(writingTo sink: any ChunkSink) { self.sink = sink }
    init() { sink = nil }

    /// Moves a buffer out of its owner's storage, leaving an empty one, so rows are built in a local.
    public static func take(_ buffer: inout CSVBuffer) -> CSVBuffer {
        var taken = CSVBuffer()
        swap(&taken, &buffer)
        return taken
    }

    /// Makes room for at least `bytes` more (call once per row, with a bound on the row's length).
    @inlinable public mutating func reserve(_ bytes: Int) {
        if written + bytes > capacity { nextChunk(bytes) }
    }

    /// Hands the current chunk to the file and continues in a fresh one.
    @usableFromInline mutating func nextChunk(_ bytes: Int) {
        precondition(bytes <= CSVBuffer.largestReservation, "a row reservation of \(bytes) bytes is too large")
        guard let sink else { preconditionFailure("rows written to a CSVBuffer placeholder") }
        base = sink.exchangeChunk(base, filled: written, final: false)
        (capacity, written) = (ChunkWriter.chunkBytes, 0)
    }

    /// Hands what is written on (before other rows are queued behind it, and at the end of a run).
    /// The next row starts in a fresh chunk.
    public mutating func finish() {
        guard let sink, base != nil else { return }
        _ = sink.exchangeChunk(base, filled: written, final: true)
        (base, capacity, written) = (nil, 0, 0)
    }

    @inlinable mutating func put(_ byte: UInt8) {
        base.unsafelyUnwrapped[written] = byte
        written += 1
    }

    /// Appends a count kept in thousandths as a decimal with at most three places, trailing zeros dropped
    /// (120300 is "120.3"; at most 22 bytes; `reserve` first).
    public mutating func thousandths(_ value: Int64) {
        let magnitude = value.magnitude
        if value < 0 { put(UInt8(ascii: "-")) }
        integer(Int64(magnitude / 1000))
        var fraction = magnitude % 1000, places = 3
        guard fraction > 0 else { return }
        while fraction % 10 == 0 { fraction /= 10; places -= 1 }
        put(UInt8(ascii: "."))
        var divisor: UInt64 = places == 3 ? 100 : places == 2 ? 10 : 1
        while divisor > 0 {
            put(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
            divisor /= 10
        }
    }

    /// Appends an integer in decimal (at most 20 bytes; `reserve` first).
    ///
    /// Counts the digits, then writes them in place from the last; both loops divide by the
    /// constant 10 (a multiply, not a divide instruction), and no copy is made.
    @inlinable public mutating func integer(_ value: Int64) {
        var magnitude = value.magnitude
        if value < 0 { put(UInt8(ascii: "-")) }
        let target = base.unsafelyUnwrapped + written
        let zero = UInt8(ascii: "0")
        // Most cells are counts below a thousand: write them without a loop.
        if magnitude < 10 {
            target[0] = zero &+ UInt8(truncatingIfNeeded: magnitude)
            written += 1
            return
        }
        if magnitude < 100 {
            let tens = magnitude / 10
            target[0] = zero &+ UInt8(truncatingIfNeeded: tens)
            target[1] = zero &+ UInt8(truncatingIfNeeded: magnitude &- tens &* 10)
            written += 2
            return
        }
        if magnitude < 1000 {
            let hundreds = magnitude / 100, rest = magnitude &- hundreds &* 100, tens = rest / 10
            target[0] = zero &+ UInt8(truncatingIfNeeded: hundreds)
            target[1] = zero &+ UInt8(truncatingIfNeeded: tens)
            target[2] = zero &+ UInt8(truncatingIfNeeded: rest &- tens &* 10)
            written += 3
            return
        }
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var index = digits
        repeat {
            index -= 1
            target[index] = zero &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        written += digits
    }

    /// Appends prepared bytes (a cell with its separators); reserves room itself.
    @inlinable public mutating func raw(_ prepared: [UInt8]) { raw(prepared[...]) }

    /// Appends a slice of prepared bytes; reserves room itself.
    ///
    /// Cells are short (a timestamp, an id), so they are copied a word at a time
    /// rather than through a `memmove` call per cell.
    @inlinable public mutating func raw(_ prepared: ArraySlice<UInt8>) {
        let length = prepared.count
        if length > CSVBuffer.largestReservation / 2 { // A long cell goes in pieces.
            let middle = prepared.startIndex + length / 2
            raw(prepared[..<middle])
            raw(prepared[middle...])
            return
        }
        reserve(length + 8)
        prepared.withUnsafeBytes { source in
            let target = UnsafeMutableRawPointer(base.unsafelyUnwrapped + written)
            var offset = 0
            while offset + 8 <= length {
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            while offset < length {
                target.storeBytes(of: source[offset], toByteOffset: offset, as: UInt8.self)
                offset += 1
            }
        }
        written += length
    }

    @inlinable public mutating func comma() { put(UInt8(ascii: ",")) }
    @inlinable public mutating func commas(_ number: Int) { for _ in 0..<number { put(UInt8(ascii: ",")) } }
    @inlinable public mutating func newline() { put(UInt8(ascii: "\n")) }
}

/// Which entities' rows an output keeps: ids, or patterns like `branch-*` (`Glob`); empty keeps all.
public struct EntityFilter: Sendable {
    public var patterns: [String]
    public init(patterns: [String] = []) { self.patterns = patterns }

    public func keeps(_ id: String) -> Bool {
        patterns.isEmpty || patterns.contains { EntityFilter.matches(pattern: $0, id) }
    }

    /// The patterns that match none of `ids`, in the order given.
    public func unmatched(among ids: [String]) -> [String] {
        patterns.filter { pattern in !ids.contains { EntityFilter.matches(pattern: pattern, $0) } }
    }

    static func matches(pattern: String, _ id: String) -> Bool { Glob.matches(id, pattern) }
}
