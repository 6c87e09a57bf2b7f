import Testing
import TraceAnalysis
import TraceModel

@Suite("Trace assembly")
struct AssemblerTests {
    private func span(_ trace: UInt64, _ id: UInt64, at seconds: Int64) -> Span {
        Span(
            traceID: TraceID(high: 1, low: trace), id: SpanID(id), name: "s", start: seconds * 1_000_000_000,
            end: seconds * 1_000_000_000 + 1)
    }

    @Test func tracesCompleteAfterAQuietPeriodOfEventTime() {
        var assembler = TraceAssembler(quietPeriodSeconds: 10)
        var done: [TraceID] = []
        assembler.add([span(1, 1, at: 0), span(2, 2, at: 5)]) { done.append($0.traceID) }
        #expect(done.isEmpty)
        // Event time is the median of recent spans: one span at 12 s is not enough to move it…
        assembler.add([span(3, 3, at: 12)]) { done.append($0.traceID) }
        #expect(done.isEmpty)
        // …most of them are: the median is now 12 s, and only the trace quiet since 0 s has waited 10 s.
        assembler.add([span(4, 4, at: 13), span(5, 5, at: 14)]) { done.append($0.traceID) }
        #expect(done == [TraceID(high: 1, low: 1)])
        assembler.advance(to: 100_000_000_000) { done.append($0.traceID) }
        #expect(done.count == 5)
        #expect(assembler.openTraceCount == 0)
    }

    @Test func oneSpanDatedDecadesAheadCompletesNothing() {
        var assembler = TraceAssembler(quietPeriodSeconds: 10)
        var done: [TraceID] = []
        assembler.add([span(1, 1, at: 1_795_176_000), span(2, 2, at: 1_795_176_001)]) { done.append($0.traceID) }
        assembler.add([span(9, 9, at: 4_000_000_000)]) { done.append($0.traceID) }
        assembler.add([span(1, 3, at: 1_795_176_002), span(2, 4, at: 1_795_176_003)]) { done.append($0.traceID) }
        #expect(done.isEmpty)
        #expect(assembler.watermark < 1_795_176_010 * 1_000_000_000)
        assembler.flush { done.append($0.traceID) }
        #expect(done.count == 3)
        #expect(assembler.lateSpans == 0)
    }

    @Test func aLiveCollectorGoesByArrivalTimeNotTheSendersClocks() {
        var assembler = TraceAssembler(quietPeriodSeconds: 10, timekeeping: .arrival)
        var done: [TraceID] = []
        let now: Int64 = 1_795_176_000
        assembler.advance(to: now * 1_000_000_000)
        // A sender ten minutes behind and one ten minutes ahead: neither completes the other's trace early.
        assembler.add([span(1, 1, at: now - 600), span(2, 2, at: now + 600)]) { done.append($0.traceID) }
        assembler.advance(to: (now + 5) * 1_000_000_000) { done.append($0.traceID) }
        assembler.add([span(1, 3, at: now - 595), span(2, 4, at: now + 605)]) { done.append($0.traceID) }
        #expect(done.isEmpty)
        assembler.advance(to: (now + 16) * 1_000_000_000) { done.append($0.traceID) }
        #expect(done.count == 2)
        #expect(assembler.lateSpans == 0)
    }

    @Test func aRunawayTraceIsCappedAndTheOpenBytesBounded() {
        var assembler = TraceAssembler(quietPeriodSeconds: 1_000)
        assembler.maxSpansPerTrace = 100
        assembler.maxOpenBytes = 150 * 1024
        var done: [AssembledTrace] = []
        for i in 0..<1_000 { assembler.add([span(1, UInt64(i + 1), at: 0)]) { done.append($0) } }
        #expect(assembler.spansOverTraceLimit == 900)
        for t in 2...100 { assembler.add([span(UInt64(t), UInt64(10_000 + t), at: 0)]) { done.append($0) } }
        #expect(assembler.openBytes <= 150 * 1024 + 2048)
        #expect(done.first?.spans.count == 100)
        #expect(assembler.forcedCompletions > 0)
    }

    @Test func memoryIsBoundedByForcingTheOldestOut() {
        var assembler = TraceAssembler(quietPeriodSeconds: 1_000, maxOpenTraces: 10)
        var done = 0
        for i in 0..<100 { assembler.add([span(UInt64(i), UInt64(i + 1), at: 0)]) { _ in done += 1 } }
        #expect(assembler.openTraceCount <= 10)
        #expect(done == 90)
        #expect(assembler.forcedCompletions == 90)
    }

    @Test func lateSpansFormAFragmentInsteadOfBeingDropped() {
        var analyzer = TraceAnalyzer(quietPeriodSeconds: 1)
        analyzer.ingest([span(1, 1, at: 0)])
        // Other traces move event time on (the median of recent spans), so trace 1 completes…
        analyzer.ingest([span(2, 2, at: 10), span(4, 4, at: 11)])
        // …and its span that comes after is a late fragment.
        analyzer.ingest([span(1, 3, at: 0)])
        analyzer.finish()
        #expect(analyzer.lateFragments == 1)
        #expect(analyzer.traces.total == 3)
        #expect(analyzer.assembler.lateSpans == 1)
    }
}
