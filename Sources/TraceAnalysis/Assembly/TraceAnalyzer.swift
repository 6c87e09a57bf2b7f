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
    /// Requests and critical-path time per operation path, kept only when asked for (`trackOperations()`), as `diff`
    /// does.
    public private(set) var operations: OperationStats?
    public private(set) var lateFragments = 0
    /// Traces that started further ahead of the watermark than `maxClockLead`: a sender's clock is wrong. They are
    /// counted where they belong, but placed in time at the latest plausible moment, so they neither stretch the
    /// window nor push the req/s series past the present (docs/SEMANTICS.md, "Time").
    public private(set) var clockSkewedTraces = 0
    public let maxClockLead: Int64

    /// - Parameters:
    ///   - windowed: keep per-minute latency so live views can show the last 1, 5 and 15 minutes.
    ///   - timekeeping: `.arrival` for a live collector (which calls `advance(to:)` with its clock).
    ///   - maxClockLeadSeconds: how far past the watermark a span may be dated before its time is not believed; by
    ///     default a day for files (any order of replay) and two seconds live (a span has ended before it arrives).
    public init(
        quietPeriodSeconds: Double = 30, maxOpenTraces: Int = 100_000,
        seriesCapacity: Int = RateSeries.defaultCapacity, windowed: Bool = false,
        timekeeping: TraceAssembler.Timekeeping = .eventTime, maxClockLeadSeconds: Double? = nil
    ) {
        maxClockLead = max(
            0, Int64(saturatingNanosFromSeconds: maxClockLeadSeconds ?? (timekeeping == .arrival ? 2 : 86_400)))
        assembler = TraceAssembler(
            quietPeriodSeconds: quietPeriodSeconds, maxOpenTraces: maxOpenTraces, timekeeping: timekeeping)
        graph = ServiceGraph(seriesCapacity: seriesCapacity, windowed: windowed)
        traces = RequestStats(seriesCapacity: seriesCapacity, windowed: windowed)
    }

    /// Bounds the service graph to `bytes` (see `ServiceGraph.limit(bytes:)`).
    public mutating func limitGraph(bytes: Int) {
        graph.limit(bytes: bytes)
    }

    /// Keeps recent completed traces for a trace list, within `budgetBytes`.
    public mutating func keepTraces(budgetBytes: Int) {
        store = TraceStore(budgetBytes: budgetBytes)
    }

    /// Keeps figures per operation path (see `OperationStats`).
    public mutating func trackOperations(maxPaths: Int = 5_000, maxSamples: Int = 20_000) {
        operations = OperationStats(maxPaths: maxPaths, maxSamples: maxSamples)
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
        let watermark = assembler.watermark
        let (sum, overflow) = watermark.addingReportingOverflow(maxClockLead)
        let latest = watermark == .min || overflow ? EpochNanos.max : sum
        let (start, end) = trace.extent
        if start > latest { clockSkewedTraces += 1 }
        graph.latestPlausibleStart = latest
        ServiceGraphBuilder.add(trace, to: &graph)
        if trace.isLateFragment {
            lateFragments += 1
        } else {
            traces.record(trace.statusClass, start: min(start, latest), durationNanos: end - start)
            operations?.add(trace)
        }
        for record in InvocationExtractor.invocations(in: trace) {
            functions[record.function, default: FunctionStats()].add(record)
        }
        store?.add(trace)
    }
}
