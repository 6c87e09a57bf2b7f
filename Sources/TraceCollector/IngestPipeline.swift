import Synchronization
import TraceAnalysis
import TraceFormats
import TraceModel

/// Where receivers deliver decoded spans: the live analysis state, plus an optional sink (the `--out` file).
///
/// Receivers call it from their event-loop threads; a mutex serialises access to the analysis, which is a value
/// type. Readers (the status line, the dashboard) take snapshots under the same lock.
public final class IngestPipeline: Sendable {
    private struct State {
        var analyzer: TraceAnalyzer
        var stats = CollectorStats()
    }

    private let state: Mutex<State>
    private let discarding = Atomic(false)
    /// Receives every accepted batch: its spans, and for an OTLP protobuf request the request's bytes as they came
    /// (decompressed), so a forwarder can pass OTLP on untouched.
    public typealias Sink = @Sendable (_ spans: [Span], _ otlpProtobuf: UnsafeRawBufferPointer?) -> Void

    private let sink: Sink?
    private let datagramSink: (@Sendable (UnsafeRawBufferPointer) -> Void)?
    private let clock: @Sendable () -> EpochNanos
    /// What the collector may hold in all; receivers take their limits from it (`ReceiverLimits.forBudget`).
    public let memoryBudgetBytes: Int

    /// - Parameters:
    ///   - quietPeriodSeconds: a trace completes when nothing arrived for it for this long.
    ///   - memoryBudgetBytes: a quarter for recent completed traces (oldest evicted first), a quarter for traces still
    ///     open (the oldest completes early beyond it), a quarter for the service graph (distinct nodes and edges
    ///     beyond it fold into `(other)`, counted), an eighth for requests in flight (`ReceiverLimits`), and an eighth
    ///     left for what no count sees (the transports' buffers, the allocator's slack, copies while decoding; measured
    ///     by `HostileLoadTests`). Aggregates are never evicted.
    ///   - sink: receives every accepted batch (after decoding), e.g. to append it to a file or forward it.
    ///   - datagramSink: receives every daemon datagram that decoded, as it arrived (`--forward-udp`).
    public init(
        quietPeriodSeconds: Double = 30, memoryBudgetBytes: Int = 256 << 20,
        clock: @escaping @Sendable () -> EpochNanos, sink: Sink? = nil,
        datagramSink: (@Sendable (UnsafeRawBufferPointer) -> Void)? = nil
    ) {
        // ~4 KB per open trace (a few spans and their strings).
        var analyzer = TraceAnalyzer(
            quietPeriodSeconds: quietPeriodSeconds,
            maxOpenTraces: max(1000, memoryBudgetBytes / 4 / 4096), windowed: true, timekeeping: .arrival)
        analyzer.assembler.maxOpenBytes = memoryBudgetBytes / 4
        analyzer.keepTraces(budgetBytes: memoryBudgetBytes / 4)
        // The last quarter is the graph's: ~2,700 nodes and edges at the default budget (a windowed entry: ~24 KB).
        analyzer.limitGraph(bytes: memoryBudgetBytes / 4)
        state = Mutex(State(analyzer: analyzer))
        self.memoryBudgetBytes = memoryBudgetBytes
        self.sink = sink
        self.datagramSink = datagramSink
        self.clock = clock
    }

    /// Accepts decoded spans from one datagram or request (`otlpProtobuf`: the request they were decoded from).
    public func ingest(_ spans: [Span], otlpProtobuf: UnsafeRawBufferPointer? = nil) {
        guard !spans.isEmpty else { return }
        let now = clock()
        state.withLock { s in
            s.stats.spans += UInt64(spans.count)
            // Arrival time: a trace goes quiet by this clock, not by its senders' (docs/SEMANTICS.md, "Time").
            s.analyzer.advance(to: now)
            s.analyzer.ingest(spans)
        }
        sink?(spans, otlpProtobuf)
    }

    /// Hands an accepted datagram, verbatim, to the datagram sink.
    public func forwardDatagram(_ bytes: UnsafeRawBufferPointer) {
        datagramSink?(bytes)
    }

    public func countDatagram() {
        state.withLock { $0.stats.datagrams += 1 }
    }

    /// From now on datagrams are only counted (`unprocessedAtStop`), not decoded: a collector stopping while far
    /// behind reads out what the kernel holds at the speed of a count.
    public func discardDatagrams() {
        discarding.store(true, ordering: .releasing)
    }

    /// True once `discardDatagrams` was called; a datagram read then is counted and dropped.
    public func countIfDiscarding() -> Bool {
        guard discarding.load(ordering: .acquiring) else { return false }
        state.withLock {
            $0.stats.datagrams += 1
            $0.stats.unprocessedAtStop += 1
        }
        return true
    }

    public func countRequest() {
        state.withLock { $0.stats.httpRequests += 1 }
    }

    public func reject(_ failure: DecodeFailure, count: UInt64 = 1) {
        state.withLock { $0.stats.reject(failure, count: count) }
    }

    /// Lets time pass: traces quiet for the quiet period complete. Call it every second or so.
    public func tick() {
        let now = clock()
        state.withLock { $0.analyzer.advance(to: now) }
    }

    /// Completes every open trace (shutdown).
    public func finish() {
        state.withLock { $0.analyzer.finish() }
    }

    public var stats: CollectorStats {
        state.withLock { s in
            var stats = s.stats
            stats.tracesCompleted = s.analyzer.traces.total
            stats.tracesCompletedEarly = UInt64(s.analyzer.assembler.forcedCompletions)
            stats.tracesStored = UInt64(s.analyzer.store?.traces.count ?? 0)
            stats.tracesEvicted = UInt64(s.analyzer.store?.evicted ?? 0)
            stats.storedBytes = UInt64(s.analyzer.store?.bytes ?? 0)
            stats.foldedRequests = s.analyzer.graph.foldedRequests
            stats.graphNodes = UInt64(s.analyzer.graph.nodes.count)
            stats.graphEdges = UInt64(s.analyzer.graph.edges.count)
            stats.graphBytes = UInt64(max(0, s.analyzer.graph.bytes))
            stats.spansOverTraceLimit = UInt64(s.analyzer.assembler.spansOverTraceLimit)
            stats.clockSkewedTraces = UInt64(s.analyzer.clockSkewedTraces)
            return stats
        }
    }

    /// A copy of the analysis state (graph, traces, functions) for a view or a summary.
    public var analyzer: TraceAnalyzer {
        state.withLock { $0.analyzer }
    }
}
