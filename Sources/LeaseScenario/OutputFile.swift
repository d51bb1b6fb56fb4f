import Foundation

/// A buffered output file written under a temporary name and renamed into place on `commit()`.
///
/// A run that fails never leaves a half-written file: `discard()` (or never
/// committing) removes the temporary file.
public final class OutputFile {
    public let finalPath: String
    let temporaryPath: String
    let handle: FileHandle
    var buffer: [UInt8] = []
    /// The first write error, reported by `commit`.
    var writeError: String?
    static let bufferBytes = 1 << 20

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
        buffer.reserveCapacity(OutputFile.bufferBytes)
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= OutputFile.bufferBytes { flush() }
    }

    /// Writes raw bytes; large chunks go straight to the file.
    public func write(bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= OutputFile.bufferBytes {
            flush()
            writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
            if buffer.count >= OutputFile.bufferBytes { flush() }
        }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBufferPointer { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes bytes straight to the file descriptor, without an intermediate copy; errors are kept for `commit`.
    func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard writeError == nil, var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Foundation.write(handle.fileDescriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                writeError = String(cString: strerror(errno))
                return
            }
            remaining -= written
            next += written
        }
    }

    /// Flushes, closes and renames the file into place.
    public func commit() throws {
        flush()
        if let writeError {
            discard()
            throw OutputError(path: finalPath, reason: writeError)
        }
        try handle.close()
        if FileManager.default.fileExists(atPath: finalPath) { try FileManager.default.removeItem(atPath: finalPath) }
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: finalPath)
    }

    /// Closes and removes the temporary file.
    public func discard() {
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

/// RFC 4180 cells and exact decimal text for CSV and JSON output.
public enum OutputText {
    /// A CSV cell, quoted only when it must be.
    public static func csvCell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A JSON string literal.
    public static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `numerator / denominator` rounded half up to `decimals` places, as exact decimal text.
    public static func decimal(_ numerator: Int64, over denominator: Int64, decimals: Int) -> String {
        precondition(denominator > 0, "denominator must be positive")
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let negative = numerator < 0
        let magnitude = negative ? -numerator : numerator
        let (high, low) = magnitude.multipliedFullWidth(by: scale)
        let scaled = Int64(denominator.dividingFullWidth((high, low)).quotient)
        let remainder = denominator.dividingFullWidth((high, low)).remainder
        let rounded = scaled + (remainder * 2 >= denominator ? 1 : 0)
        let whole = rounded / scale, fraction = rounded % scale
        var text = (negative && rounded != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// Seconds since start: whole seconds, or with milliseconds when there are any.
    public static func seconds(milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 ? String(milliseconds / 1000) : decimal(milliseconds, over: 1000, decimals: 3)
    }
}

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
