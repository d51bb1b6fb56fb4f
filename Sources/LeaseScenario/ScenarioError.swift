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

/// A scenario file's name and text, shared by every field read from it: positions are worked out from byte
/// offsets only when an error is reported.
final class ScenarioSource: Sendable {
    let file: String
    let bytes: [UInt8]
    /// The `--set` overrides applied to the file; their values' nodes carry `overrideOffset(number)`.
    let overrides: [ScenarioOverride]

    init(file: String, bytes: [UInt8], overrides: [ScenarioOverride] = []) {
        self.file = file
        self.bytes = bytes
        self.overrides = overrides
    }

    /// The offset that marks the nodes of override `number` (offsets in the file are never negative).
    static func overrideOffset(_ number: Int) -> Int32 { -1 - Int32(number) }

    /// Where a node was written: a line and column of the file, or an override (named beside the file).
    func locate(_ offset: Int32) -> (file: String, position: TextPosition?) {
        guard offset < 0 else { return (file, TextPosition.of(offset: Int(offset), in: bytes)) }
        return ("\(file) (\(overrides[Int(-1 - offset)]))", nil)
    }
}

/// A value in a scenario file, with its JSON path and source, for decoding with exact errors.
///
/// The path is kept as the container's path text plus one step, and put together only when asked for, so
/// walking a large array costs no string per element.
struct Field {
    let node: JSONNode
    let parentPath: String
    let step: JSONPathComponent?
    let source: ScenarioSource

    /// The field's JSON path, as `clients[3].allocations`.
    var path: String { step.map { parentPath + $0.text(first: parentPath.isEmpty) } ?? parentPath }
    var file: String { source.file }

    func fail(_ expected: String, found: String? = nil) -> ScenarioError {
        let (file, position) = source.locate(node.offset)
        return ScenarioError(file: file, position: position, path: path, expected: expected, found: found ?? Field.describe(node.value))
    }

    /// What a value is, for "found ...": scalars as short excerpts, containers by kind.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let text): return text.utf8.count <= Excerpt.limit ? text : "a number of \(text.utf8.count) digits"
        case .string(let text): return Excerpt.quoted(text)
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The value as an object whose keys are all in `allowed` (the reader has already refused duplicate keys).
    func object(allowed: [String]) throws(ScenarioError) -> ObjectField {
        let object = try anyObject()
        for member in object.members where !allowed.contains(member.key) {
            var found = "unknown key \(Excerpt.quoted(member.key))"
            if let hint = SpellingHint.closest(to: member.key, in: allowed) { found += " (did you mean \"\(hint)\"?)" }
            throw object.fail(key: member, expected: "one of \(allowed.joined(separator: ", "))", found: found)
        }
        return object
    }

    /// The value as an object with any keys (the caller checks them).
    func anyObject() throws(ScenarioError) -> ObjectField {
        guard case .object(let members) = node.value else { throw fail("an object") }
        return ObjectField(members: members, path: path, source: source, node: node)
    }

    func array() throws(ScenarioError) -> FieldList {
        guard case .array(let elements) = node.value else { throw fail("an array") }
        return FieldList(elements: elements, path: path, source: source)
    }

    /// A string without control characters (ids, names, SKUs, choices: text that is echoed in outputs).
    func string() throws(ScenarioError) -> String {
        guard case .string(let text) = node.value else { throw fail("a string") }
        guard !text.unicodeScalars.contains(where: Excerpt.isControl) else { throw fail("a string without control characters") }
        return text
    }

    /// Free text: a string whose only control characters are line breaks and tabs.
    func text() throws(ScenarioError) -> String {
        guard case .string(let text) = node.value else { throw fail("a string") }
        guard !text.unicodeScalars.contains(where: { Excerpt.isControl($0) && $0 != "\n" && $0 != "\t" }) else {
            throw fail("text without control characters other than line breaks and tabs")
        }
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
    /// Every step is checked, so a huge number is an error, never an overflow.
    func scaledDecimal(decimals: Int, in range: ClosedRange<Int64>, what: String) throws(ScenarioError) -> Int64 {
        let expected = "\(what) with at most \(decimals) decimals"
        guard case .number(let text) = node.value, !text.contains("e"), !text.contains("E") else { throw fail(expected) }
        let negative = text.hasPrefix("-")
        let digits = negative ? text.dropFirst() : text[...]
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count > 1 ? parts[1] : ""
        guard fraction.count <= decimals else { throw fail(expected) }
        var value: Int64 = 0
        for digit in (parts[0] + fraction + String(repeating: "0", count: decimals - fraction.count)).utf8 {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw fail(expected) }
            value = sum
        }
        if negative { value = -value }
        guard range.contains(value) else { throw fail(expected) }
        return value
    }

    /// A finite number (`1e400` is not).
    func number() throws(ScenarioError) -> Double {
        guard case .number(let text) = node.value, let value = Double(text) else { throw fail("a number") }
        guard value.isFinite else { throw fail("a finite number") }
        return value
    }
}

/// The elements of an array field, each a `Field` made when it is read.
struct FieldList: RandomAccessCollection {
    let elements: [JSONNode]
    let path: String
    let source: ScenarioSource

    var startIndex: Int { 0 }
    var endIndex: Int { elements.count }
    subscript(position: Int) -> Field {
        Field(node: elements[position], parentPath: path, step: .index(position), source: source)
    }
}

/// An object field; members are looked up by key.
struct ObjectField {
    let members: [JSONMember]
    let path: String
    let source: ScenarioSource
    let node: JSONNode

    var file: String { source.file }

    /// The path of a member.
    func child(_ key: String) -> String { path + JSONPathComponent.key(key).text(first: path.isEmpty) }

    func field(_ member: JSONMember) -> Field { Field(node: member.value, parentPath: path, step: .key(member.key), source: source) }

    func optional(_ key: String) -> Field? { members.first { $0.key == key }.map(field) }

    func required(_ key: String, _ expected: String) throws(ScenarioError) -> Field {
        guard let field = optional(key) else {
            let (file, position) = source.locate(node.offset)
            throw ScenarioError(file: file, position: position, path: child(key), expected: expected, found: "nothing (missing key)")
        }
        return field
    }

    /// An error about a member's key (an unknown or misplaced key), at the key.
    func fail(key member: JSONMember, expected: String, found: String) -> ScenarioError {
        let (file, position) = source.locate(member.keyOffset)
        return ScenarioError(file: file, position: position, path: child(member.key), expected: expected, found: found)
    }

    /// Refuses any key not in `allowed`, naming the context (`"a \"steps\" demand"`).
    func onlyKeys(_ allowed: [String], in context: String) throws(ScenarioError) {
        for member in members where !allowed.contains(member.key) {
            throw fail(key: member, expected: "only \(allowed.joined(separator: ", ")) in \(context)", found: Excerpt.quoted(member.key))
        }
    }
}

/// "Did you mean ...?" hints for misspelt keys, flags and commands.
public enum SpellingHint {
    /// Words longer than this get no hint (an edit distance over a huge word would take long and help nobody).
    static let longestWord = 64

    /// The candidate nearest to `word` by edit distance, when it is near enough to be a hint.
    public static func closest(to word: String, in candidates: [String]) -> String? {
        guard word.utf8.count <= longestWord else { return nil }
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
        // Near enough: a third of the word at most (one edit for short words), and never the whole word.
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, word.count / 3), best.1 < word.count else { return nil }
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
