/// A row-building byte buffer for CSV: integers and cells are written as bytes, never as Strings.
///
/// Raw memory with one capacity check per row (`reserve`) and none per byte;
/// built rows go to an `OutputFile` in large chunks. It has one owner (a
/// writer moves it in and out with `take`) and must be `release`d once.
public struct CSVBuffer {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>?
    @usableFromInline var capacity = 0
    /// Bytes written and not yet drained.
    @usableFromInline var written = 0
    public var count: Int { written }
    /// Hand the bytes to the file once the buffer holds this many.
    public static let flushBytes = 1 << 20

    public init() {}

    /// Moves a buffer out of its owner's storage, leaving an empty one, so rows are built in a local.
    public static func take(_ buffer: inout CSVBuffer) -> CSVBuffer {
        var taken = CSVBuffer()
        swap(&taken, &buffer)
        return taken
    }

    /// Makes room for at least `bytes` more (call once per row, with a bound on the row's length).
    @inlinable public mutating func reserve(_ bytes: Int) {
        if written + bytes > capacity { grow(to: max(2 * capacity, written + bytes, CSVBuffer.flushBytes + 4096)) }
    }

    @usableFromInline mutating func grow(to newCapacity: Int) {
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if let base {
            grown.update(from: base, count: written)
            base.deallocate()
        }
        (base, capacity) = (grown, newCapacity)
    }

    @inlinable mutating func put(_ byte: UInt8) {
        base.unsafelyUnwrapped[written] = byte
        written += 1
    }

    /// Appends an integer in decimal (at most 20 bytes; `reserve` first).
    ///
    /// Counts the digits, then writes them in place from the last; both loops divide by the
    /// constant 10 (a multiply, not a divide instruction), and no copy is made.
    @inlinable public mutating func integer(_ value: Int64) {
        var magnitude = value.magnitude
        if value < 0 { put(UInt8(ascii: "-")) }
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        let target = base.unsafelyUnwrapped + written
        var index = digits
        repeat {
            index -= 1
            target[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
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

    /// Writes the buffer to `file` when it is full (or always, with `force`).
    public mutating func drain(into file: OutputFile, force: Bool = false) {
        guard force || written >= CSVBuffer.flushBytes, let base else { return }
        file.write(bytes: UnsafeBufferPointer(start: base, count: written))
        written = 0
    }

    /// Frees the memory; the buffer is empty afterwards.
    public mutating func release() {
        base?.deallocate()
        (base, capacity, written) = (nil, 0, 0)
    }
}

/// Which entities' rows an output keeps: ids, or prefixes written as `branch-*`; empty keeps all.
public struct EntityFilter: Sendable {
    public var patterns: [String]
    public init(patterns: [String] = []) { self.patterns = patterns }

    public func keeps(_ id: String) -> Bool {
        patterns.isEmpty || patterns.contains { pattern in
            pattern.hasSuffix("*") ? id.hasPrefix(pattern.dropLast()) : id == pattern
        }
    }
}
