/// A shell-style pattern as `--keep-tag v*` and `--repository registry.example.com/team/*` write them: `*` is any
/// run of characters (slashes included, as Kyverno's and Harbor's repository patterns read it), `?` one character;
/// everything else stands for itself.
package struct Glob: Sendable, Hashable, CustomStringConvertible {
    package let description: String
    private let pattern: [Character]

    package init(_ text: String) {
        description = text
        pattern = Array(text)
    }

    package func matches(_ text: String) -> Bool {
        let subject = Array(text)
        // Iterative wildcard matching with one backtrack point (linear in practice, no recursion).
        var p = 0, s = 0, star = -1, mark = 0
        while s < subject.count {
            if p < pattern.count, pattern[p] == "?" || (pattern[p] != "*" && pattern[p] == subject[s]) {
                p += 1
                s += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                mark = s
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                s = mark
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
