import TraceModel

/// The service graph: nodes and edges with their request statistics (docs/SEMANTICS.md, "Service graph").
///
/// Node statistics come from the node's own spans; edge statistics from the caller's side, so they include network
/// time. Built incrementally, one completed trace at a time, by `ServiceGraphBuilder`.
public struct ServiceGraph: Sendable {
    public var nodes: [NodeKey: RequestStats] = [:]
    public var edges: [EdgeKey: RequestStats] = [:]
    public var seriesCapacity: Int
    /// Keep per-minute latency for live windows (the collector); off for files.
    public var windowed: Bool
    /// The most distinct nodes and edges kept (nil: no limit). Past it, requests to new nodes are folded into the
    /// `(other)` node and counted in `foldedRequests`: runaway names — a request id in a service name, a host per
    /// call — cannot grow a live collector's memory without bound (a windowed entry can take ~400 KB).
    public var maxEntries: Int?
    public private(set) var foldedRequests: UInt64 = 0

    public init(seriesCapacity: Int = RateSeries.defaultCapacity, windowed: Bool = false) {
        self.seriesCapacity = seriesCapacity
        self.windowed = windowed
    }

    /// A node the graph has room for: itself when known or while under the limit, else `(other)`.
    private func admitted(_ node: NodeKey) -> NodeKey {
        guard let maxEntries, nodes.count + edges.count >= maxEntries, nodes.index(forKey: node) == nil else {
            return node
        }
        return .overflow
    }

    /// Requests dated later than this are placed at it (see `TraceAnalyzer.clockSkewedTraces`).
    public var latestPlausibleStart: EpochNanos = .max

    public mutating func recordNode(_ node: NodeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64) {
        let start = min(start, latestPlausibleStart)
        let node = admitted(node)
        if node == .overflow { foldedRequests += 1 }
        if let i = nodes.index(forKey: node) {
            nodes.values[i].record(cls, start: start, durationNanos: duration)
        } else {
            var stats = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed)
            stats.record(cls, start: start, durationNanos: duration)
            nodes[node] = stats
        }
    }

    /// Makes a node known without a request (a client-only service, the `client` node).
    public mutating func ensureNode(_ node: NodeKey) {
        if nodes[node] == nil { nodes[node] = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed) }
    }

    public mutating func recordEdge(_ edge: EdgeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64) {
        let start = min(start, latestPlausibleStart)
        var edge = edge
        if let maxEntries, nodes.count + edges.count >= maxEntries, edges.index(forKey: edge) == nil {
            // Full: the call still counts, on an edge into `(other)` (one per caller at most).
            edge = EdgeKey(from: admitted(edge.from), to: .overflow)
            foldedRequests += 1
        }
        if let i = edges.index(forKey: edge) {
            edges.values[i].record(cls, start: start, durationNanos: duration)
        } else {
            // A new edge's ends become known nodes even if they never receive a request of their own.
            ensureNode(edge.from)
            ensureNode(edge.to)
            var stats = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed)
            stats.record(cls, start: start, durationNanos: duration)
            edges[edge] = stats
        }
    }

    public var sortedNodes: [NodeKey] { nodes.keys.sorted() }
    public var sortedEdges: [EdgeKey] { edges.keys.sorted() }

    public func outgoing(from node: NodeKey) -> [EdgeKey] { sortedEdges.filter { $0.from == node } }
    public func incoming(to node: NodeKey) -> [EdgeKey] { sortedEdges.filter { $0.to == node } }
}
