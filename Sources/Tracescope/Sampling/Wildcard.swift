/// X-Ray's wildcard patterns: `*` any run of characters, `?` exactly one; case-insensitive.
enum Wildcard {
    static func matches(_ pattern: String, _ text: String?) -> Bool {
        if pattern == "*" { return true }
        guard let text else { return false }
        let p = Array(pattern.lowercased().unicodeScalars)
        let t = Array(text.lowercased().unicodeScalars)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
