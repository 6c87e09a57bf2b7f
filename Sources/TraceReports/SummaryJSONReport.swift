import TraceAnalysis
import TraceModel

/// The summary as JSON, schema `tracescope.summary/v1` (docs/SEMANTICS.md, "Summary JSON"). Times are ISO-8601 UTC; latencies are
/// milliseconds; every latency block carries its sample count.
public enum SummaryJSONReport {
    public static func render(_ s: Summary) -> String {
        OrderedJSON.object([
            ("schema", .string(Summary.schema)),
            ("inputs", .array(s.inputs.map { .string($0) })),
            ("window", window(s.window)),
            ("traces", traces(s.traces)),
            (
                "services",
                .array(
                    s.services.map { service in
                        .object(node(service.node) + classAndLatency(service.figures, includeRequests: true))
                    })
            ),
            (
                "edges",
                .array(
                    s.edges.map { edge in
                        .object(
                            [("from", .object(node(edge.edge.from))), ("to", .object(node(edge.edge.to)))]
                                + classAndLatency(edge.figures, includeRequests: true))
                    })
            ),
            (
                "functions",
                .array(
                    s.functions.map { fn in
                        .object([
                            ("name", .string(fn.name)),
                            ("invocations", .int(Int64(fn.invocations))),
                            ("cold_starts", .int(Int64(fn.coldStarts))),
                            (
                                "cold_start_rate",
                                fn.invocations == 0 ? .null : .number(Double(fn.coldStarts) / Double(fn.invocations))
                            ),
                            ("dwell", phase(fn.dwell)),
                            ("init", phase(fn.initialization)),
                            ("handler", phase(fn.handler)),
                            ("overhead", phase(fn.overhead)),
                        ])
                    })
            ),
            ("gates", .array(s.gates.map(gate))),
            ("verdict", .string(s.verdict.rawValue)),
            (
                "rejected",
                .object([
                    ("count", .int(Int64(s.rejected.count))),
                    (
                        "reasons",
                        .object(s.rejected.reasons.keys.sorted().map { ($0, .int(Int64(s.rejected.reasons[$0] ?? 0))) })
                    ),
                    ("examples", .array(s.rejected.examples.map { .string($0) })),
                ])
            ),
        ]).pretty() + "\n"
    }

    /// One gate's outcome; shared with `diff`.
    static func gate(_ g: GateResult) -> OrderedJSON {
        .object([
            ("gate", .string(g.gate)),
            ("target", .optional(g.target)),
            ("observed", .optional(g.observed)),
            ("threshold", .optional(g.threshold)),
            ("baseline", .optional(g.baseline)),
            ("unit", .string(g.unit)),
            ("samples", .int(Int64(g.samples))),
            ("required_samples", .int(Int64(g.requiredSamples))),
            ("passed", .bool(g.passed)),
            ("status", .string(g.status.rawValue)),
            ("message", .string(g.message)),
        ])
    }

    static func window(_ w: Summary.Window) -> OrderedJSON {
        .object([
            ("start", .string(ISOTime.format(w.start))),
            ("end", .string(ISOTime.format(w.end))),
            ("seconds", .number(w.seconds)),
        ])
    }

    static func traces(_ t: Summary.Figures) -> OrderedJSON {
        .object([("count", .int(Int64(t.requests)))] + classAndLatency(t, includeRequests: false))
    }

    static func node(_ n: NodeKey) -> [(String, OrderedJSON)] {
        [("name", .string(n.name)), ("type", .optional(n.type))]
    }

    static func classAndLatency(_ f: Summary.Figures, includeRequests: Bool) -> [(String, OrderedJSON)] {
        (includeRequests ? [("requests", OrderedJSON.int(Int64(f.requests)))] : []) + [
            ("ok", .int(Int64(f.ok))),
            ("errors", .int(Int64(f.errors))),
            ("throttles", .int(Int64(f.throttles))),
            ("faults", .int(Int64(f.faults))),
            ("rps", .number(f.rps)),
            ("avg_ms", .optional(f.avgMillis)),
            ("p50_ms", .optional(f.p50)),
            ("p90_ms", .optional(f.p90)),
            ("p95_ms", .optional(f.p95)),
            ("p99_ms", .optional(f.p99)),
            ("max_ms", .optional(f.maxMillis)),
        ]
    }

    private static func phase(_ p: Summary.PhaseFigures) -> OrderedJSON {
        .object([
            ("count", .int(Int64(p.count))),
            ("p50_ms", .optional(p.p50)),
            ("p99_ms", .optional(p.p99)),
            ("max_ms", .optional(p.maxMillis)),
        ])
    }
}

/// ISO-8601 UTC with milliseconds, computed without Foundation so it is locale- and timezone-proof.
enum ISOTime {
    static func format(_ nanos: EpochNanos) -> String {
        let millis = nanos / 1_000_000
        var seconds = millis / 1000
        var ms = millis % 1000
        if ms < 0 {
            ms += 1000
            seconds -= 1
        }
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 {
            rem += 86_400
            days -= 1
        }
        let (y, m, d) = civil(fromDays: Int(days))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        func three(_ v: Int) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
        let hh = Int(rem / 3600)
        let mm = Int(rem % 3600 / 60)
        let ss = Int(rem % 60)
        return "\(y)-\(two(m))-\(two(d))T\(two(hh)):\(two(mm)):\(two(ss)).\(three(Int(ms)))Z"
    }

    /// Howard Hinnant's civil-from-days.
    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
