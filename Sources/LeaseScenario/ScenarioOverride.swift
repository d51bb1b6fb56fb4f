/// One `--set PATH=VALUE`: a scenario field replaced (or added) in the parsed file before the loader reads it,
/// so the value gets the loader's own validation and error messages.
///
/// PATH is a field path as errors print it: keys joined by `.`, and `[...]` to select in an array, by index
/// (`licenses[0]`) or by the `id` of an element (`clients[gw-1]`, `servers[ls-1]`; a client group by its
/// `group` name). On an object, `[KEY]` is a key that may hold any character (`features[users.pro]`).
/// VALUE is JSON when it parses as JSON (`400`, `true`, `[1,2]`, `{"ruc": 5}`, `"400"`), and otherwise
/// the text itself, as a string (`2h`, `onDrop`).
///
/// A missing key is added (the loader then refuses it, with a hint, when the scenario has no such field); a
/// missing object on the way is created. An index out of range or an id no element has is an error naming it.
public struct ScenarioOverride: Sendable, CustomStringConvertible {
    /// A step of the path.
    public enum Step: Sendable, Equatable {
        /// `.key`: a member of an object.
        case key(String)
        /// `[selector]`: an array element by index or id, or an object member by key.
        case select(String)
    }

    /// The path as written.
    public let path: String
    public let steps: [Step]
    /// The value as written.
    public let valueText: String
    let value: JSONNode

    /// The most ids an error lists when a selector names none of them.
    static let maxIdsShown = 8
    /// The most nesting a VALUE may have.
    static let maxValueDepth = 16
    static let pathForm = "a field path such as policy.renewalInterval or clients[gw-1].allocations.users.muc"

    /// The option that gave it, as errors name it: `--set`, or `--vary` for the values `plan` tries.
    public var option = "--set"

    public var description: String { "\(option) \(path)=\(valueText)" }

    /// `PATH=VALUE` as `--set` reads it back to the same value: a string that would read as JSON (`"400"`) is
    /// written as a JSON string, anything else as compact JSON or the text itself.
    public var setArgument: String {
        if case .string(let text) = value.value {
            return path + "=" + ((try? StrictJSONReader.parse(Array(text.utf8))) == nil ? text : OutputText.jsonString(text))
        }
        return path + "=" + value.value.compactJSON
    }

    /// Parses `PATH=VALUE` (the first `=` outside brackets ends the path).
    public init(_ text: String) throws(ScenarioError) {
        func fail(_ found: String) -> ScenarioError {
            ScenarioError(file: "--set \(Excerpt.plain(text))", position: nil, path: "", expected: ScenarioOverride.pathForm + "=VALUE", found: found)
        }
        let characters = Array(text)
        var steps: [Step] = [], position = 0
        /// Whether a step just ended with `]` (a `.`, `[` or `=` must follow).
        var closed = false
        while position < characters.count, characters[position] != "=" {
            switch characters[position] {
            case "[":
                guard !steps.isEmpty else { throw fail("a path that starts with [") }
                guard let end = characters[position...].firstIndex(of: "]") else { throw fail("a [ with no ]") }
                guard end > position + 1 else { throw fail("an empty []") }
                steps.append(.select(String(characters[(position + 1)..<end])))
                position = end + 1
                closed = true
            case "]":
                throw fail("a ] with no [")
            default:
                if closed {
                    guard characters[position] == "." else { throw fail("text right after ] (a . is missing)") }
                    position += 1
                }
                var end = position
                while end < characters.count, !"=.[]".contains(characters[end]) { end += 1 }
                guard end > position else { throw fail("an empty key") }
                steps.append(.key(String(characters[position..<end])))
                position = end
                closed = position < characters.count && characters[position] == "."
                if closed && (position + 1 == characters.count || "=.[]".contains(characters[position + 1])) { throw fail("an empty key") }
            }
        }
        guard position < characters.count else { throw fail("no = in \(Excerpt.quoted(text))") }
        guard !steps.isEmpty else { throw fail("an empty path") }
        path = String(characters[..<position])
        self.steps = steps
        valueText = String(characters[(position + 1)...])
        value = (try? StrictJSONReader.parse(Array(valueText.utf8), maxDepth: ScenarioOverride.maxValueDepth))
            ?? JSONNode(value: .string(valueText), offset: 0)
    }

    /// An override of the field at `path` with a parsed value (a sweep file's); `valueText` shows it.
    init(path: String, value: JSONNode, valueText: String) throws(ScenarioError) {
        let parsed = try ScenarioOverride(path + "=")
        guard parsed.path == path else {
            throw ScenarioError(file: "", position: nil, path: "", expected: ScenarioOverride.pathForm, found: Excerpt.quoted(path))
        }
        self.path = path
        steps = parsed.steps
        self.valueText = valueText
        self.value = value
    }

    /// Applies overrides in order to a parsed scenario; each value's nodes are marked as the override's
    /// (`ScenarioSource.locate` names it in errors instead of a line and column).
    static func apply(_ overrides: [ScenarioOverride], to root: JSONNode, file: String) throws(ScenarioError) -> JSONNode {
        var root = root
        for (number, override) in overrides.enumerated() {
            let mark = ScenarioSource.overrideOffset(number)
            root = try override.set(in: root, from: 0, mark: mark, file: file)
        }
        return root
    }

    func fail(_ file: String, at step: Int, expected: String, found: String) -> ScenarioError {
        ScenarioError(file: "\(file) (\(description))", position: nil, path: ScenarioOverride.text(steps.prefix(step + 1)),
                      expected: expected, found: found)
    }

    static func text<Steps: Collection<Step>>(_ steps: Steps) -> String {
        var text = ""
        for step in steps {
            switch step {
            case .key(let key): text += text.isEmpty ? key : "." + key
            case .select(let selector): text += "[\(selector)]"
            }
        }
        return text
    }

    /// `node` with the value set at `steps[position...]`.
    func set(in node: JSONNode, from position: Int, mark: Int32, file: String) throws(ScenarioError) -> JSONNode {
        guard position < steps.count else { return ScenarioOverride.marked(value, mark) }
        let step = steps[position]
        switch (step, node.value) {
        case (.key(let key), .object(var members)), (.select(let key), .object(var members)):
            if let found = members.firstIndex(where: { $0.key == key }) {
                members[found].value = try set(in: members[found].value, from: position + 1, mark: mark, file: file)
            } else {
                guard position + 1 == steps.count || steps[position + 1].isKey else {
                    throw fail(file, at: position, expected: "an array to select from", found: "nothing (missing key)")
                }
                let empty = JSONNode(value: .object([]), offset: mark)
                members.append(JSONMember(key: key, keyOffset: mark, value: try set(in: empty, from: position + 1, mark: mark, file: file)))
            }
            return JSONNode(value: .object(members), offset: node.offset)
        case (.select(let selector), .array(var elements)):
            let found = try element(selector, in: elements, at: position, file: file)
            elements[found] = try set(in: elements[found], from: position + 1, mark: mark, file: file)
            return JSONNode(value: .array(elements), offset: node.offset)
        case (.key, .array):
            throw fail(file, at: position - 1, expected: "an object", found: "an array (select an element with [id] or [index])")
        default:
            throw fail(file, at: position - 1, expected: "an object or an array to set a field in", found: Field.describe(node.value))
        }
    }

    /// The element an array selector names: an index, or the id (or client group) of one element.
    static func index(of selector: String, in elements: [JSONNode]) -> Int? {
        if selector.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let index = Int(selector) {
            return index < elements.count ? index : nil
        }
        return elements.firstIndex { member("id", of: $0) == selector || member("group", of: $0) == selector }
    }

    /// An object's string member.
    static func member(_ key: String, of node: JSONNode) -> String? {
        guard case .object(let members) = node.value, let member = members.first(where: { $0.key == key }),
              case .string(let text) = member.value.value else { return nil }
        return text
    }

    /// `index(of:in:)`, or an error that says why nothing is selected.
    func element(_ selector: String, in elements: [JSONNode], at position: Int, file: String) throws(ScenarioError) -> Int {
        if let found = ScenarioOverride.index(of: selector, in: elements) { return found }
        if selector.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), Int(selector) != nil {
            throw fail(file, at: position, expected: "an index below \(elements.count)", found: selector)
        }
        let member = ScenarioOverride.member
        if let group = elements.compactMap({ member("group", $0) }).first(where: { selector.hasPrefix($0 + "-") }) {
            throw fail(file, at: position, expected: "the id of an element, or a client group's name",
                       found: "\(Excerpt.quoted(selector)), a member of group \(Excerpt.quoted(group)): set the group, [\(group)]")
        }
        let names = elements.compactMap { member("id", $0) ?? member("group", $0) }
        let hint = SpellingHint.closest(to: selector, in: names).map { " (did you mean \(Excerpt.quoted($0))?)" } ?? ""
        let shown = ScenarioOverride.maxIdsShown
        let ids = names.prefix(shown).map(Excerpt.quoted).joined(separator: ", ") + (names.count > shown ? ", ..." : "")
        throw fail(file, at: position, expected: "an index, or the id of one of \(OutputText.count(elements.count, "element"))\(ids.isEmpty ? "" : " (\(ids))")",
                   found: "no element with id \(Excerpt.quoted(selector))\(hint)")
    }

    /// A value with every node and key marked as the override's.
    static func marked(_ node: JSONNode, _ mark: Int32) -> JSONNode {
        switch node.value {
        case .array(let elements): return JSONNode(value: .array(elements.map { marked($0, mark) }), offset: mark)
        case .object(let members):
            return JSONNode(value: .object(members.map { JSONMember(key: $0.key, keyOffset: mark, value: marked($0.value, mark)) }), offset: mark)
        default: return JSONNode(value: node.value, offset: mark)
        }
    }
}

extension ScenarioOverride.Step {
    var isKey: Bool { if case .key = self { return true } else { return false } }
}
