/// One corpus of names that try to take over a terminal or a reader's eye, used by every output-safety test: the
/// reports (text, Markdown, JSON, JUnit), the dashboard, the binary's stdout and stderr.
public enum HostileNames {
    public static let all: [String] = [
        "clear\u{1B}[2J\u{1B}[H", // CSI: clear the screen
        "title\u{1B}]0;pwned\u{07}", // OSC: set the window title
        "link\u{1B}]8;;https://evil.example\u{1B}\\click\u{1B}]8;;\u{1B}\\", // OSC 8 hyperlink
        "c1\u{9B}31mred\u{85}next", // C1 CSI and NEL
        "bidi\u{202E}gnp.exe\u{202C}", // right-to-left override
        "isolate\u{2067}txt.exe\u{2069}", // right-to-left isolate
        "zero\u{200B}width\u{200F}mark\u{FEFF}", // zero-width space, RLM, BOM
        "bell\u{07}back\u{08}\u{08}del\u{7F}", // BEL, backspaces, DEL
        "cr\roverwrite", // carriage return
        "nul\u{0}byte",
        "tab\tand\nnewline",
    ]

    /// Whether `text` carries anything a terminal would act on, other than line breaks.
    public static func unsafeScalar(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            let v = scalar.value
            if v == 0x0A { return false }
            if v < 0x20 || v == 0x7F || (0x80..<0xA0).contains(v) { return true }
            return (0x200B...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
                || v == 0xFEFF
        }
    }
}
