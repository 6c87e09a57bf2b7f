import Testing
import TraceAnalysis
import TraceModel

@Suite("Live windows and the trace store")
struct WindowAndStoreTests {
    static let minute: Int64 = 60_000_000_000

    @Test func windowsCountTheirOwnRequestsAndLatency() {
        var stats = RequestStats(windowed: true)
        let now: Int64 = 1_700_000_000 * 1_000_000_000
        // Ten minutes ago: slow failures. In the last minute: fast successes.
        for i in 0..<10 {
            stats.record(.fault, start: now - 10 * Self.minute + Int64(i) * 1_000_000_000, durationNanos: 900_000_000)
        }
        for i in 0..<30 {
            stats.record(.ok, start: now - 30_000_000_000 + Int64(i) * 1_000_000_000, durationNanos: 10_000_000)
        }
        let last = stats.figures(in: .oneMinute, now: now)
        #expect(last.requests == 30)
        #expect(last.faults == 0)
        #expect(last.rps == 0.5)
        #expect((last.maxMillis ?? 0) < 11)
        let fifteen = stats.figures(in: .fifteenMinutes, now: now)
        #expect(fifteen.requests == 40)
        #expect(fifteen.faults == 10)
        #expect((fifteen.maxMillis ?? 0) >= 899)
        #expect(stats.figures(in: .all, now: now).requests == 40)
    }

    @Test func minuteHistogramsForgetWhatIsOlderThanTheirRing() {
        var minutes = MinuteHistograms()
        minutes.record(nanos: 5_000_000, at: 0)
        minutes.record(nanos: 7_000_000, at: 20 * Self.minute)
        #expect(minutes.merged(lastMinutes: 15, now: 20 * Self.minute).count == 1)
        #expect(minutes.merged(lastMinutes: 1, now: 21 * Self.minute).count == 0)
    }

    @Test func theStoreEvictsTheOldestTracesWithinItsBudget() {
        var store = TraceStore(budgetBytes: 20_000)
        for i in 0..<100 {
            let span = Span(
                traceID: TraceID(high: 1, low: UInt64(i)), id: SpanID(UInt64(i + 1)), name: "s", start: 0, end: 1)
            store.add(AssembledTrace(traceID: span.traceID, spans: [span]))
        }
        #expect(store.bytes <= 20_000)
        #expect(store.evicted > 0)
        #expect(store.traces.count + store.evicted == 100)
        #expect(store.traces.last?.traceID == TraceID(high: 1, low: 99))
    }
}
