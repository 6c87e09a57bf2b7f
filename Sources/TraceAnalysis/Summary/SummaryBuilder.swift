import TraceModel

/// Builds a `Summary` from the analysis state, then evaluates gates against it.
public enum SummaryBuilder {
    public static func build(from analyzer: TraceAnalyzer) -> Summary {
        let window = window(of: analyzer)
        let seconds = window.seconds
        let services = analyzer.graph.sortedNodes.compactMap { node -> Summary.Service? in
            guard let stats = analyzer.graph.nodes[node] else { return nil }
            return Summary.Service(
                node: node, figures: Summary.Figures(stats, windowSeconds: seconds),
                latency: LatencyHistogramBox(stats.latency))
        }
        let edges = analyzer.graph.sortedEdges.compactMap { edge -> Summary.Edge? in
            guard let stats = analyzer.graph.edges[edge] else { return nil }
            return Summary.Edge(
                edge: edge, figures: Summary.Figures(stats, windowSeconds: seconds),
                latency: LatencyHistogramBox(stats.latency))
        }
        let functions = analyzer.functions.keys.sorted().compactMap { name -> Summary.Function? in
            guard let f = analyzer.functions[name] else { return nil }
            return Summary.Function(
                name: name, invocations: f.invocations, coldStarts: f.coldStarts,
                dwell: Summary.PhaseFigures(f.dwell), initialization: Summary.PhaseFigures(f.initialization),
                handler: Summary.PhaseFigures(f.handler), overhead: Summary.PhaseFigures(f.overhead)
            )
        }
        var summary = Summary(
            window: window, traces: Summary.Figures(analyzer.traces, windowSeconds: seconds),
            services: services, edges: edges, functions: functions)
        summary.tracesLatency = LatencyHistogramBox(analyzer.traces.latency)
        return summary
    }

    /// A summary of the last `window` before `now`, for live views: counts and rates per second, latency per
    /// minute. Functions are all-time.
    public static func build(from analyzer: TraceAnalyzer, window: TimeWindow, now: EpochNanos) -> Summary {
        guard let seconds = window.seconds else { return build(from: analyzer) }
        var summary = build(from: analyzer)
        summary.window = Summary.Window(start: now - Int64(seconds) * 1_000_000_000, end: now)
        summary.traces = analyzer.traces.figures(in: window, now: now)
        summary.services = summary.services.compactMap { service in
            analyzer.graph.nodes[service.node].map {
                Summary.Service(node: service.node, figures: $0.figures(in: window, now: now))
            }
        }
        summary.edges = summary.edges.compactMap { edge in
            analyzer.graph.edges[edge.edge].map {
                Summary.Edge(edge: edge.edge, figures: $0.figures(in: window, now: now))
            }
        }
        return summary
    }

    /// From the first request's start to the last one's end, over traces and every node.
    static func window(of analyzer: TraceAnalyzer) -> Summary.Window {
        var start = analyzer.traces.firstStart
        var end = analyzer.traces.lastEnd
        for stats in analyzer.graph.nodes.values where stats.total > 0 {
            start = min(start, stats.firstStart)
            end = max(end, stats.lastEnd)
        }
        if start == .max { return Summary.Window(start: 0, end: 0) }
        return Summary.Window(start: start, end: max(start, end))
    }
}
