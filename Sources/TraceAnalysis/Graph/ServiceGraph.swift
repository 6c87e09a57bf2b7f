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
    /// What the graph may hold, in bytes (nil: no limit; see `limit(bytes:)`).
    public private(set) var maxBytes: Int?
    /// What the graph holds: every node's and edge's statistics and keys, kept as they grow.
    public private(set) var bytes = 0
    public private(set) var foldedRequests: UInt64 = 0

    public init(seriesCapacity: Int = RateSeries.defaultCapacity, windowed: Bool = false) {
        self.seriesCapacity = seriesCapacity
        self.windowed = windowed
    }

    /// What a windowed node or edge holds once its minutes have filled at a realistic spread (rate series 7.7 KB,
    /// sixteen minutes of ~0.6 KB, the all-time histogram, the keys); a file's entries hold a third of it.
    public static let typicalWindowedEntryBytes = 24 * 1024

    /// Bounds the graph to `budget` bytes. New nodes and edges are admitted while both the entries, counted at a
    /// typical entry's size, and the bytes really held fit three quarters of it: the last quarter is room for the
    /// entries already admitted to grow (their minutes fill, their counters widen). Past the bound, requests to new
    /// nodes fold into `(other)`, counted in `foldedRequests`, so runaway names — a request id in a service name, a
    /// host per call — cannot grow a live collector's memory without bound (docs/SEMANTICS.md, "Limits").
    public mutating func limit(bytes budget: Int) {
        maxBytes = max(0, budget)
    }

    /// Whether a new node or edge still fits.
    private var hasRoom: Bool {
        guard let maxBytes else { return true }
        let entries = nodes.count + edges.count
        let typical = windowed ? Self.typicalWindowedEntryBytes : Self.typicalWindowedEntryBytes / 3
        let (projected, overflow) = (entries + 1).multipliedReportingOverflow(by: typical)
        return !overflow && projected <= maxBytes && bytes <= maxBytes / 4 * 3
    }

    /// A node the graph has room for: itself when known or while there is room, else `(other)`.
    private func admitted(_ node: NodeKey) -> NodeKey {
        guard !hasRoom, nodes.index(forKey: node) == nil else { return node }
        return .overflow
    }

    /// A new entry's keys and its share of the table that holds it.
    private static func keyBytes(_ node: NodeKey) -> Int {
        MemoryLayout<NodeKey>.stride + 16 + MemoryFootprint.of(node.name) + MemoryFootprint.of(node.type)
    }

    /// Requests dated later than this are placed at it (see `TraceAnalyzer.clockSkewedTraces`).
    public var latestPlausibleStart: EpochNanos = .max

    public mutating func recordNode(_ node: NodeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64) {
        let start = min(start, latestPlausibleStart)
        let node = admitted(node)
        if node == .overflow { foldedRequests += 1 }
        if let i = nodes.index(forKey: node) {
            bytes += nodes.values[i].record(cls, start: start, durationNanos: duration)
        } else {
            var stats = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed)
            stats.record(cls, start: start, durationNanos: duration)
            bytes += stats.estimatedBytes + Self.keyBytes(node)
            nodes[node] = stats
        }
    }

    /// Makes a node known without a request (a client-only service, the `client` node).
    public mutating func ensureNode(_ node: NodeKey) {
        guard nodes[node] == nil else { return }
        let stats = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed)
        bytes += stats.estimatedBytes + Self.keyBytes(node)
        nodes[node] = stats
    }

    public mutating func recordEdge(_ edge: EdgeKey, _ cls: StatusClass, start: EpochNanos, duration: Int64) {
        let start = min(start, latestPlausibleStart)
        var edge = edge
        if !hasRoom, edges.index(forKey: edge) == nil {
            // Full: the call still counts, on an edge into `(other)` (one per caller at most).
            edge = EdgeKey(from: admitted(edge.from), to: .overflow)
            foldedRequests += 1
        }
        if let i = edges.index(forKey: edge) {
            bytes += edges.values[i].record(cls, start: start, durationNanos: duration)
        } else {
            // A new edge's ends become known nodes even if they never receive a request of their own.
            ensureNode(edge.from)
            ensureNode(edge.to)
            var stats = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed)
            stats.record(cls, start: start, durationNanos: duration)
            bytes += stats.estimatedBytes + Self.keyBytes(edge.from) + Self.keyBytes(edge.to)
            edges[edge] = stats
        }
    }

    public var sortedNodes: [NodeKey] { nodes.keys.sorted() }
    public var sortedEdges: [EdgeKey] { edges.keys.sorted() }

    public func outgoing(from node: NodeKey) -> [EdgeKey] { sortedEdges.filter { $0.from == node } }
    public func incoming(to node: NodeKey) -> [EdgeKey] { sortedEdges.filter { $0.to == node } }
}
