import Synchronization
import Testing
import TraceAnalysis
import TraceCollector
import TraceModel

/// Senders with wrong clocks — minutes ahead, minutes behind, a document dated decades ahead — change nothing about
/// how the other traces assemble, complete, count or fill the req/s series (docs/SEMANTICS.md, "Time").
@Suite("Clock skew in the collector")
struct ClockSkewTests {
    final class ManualClock: Sendable {
        let nanos = Atomic<Int64>(1_795_176_000 * 1_000_000_000)
        func now() -> EpochNanos { nanos.load(ordering: .relaxed) }
        func advance(seconds: Double) { nanos.add(Int64(seconds * 1e9), ordering: .relaxed) }
    }

    /// A request of two spans, the second arriving a second after the first, dated `skew` seconds off the clock.
    static func trace(_ n: UInt64, at now: EpochNanos, skew: Int64, service: String) -> [Span] {
        let start = now + skew * 1_000_000_000
        let root = Span(
            traceID: TraceID(high: 0x6b00_3640, low: n), id: SpanID(n * 10), name: service, source: .otlp,
            kind: .server, serviceName: service, start: start, end: start + 200_000_000)
        return [root]
    }

    static func child(_ n: UInt64, at now: EpochNanos, skew: Int64, service: String) -> [Span] {
        let start = now + skew * 1_000_000_000
        return [
            Span(
                traceID: TraceID(high: 0x6b00_3640, low: n), id: SpanID(n * 10 + 1), parentID: SpanID(n * 10),
                name: "db", source: .otlp, kind: .client, isSegment: false, serviceName: service, start: start,
                end: start + 50_000_000)
        ]
    }

    /// Runs the same traffic of a correct host through a pipeline, with or without skewed senders beside it, and
    /// returns what the correct host's traces came to.
    static func run(withSkewedSenders: Bool) -> (traces: UInt64, late: Int, okRequests: UInt64, series: UInt32) {
        let clock = ManualClock()
        let pipeline = IngestPipeline(quietPeriodSeconds: 5, memoryBudgetBytes: 64 << 20, clock: { clock.now() })
        for n in UInt64(1)...60 {
            let now = clock.now()
            pipeline.ingest(trace(n, at: now, skew: 0, service: "good"))
            if withSkewedSenders {
                pipeline.ingest(trace(1000 + n, at: now, skew: 300, service: "ahead"))
                pipeline.ingest(trace(2000 + n, at: now, skew: -300, service: "behind"))
                if n == 30 { pipeline.ingest(trace(3000, at: now, skew: 40 * 365 * 86_400, service: "future")) }
            }
            clock.advance(seconds: 1)
            pipeline.tick()
            let later = clock.now()
            pipeline.ingest(child(n, at: later, skew: 0, service: "good"))
            if withSkewedSenders {
                pipeline.ingest(child(1000 + n, at: later, skew: 300, service: "ahead"))
                pipeline.ingest(child(2000 + n, at: later, skew: -300, service: "behind"))
            }
        }
        clock.advance(seconds: 30)
        pipeline.tick()
        let analyzer = pipeline.analyzer
        let good = analyzer.graph.nodes[NodeKey(name: "good", type: nil)]
        let series = good?.series.recent(900, endingAt: clock.now() / 1_000_000_000).reduce(0) { $0 + $1.total } ?? 0
        return (good?.total ?? 0, analyzer.lateFragments, good?.ok ?? 0, series)
    }

    @Test func skewedSendersChangeNothingForTheOthers() {
        let clean = Self.run(withSkewedSenders: false)
        let skewed = Self.run(withSkewedSenders: true)
        #expect(clean.traces == 60)
        #expect(clean.late == 0)
        #expect(skewed.traces == clean.traces)
        #expect(skewed.okRequests == clean.okRequests)
        #expect(skewed.series == clean.series)
        #expect(skewed.series == 60)
        // The skewed senders' own traces assemble whole as well: no fragments anywhere.
        #expect(skewed.late == 0)
    }

    @Test func tracesDatedAheadArePlacedAtThePresentAndCounted() {
        let clock = ManualClock()
        let pipeline = IngestPipeline(quietPeriodSeconds: 1, memoryBudgetBytes: 64 << 20, clock: { clock.now() })
        pipeline.ingest(Self.trace(1, at: clock.now(), skew: 40 * 365 * 86_400, service: "future"))
        clock.advance(seconds: 5)
        pipeline.tick()
        let analyzer = pipeline.analyzer
        #expect(pipeline.stats.clockSkewedTraces == 1)
        let future = analyzer.graph.nodes[NodeKey(name: "future", type: nil)]
        #expect(future?.total == 1)
        // In the series at the present (within the live lead of two seconds), not decades on, which would have
        // wiped everyone's series.
        let newest = future?.series.newestSecond ?? 0
        #expect(newest <= clock.now() / 1_000_000_000 + 2)
        #expect(newest >= clock.now() / 1_000_000_000 - 60)
    }
}
