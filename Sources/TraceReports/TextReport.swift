import TraceAnalysis
import TraceModel

/// The summary as aligned plain text for a terminal or a log. With `histograms`, each service's latency
/// distribution is drawn with block characters (the CLI turns that on for terminals without `NO_COLOR`).
public enum TextReport {
    public static func render(_ s: Summary, histograms: Bool = false) -> String {
        var out: [String] = []
        let verdict = s.gates.isEmpty ? "" : "  verdict: \(s.verdict == .pass ? "PASS" : "FAIL")"
        out.append("Tracescope summary\(verdict)")
        let t = s.traces
        out.append(
            "\(t.requests) traces over \(Formatting.fixed(s.window.seconds, 1))s: \(t.ok) ok, \(t.errors) errors, "
                + "\(t.throttles) throttles, \(t.faults) faults; p50 \(Formatting.millis(t.p50)), p95 \(Formatting.millis(t.p95)), "
                + "p99 \(Formatting.millis(t.p99)), max \(Formatting.millis(t.maxMillis))")

        out += gateSection(s.gates)

        let services = s.services.filter { !$0.node.isClient }
        if !services.isEmpty {
            out += ["", "Services"]
            var rows = [
                ["", "service", "type", "requests", "ok", "err", "thr", "fault", "req/s", "p50", "p95", "p99", "max"]
            ]
            for service in services {
                let f = service.figures
                rows.append([
                    marker(f), service.node.name, service.node.type ?? "", "\(f.requests)", "\(f.ok)", "\(f.errors)",
                    "\(f.throttles)", "\(f.faults)", Formatting.rate(f.rps), Formatting.millis(f.p50),
                    Formatting.millis(f.p95), Formatting.millis(f.p99), Formatting.millis(f.maxMillis),
                ])
            }
            out.append(contentsOf: table(rows, rightAligned: Set(3...12)))
        }

        if !s.edges.isEmpty {
            let labels = NodeLabels(s)
            out += ["", "Edges (caller's view)"]
            var rows = [["", "from", "to", "requests", "ok", "err", "thr", "fault", "p50", "p95", "p99", "max"]]
            for edge in s.edges {
                let f = edge.figures
                rows.append([
                    marker(f), labels.label(edge.edge.from), labels.label(edge.edge.to), "\(f.requests)", "\(f.ok)",
                    "\(f.errors)",
                    "\(f.throttles)", "\(f.faults)", Formatting.millis(f.p50), Formatting.millis(f.p95),
                    Formatting.millis(f.p99), Formatting.millis(f.maxMillis),
                ])
            }
            out.append(contentsOf: table(rows, rightAligned: Set(3...11)))
        }

        if !s.functions.isEmpty {
            out += ["", "Functions"]
            var rows = [["function", "invocations", "cold", "dwell p50/p99", "init p50/p99", "handler p50/p99"]]
            for fn in s.functions {
                rows.append([
                    fn.name, "\(fn.invocations)", "\(fn.coldStarts)", pair(fn.dwell), pair(fn.initialization),
                    pair(fn.handler),
                ])
            }
            out.append(contentsOf: table(rows, rightAligned: Set(1...5)))
        }

        if histograms {
            out += ["", "Latency distributions (log scale, min → max)"]
            let width = services.map { DisplayWidth.of(TerminalSafe.escape($0.node.name)) }.max() ?? 0
            for service in services {
                guard let h = service.latency?.histogram, h.count > 0 else { continue }
                let name = DisplayWidth.pad(TerminalSafe.escape(service.node.name), to: min(width, 32))
                out.append(
                    "\(name) \(Formatting.millis(h.minMillis)) \(sparkline(h, width: 40)) \(Formatting.millis(h.maxMillis))"
                )
            }
        }

        if s.rejected.count > 0 {
            out += ["", "Rejected records: \(s.rejected.count)"]
            for reason in s.rejected.reasons.keys.sorted() {
                out.append("  \(reason): \(s.rejected.reasons[reason] ?? 0)")
            }
            for example in s.rejected.examples.prefix(5) { out.append("  " + TerminalSafe.escape(example)) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The gates as a table under a blank line and a heading; nothing when there are none. Shared with `diff`.
    static func gateSection(_ gates: [GateResult]) -> [String] {
        guard !gates.isEmpty else { return [] }
        var rows = [["", "gate", "target", "observed", "threshold", "samples", "result"]]
        for g in gates {
            rows.append([
                g.passed ? "ok" : g.status == .fail ? "FAIL" : "??", g.gate, g.target ?? "-",
                value(g.observed, g.unit), value(g.threshold, g.unit), "\(g.samples)",
                g.status.rawValue + (g.passed ? "" : ": " + g.message),
            ])
        }
        return ["", "Gates"] + table(rows, rightAligned: [3, 4, 5])
    }

    static let blocks: [Character] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// The distribution as block characters, each column a logarithmic latency bucket.
    static func sparkline(_ h: LatencyHistogram, width: Int) -> String {
        let buckets = h.distribution(buckets: width)
        let peak = buckets.map(\.count).max() ?? 0
        guard peak > 0 else { return "" }
        return String(
            buckets.map { bucket in
                if bucket.count == 0 { return blocks[0] }
                let level = max(1, Int((Double(bucket.count) / Double(peak) * 8).rounded()))
                return blocks[min(8, level)]
            })
    }

    private static func marker(_ f: Summary.Figures) -> String { f.worstClass.marker }

    private static func pair(_ p: Summary.PhaseFigures) -> String { Formatting.medianAndP99(p, missing: "-") }

    private static func value(_ v: Double?, _ unit: String) -> String { Formatting.value(v, unit: unit, missing: "-") }

    /// Aligns columns by display width; every cell is made terminal-safe first.
    static func table(_ rows: [[String]], rightAligned: Set<Int>, maxCellWidth: Int = 48) -> [String] {
        let safe = rows.map { $0.map { DisplayWidth.truncate(TerminalSafe.escape($0), to: maxCellWidth) } }
        let columns = safe.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in safe {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], DisplayWidth.of(cell)) }
        }
        return safe.map { row in
            var line = ""
            for (i, cell) in row.enumerated() {
                if i > 0 { line += "  " }
                line += DisplayWidth.pad(cell, to: widths[i], alignRight: rightAligned.contains(i))
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return "  " + line
        }
    }
}
