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
