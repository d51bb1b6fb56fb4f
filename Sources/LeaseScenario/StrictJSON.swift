/// A line and column in a text, both 1-based; the column counts Unicode characters (scalars), not bytes.
public struct TextPosition: Sendable, Equatable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The position of byte `offset` in UTF-8 `bytes` (a byte order mark at the start is not counted).
    /// Complexity: O(offset); used only to report an error.
    public static func of(offset: Int, in bytes: [UInt8]) -> TextPosition {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        for index in 0..<end where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        var column = 1
        if lineStart < end {
            for index in lineStart..<end where bytes[index] & 0xC0 != 0x80 { column += 1 }
        }
        return TextPosition(line: line, column: column)
    }
}

/// The line of byte offsets in a text, from one pass over it (for many lookups; `TextPosition.of` is for one).
struct LineIndex {
    /// The offset at which each line after the first starts.
    private let starts: [Int]

    init(_ bytes: [UInt8]) {
        starts = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
    }

    /// The 1-based line holding byte `offset`.
    func line(at offset: Int) -> Int {
        var low = 0, high = starts.count // lines starting at or before offset: the first index whose start is above it
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }
}

/// A JSON value as written, with where it was written.
///
/// Numbers keep their text so integers stay exact; objects keep their members in file order (never a
/// dictionary, whose order changes per process). Scalars are stored inline and positions as byte offsets,
/// so a parsed text takes about 24 bytes per value.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([JSONMember])
}

public struct JSONNode: Sendable {
    public var value: JSONValue
    /// Byte offset of the value's first byte in the text (`TextPosition.of(offset:in:)` gives line and column).
    public var offset: Int32
}

public struct JSONMember: Sendable {
    public var key: String
    public var keyOffset: Int32
    public var value: JSONNode
}

/// A step in a JSON path: an object key or an array index.
public enum JSONPathComponent: Sendable, Equatable {
    case key(String)
    case index(Int)

    /// `.key`, `["odd key"]` (quoted and cut short when it is not a plain name) or `[3]`.
    func text(first: Bool) -> String {
        switch self {
        case .index(let index): return "[\(index)]"
        case .key(let key):
            let plain = !key.isEmpty && key.utf8.count <= 64 && key.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "$")
            }
            if plain { return first ? key : "." + key }
            return "[" + Excerpt.quoted(key) + "]"
        }
    }

    /// The path text of a list of components: `clients[3].allocations.users` (a very deep path keeps its first
    /// four and last six steps around `...`).
    public static func text(_ components: [JSONPathComponent]) -> String {
        var text = ""
        for (position, component) in components.enumerated() {
            if components.count > 12 && position >= 4 && position < components.count - 6 {
                if position == 4 { text += "..." }
                continue
            }
            text += component.text(first: text.isEmpty)
        }
        return text
    }
}

/// A syntax error: where, in which value, what was expected, and what was found.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public var position: TextPosition
    /// The JSON path of the value being read (empty at the top level).
    public var path: String
    public var expected: String
    public var found: String
}

/// A strict JSON (RFC 8259) reader that reports line, column and JSON path.
///
/// Unlike Foundation's decoder it rejects trailing commas, duplicate keys, comments, leading zeros, invalid
/// UTF-8, lone surrogates and nesting deeper than `maxDepth`. Time and memory are linear in the input.
public struct StrictJSONReader {
    public static let defaultMaxDepth = 64
    let bytes: [UInt8]
    var index = 0
    let maxDepth: Int
    /// Where the reader is, for error messages.
    var path: [JSONPathComponent] = []

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONNode {
        var reader = StrictJSONReader(bytes: bytes, maxDepth: maxDepth)
        guard bytes.count < Int(Int32.max) else { throw reader.error(expected: "a text under 2 GiB", at: 0) }
        if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3 }
        reader.skipWhitespace()
        let root = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw reader.error(expected: "end of file") }
        return root
    }

    func error(expected: String, at offset: Int? = nil, found: String? = nil) -> JSONSyntaxError {
        JSONSyntaxError(position: TextPosition.of(offset: offset ?? index, in: bytes), path: JSONPathComponent.text(path),
                        expected: expected, found: found ?? describeHere())
    }

    func describeHere() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte == UInt8(ascii: "\n") { return "end of line" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return StrictJSONReader.byteText(byte)
    }

    /// `byte 0x09`: a byte that is not printable ASCII, in two hex digits.
    static func byteText(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" : "") + hex
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        let start = Int32(index)
        guard index < bytes.count else { throw error(expected: "a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw error(expected: "nesting at most \(maxDepth) deep", found: "deeper nesting") }
            return JSONNode(value: try object(depth: depth + 1), offset: start)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw error(expected: "nesting at most \(maxDepth) deep", found: "deeper nesting") }
            return JSONNode(value: try array(depth: depth + 1), offset: start)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try string()), offset: start)
        case UInt8(ascii: "t"): try literal("true"); return JSONNode(value: .bool(true), offset: start)
        case UInt8(ascii: "f"): try literal("false"); return JSONNode(value: .bool(false), offset: start)
        case UInt8(ascii: "n"): try literal("null"); return JSONNode(value: .null, offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONNode(value: .number(try number()), offset: start)
        default: throw error(expected: "a value")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let start = index
        for expected in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard index < bytes.count, bytes[index] == expected else { throw error(expected: "'\(word)'", at: start) }
            index += 1
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var members: [JSONMember] = []
        /// Keys seen, once the object is large enough that a linear scan would cost more than a set.
        var keys: Set<String>? = nil
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        var comma: Int? = nil
        while true {
            skipWhitespace()
            let keyOffset = index
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                if let comma, index < bytes.count, bytes[index] == UInt8(ascii: "}") { throw trailingComma(at: comma, before: "}") }
                throw error(expected: members.isEmpty ? "a key in double quotes or '}'" : "a key in double quotes")
            }
            let key = try string()
            if keys == nil && members.count == 16 { keys = Set(members.map(\.key)) }
            let duplicate: Bool
            if keys != nil { duplicate = !keys!.insert(key).inserted } else { duplicate = members.contains { $0.key == key } }
            if duplicate {
                throw error(expected: "each key once", at: keyOffset, found: "duplicate key \(Excerpt.quoted(key))")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error(expected: "':'") }
            index += 1
            skipWhitespace()
            path.append(.key(key))
            let value = try self.value(depth: depth)
            path.removeLast()
            members.append(JSONMember(key: key, keyOffset: Int32(keyOffset), value: value))
            skipWhitespace()
            guard index < bytes.count else { throw error(expected: "',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") { comma = index; index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error(expected: "',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        var comma: Int? = nil
        while true {
            skipWhitespace()
            if let comma, index < bytes.count && bytes[index] == UInt8(ascii: "]") { throw trailingComma(at: comma, before: "]") }
            path.append(.index(elements.count))
            elements.append(try value(depth: depth))
            path.removeLast()
            skipWhitespace()
            guard index < bytes.count else { throw error(expected: "',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { comma = index; index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw error(expected: "',' or ']'")
        }
    }

    /// A comma right before a closing bracket, reported where the comma is (not at the bracket on a later line).
    func trailingComma(at comma: Int, before closing: Character) -> JSONSyntaxError {
        error(expected: "a value after ',' (no trailing comma before '\(closing)')", at: comma, found: "a trailing comma")
    }

    mutating func number() throws(JSONSyntaxError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error(expected: "a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count && isDigit(bytes[index]) {
                var end = index
                while end < bytes.count && isDigit(bytes[end]) { end += 1 }
                throw error(expected: "a number without a leading zero", at: start,
                            found: Excerpt.plain(String(decoding: bytes[start..<end], as: UTF8.self)))
            }
        } else {
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(expected: "a digit after '.'") }
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error(expected: "a digit in the exponent") }
            while index < bytes.count && isDigit(bytes[index]) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// A string's text: escapes decoded, surrogate pairs joined, every byte checked to be UTF-8.
    mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        var chunkStart = index
        var text = ""
        while true {
            guard index < bytes.count else { throw error(expected: "'\"' to close the string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                text += String(decoding: bytes[chunkStart..<index], as: UTF8.self) // Checked below as it was read.
                index += 1
                return text
            }
            if byte < 0x20 { throw error(expected: "no control character inside a string (escape it)") }
            if byte >= 0x80 {
                index = try utf8Sequence(at: index)
                continue
            }
            if byte == UInt8(ascii: "\\") {
                text += String(decoding: bytes[chunkStart..<index], as: UTF8.self)
                text.unicodeScalars.append(try escape())
                chunkStart = index
                continue
            }
            index += 1
        }
    }

    /// Checks the UTF-8 sequence starting at `start` (a byte >= 0x80) and returns the offset after it.
    func utf8Sequence(at start: Int) throws(JSONSyntaxError) -> Int {
        let lead = bytes[start]
        let length: Int, lowest: UInt32
        switch lead {
        case 0xC2...0xDF: (length, lowest) = (2, 0x80)
        case 0xE0...0xEF: (length, lowest) = (3, 0x800)
        case 0xF0...0xF4: (length, lowest) = (4, 0x10000)
        default: throw error(expected: "valid UTF-8", at: start, found: StrictJSONReader.byteText(lead))
        }
        var scalar = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length {
            guard start + offset < bytes.count, bytes[start + offset] & 0xC0 == 0x80 else {
                throw error(expected: "valid UTF-8", at: start, found: "a broken \(length)-byte sequence")
            }
            scalar = scalar << 6 | UInt32(bytes[start + offset] & 0x3F)
        }
        guard scalar >= lowest, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
            throw error(expected: "valid UTF-8", at: start, found: "an overlong or surrogate sequence")
        }
        return start + length
    }

    /// Reads one escape after a backslash; `\u` surrogate pairs become one scalar, lone surrogates are errors.
    mutating func escape() throws(JSONSyntaxError) -> UnicodeScalar {
        let start = index
        index += 1
        guard index < bytes.count else { throw error(expected: "an escape") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{8}"
        case UInt8(ascii: "f"): return "\u{C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let code = try hexQuad()
            if (0xDC00...0xDFFF).contains(code) {
                throw error(expected: "a high surrogate before a low one", at: start, found: "a lone low surrogate")
            }
            guard (0xD800...0xDBFF).contains(code) else { return UnicodeScalar(code)! }
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw error(expected: "a low surrogate (\\uDC00-\\uDFFF) after a high one", at: start, found: "a lone high surrogate")
            }
            index += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(expected: "a low surrogate (\\uDC00-\\uDFFF) after a high one", at: start, found: "a lone high surrogate")
            }
            return UnicodeScalar(0x10000 + (code - 0xD800) << 10 + (low - 0xDC00))!
        default:
            let shown = escaped >= 0x20 && escaped < 0x7F ? "'\\\(Character(UnicodeScalar(escaped)))'" : StrictJSONReader.byteText(escaped)
            throw error(expected: "a valid escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", at: start, found: shown)
        }
    }

    mutating func hexQuad() throws(JSONSyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = hexValue(bytes[index]) else { throw error(expected: "4 hex digits") }
            code = code * 16 + digit
            index += 1
        }
        return code
    }

    func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}

/// Short, escaped excerpts of input for error messages: never more than a few dozen characters, no control
/// characters, so a hostile file cannot flood or drive the terminal.
public enum Excerpt {
    /// The most characters of input an excerpt shows.
    public static let limit = 48

    /// `"text"` with control characters escaped, cut to `limit` characters (`"abc..." (5000000 bytes)`).
    public static func quoted(_ text: String) -> String {
        let (shown, cut) = excerpt(text)
        return "\"" + shown + (cut ? "...\" (\(text.utf8.count) bytes)" : "\"")
    }

    /// The text with control characters escaped, cut to `limit` characters, without quotes (for command-line words).
    public static func plain(_ text: String) -> String {
        let (shown, cut) = excerpt(text)
        return shown + (cut ? "... (\(text.utf8.count) bytes)" : "")
    }

    static func excerpt(_ text: String) -> (shown: String, cut: Bool) {
        var out = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown == limit { return (out, true) }
            out += escaped(scalar)
            shown += 1
        }
        return (out, false)
    }

    /// A scalar as it may be shown: controls, quotes and backslashes escaped.
    static func escaped(_ scalar: UnicodeScalar) -> String {
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            if Excerpt.isControl(scalar) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            }
            return String(scalar)
        }
    }

    /// C0 and C1 control characters and DEL (terminal escape codes among them).
    public static func isControl(_ scalar: UnicodeScalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
