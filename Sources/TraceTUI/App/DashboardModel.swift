import TraceAnalysis
import TraceModel

/// What the dashboard shows, computed from the analysis when data changes or time passes — never per frame, since
/// percentiles scan histograms.
public struct DashboardModel: Sendable {
    public struct ServiceRow: Sendable {
        public var node: NodeKey
        public var figures: Summary.Figures
        /// The last 60 seconds of requests, oldest first.
        public var series: [RateSeries.Bucket]
    }

    public struct TraceRow: Sendable {
        public var traceID: TraceID
        public var start: EpochNanos
        public var root: String
        public var durationNanos: Int64
        public var statusClass: StatusClass
        public var request: String
    }

    public struct MapNode: Sendable {
        public var node: NodeKey
        public var figures: Summary.Figures
    }

    public struct MapEdge: Sendable {
        public var edge: EdgeKey
        public var worst: StatusClass
    }

    public var source: String
    public var window: TimeWindow
    public var now: EpochNanos
    public var traces: Summary.Figures
    public var services: [ServiceRow]
    public var recentTraces: [TraceRow]
    public var rejected: Int
    /// Every node (the client included) and edge, and their layered layout, computed with the model.
    public var mapNodes: [MapNode] = []
    public var mapEdges: [MapEdge] = []
    public var layout = LayeredLayout(nodes: [], edges: [])

    public init(source: String, window: TimeWindow, now: EpochNanos, traces: Summary.Figures = Summary.Figures(),
                services: [ServiceRow] = [], recentTraces: [TraceRow] = [], rejected: Int = 0) {
        self.source = source
        self.window = window
        self.now = now
        self.traces = traces
        self.services = services
        self.recentTraces = recentTraces
        self.rejected = rejected
    }

    /// Builds the model for `window` ending at `now`. Services come worst first, then by name.
    public static func make(from analyzer: TraceAnalyzer, source: String, window: TimeWindow, now: EpochNanos,
                            rejected: Int, maxTraces: Int = 500) -> DashboardModel {
        let summary = SummaryBuilder.build(from: analyzer, window: window, now: now)
        let nowSecond = now / 1_000_000_000
        let services = summary.services.filter { !$0.node.isClient }.map { service in
            ServiceRow(node: service.node, figures: service.figures,
                       series: analyzer.graph.nodes[service.node]?.series.recent(60, endingAt: nowSecond) ?? [])
        }.sorted { a, b in
            let (ca, cb) = (a.figures.worstClass, b.figures.worstClass)
            return ca != cb ? ca > cb : a.node < b.node
        }
        var rows: [TraceRow] = []
        if let store = analyzer.store {
            for trace in store.traces.reversed().prefix(maxTraces) {
                let root = trace.root
                let request = [root?.http?.method, root?.http?.url].compactMap { $0 }.joined(separator: " ")
                rows.append(TraceRow(traceID: trace.traceID, start: trace.extent.start,
                                     root: root.map { ServiceGraphRules.node(ofEntry: $0).name } ?? "?",
                                     durationNanos: trace.durationNanos, statusClass: trace.statusClass,
                                     request: request.isEmpty ? (root?.name ?? "") : request))
            }
        }
        var model = DashboardModel(source: source, window: window, now: now, traces: summary.traces, services: services,
                                   recentTraces: rows, rejected: rejected)
        model.mapNodes = summary.services.map { MapNode(node: $0.node, figures: $0.figures) }
        model.mapEdges = summary.edges.map { MapEdge(edge: $0.edge, worst: $0.figures.worstClass) }
        model.layout = LayeredLayout(nodes: model.mapNodes.map(\.node), edges: model.mapEdges.map(\.edge))
        return model
    }
}
