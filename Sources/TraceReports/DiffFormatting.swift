import TraceAnalysis
import TraceModel

/// How every diff report prints a figure, its change and its verdict, so text, Markdown and JUnit agree.
enum DiffFormatting {
    static func value(_ v: Double?, _ unit: RunDiff.Unit) -> String {
        guard let v else { return "–" }
        switch unit {
        case .millis: return Formatting.millis(v)
        case .ratio: return Formatting.percent(v)
        case .perSecond: return Formatting.rate(v)
        case .count: return Formatting.number(v)
        }
    }

    /// `+98.0ms (+54%)`, `+2.1 pp`, `-12%`.
    static func change(_ c: RunDiff.Change) -> String {
        guard let delta = c.absoluteChange else { return "–" }
        let sign = delta > 0 ? "+" : delta < 0 ? "-" : "±"
        let relative = c.changePercent.map { " (" + (($0 > 0 ? "+" : "") + Formatting.fixed($0, 0)) + "%)" } ?? ""
        switch c.unit {
        case .millis: return sign + Formatting.millis(abs(delta)) + relative
        case .ratio: return sign + Formatting.fixed(abs(delta) * 100, 1) + " pp"
        case .perSecond, .count: return sign + Formatting.number(abs(delta)) + relative
        }
    }

    /// An operation path in at most `width` columns: middle steps give way to `…` first, so the root and the
    /// work itself stay readable (`shop-api/prod → … → Invocation → api.payments.example.com`).
    static func path(_ steps: [String], width: Int = 72) -> String {
        let safe = steps.map(TerminalSafe.escape)
        var kept = safe
        var text = kept.joined(separator: " → ")
        var dropped = 0
        while DisplayWidth.of(text) > width, safe.count - dropped > 2 {
            dropped += 1
            kept = [safe[0], "…"] + safe[(1 + dropped)...]
            text = kept.joined(separator: " → ")
        }
        return DisplayWidth.of(text) > width ? DisplayWidth.truncate(text, to: width) : text
    }

    /// How reports name a subject: operation paths shortened by `path(_:width:)`.
    static func subject(_ s: RunDiff.Subject, width: Int = 72) -> String {
        if case .operation(let steps) = s { return path(steps, width: width) }
        return s.description
    }

    /// `+98.0ms`, `-3.2ms`.
    static func millisDelta(_ delta: Double) -> String {
        (delta > 0 ? "+" : delta < 0 ? "-" : "±") + Formatting.millis(abs(delta))
    }

    static func verdictWord(_ c: RunDiff.Change) -> String {
        c.isRegression ? "regression" : c.isImprovement ? "improvement" : c.significant ? "changed" : "no change"
    }

    /// `23%` of the whole, or `–`.
    static func share(_ a: RunDiff.Attribution) -> String {
        a.share.map { Formatting.fixed($0 * 100, 0) + "%" } ?? "–"
    }

    /// The changes reports put first: the significant ones, regressions before improvements, largest relative
    /// change first.
    static func significant(_ diff: RunDiff) -> [RunDiff.Change] {
        diff.changes.filter(\.significant).sorted { a, b in
            if a.isRegression != b.isRegression { return a.isRegression }
            return abs(a.changePercent ?? .infinity) > abs(b.changePercent ?? .infinity)
        }
    }

    /// The significance test in a few words, as lines; Markdown joins them.
    static func method(_ diff: RunDiff) -> [String] {
        let s = diff.significance
        return [
            "\(diff.changes.count) figures compared; significant: the gap between the runs exceeds their "
                + "\(confidence(s.z)) intervals combined",
            "(order statistics for percentiles, Wilson for rates, Poisson for req/s) and a latency moved by at least "
                + "\(Formatting.fixed(s.minimumRelativeChange * 100, 0))%",
        ]
    }

    /// The two-sided confidence of a z: `99.9%`.
    static func confidence(_ z: Double) -> String {
        Formatting.fixed(Significance.confidence(ofZ: z) * 100, z >= 3 ? 1 : 0) + "%"
    }

    /// The headline: trace counts and the percentiles of both runs.
    static func headline(_ s: Summary) -> String {
        let t = s.traces
        return "\(t.requests) traces over \(Formatting.fixed(s.window.seconds, 1))s, "
            + "p50 \(Formatting.millis(t.p50)), p90 \(Formatting.millis(t.p90)), p99 \(Formatting.millis(t.p99)), "
            + "\(t.faults) faults, \(t.errors) errors, \(t.throttles) throttles"
    }
}
