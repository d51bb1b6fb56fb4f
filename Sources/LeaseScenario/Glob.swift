/// Entity patterns (faults, `--entity`): ids matched with shell-style wildcards.
///
/// Shell-style patterns: `*` matches any run of characters, `?` one character; everything else itself.
public enum Glob {
    public static func matches(_ text: String, _ pattern: String) -> Bool {
        let text = Array(text.unicodeScalars), pattern = Array(pattern.unicodeScalars)
        var (t, p) = (0, 0)
        var star: (p: Int, t: Int)? = nil
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
                t += 1; p += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = (p, t); p += 1
            } else if let last = star {
                star = (last.p, last.t + 1); (p, t) = (last.p + 1, last.t + 1)
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
