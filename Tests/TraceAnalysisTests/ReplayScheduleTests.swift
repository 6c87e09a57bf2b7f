import Testing
import TraceAnalysis
import TraceModel

@Suite("Replay pacing")
struct ReplayScheduleTests {
    static let second: Int64 = 1_000_000_000

    /// A span that ends (is sent) at `end` seconds.
    static func span(_ n: UInt64, end: Int64?, start: Int64 = 0) -> Span {
        Span(
            traceID: TraceID(high: 1, low: n), id: SpanID(n), name: "s\(n)", start: start * second,
            end: end.map { $0 * second })
    }

    @Test func spansArriveWhenTheyWereSentAtTheChosenSpeed() {
        let schedule = ReplaySchedule(
            spans: [Self.span(3, end: 13), Self.span(1, end: 10), Self.span(2, end: 11, start: 10)], speed: 2)
        #expect(schedule.spans.map(\.id) == [SpanID(1), SpanID(2), SpanID(3)])
        #expect(schedule.playback == [0, Self.second / 2, Self.second * 3 / 2])
        #expect(schedule.dueCount(at: 0) == 1)
        #expect(schedule.dueCount(at: Self.second / 2 - 1) == 1)
        #expect(schedule.dueCount(at: Self.second) == 2)
        #expect(schedule.dueCount(at: 10 * Self.second) == 3)
        // The recorded clock runs at twice the pace between spans.
        #expect(schedule.recordedTime(at: Self.second) == 12 * Self.second)
    }

    /// Any speed a caller passes, however slow or fast, plays without overflowing a clock.
    @Test func extremeSpeedsSaturateInsteadOfOverflowing() {
        let spans = (1...50).map { Self.span(UInt64($0), end: Int64($0)) }
        let slow = ReplaySchedule(spans: spans, speed: 1e-300)
        #expect(slow.playback == slow.playback.sorted())
        #expect(slow.length == 49 * 86_400 * Self.second) // a day per gap at most
        #expect(slow.recordedTime(at: .max) >= 50 * Self.second)
        let fast = ReplaySchedule(spans: spans, speed: 1e300)
        #expect(fast.length == 0)
        #expect(fast.recordedTime(at: Self.second) == 110 * Self.second)
    }

    @Test func longIdleGapsAreCutToASecond() {
        let schedule = ReplaySchedule(
            spans: [Self.span(1, end: 100), Self.span(2, end: 3700), Self.span(3, end: 3702)], speed: 1)
        #expect(schedule.playback == [0, Self.second, 3 * Self.second])
        // Inside the cut gap the clock stops at the next span's time, then jumps with it.
        #expect(schedule.recordedTime(at: Self.second / 2) == 100 * Self.second + Self.second / 2)
        #expect(schedule.recordedTime(at: Self.second) == 3700 * Self.second)
        // After the last span it runs on for a minute, then stops.
        #expect(schedule.recordedTime(at: 3 * Self.second + 5 * Self.second) == 3707 * Self.second)
        #expect(schedule.recordedTime(at: 1000 * Self.second) == 3762 * Self.second)
    }

    @Test func anUnfinishedSpanIsSentAtItsStart() {
        let schedule = ReplaySchedule(spans: [Self.span(1, end: 20), Self.span(2, end: nil, start: 15)], speed: 1)
        #expect(schedule.spans.map(\.id) == [SpanID(2), SpanID(1)])
        #expect(schedule.emitted == [15 * Self.second, 20 * Self.second])
    }
}
