/// Number formatting shared by every report, so text, Markdown and the dashboard print figures the same way.
public enum Formatting {
    /// `0.42ms`, `12.3ms`, `250ms`, `2.50s`, `3m05s`.
    public static func millis(_ ms: Double?) -> String {
        guard let ms, ms.isFinite else { return "–" }
        if ms < 1 { return fixed(ms, 2) + "ms" }
        if ms < 100 { return fixed(ms, 1) + "ms" }
        if ms < 1000 { return fixed(ms, 0) + "ms" }
        if ms < 60_000 { return fixed(ms / 1000, 2) + "s" }
        // Past 30,000 years (a gate or a baseline may say anything): plain seconds, never an integer conversion.
        guard ms < 1e15 else { return String(ms / 1000) + "s" }
        let seconds = Int((ms / 1000).rounded())
        return "\(seconds / 60)m" + (seconds % 60 < 10 ? "0" : "") + "\(seconds % 60)s"
    }

    /// A ratio as a percentage: `0%`, `0.35%`, `12.5%`.
    public static func percent(_ ratio: Double?) -> String {
        guard let ratio, ratio.isFinite else { return "–" }
        let p = ratio * 100
        if p == 0 { return "0%" }
        if p < 1 { return fixed(p, 2) + "%" }
        if p < 10 { return fixed(p, 1) + "%" }
        return fixed(p, 0) + "%"
    }

    /// A gate figure in its unit: `ms` as a duration, `ratio` as a percentage, anything else as a number.
    public static func value(_ v: Double?, unit: String, missing: String = "–") -> String {
        guard let v else { return missing }
        switch unit {
        case "ms": return millis(v)
        case "ratio": return percent(v)
        default: return number(v)
        }
    }

    /// `p50 / p99` of a phase, or `missing` when it never happened.
    public static func medianAndP99(_ p: Summary.PhaseFigures, missing: String = "–") -> String {
        p.count == 0 ? missing : "\(millis(p.p50)) / \(millis(p.p99))"
    }

    public static func number(_ v: Double) -> String {
        if v.rounded() == v && abs(v) < 1e15 { return String(Int64(v)) }
        return fixed(v, 2)
    }

    /// Requests per second: `0.25`, `3.4`, `120`.
    public static func rate(_ v: Double) -> String {
        if v < 10 { return fixed(v, 2) }
        if v < 100 { return fixed(v, 1) }
        return fixed(v, 0)
    }

    /// `v` with exactly `digits` decimals, without Foundation's locale-dependent formatting.
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e18 else { return String(v) }
        let n = Int64(scaled)
        let whole = n / Int64(scale)
        let frac = n % Int64(scale)
        var text = (v < 0 && n != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let f = String(frac)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }
}
