/// A line and column in a JSON text, both 1-based (columns count Unicode scalars' bytes as one each).
public struct TextPosition: Sendable, Equatable {
    public var line: Int
    public var column: Int
}

/// A JSON value as written, with where it was written.
///
/// Numbers keep their text so integers stay exact; objects keep their
/// members in file order (never a dictionary, whose order changes per process).
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([JSONMember])
}

public struct JSONNode: Sendable {
    public var value: JSONValue
    public var position: TextPosition
}

public struct JSONMember: Sendable {
    public var key: String
    public var keyPosition: TextPosition
    public var value: JSONNode
}

/// A syntax error: where, what was expected, and what was found.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public var position: TextPosition
    public var expected: String
    public var found: String
}

/// A strict JSON (RFC 8259) reader that reports line and column.
///
/// Unlike Foundation's decoder it rejects trailing commas, duplicate keys,
/// comments, leading zeros and nesting deeper than `maxDepth`.
public struct StrictJSONReader {
    public static let defaultMaxDepth = 64
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var lineStart = 0
    let maxDepth: Int

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth) throws(JSONSyntaxError) -> JSONNode {
        var reader = StrictJSONReader(bytes: bytes, maxDepth: maxDepth)
        if reader.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.index = 3; reader.lineStart = 3 }
        reader.skipWhitespace()
        let root = try reader.value(depth: 0)
        reader.skipWhitespace()
        guard reader.index == reader.bytes.count else { throw reader.error(expected: "end of file") }
        return root
    }

    var position: TextPosition { TextPosition(line: line, column: index - lineStart + 1) }

    func error(expected: String, at position: TextPosition? = nil) -> JSONSyntaxError {
        JSONSyntaxError(position: position ?? self.position, expected: expected, found: describeHere())
    }

    func describeHere() -> String {
        guard index < bytes.count else { return "end of file" }
        let byte = bytes[index]
        if byte == UInt8(ascii: "\n") { return "end of line" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        let start = position
        guard index < bytes.count else { throw error(expected: "a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw JSONSyntaxError(position: start, expected: "nesting at most \(maxDepth) deep", found: "deeper nesting") }
            return JSONNode(value: try object(depth: depth + 1), position: start)
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw JSONSyntaxError(position: start, expected: "nesting at most \(maxDepth) deep", found: "deeper nesting") }
            return JSONNode(value: try array(depth: depth + 1), position: start)
        case UInt8(ascii: "\""): return JSONNode(value: .string(try string()), position: start)
        case UInt8(ascii: "t"): try literal("true"); return JSONNode(value: .bool(true), position: start)
        case UInt8(ascii: "f"): try literal("false"); return JSONNode(value: .bool(false), position: start)
        case UInt8(ascii: "n"): try literal("null"); return JSONNode(value: .null, position: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONNode(value: .number(try number()), position: start)
        default: throw error(expected: "a value")
        }
    }

    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        for expected in word.utf8 {
            guard index < bytes.count, bytes[index] == expected else { throw error(expected: "'\(word)'") }
            index += 1
        }
    }

    mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var members: [JSONMember] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        var comma: TextPosition? = nil
        while true {
            skipWhitespace()
            let keyPosition = position
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                if let comma, index < bytes.count, bytes[index] == UInt8(ascii: "}") { throw trailingComma(at: comma, before: "}") }
                throw error(expected: members.isEmpty ? "a key in double quotes or '}'" : "a key in double quotes")
            }
            let key = try string()
            if members.contains(where: { $0.key == key }) {
                throw JSONSyntaxError(position: keyPosition, expected: "each key once", found: "duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error(expected: "':'") }
            index += 1
            skipWhitespace()
            members.append(JSONMember(key: key, keyPosition: keyPosition, value: try value(depth: depth)))
            skipWhitespace()
            guard index < bytes.count else { throw error(expected: "',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") { comma = position; index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error(expected: "',' or '}'")
        }
    }

    mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var elements: [JSONNode] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        var comma: TextPosition? = nil
        while true {
            skipWhitespace()
            if let comma, index < bytes.count && bytes[index] == UInt8(ascii: "]") { throw trailingComma(at: comma, before: "]") }
            elements.append(try value(depth: depth))
            skipWhitespace()
            guard index < bytes.count else { throw error(expected: "',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") { comma = position; index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            throw error(expected: "',' or ']'")
        }
    }

    /// A comma right before a closing bracket, reported where the comma is (not at the bracket on a later line).
    func trailingComma(at comma: TextPosition, before closing: Character) -> JSONSyntaxError {
        JSONSyntaxError(position: comma, expected: "a value after ',' (no trailing comma before '\(closing)')", found: "a trailing comma")
    }

    mutating func number() throws(JSONSyntaxError) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error(expected: "a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count && isDigit(bytes[index]) { throw error(expected: "no leading zero") }
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

    mutating func string() throws(JSONSyntaxError) -> String {
        index += 1
        var chunkStart = index
        var text = ""
        while true {
            guard index < bytes.count else { throw error(expected: "'\"' to close the string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                text += String(decoding: bytes[chunkStart..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte < 0x20 { throw error(expected: "no control character inside a string") }
            if byte == UInt8(ascii: "\\") {
                text += String(decoding: bytes[chunkStart..<index], as: UTF8.self)
                index += 1
                guard index < bytes.count else { throw error(expected: "an escape") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""): text += "\""
                case UInt8(ascii: "\\"): text += "\\"
                case UInt8(ascii: "/"): text += "/"
                case UInt8(ascii: "b"): text += "\u{8}"
                case UInt8(ascii: "f"): text += "\u{C}"
                case UInt8(ascii: "n"): text += "\n"
                case UInt8(ascii: "r"): text += "\r"
                case UInt8(ascii: "t"): text += "\t"
                case UInt8(ascii: "u"):
                    var code: UInt32 = 0
                    for _ in 0..<4 {
                        guard index < bytes.count, let digit = hexValue(bytes[index]) else { throw error(expected: "4 hex digits") }
                        code = code * 16 + digit
                        index += 1
                    }
                    text.unicodeScalars.append(UnicodeScalar(code) ?? "\u{FFFD}")
                default:
                    index -= 1
                    throw error(expected: "a valid escape")
                }
                chunkStart = index
                continue
            }
            index += 1
        }
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
