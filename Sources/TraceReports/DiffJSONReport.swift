import TraceAnalysis
import TraceModel

/// A diff as JSON, schema `tracescope.diff/v1` (docs/SEMANTICS.md, "Diff JSON"): latencies in milliseconds, rates
/// as fractions, every figure with its sample counts in both runs and its significance.
public enum DiffJSONReport {
    public static func render(_ d: RunDiff) -> String {
        OrderedJSON.object([
            ("schema", .string(RunDiff.schema)),
            ("base", run(d.base)),
            ("current", run(d.current)),
            (
                "significance",
                .object([
                    ("method", .string("z-test of the difference, standard errors from distribution-free intervals")),
                    ("confidence", .number(Significance.confidence(ofZ: d.significance.z))),
                    ("z", .number(d.significance.z)),
                    ("min_change_pct", .number(d.significance.minimumRelativeChange * 100)),
                    ("min_samples", d.significance.minimumSamples.map { .int(Int64(clamping: $0)) } ?? .null),
                    ("compared", .int(Int64(d.changes.count))),
                    ("significant", .int(Int64(d.changes.count { $0.significant }))),
                    ("regressions", .int(Int64(d.significantRegressions))),
                    ("improvements", .int(Int64(d.significantImprovements))),
                ])
            ),
            ("changes", .array(d.changes.map(change))),
            ("added", .array(d.added.map(presence))),
            ("removed", .array(d.removed.map(presence))),
            ("attribution_basis", d.attributionBasis.map(basis) ?? .null),
            (
                "attribution",
                .array(
                    d.attribution.map { a in
                        .object([
                            ("path", .array(a.path.map { .string($0) })),
                            ("base_ms", .number(a.baseMillis)),
                            ("current_ms", .number(a.currentMillis)),
                            ("change_ms", .number(a.changeMillis)),
                            ("share", .optional(a.share)),
                        ])
                    })
            ),
            ("gates", .array(d.gates.map(SummaryJSONReport.gate))),
            ("verdict", .string(d.verdict.rawValue)),
        ]).pretty() + "\n"
    }

    private static func run(_ s: Summary) -> OrderedJSON {
        .object([
            ("inputs", .array(s.inputs.map { .string($0) })),
            ("window", SummaryJSONReport.window(s.window)),
            ("traces", SummaryJSONReport.traces(s.traces)),
        ])
    }

    /// `name` (and `type`), `from`/`to`, or `path`, by scope.
    private static func subject(_ s: RunDiff.Subject) -> [(String, OrderedJSON)] {
        switch s {
        case .traces: [("name", .string("traces"))]
        case .service(let node): SummaryJSONReport.node(node)
        case .edge(let e):
            [("from", .object(SummaryJSONReport.node(e.from))), ("to", .object(SummaryJSONReport.node(e.to)))]
        case .function(let name): [("name", .string(name))]
        case .operation(let path): [("name", .string(s.description)), ("path", .array(path.map { .string($0) }))]
        }
    }

    private static func change(_ c: RunDiff.Change) -> OrderedJSON {
        .object(
            [("scope", .string(c.subject.scope))] + subject(c.subject) + [
                ("metric", .string(c.metric)),
                ("unit", .string(c.unit.rawValue)),
                ("base", .optional(c.base)),
                ("current", .optional(c.current)),
                ("change", .optional(c.absoluteChange)),
                ("change_pct", .optional(c.changePercent)),
                (
                    "samples",
                    .object([
                        ("base", .int(Int64(clamping: c.baseSamples))),
                        ("current", .int(Int64(clamping: c.currentSamples))),
                    ])
                ),
                ("significant", .bool(c.significant)),
                ("direction", .string(c.isRegression ? "regression" : c.isImprovement ? "improvement" : "none")),
            ])
    }

    private static func presence(_ p: RunDiff.Presence) -> OrderedJSON {
        .object(
            [("scope", .string(p.subject.scope))] + subject(p.subject) + [
                ("requests", .int(Int64(clamping: p.requests)))
            ])
    }

    private static func basis(_ b: RunDiff.AttributionBasis) -> OrderedJSON {
        .object([
            ("percentile", .number(b.percentile)),
            ("base_ms", .optional(b.baseMillis)),
            ("current_ms", .optional(b.currentMillis)),
            ("base_band_ms", .number(b.baseBandMillis)),
            ("current_band_ms", .number(b.currentBandMillis)),
            ("base_traces", .int(Int64(b.baseTraces))),
            ("current_traces", .int(Int64(b.currentTraces))),
        ])
    }
}
