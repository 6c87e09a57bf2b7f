import TraceModel

/// The service graph: nodes and edges with their request statistics (DESIGN.md §2).
///
/// Node statistics come from the node's own spans; edge statistics from the caller's side, so they include network
/// time. Built incrementally, one completed trace at a time, by `ServiceGraphBuilder`.
public struct ServiceGraph: Sendable {
    public var nodes: [NodeKey: RequestStats] = [:]
    public var edges: [EdgeKey: RequestStats] = [:]
    public var seriesCapacity: Int
    /// Keep per-minute latency for live windows (the collector); off for files.
    public var windowed: Bool

    public init(seriesCapacity: Int = RateSeries.defaultCapacity, windowed: Bool = false) {
        self.seriesCapacity = seriesCapacity
        self.windowed = windowed
    }

    public mutating func recordNode(_ node: NodeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64) {
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
