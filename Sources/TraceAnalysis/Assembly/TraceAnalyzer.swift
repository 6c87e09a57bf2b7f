import TraceModel

/// The analysis state every view reads: assembled traces feed the service graph, trace statistics and function
/// invocations. Pure and synchronous; the collector and `summary` drive it, the dashboard and reports read it.
///
/// ```swift
/// var analyzer = TraceAnalyzer()
/// analyzer.ingest(spans)
/// analyzer.finish()
/// let summary = SummaryBuilder.build(from: analyzer, gates: [], baseline: nil)
/// ```
public struct TraceAnalyzer: Sendable {
    public var assembler: TraceAssembler
    public private(set) var graph: ServiceGraph
    /// Every completed trace: duration and class of the whole request.
    public private(set) var traces: RequestStats
    public private(set) var functions: [String: FunctionStats] = [:]
    /// Recent completed traces, kept only when a live view needs them (`keepTraces(budgetBytes:)`).
    public private(set) var store: TraceStore?
    public private(set) var lateFragments = 0

    /// - Parameter windowed: keep per-minute latency so live views can show the last 1, 5 and 15 minutes.
    public init(
        quietPeriodSeconds: Double = 30, maxOpenTraces: Int = 100_000,
        seriesCapacity: Int = RateSeries.defaultCapacity, windowed: Bool = false
    ) {
        assembler = TraceAssembler(quietPeriodSeconds: quietPeriodSeconds, maxOpenTraces: maxOpenTraces)
        graph = ServiceGraph(seriesCapacity: seriesCapacity, windowed: windowed)
        traces = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed)
    }

    /// Bounds the service graph to `entries` distinct nodes and edges (see `ServiceGraph.maxEntries`).
    public mutating func limitGraph(entries: Int) {
        graph.maxEntries = entries
    }

    /// Keeps recent completed traces for a trace list, within `budgetBytes`.
    public mutating func keepTraces(budgetBytes: Int) {
        store = TraceStore(budgetBytes: budgetBytes)
    }

    public mutating func ingest(_ spans: [Span]) {
        assembler.add(spans)
        while let trace = assembler.nextCompleted() { analyze(trace) }
    }

    /// Lets time pass (live mode): traces quiet since before `now - quietPeriod` complete.
    public mutating func advance(to now: EpochNanos) {
        assembler.advance(to: now)
        while let trace = assembler.nextCompleted() { analyze(trace) }
    }

    /// Completes every open trace (end of input).
    public mutating func finish() {
        while let trace = assembler.nextFlushed() { analyze(trace) }
    }

    public mutating func analyze(_ trace: AssembledTrace) {
        ServiceGraphBuilder.add(trace, to: &graph)
        if trace.isLateFragment {
            lateFragments += 1
        } else {
            let (start, end) = trace.extent
            traces.record(trace.statusClass, start: start, durationNanos: end - start)
        }
        for record in InvocationExtractor.invocations(in: trace) {
            functions[record.function, default: FunctionStats()].add(record)
        }
        store?.add(trace)
    }
}
