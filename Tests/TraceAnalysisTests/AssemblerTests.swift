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
        assembler.add([span(3, 3, at: 12)]) { done.append($0.traceID) }
        #expect(done == [TraceID(high: 1, low: 1)])
        assembler.advance(to: 100_000_000_000) { done.append($0.traceID) }
        #expect(done.count == 3)
        #expect(assembler.openTraceCount == 0)
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
        analyzer.ingest([span(2, 2, at: 10)])
        analyzer.ingest([span(1, 3, at: 0)])
        analyzer.finish()
        #expect(analyzer.lateFragments == 1)
        #expect(analyzer.traces.total == 2)
        #expect(analyzer.assembler.lateSpans == 1)
    }
}
