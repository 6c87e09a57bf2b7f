import TraceAnalysis
import TraceModel

/// A diff as aligned plain text for a terminal or a CI log: the verdict, both runs, the significant changes, what
/// explains the typical trace's change, new and vanished nodes, and the gates. Every name is made terminal-safe.
public enum DiffTextReport {
    public static func render(_ d: RunDiff) -> String {
        var out: [String] = []
        let verdict = d.gates.isEmpty ? "" : "  verdict: \(d.verdict == .pass ? "PASS" : "FAIL")"
        out.append("Tracescope diff\(verdict)")
        out.append("  base:    " + DiffFormatting.headline(d.base))
        out.append("  current: " + DiffFormatting.headline(d.current))

        let significant = DiffFormatting.significant(d)
        out += [
            "",
            "Significant changes: \(d.significantRegressions) regression\(d.significantRegressions == 1 ? "" : "s"), "
                + "\(d.significantImprovements) improvement\(d.significantImprovements == 1 ? "" : "s")",
        ]
        out += DiffFormatting.method(d).map { "  " + $0 }
        if significant.isEmpty {
            out.append("  no significant change")
        } else {
            var rows = [["", "scope", "subject", "metric", "base", "current", "change", "samples"]]
            for c in significant {
                rows.append([
                    c.isRegression ? "worse" : c.isImprovement ? "better" : "moved", c.subject.scope,
                    DiffFormatting.subject(c.subject, width: 60), c.metric, DiffFormatting.value(c.base, c.unit),
                    DiffFormatting.value(c.current, c.unit), DiffFormatting.change(c),
                    "\(c.baseSamples) → \(c.currentSamples)",
                ])
            }
            out += TextReport.table(rows, rightAligned: [4, 5, 6, 7], maxCellWidth: 60)
        }

        if let basis = d.attributionBasis, !d.attribution.isEmpty {
            out += ["", attributionHeading(basis, d)]
            var rows = [["change", "share", "base", "current", "operation path"]]
            for a in d.attribution.prefix(10) {
                rows.append([
                    DiffFormatting.millisDelta(a.changeMillis), DiffFormatting.share(a),
                    Formatting.millis(a.baseMillis), Formatting.millis(a.currentMillis),
                    DiffFormatting.path(a.path),
                ])
            }
            out += TextReport.table(rows, rightAligned: [0, 1, 2, 3], maxCellWidth: 72)
        }

        if !d.added.isEmpty || !d.removed.isEmpty {
            out += ["", "New and vanished"]
            var rows = [["", "scope", "subject", "requests"]]
            for p in d.added { rows.append(["new", p.subject.scope, p.subject.description, "\(p.requests)"]) }
            for p in d.removed { rows.append(["gone", p.subject.scope, p.subject.description, "\(p.requests)"]) }
            out += TextReport.table(rows, rightAligned: [3], maxCellWidth: 72)
        }

        out += TextReport.gateSection(d.gates)
        return out.joined(separator: "\n") + "\n"
    }

    /// `Where the typical trace's time went (p50 180ms → 281ms, +101ms; 48 and 47 traces around the median)`.
    /// Says when the whole did not change significantly: the split of noise is noise.
    static func attributionHeading(_ b: RunDiff.AttributionBasis, _ d: RunDiff) -> String {
        let p = "p\(Formatting.number(b.percentile))"
        let whole = DiffFormatting.millisDelta((b.currentMillis ?? 0) - (b.baseMillis ?? 0))
        let metric = "p\(Formatting.number(b.percentile))_ms"
        let significant = d.changes.contains { $0.subject == .traces && $0.metric == metric && $0.significant }
        return "Where the typical trace's time went (\(p) \(Formatting.millis(b.baseMillis)) → "
            + "\(Formatting.millis(b.currentMillis)), \(whole)\(significant ? "" : ", not significant"); "
            + "critical-path self time of the \(b.baseTraces) and \(b.currentTraces) traces around the median)"
    }
}
