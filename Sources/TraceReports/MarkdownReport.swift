import TraceAnalysis
import TraceModel

/// The summary as a GitHub job summary: verdict first, then gates, the service map as Mermaid, services, edges,
/// functions, and rejected records. Untrusted names are escaped for Markdown tables and Mermaid labels.
public enum MarkdownReport {
    public static func render(_ s: Summary) -> String {
        var out: [String] = []
        let verdict = s.gates.isEmpty ? "no gates" : s.verdict == .pass ? "pass" : "fail"
        let icon = s.gates.isEmpty ? "ℹ️" : s.verdict == .pass ? "✅" : "❌"
        out.append("## \(icon) Tracescope summary: \(verdict)")
        out.append("")
        let t = s.traces
        out.append(
            "**\(t.requests) traces** over \(Formatting.fixed(s.window.seconds, 1)) s · "
                + "\(t.ok) ok · \(t.errors) errors · \(t.throttles) throttles · \(t.faults) faults · "
                + "p50 \(Formatting.millis(t.p50)) · p95 \(Formatting.millis(t.p95)) · p99 \(Formatting.millis(t.p99)) · "
                + "max \(Formatting.millis(t.maxMillis))")
        if !s.inputs.isEmpty {
            out += ["", "Inputs: " + s.inputs.map { "`" + code($0) + "`" }.joined(separator: ", ")]
        }

        out += gateSection(s.gates)

        if !s.edges.isEmpty {
            out += ["", "### Service map", "", "```mermaid", "graph LR"]
            var ids: [NodeKey: String] = [:]
            for (i, service) in s.services.enumerated() { ids[service.node] = "n\(i)" }
            for service in s.services {
                guard let id = ids[service.node] else { continue }
                let f = service.figures
                var label = mermaid(service.node.name)
                if let type = service.node.type, !service.node.isClient {
                    label += "<br/><small>" + mermaid(type) + "</small>"
                }
                if f.requests > 0 { label += "<br/>\(f.requests) req · p95 \(Formatting.millis(f.p95))" }
                let shape =
                    service.node.kind == .inferred
                    ? ("([\"", "\"])") : service.node.isClient ? ("((\"", "\"))") : ("[\"", "\"]")
                out.append("  \(id)\(shape.0)\(label)\(shape.1)")
            }
            for edge in s.edges {
                guard let from = ids[edge.edge.from], let to = ids[edge.edge.to] else { continue }
                let f = edge.figures
                var label = "\(f.requests)"
                let bad = f.faults + f.throttles + f.errors
                if bad > 0 { label += " · \(Formatting.percent(Double(bad) / Double(max(1, f.requests)))) failed" }
                out.append("  \(from) -->|\"\(label)\"| \(to)")
            }
            out.append("  classDef fault fill:#ffd7d5,stroke:#d1242f,color:#82071e")
            out.append("  classDef throttle fill:#eddeff,stroke:#8250df,color:#512a97")
            out.append("  classDef error fill:#fff1c5,stroke:#bf8700,color:#7d4e00")
            for cls in [StatusClass.fault, .throttle, .error] {
                let members = s.services.filter { $0.figures.worstClass == cls }.compactMap { ids[$0.node] }
                if !members.isEmpty { out += ["  class \(members.joined(separator: ",")) \(cls)"] }
            }
            out.append("```")
        }

        if !s.services.isEmpty {
            out += ["", "### Services", ""]
            out.append(
                "| Service | Type | Requests | OK | Errors | Throttles | Faults | req/s | p50 | p95 | p99 | max |")
            out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for service in s.services where !service.node.isClient {
                let f = service.figures
                out.append(
                    "| \(marker(f))\(cell(service.node.name)) | \(cell(service.node.type ?? "")) | \(f.requests) | \(f.ok) | "
                        + "\(f.errors) | \(f.throttles) | \(f.faults) | \(Formatting.rate(f.rps)) | \(Formatting.millis(f.p50)) | "
                        + "\(Formatting.millis(f.p95)) | \(Formatting.millis(f.p99)) | \(Formatting.millis(f.maxMillis)) |"
                )
            }
        }

        if !s.edges.isEmpty {
            let labels = NodeLabels(s)
            out += ["", "### Edges", ""]
            out.append("| From | To | Requests | OK | Errors | Throttles | Faults | p50 | p95 | p99 | max |")
            out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for edge in s.edges {
                let f = edge.figures
                out.append(
                    "| \(cell(labels.label(edge.edge.from))) | \(marker(f))\(cell(labels.label(edge.edge.to))) | \(f.requests) | \(f.ok) | "
                        + "\(f.errors) | \(f.throttles) | \(f.faults) | \(Formatting.millis(f.p50)) | \(Formatting.millis(f.p95)) | "
                        + "\(Formatting.millis(f.p99)) | \(Formatting.millis(f.maxMillis)) |")
            }
        }

        if !s.functions.isEmpty {
            out += ["", "### Functions", ""]
            out.append(
                "| Function | Invocations | Cold starts | Dwell p50 / p99 | Init p50 / p99 | Handler p50 / p99 | Handler max |"
            )
            out.append("|---|---:|---:|---:|---:|---:|---:|")
            for fn in s.functions {
                let cold =
                    fn.invocations == 0
                    ? "–" : "\(fn.coldStarts) (\(Formatting.percent(Double(fn.coldStarts) / Double(fn.invocations))))"
                out.append(
                    "| \(cell(fn.name)) | \(fn.invocations) | \(cold) | \(pair(fn.dwell)) | \(pair(fn.initialization)) | "
                        + "\(pair(fn.handler)) | \(Formatting.millis(fn.handler.maxMillis)) |")
            }
        }

        if s.rejected.count > 0 {
            out += ["", "### Rejected records: \(s.rejected.count)", ""]
            for reason in s.rejected.reasons.keys.sorted() {
                out.append("- \(cell(reason)): \(s.rejected.reasons[reason] ?? 0)")
            }
            if !s.rejected.examples.isEmpty {
                out += ["", "<details><summary>First rejections</summary>", "", "```"]
                out.append(
                    contentsOf: s.rejected.examples.map { TerminalSafe.escape($0).replacingAll("```", with: "'''") })
                out += ["```", "</details>"]
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The gates as a table under a heading; nothing when there are none. Shared with `diff`.
    static func gateSection(_ gates: [GateResult]) -> [String] {
        guard !gates.isEmpty else { return [] }
        var out = ["", "### Gates", ""]
        out.append("| | Gate | Target | Observed | Threshold | Samples | Result |")
        out.append("|---|---|---|---:|---:|---:|---|")
        for g in gates {
            let mark = g.passed ? "✅" : g.status == .fail ? "❌" : "⚠️"
            out.append(
                "| \(mark) | `\(code(g.gate))` | \(cell(g.target ?? "–")) | \(value(g.observed, g.unit)) | "
                    + "\(value(g.threshold, g.unit)) | \(g.samples) | \(cell(g.status.rawValue + ": " + g.message)) |"
            )
        }
        return out
    }

    private static func marker(_ f: Summary.Figures) -> String {
        f.worstClass == .ok ? "" : f.worstClass.marker + " "
    }

    private static func pair(_ p: Summary.PhaseFigures) -> String { Formatting.medianAndP99(p, missing: "–") }

    private static func value(_ v: Double?, _ unit: String) -> String { Formatting.value(v, unit: unit, missing: "–") }

    /// Text inside a table cell: inert control characters, no pipes or line breaks, no HTML.
    static func cell(_ s: String) -> String {
        TerminalSafe.escape(s)
            .replacingAll("\\", with: "\\\\")
            .replacingAll("|", with: "\\|")
            .replacingAll("<", with: "&lt;")
            .replacingAll(">", with: "&gt;")
            .replacingAll("`", with: "\\`")
            .replacingAll("*", with: "\\*")
            .replacingAll("_", with: "\\_")
    }

    /// Text inside backticks, where only backticks and pipes matter.
    static func code(_ s: String) -> String {
        TerminalSafe.escape(s).replacingAll("`", with: "'").replacingAll("|", with: "\\|")
    }

    /// Text inside a quoted Mermaid label: entity-encode what Mermaid would parse.
    static func mermaid(_ s: String) -> String {
        TerminalSafe.escape(s)
            .replacingAll("&", with: "#amp;")
            .replacingAll("\"", with: "#quot;")
            .replacingAll("<", with: "#lt;")
            .replacingAll(">", with: "#gt;")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
