import Testing
import TraceAnalysis
import TraceModel

@Suite("Histograms and rates")
struct HistogramAndRateTests {
    @Test func percentilesStayWithinOnePercent() throws {
        var h = LatencyHistogram()
        for ms in 1...1000 { h.record(nanos: Int64(ms) * 1_000_000) }
        #expect(h.count == 1000)
        let p50 = try #require(h.percentileMillis(50))
        let p99 = try #require(h.percentileMillis(99))
        #expect(abs(p50 - 500) / 500 < 0.01)
        #expect(abs(p99 - 990) / 990 < 0.01)
        #expect(h.maxMillis == 1000)
        #expect(h.minMillis == 1)
        #expect(h.meanMillis == 500.5)
        #expect(h.percentileMillis(100) == 1000)
    }

    @Test func histogramsMerge() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        a.record(nanos: 1_000_000)
        b.record(nanos: 3_000_000)
        a.merge(b)
        #expect(a.count == 2)
        #expect(a.maxMillis == 3)
        #expect(a.meanMillis == 2)
        #expect(LatencyHistogram().percentileMillis(50) == nil)
    }

    @Test func outOfRangeValuesAreClampedNotLost() {
        var h = LatencyHistogram()
        h.record(nanos: -5)
        h.record(nanos: 10 * 3_600_000_000_000)
        #expect(h.count == 2)
        #expect(h.maxNanos == 36_000_000_000_000)
    }

    @Test func rateSeriesCountsPerSecondAndSlides() {
        var series = RateSeries(capacity: 10)
        let second: Int64 = 1_000_000_000
        series.record(at: 100 * second, .ok)
        series.record(at: 100 * second + 5, .fault)
        series.record(at: 103 * second, .throttle)
        var recent = series.recent(4)
        #expect(recent.map(\.total) == [2, 0, 0, 1])
        #expect(recent[0].fault == 1)
        // Moving 20 s ahead clears everything older than the window; an old request is dropped, counted.
        series.record(at: 123 * second, .error)
        series.record(at: 100 * second, .ok)
        recent = series.recent(10)
        #expect(recent.map(\.total).reduce(0, +) == 1)
        #expect(series.dropped == 1)
        #expect(series.newestSecond == 123)
    }
}
