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
        let size = Self.estimatedBytes(of: trace)
        traces.append(trace)
        sizes.append(size)
        bytes += size
        while bytes > budgetBytes, traces.count > 1, let oldest = sizes.popFirst() {
            traces.removeFirst()
            bytes -= oldest
            evicted += 1
        }
    }

    /// An estimate calibrated against resident memory: the span struct, its details box, strings and dictionaries.
    static func estimatedBytes(of trace: AssembledTrace) -> Int {
        var total = 512
        for span in trace.spans {
            total += 640 + span.name.utf8.count + (span.serviceName?.utf8.count ?? 0) + (span.origin?.utf8.count ?? 0)
            total += span.estimatedDetailBytes
        }
        return total
    }
}
