import DequeModule
import TraceModel

/// The most recent completed traces, for the trace list and timeline of a live view, within a memory budget: when
/// a new trace would exceed it, the oldest traces are evicted (and counted). The aggregates — graph, histograms,
/// rates — are not affected by eviction; they never hold traces.
public struct TraceStore: Sendable {
    public let budgetBytes: Int
    public private(set) var traces = Deque<AssembledTrace>()
    private var sizes = Deque<Int>()
    public private(set) var bytes = 0
    public private(set) var evicted = 0

    public init(budgetBytes: Int) {
        self.budgetBytes = max(1, budgetBytes)
    }

    public mutating func add(_ trace: AssembledTrace) {
        let size = trace.estimatedBytes
        traces.append(trace)
        sizes.append(size)
        bytes += size
        while bytes > budgetBytes, traces.count > 1, let oldest = sizes.popFirst() {
            traces.removeFirst()
            bytes -= oldest
            evicted += 1
        }
    }
}
