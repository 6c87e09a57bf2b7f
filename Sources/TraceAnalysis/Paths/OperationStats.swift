import TraceModel

/// Per operation path of one run: requests by class and their latency, and for a sample of the traces, how each
/// trace's duration splits over the paths on its critical path — what `diff` attributes a change of latency with
/// (docs/SEMANTICS.md, "Operation paths").
///
/// Bounded: at most `PathTable.capacity` paths, and at most `maxSamples` traces' splits (a uniform reservoir sample,
/// seeded, so the same input gives the same sample).
public struct OperationStats: Sendable {
    public struct Figures: Sendable {
        public var counts = ClassCounts()
        public var latency = LatencyHistogram()
    }

    /// One trace's duration and its critical self time per path.
    struct TraceSplit: Sendable {
        var durationNanos: Int64
        var selfNanos: [(path: Int32, nanos: Int64)]
    }

    public private(set) var table: PathTable
    public private(set) var figures: [Figures] = []
    private var samples: [TraceSplit] = []
    private var tracesSeen: UInt64 = 0
    private var random = SplitMix64(seed: 0x7472_6163_6573_636F)
    public let maxSamples: Int

    public init(maxPaths: Int = 5_000, maxSamples: Int = 20_000) {
        table = PathTable(capacity: maxPaths)
        self.maxSamples = max(1, maxSamples)
    }

    /// The paths that have requests, with their ids.
    public var paths: [(id: Int, path: [String])] {
        figures.indices.filter { figures[$0].counts.total > 0 }.map { ($0, table.path(of: $0)) }
    }

    public mutating func add(_ trace: AssembledTrace) {
        let spans = trace.spans
        guard !spans.isEmpty else { return }
        let tree = CriticalPath.Tree(trace)
        let ids = OperationPath.paths(of: spans, tree: tree, in: &table)
        if figures.count < table.count { figures += Array(repeating: Figures(), count: table.count - figures.count) }
        for i in spans.indices {
            figures[ids[i]].counts.record(spans[i].statusClass)
            figures[ids[i]].latency.record(nanos: spans[i].inProgress ? 0 : spans[i].duration)
        }
        sample(trace, spans: spans, tree: tree, ids: ids)
    }

    private mutating func sample(_ trace: AssembledTrace, spans: [Span], tree: CriticalPath.Tree, ids: [Int]) {
        tracesSeen &+= 1
        var slot = samples.count
        if samples.count >= maxSamples {
            // Reservoir sampling: the n-th trace replaces a kept one with probability maxSamples / n.
            let pick = random.next() % tracesSeen
            guard pick < UInt64(maxSamples) else { return }
            slot = Int(pick)
        }
        var byPath: [Int: Int64] = [:]
        for step in CriticalPath.decompose(spans, tree: tree) where step.selfNanos > 0 {
            let path = step.span.map { ids[$0] } ?? table.id(parent: nil, step: OperationPath.untraced)
            byPath[path, default: 0] += step.selfNanos
        }
        if figures.count < table.count { figures += Array(repeating: Figures(), count: table.count - figures.count) }
        let split = TraceSplit(
            durationNanos: trace.durationNanos,
            selfNanos: byPath.map { (Int32(truncatingIfNeeded: $0.key), $0.value) })
        if slot == samples.count { samples.append(split) } else { samples[slot] = split }
    }

    /// The traces around a percentile of duration, and their mean duration and mean critical self time per path —
    /// which add up to that mean duration. The band is `percentile ± width` (at least one trace).
    public struct Typical: Sendable {
        public var traces: Int
        public var meanDurationMillis: Double
        public var meanSelfMillis: [[String]: Double]
    }

    public func typical(at percentile: Double = 50, width: Double = 10) -> Typical? {
        guard !samples.isEmpty else { return nil }
        let order = samples.indices.sorted { samples[$0].durationNanos < samples[$1].durationNanos }
        let n = Double(order.count)
        let low = min(order.count - 1, max(0, Int((n * (percentile - width) / 100).rounded(.down))))
        let high = min(order.count, max(low + 1, Int((n * (percentile + width) / 100).rounded(.up))))
        var duration = 0.0
        var byPath: [Int: Double] = [:]
        for index in order[low..<high] {
            duration += Double(samples[index].durationNanos)
            for (path, nanos) in samples[index].selfNanos { byPath[Int(path), default: 0] += Double(nanos) }
        }
        let count = Double(high - low)
        var named: [[String]: Double] = [:]
        for (path, nanos) in byPath { named[table.path(of: path), default: 0] += nanos / count / 1e6 }
        return Typical(traces: high - low, meanDurationMillis: duration / count / 1e6, meanSelfMillis: named)
    }
}
