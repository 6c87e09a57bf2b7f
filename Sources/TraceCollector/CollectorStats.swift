import TraceFormats

/// What the collector has received and what it did with it, for `collect`'s status line and the dashboard.
public struct CollectorStats: Sendable, Equatable {
    public var datagrams: UInt64 = 0
    /// Datagrams the kernel dropped before we could read them (receive buffer full: overload).
    public var kernelDrops: UInt64 = 0
    /// Datagrams read at stop but not processed: still queued after `Collector.drainUDP`'s five seconds, they are
    /// counted rather than lost silently (overload).
    public var unprocessedAtStop: UInt64 = 0
    public var httpRequests: UInt64 = 0
    public var spans: UInt64 = 0
    /// Records (datagrams, requests, spans) rejected, by reason.
    public var rejected: [RejectReason: UInt64] = [:]
    /// The first rejections in full, for a person to act on.
    public var rejectionExamples: [String] = []
    public var tracesCompleted: UInt64 = 0
    /// Traces completed before their quiet period ended, to bound the traces held open.
    public var tracesCompletedEarly: UInt64 = 0
    /// Recent completed traces kept for views, and their estimated size.
    public var tracesStored: UInt64 = 0
    public var storedBytes: UInt64 = 0
    /// Completed traces evicted (oldest first) to stay within the memory budget; aggregates keep them.
    public var tracesEvicted: UInt64 = 0
    /// Requests folded into the graph's `(other)` node because the graph is at its size limit.
    public var foldedRequests: UInt64 = 0
    /// The service graph's nodes and edges, and the bytes they hold (within a quarter of the budget).
    public var graphNodes: UInt64 = 0
    public var graphEdges: UInt64 = 0
    public var graphBytes: UInt64 = 0
    /// Spans of traces already holding `TraceAssembler.maxSpansPerTrace`: counted, not kept.
    public var spansOverTraceLimit: UInt64 = 0
    /// Traces dated ahead of the collector's clock (a sender's clock is wrong), placed at the present.
    public var clockSkewedTraces: UInt64 = 0

    public init() {}

    public var rejectedCount: UInt64 { rejected.values.reduce(0, +) }

    mutating func reject(_ failure: DecodeFailure, count: UInt64 = 1) {
        rejected[failure.reason, default: 0] += count
        if rejectionExamples.count < 20 { rejectionExamples.append(failure.description) }
    }
}
