/// Makes untrusted text (span names, URLs, messages) inert before it reaches a terminal or a report.
///
/// Control characters (C0, DEL, C1) — and with them every escape sequence, which starts with one — are shown as
/// visible escapes (`\e`, `\x07`, `\u{9b}`), and bidirectional overrides that could reorder what a reader sees are
/// shown the same way. Everything else, wide characters included, passes through.
///
/// ```swift
/// TerminalSafe.escape("evil\u{1B}]0;pwned\u{07}") // "evil\\e]0;pwned\\x07"
/// ```
public enum TerminalSafe {
    public static func escape(_ s: String) -> String {
        // Fast path: nothing to escape (the common case).
        if !s.unicodeScalars.contains(where: needsEscape) { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for scalar in s.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: out += "\\e"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += "\\x" + hex2(scalar.value)
            default: out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return out
    }

    @inline(__always)
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0x20 || v == 0x7F { return true }
        if v < 0x80 { return false }
        if v < 0xA0 { return true }
        return (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            || v == 0xFEFF
    }

    private static func hex2(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String(digits[Int(v >> 4)]) + String(digits[Int(v & 0xF)])
    }
}
