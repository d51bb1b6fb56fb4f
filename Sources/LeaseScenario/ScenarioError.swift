/// A bad scenario: the file, where in it, the JSON path of the bad field, what was expected and what was found.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var position: TextPosition?
    /// The field's JSON path, as `clients[3].allocations.users.ilq`; empty for the whole file.
    public var path: String
    public var expected: String
    public var found: String

    public init(file: String, position: TextPosition?, path: String, expected: String, found: String) {
        self.file = file
        self.position = position
        self.path = path
        self.expected = expected
        self.found = found
    }

    /// `file:line:col: path: expected ..., found ...`
    public var description: String {
        var text = file
        if let position { text += ":\(position.line):\(position.column)" }
        text += ": "
        if !path.isEmpty { text += "\(path): " }
        return text + "expected \(expected), found \(found)"
    }
}

/// A value in a scenario file, with the JSON path and file it came from, for decoding with exact errors.
struct Field {
    let node: JSONNode
    let path: String
    let file: String

    func fail(_ expected: String, found: String? = nil, at position: TextPosition? = nil) -> ScenarioError {
        ScenarioError(file: file, position: position ?? node.position, path: path, expected: expected,
                      found: found ?? Field.describe(node.value))
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text
        case .string(let text): return "\"\(text)\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as an object whose keys are all in `allowed`.
    func object(allowed: [String]) throws(ScenarioError) -> ObjectField {
        guard case .object(let members) = node.value else { throw fail("an object") }
        for member in members where !allowed.contains(member.key) {
            var found = "unknown key \"\(member.key)\""
            if let hint = ObjectField.closest(to: member.key, in: allowed) { found += " (did you mean \"\(hint)\"?)" }
            throw ScenarioError(file: file, position: member.keyPosition, path: path.isEmpty ? member.key : "\(path).\(member.key)",
                                expected: "one of \(allowed.joined(separator: ", "))", found: found)
        }
        return ObjectField(members: members, path: path, file: file, node: node)
    }

    func array() throws(ScenarioError) -> [Field] {
        guard case .array(let elements) = node.value else { throw fail("an array") }
        return elements.enumerated().map { Field(node: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    func string() throws(ScenarioError) -> String {
        guard case .string(let text) = node.value else { throw fail("a string") }
        return text
    }

    func nonEmptyString() throws(ScenarioError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw fail("a non-empty string") }
        return text
    }

    func integer(in range: ClosedRange<Int64>, what: String = "an integer") throws(ScenarioError) -> Int64 {
        guard case .number(let text) = node.value else { throw fail("\(what) in \(range.lowerBound)...\(range.upperBound)") }
        guard let value = Int64(text) else { throw fail("\(what) (whole number) in \(range.lowerBound)...\(range.upperBound)") }
        guard range.contains(value) else { throw fail("\(what) in \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    /// A decimal number with at most `decimals` digits after the point, as an integer scaled by 10^decimals.
    func scaledDecimal(decimals: Int, in range: ClosedRange<Int64>, what: String) throws(ScenarioError) -> Int64 {
        guard case .number(let text) = node.value, !text.contains("e"), !text.contains("E") else { throw fail(what) }
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? String(parts[1]) : ""
        guard fraction.count <= decimals, let whole = Int64(parts[0]),
              let fractionValue = decimals == 0 ? 0 : Int64(fraction + String(repeating: "0", count: decimals - fraction.count))
        else { throw fail("\(what) with at most \(decimals) decimals") }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let value = (whole * scale + fractionValue) * (negative ? -1 : 1)
        guard range.contains(value) else { throw fail(what) }
        return value
    }

    func number() throws(ScenarioError) -> Double {
        guard case .number(let text) = node.value, let value = Double(text) else { throw fail("a number") }
        return value
    }
}

/// An object field whose keys have been checked; members are looked up by key.
struct ObjectField {
    let members: [JSONMember]
    let path: String
    let file: String
    let node: JSONNode

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func optional(_ key: String) -> Field? {
        members.first { $0.key == key }.map { Field(node: $0.value, path: child(key), file: file) }
    }

    func required(_ key: String, _ expected: String) throws(ScenarioError) -> Field {
        guard let field = optional(key) else {
            throw ScenarioError(file: file, position: node.position, path: child(key), expected: expected, found: "nothing (missing key)")
        }
        return field
    }

    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// The allowed key nearest to a misspelt one, when it is near enough to be a hint.
    static func closest(to key: String, in allowed: [String]) -> String? {
        SpellingHint.closest(to: key, in: allowed)
    }
}

/// "Did you mean ...?" hints for misspelt keys, flags and commands.
public enum SpellingHint {
    /// The candidate nearest to `word` by edit distance, when it is near enough to be a hint.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    /// Levenshtein distance over UTF-8 bytes.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
