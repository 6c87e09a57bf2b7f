import TraceAnalysis
import TraceModel

/// A diff made for a pull-request comment: the verdict and the changes that matter first, where the typical trace's
/// time went, a Mermaid map with changed edges marked, new and vanished nodes, the gates, and every figure of the
/// services and edges folded away below. Untrusted names are escaped for Markdown tables and Mermaid labels.
public enum DiffMarkdownReport {
    public static func render(_ d: RunDiff) -> String {
        typealias M = MarkdownReport
        var out: [String] = []
        let regressions = d.significantRegressions
        let icon = !d.gates.isEmpty ? (d.verdict == .pass ? "✅" : "❌") : regressions > 0 ? "⚠️" : "✅"
        let headline =
            regressions > 0
            ? "\(regressions) significant regression\(regressions == 1 ? "" : "s")"
            : "no significant regression"
        out.append("## \(icon) Tracescope diff: \(headline)" + (d.gates.isEmpty ? "" : " · gates \(d.verdict)"))
        out.append("")
        out.append("| | Traces | p50 | p90 | p99 | Faults | Errors | Throttles |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for (name, s) in [("Base", d.base), ("Current", d.current)] {
            let t = s.traces
            out.append(
                "| \(name) | \(t.requests) | \(Formatting.millis(t.p50)) | \(Formatting.millis(t.p90)) | "
                    + "\(Formatting.millis(t.p99)) | \(t.faults) | \(t.errors) | \(t.throttles) |")
        }

        let significant = DiffFormatting.significant(d)
        out += ["", "### Significant changes", ""]
        if significant.isEmpty {
            out.append("No significant change.")
        } else {
            out.append("| | Scope | Subject | Metric | Base | Current | Change | Samples |")
            out.append("|---|---|---|---|---:|---:|---:|---:|")
            for c in significant.prefix(40) {
                let mark = c.isRegression ? "🔺" : c.isImprovement ? "🔻" : "↔️"
                out.append(
                    "| \(mark) | \(c.subject.scope) | \(M.cell(DiffFormatting.subject(c.subject))) | `\(c.metric)` | "
                        + "\(DiffFormatting.value(c.base, c.unit)) | \(DiffFormatting.value(c.current, c.unit)) | "
                        + "\(DiffFormatting.change(c)) | \(c.baseSamples) → \(c.currentSamples) |")
            }
            if significant.count > 40 { out += ["", "… and \(significant.count - 40) more (see `--format json`)."] }
        }
        out += ["", "<sub>" + M.cell(DiffFormatting.method(d).joined(separator: " ")) + "</sub>"]

        if let basis = d.attributionBasis, !d.attribution.isEmpty {
            out += ["", "### " + M.cell(DiffTextReport.attributionHeading(basis, d)), ""]
            out.append("| Change | Share | Base | Current | Operation path |")
            out.append("|---:|---:|---:|---:|---|")
            for a in d.attribution.prefix(10) {
                out.append(
                    "| \(DiffFormatting.millisDelta(a.changeMillis)) | \(DiffFormatting.share(a)) | "
                        + "\(Formatting.millis(a.baseMillis)) | \(Formatting.millis(a.currentMillis)) | "
                        + "\(M.cell(DiffFormatting.path(a.path, width: 100))) |")
            }
        }

        out += map(d)

        if !d.added.isEmpty || !d.removed.isEmpty {
            out += ["", "### New and vanished", ""]
            out.append("| | Scope | Subject | Requests |")
            out.append("|---|---|---|---:|")
            for p in d.added {
                out.append("| 🆕 | \(p.subject.scope) | \(M.cell(p.subject.description)) | \(p.requests) |")
            }
            for p in d.removed {
                out.append("| ❎ | \(p.subject.scope) | \(M.cell(p.subject.description)) | \(p.requests) |")
            }
        }

        out += M.gateSection(d.gates)
        out += allFigures(d)
        return out.joined(separator: "\n") + "\n"
    }

    /// The current run's map with the base run's vanished edges, each changed edge marked: a significant regression
    /// red and thick with its worst latency change, an improvement green, new and vanished edges dashed.
    private static func map(_ d: RunDiff) -> [String] {
        let removedEdges = d.removed.compactMap { p -> EdgeKey? in
            if case .edge(let e) = p.subject { return e }
            return nil
        }
        let edges = d.current.edges.map(\.edge) + removedEdges
        guard !edges.isEmpty else { return [] }
        var ids: [NodeKey: String] = [:]
        var nodes: [NodeKey] = []
        for node in d.current.services.map(\.node) + d.base.services.map(\.node) + edges.flatMap({ [$0.from, $0.to] })
        where ids[node] == nil {
            ids[node] = "n\(ids.count)"
            nodes.append(node)
        }
        var changesByEdge: [EdgeKey: [RunDiff.Change]] = [:]
        var regressedNodes = Set<NodeKey>()
        for c in d.changes where c.significant {
            switch c.subject {
            case .edge(let e): changesByEdge[e, default: []].append(c)
            case .service(let n) where c.isRegression: regressedNodes.insert(n)
            default: break
            }
        }
        let added = Set(
            d.added.compactMap { p -> EdgeKey? in
                if case .edge(let e) = p.subject { return e }
                return nil
            })
        var out = ["", "### Service map", "", "```mermaid", "graph LR"]
        for node in nodes {
            guard let id = ids[node] else { continue }
            var label = MarkdownReport.mermaid(node.name)
            if let type = node.type, !node.isClient {
                label += "<br/><small>" + MarkdownReport.mermaid(type) + "</small>"
            }
            let shape = node.kind == .inferred ? ("([\"", "\"])") : node.isClient ? ("((\"", "\"))") : ("[\"", "\"]")
            out.append("  \(id)\(shape.0)\(label)\(shape.1)")
        }
        var styles: [String] = []
        for (index, edge) in edges.enumerated() {
            guard let from = ids[edge.from], let to = ids[edge.to] else { continue }
            let changes = changesByEdge[edge] ?? []
            if index >= d.current.edges.count {
                out.append("  \(from) -.->|\"gone\"| \(to)")
                styles.append("  linkStyle \(index) stroke:#8c959f,stroke-dasharray:4")
            } else if added.contains(edge) {
                out.append("  \(from) -.->|\"new\"| \(to)")
            } else if let worst = changes.filter(\.isRegression).max(by: {
                ($0.changePercent ?? 0) < ($1.changePercent ?? 0)
            }) {
                out.append(
                    "  \(from) ==>|\"\(MarkdownReport.mermaid(worst.metric + " " + DiffFormatting.change(worst)))\"| \(to)"
                )
                styles.append("  linkStyle \(index) stroke:#d1242f,stroke-width:3px")
            } else if changes.contains(where: \.isImprovement) {
                out.append("  \(from) -->|\"faster\"| \(to)")
                styles.append("  linkStyle \(index) stroke:#1a7f37,stroke-width:2px")
            } else {
                out.append("  \(from) --> \(to)")
            }
        }
        out += styles
        out.append("  classDef regressed fill:#ffd7d5,stroke:#d1242f,color:#82071e")
        let regressed = nodes.filter { regressedNodes.contains($0) }.compactMap { ids[$0] }
        if !regressed.isEmpty { out.append("  class \(regressed.joined(separator: ",")) regressed") }
        out.append("```")
        return out
    }

    /// Every service's and edge's latency and failure figures in both runs, folded.
    private static func allFigures(_ d: RunDiff) -> [String] {
        let rows = d.changes.filter { c in
            switch c.subject {
            case .service, .edge, .traces: ["p50_ms", "p99_ms", "fault_rate", "error_rate"].contains(c.metric)
            default: false
            }
        }
        guard !rows.isEmpty else { return [] }
        var out = ["", "<details><summary>Every service and edge</summary>", ""]
        out.append("| Subject | Metric | Base | Current | Change | Significant |")
        out.append("|---|---|---:|---:|---:|---|")
        for c in rows {
            out.append(
                "| \(MarkdownReport.cell(DiffFormatting.subject(c.subject))) | `\(c.metric)` | \(DiffFormatting.value(c.base, c.unit)) | "
                    + "\(DiffFormatting.value(c.current, c.unit)) | \(DiffFormatting.change(c)) | "
                    + "\(c.significant ? DiffFormatting.verdictWord(c) : "") |")
        }
        out += ["", "</details>"]
        return out
    }
}
