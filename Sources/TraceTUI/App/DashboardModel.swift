import Synchronization
import TraceAnalysis
import TraceModel

/// What the model is built for. Selection and scrolling are not part of it: they change per key press, the model only
/// when this or the data does.
public struct DashboardQuery: Sendable, Equatable {
    public var window: TimeWindow
    public var filter: TraceFilter?
    public var order: AppState.TraceOrder
    /// The trace whose timeline is open.
    public var trace: TraceID?
    /// The node whose panel is open.
    public var node: NodeKey?
    /// The edge whose panel is open.
    public var edge: EdgeKey?
    /// How the services list is sorted and narrowed (`DashboardModel.arranged(by:)`: no rebuild needed).
    public var serviceOrder: AppState.ServiceOrder
    public var serviceSearch: String?
    /// What the open trace (`trace`) is compared with, when two are side by side.
    public var compare: AppState.CompareBase?

    public init(
        window: TimeWindow, filter: TraceFilter? = nil, order: AppState.TraceOrder = .newest, trace: TraceID? = nil,
        node: NodeKey? = nil, edge: EdgeKey? = nil, serviceOrder: AppState.ServiceOrder = .worst,
        serviceSearch: String? = nil, compare: AppState.CompareBase? = nil
    ) {
        self.compare = compare
        self.window = window
        self.filter = filter
        self.order = order
        self.trace = trace
        self.node = node
        self.edge = edge
        self.serviceOrder = serviceOrder
        self.serviceSearch = serviceSearch
    }

    /// The query without the services list's order and search, which rearrange a model rather than rebuild it.
    public var forRebuild: DashboardQuery {
        var query = self
        query.serviceOrder = .worst
        query.serviceSearch = nil
        return query
    }
}

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

    /// A node's or an edge's panel: rates by class over the window, the latency distribution, and for a node its
    /// calls in and out and function phases.
    public struct NodeDetail: Sendable {
        public enum Subject: Sendable, Equatable {
            case node(NodeKey)
            case edge(EdgeKey)
        }

        public var subject: Subject
        public var figures: Summary.Figures
        /// One bucket per second over the window (at most 15 minutes), oldest first.
        public var series: [RateSeries.Bucket]
        public var latency: LatencyHistogram
        /// Calls into and out of the node (empty for an edge).
        public var incoming: [Summary.Edge]
        public var outgoing: [Summary.Edge]
        /// For a function node: its invocations' dwell, init, handler and overhead (all time).
        public var function: FunctionStats?
    }

    public var source: String
    public var window: TimeWindow
    public var now: EpochNanos
    public var traces: Summary.Figures
    /// The services list as shown: `allServices` sorted and narrowed by the query (`arranged(by:)`).
    public var services: [ServiceRow]
    /// Every service (the client aside), the worst first.
    public var allServices: [ServiceRow] = []
    public var recentTraces: [TraceRow]
    /// Traces in memory the list was chosen from, and how many the filter matched.
    public var tracesInMemory = 0
    public var tracesMatched = 0
    public var rejected: Int
    /// Requests folded into the `(other)` node because the graph is at its size limit.
    public var foldedRequests: UInt64 = 0
    /// The services search and order the list was arranged by.
    public var serviceSearch: String?
    public var serviceOrder: AppState.ServiceOrder = .worst
    /// Every node (the client included) and edge, and their layered layout, computed with the model.
    public var mapNodes: [MapNode] = []
    public var mapEdges: [MapEdge] = []
    public var layout = LayeredLayout(nodes: [], edges: [])
    /// Each node's neighbours on the map, either direction, for the neighbourhood view.
    public var neighbours: [NodeKey: [NodeKey]] = [:]

    /// Calls between a node of a neighbourhood and nodes outside it.
    public struct OutOfView: Sendable, Equatable {
        public var callers = 0
        public var callees = 0
    }

    /// In a neighbourhood (`focused(around:)`): per node on the map, its calls to and from nodes left out, and how
    /// many nodes and edges were left out in all.
    public var outOfView: [NodeKey: OutOfView] = [:]
    public var nodesOutOfView = 0
    public var edgesOutOfView = 0
    /// The neighbourhoods cut from this model so far (see `focused(around:hops:)`).
    var neighbourhoods = NeighbourhoodCache()
    /// Where the map and the services come from when not from the traces held here (X-Ray's own graph).
    public var graphSource: String?
    /// What an empty dashboard says instead of how to send it traces (a remote source has its own reasons).
    public var emptyHint: String?
    /// The open trace, if it is still in memory.
    public var timeline: TraceTimeline?
    /// Two traces side by side (`DashboardQuery.compare`), if both are in memory.
    public var comparison: TraceAlignment?
    /// Why there is no comparison when one was asked for.
    public var comparisonNote: String?
    public var nodeDetail: NodeDetail?

    public init(
        source: String, window: TimeWindow, now: EpochNanos, traces: Summary.Figures = Summary.Figures(),
        services: [ServiceRow] = [], recentTraces: [TraceRow] = [], rejected: Int = 0
    ) {
        self.source = source
        self.window = window
        self.now = now
        self.traces = traces
        self.services = services
        self.allServices = services
        self.recentTraces = recentTraces
        self.rejected = rejected
    }

    public static func make(
        from analyzer: TraceAnalyzer, source: String, window: TimeWindow, now: EpochNanos,
        rejected: Int, maxTraces: Int = 500
    ) -> DashboardModel {
        make(
            from: analyzer, source: source, query: DashboardQuery(window: window), now: now, rejected: rejected,
            maxTraces: maxTraces)
    }

    /// Builds the model for the query's window ending at `now`. Services come worst first, then by name.
    /// - Parameter filterCache: remembers which stored traces the filter matched, so a live dashboard re-evaluates
    ///   only the traces that arrived since the last second (a store can hold tens of thousands).
    public static func make(
        from analyzer: TraceAnalyzer, source: String, query: DashboardQuery, now: EpochNanos,
        rejected: Int, maxTraces: Int = 500, filterCache: TraceFilterCache? = nil, remote: RemoteGraph? = nil
    ) -> DashboardModel {
        let window = query.window
        var summary = SummaryBuilder.build(from: analyzer, window: window, now: now)
        if let remote {
            // The remote aggregates replace the graph of the traces held here; the traces themselves stay.
            summary.services = remote.services
            summary.edges = remote.edges
        }
        let nowSecond = now / 1_000_000_000
        let services = summary.services.filter { !$0.node.isClient }.map { service in
            ServiceRow(
                node: service.node, figures: service.figures,
                series: analyzer.graph.nodes[service.node]?.series.recent(60, endingAt: nowSecond) ?? [])
        }.sorted(by: ServiceRow.worstFirst)
        var model = DashboardModel(
            source: source, window: window, now: now, traces: summary.traces, services: services,
            rejected: rejected)
        model.foldedRequests = analyzer.graph.foldedRequests
        model.graphSource = remote?.label
        if let store = analyzer.store {
            model.tracesInMemory = store.traces.count
            model.chooseTraces(from: store, query: query, maxTraces: maxTraces, cache: filterCache)
            if let id = query.trace, let trace = store.traces.last(where: { $0.traceID == id }) {
                model.timeline = TraceTimeline(trace)
                if let base = query.compare { model.compare(trace, with: base, in: store) }
            }
        }
        model.mapNodes = summary.services.map { MapNode(node: $0.node, figures: $0.figures) }
        model.mapEdges = summary.edges.map { MapEdge(edge: $0.edge, worst: $0.figures.worstClass) }
        model.layout = LayeredLayout(nodes: model.mapNodes.map(\.node), edges: model.mapEdges.map(\.edge))
        for edge in model.mapEdges where edge.edge.from != edge.edge.to {
            model.neighbours[edge.edge.from, default: []].append(edge.edge.to)
            model.neighbours[edge.edge.to, default: []].append(edge.edge.from)
        }
        model.arrange(by: query)
        let seconds = min(window.seconds ?? 900, 900)
        if remote != nil {
            model.nodeDetail = remoteDetail(query: query, summary: summary, functions: analyzer.functions)
        } else if let node = query.node, let stats = analyzer.graph.nodes[node] {
            model.nodeDetail = NodeDetail(
                subject: .node(node), figures: stats.figures(in: window, now: now),
                series: stats.series.recent(seconds, endingAt: nowSecond),
                latency: stats.latency(in: window, now: now),
                incoming: summary.edges.filter { $0.edge.to == node },
                outgoing: summary.edges.filter { $0.edge.from == node },
                function: node.type == "AWS::Lambda::Function" || node.type == nil ? analyzer.functions[node.name] : nil
            )
        } else if let edge = query.edge, let stats = analyzer.graph.edges[edge] {
            model.nodeDetail = NodeDetail(
                subject: .edge(edge), figures: stats.figures(in: window, now: now),
                series: stats.series.recent(seconds, endingAt: nowSecond), latency: stats.latency(in: window, now: now),
                incoming: [], outgoing: [], function: nil)
        }
        return model
    }

    /// A panel over remote aggregates: their counts and latency distribution; no per-second series (the remote
    /// graph has none), function phases from the traces held here.
    private static func remoteDetail(query: DashboardQuery, summary: Summary, functions: [String: FunctionStats])
        -> NodeDetail?
    {
        if let node = query.node, let service = summary.services.first(where: { $0.node == node }) {
            return NodeDetail(
                subject: .node(node), figures: service.figures, series: [],
                latency: service.latency?.histogram ?? LatencyHistogram(),
                incoming: summary.edges.filter { $0.edge.to == node },
                outgoing: summary.edges.filter { $0.edge.from == node },
                function: node.type == "AWS::Lambda::Function" ? functions[node.name] : nil)
        }
        if let edge = query.edge, let found = summary.edges.first(where: { $0.edge == edge }) {
            return NodeDetail(
                subject: .edge(edge), figures: found.figures, series: [],
                latency: found.latency?.histogram ?? LatencyHistogram(), incoming: [], outgoing: [], function: nil)
        }
        return nil
    }

    /// Puts `trace` beside the marked trace or the typical one of its root operation.
    private mutating func compare(_ trace: AssembledTrace, with base: AppState.CompareBase, in store: TraceStore) {
        switch base {
        case .trace(let id):
            guard let marked = store.traces.last(where: { $0.traceID == id }) else {
                comparisonNote = "The marked trace is no longer in memory (older traces are evicted first)."
                return
            }
            comparison = TraceAlignment(base: marked, current: trace)
        case .typical:
            guard let typical = TypicalTrace.choose(like: trace, among: store.traces) else {
                comparisonNote = "No other trace of this root operation is in memory to compare with."
                return
            }
            comparison = TraceAlignment(base: typical, current: trace)
        }
    }

    /// The trace list: the filter's matches, in the query's order, at most `maxTraces` of them.
    private mutating func chooseTraces(
        from store: TraceStore, query: DashboardQuery, maxTraces: Int, cache: TraceFilterCache?
    ) {
        var chosen: [AssembledTrace] = []
        var matched = 0
        if query.filter == nil, query.order == .newest {
            // Nothing to evaluate: the newest, as they are.
            chosen = Array(store.traces.suffix(maxTraces).reversed())
            matched = store.traces.count
        } else {
            cache?.prepare(for: query.filter, storeCount: store.traces.count)
            // Newest first; the order only needs every match when it is not by time.
            for trace in store.traces.reversed() {
                if let filter = query.filter {
                    let matches: Bool
                    if let known = cache?.lookup(trace) {
                        matches = known
                    } else {
                        matches = filter.matches(trace)
                        cache?.remember(trace, matches: matches)
                    }
                    guard matches else { continue }
                }
                matched += 1
                if query.order == .newest, chosen.count >= maxTraces { continue }
                chosen.append(trace)
            }
        }
        tracesMatched = matched
        switch query.order {
        case .newest: break
        case .slowest: chosen.sort { $0.durationNanos > $1.durationNanos }
        case .worst:
            chosen.sort { a, b in
                let (ca, cb) = (a.statusClass, b.statusClass)
                return ca != cb ? ca > cb : a.durationNanos > b.durationNanos
            }
        }
        recentTraces = chosen.prefix(maxTraces).map { trace in
            let root = trace.root
            let request = [root?.http?.method, root?.http?.url].compactMap { $0 }.joined(separator: " ")
            return TraceRow(
                traceID: trace.traceID, start: trace.extent.start,
                root: root.map { ServiceGraphRules.node(ofEntry: $0).name } ?? "?",
                durationNanos: trace.durationNanos, statusClass: trace.statusClass,
                request: request.isEmpty ? (root?.name ?? "") : request)
        }
    }

    /// The same model with the map cut down to `center` and the nodes within two hops of it (either direction).
    /// Remembered for the model's life: every frame draws the selection's neighbourhood, and its layout costs a
    /// millisecond at 300 services where the frame itself costs less.
    public func focused(around center: NodeKey, hops: Int = 2) -> DashboardModel {
        let key = NeighbourhoodCache.Key(center: center, hops: hops)
        if let known = neighbourhoods.lookup(key) { return known }
        let cut = cutting(around: center, hops: hops)
        neighbourhoods.remember(cut, for: key)
        return cut
    }

    private func cutting(around center: NodeKey, hops: Int) -> DashboardModel {
        var kept: Set<NodeKey> = [center]
        var frontier: [NodeKey] = [center]
        for _ in 0..<hops {
            frontier = frontier.flatMap { neighbours[$0] ?? [] }.filter { kept.insert($0).inserted }
        }
        var copy = self
        copy.mapNodes = mapNodes.filter { kept.contains($0.node) }
        copy.mapEdges = []
        copy.outOfView = [:]
        for edge in mapEdges {
            let (from, to) = (kept.contains(edge.edge.from), kept.contains(edge.edge.to))
            if from, to {
                copy.mapEdges.append(edge)
            } else if from {
                copy.outOfView[edge.edge.from, default: OutOfView()].callees += 1
            } else if to {
                copy.outOfView[edge.edge.to, default: OutOfView()].callers += 1
            }
        }
        copy.nodesOutOfView = mapNodes.count - copy.mapNodes.count
        copy.edgesOutOfView = mapEdges.count - copy.mapEdges.count
        copy.layout = LayeredLayout(nodes: copy.mapNodes.map(\.node), edges: copy.mapEdges.map(\.edge))
        copy.neighbourhoods = NeighbourhoodCache()
        return copy
    }
}

/// The neighbourhoods `DashboardModel.focused(around:hops:)` cut from one model. A model is rebuilt (with a fresh
/// cache) when its data changes, so what is remembered is never stale; a few centres at most are kept.
public final class NeighbourhoodCache: Sendable {
    struct Key: Hashable, Sendable {
        var center: NodeKey
        var hops: Int
    }

    private let entries = Mutex<[Key: DashboardModel]>([:])

    public init() {}

    func lookup(_ key: Key) -> DashboardModel? { entries.withLock { $0[key] } }

    func remember(_ model: DashboardModel, for key: Key) {
        entries.withLock { entries in
            if entries.count >= 8 { entries.removeAll() }
            entries[key] = model
        }
    }
}

/// Which stored traces the current filter matched. Completed traces do not change, so a result stays true until the
/// filter does; entries are keyed by trace id and span count (a late fragment of a trace is a new entry). Used on the
/// dashboard's thread only.
public final class TraceFilterCache {
    private var filterText: String?
    private var results: [Key: Bool] = [:]

    private struct Key: Hashable {
        var traceID: TraceID
        var spans: Int
    }

    public init() {}

    /// Forgets everything when the filter changed, and entries of evicted traces when they pile up.
    func prepare(for filter: TraceFilter?, storeCount: Int) {
        if filter?.text != filterText {
            filterText = filter?.text
            results.removeAll(keepingCapacity: true)
        } else if results.count > 2 * storeCount + 1024 {
            results.removeAll(keepingCapacity: true)
        }
    }

    func lookup(_ trace: AssembledTrace) -> Bool? {
        results[Key(traceID: trace.traceID, spans: trace.spans.count)]
    }

    func remember(_ trace: AssembledTrace, matches: Bool) {
        results[Key(traceID: trace.traceID, spans: trace.spans.count)] = matches
    }
}

extension DashboardModel.ServiceRow {
    /// The default order: the worst class first, then the highest rate of that class, then by name — so the first
    /// row is the service an on-call engineer looks at first.
    static func worstFirst(_ a: Self, _ b: Self) -> Bool {
        let (ca, cb) = (a.figures.worstClass, b.figures.worstClass)
        if ca != cb { return ca > cb }
        let (ra, rb) = (a.figures.rate(ca) ?? 0, b.figures.rate(cb) ?? 0)
        if ca != .ok, ra != rb { return ra > rb }
        return a.node < b.node
    }

    /// Whether the row matches a services search: its name or type contains it, ignoring case.
    func matches(_ search: String) -> Bool {
        node.name.lowercased().contains(search) || (node.type?.lowercased().contains(search) ?? false)
    }
}

extension DashboardModel {
    /// Sorts and narrows the services list for the query, from `allServices`; cheap, so a search narrows the list
    /// with every key typed without rebuilding the model.
    public mutating func arrange(by query: DashboardQuery) {
        var rows = allServices
        if let search = query.serviceSearch?.lowercased(), !search.isEmpty {
            // Names that start with the search come first: typing a service's name finds it at the top.
            let matching = rows.filter { $0.matches(search) }
            rows =
                matching.filter { $0.node.name.lowercased().hasPrefix(search) }
                + matching.filter { !$0.node.name.lowercased().hasPrefix(search) }
        }
        func failures(_ f: Summary.Figures) -> Double {
            f.requests == 0 ? 0 : Double(f.requests - f.ok) / Double(f.requests)
        }
        switch query.serviceOrder {
        case .worst: break
        case .rps: rows = rows.stableSorted { $0.figures.rps > $1.figures.rps }
        case .failures: rows = rows.stableSorted { failures($0.figures) > failures($1.figures) }
        case .p99: rows = rows.stableSorted { ($0.figures.p99 ?? -1) > ($1.figures.p99 ?? -1) }
        case .name: rows = rows.stableSorted { $0.node < $1.node }
        }
        services = rows
        serviceSearch = query.serviceSearch
        serviceOrder = query.serviceOrder
    }

    /// The model with the services list arranged for `query` (see `arrange(by:)`).
    public func arranged(by query: DashboardQuery) -> DashboardModel {
        var copy = self
        copy.arrange(by: query)
        return copy
    }
}

extension Array {
    /// Sorted by `areInIncreasingOrder`, keeping the current order among equals (a search's best matches first).
    func stableSorted(by areInIncreasingOrder: (Element, Element) -> Bool) -> [Element] {
        enumerated().sorted { a, b in
            if areInIncreasingOrder(a.element, b.element) { return true }
            if areInIncreasingOrder(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }
}
