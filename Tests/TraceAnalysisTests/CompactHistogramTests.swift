import Foundation
import Histogram
import Testing
import TraceAnalysis
import TraceModel

/// The compact latency histogram against the truth (the sorted samples) and against the dense HdrHistogram it
/// replaced, on random and adversarial data: every percentile within 1% of the exact value at its rank, counts exact,
/// and a fraction of the dense layout's memory.
@Suite("Compact latency histogram")
struct CompactHistogramTests {
    static let percentiles: [Double] = [0.1, 1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99]

    /// A reproducible data set: latencies in nanoseconds.
    struct DataSet: CustomTestStringConvertible, Sendable {
        let name: String
        let make: @Sendable () -> [Int64]
        var testDescription: String { name }
    }

    static func lognormal(count: Int, medianMillis: Double, sigma: Double, seed: UInt64) -> [Int64] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let u1 = max(random.nextUnit(), 1e-12)
            let u2 = random.nextUnit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
            return Int64(medianMillis * 1e6 * exp(sigma * z))
        }
    }

    static let dataSets: [DataSet] = [
        DataSet(name: "lognormal 40 ms, σ 0.8") { lognormal(count: 50_000, medianMillis: 40, sigma: 0.8, seed: 1) },
        DataSet(name: "lognormal 2 ms, σ 2 (wide)") { lognormal(count: 50_000, medianMillis: 2, sigma: 2, seed: 2) },
        DataSet(name: "uniform 1 µs – 1 h") {
            var random = SplitMix64(seed: 3)
            return (0..<50_000).map { _ in 1_000 + Int64(random.nextUnit() * 3.6e12) }
        },
        DataSet(name: "bimodal: cache hits and timeouts") {
            var random = SplitMix64(seed: 4)
            return (0..<50_000).map { i in
                i % 10 == 0
                    ? 30_000_000_000 + Int64(random.nextUnit() * 1e9) : 40_000 + Int64(random.nextUnit() * 20_000)
            }
        },
        DataSet(name: "one value") { Array(repeating: 123_456_789, count: 10_000) },
        DataSet(name: "every bucket edge") {
            // Values placed on and beside the edges of the compact buckets, where rounding could go either way.
            (0..<1_100).flatMap { i -> [Int64] in
                let micros = pow(1.01 / 0.99, Double(i))
                guard micros <= 3.6e9 else { return [] }
                return [Int64(micros * 1000), Int64(micros * 1000) + 1, max(1000, Int64(micros * 1000) - 1)]
            }
        },
        DataSet(name: "the extremes: 1 µs and 1 h") {
            (0..<1_000).map { $0 % 2 == 0 ? 1_000 : 3_600_000_000_000 }
        },
        DataSet(name: "a powers-of-two staircase") {
            (0..<32).flatMap { Array(repeating: Int64(1_000) << $0, count: 1 + $0) }
        },
    ]

    /// The exact value at HdrHistogram's rank for `percentile`, in milliseconds.
    static func exact(_ sorted: [Int64], _ percentile: Double) -> Double {
        let rank = max(1, Int((percentile.nextDown * Double(sorted.count) / 100).rounded(.up)))
        return Double(sorted[rank - 1]) / 1e6
    }

    @Test(arguments: dataSets)
    func percentilesAreWithinOnePercentOfTheTruthAndOfTheDenseHistogram(_ data: DataSet) throws {
        let values = data.make()
        let sorted = values.sorted()
        var compact = LatencyHistogram()
        var dense = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestMicros,
            numberOfSignificantValueDigits: .two)
        for v in values {
            compact.record(nanos: v)
            _ = dense.record(UInt64(max(1, v / 1000)))
        }
        #expect(compact.count == UInt64(values.count))
        #expect(compact.minNanos == sorted.first && compact.maxNanos == sorted.last)
        for p in Self.percentiles {
            let truth = Self.exact(sorted, p)
            let ours = try #require(compact.percentileMillis(p))
            let reference = Double(dense.valueAtPercentile(p)) / 1000
            #expect(
                abs(ours - truth) <= truth * LatencyHistogram.relativeError * 1.000001, "p\(p): \(ours) vs \(truth)")
            // Both within their bound of the truth: within the sum of the bounds of each other.
            #expect(abs(ours - reference) <= reference * 0.02 + 0.001, "p\(p): \(ours) vs dense \(reference)")
        }
        #expect(compact.percentileMillis(100) == Double(sorted.last!) / 1e6)
    }

    @Test func mergingEqualsRecordingEverything() throws {
        let a = Self.lognormal(count: 20_000, medianMillis: 40, sigma: 0.8, seed: 7)
        let b = Self.lognormal(count: 20_000, medianMillis: 400, sigma: 0.3, seed: 8)
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        var all = LatencyHistogram()
        for v in a {
            left.record(nanos: v)
            all.record(nanos: v)
        }
        for v in b {
            right.record(nanos: v)
            all.record(nanos: v)
        }
        var merged = right
        merged.merge(left)
        #expect(merged.count == all.count && merged.sumNanos == all.sumNanos)
        for p in Self.percentiles { #expect(merged.percentileMillis(p) == all.percentileMillis(p)) }
        #expect(merged.buckets.map(\.count) == all.buckets.map(\.count))
    }

    @Test func countsStayExactPastEveryCounterWidth() {
        var h = LatencyHistogram()
        h.record(nanos: 5_000_000, count: 65_535)
        h.record(nanos: 5_000_000, count: 1)
        h.record(nanos: 5_000_000, count: UInt64(UInt32.max))
        h.record(nanos: 9_000_000, count: 3)
        #expect(h.count == 65_536 + UInt64(UInt32.max) + 3)
        #expect(h.buckets.map(\.count) == [65_536 + UInt64(UInt32.max), 3])
        var saturated = LatencyHistogram()
        saturated.record(nanos: 1_000_000, count: .max)
        saturated.record(nanos: 1_000_000, count: .max)
        #expect(saturated.buckets.map(\.count) == [.max])
    }

    @Test func aRealisticMinuteTakesUnderAKilobyte() {
        // A minute of an edge at 70 req/s.
        var h = LatencyHistogram()
        for v in Self.lognormal(count: 4_200, medianMillis: 40, sigma: 0.8, seed: 9) { h.record(nanos: v) }
        #expect(h.estimatedBytes < 1024, "\(h.estimatedBytes) bytes")
        var dense = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestMicros,
            numberOfSignificantValueDigits: .two)
        _ = dense.record(1)
        #expect(dense.estimatedFootprintInBytes > 20 * h.estimatedBytes)
    }

    @Test func theGrowthReportedIsTheGrowthHeld() {
        var h = LatencyHistogram()
        var reported = h.estimatedBytes
        for v in Self.lognormal(count: 10_000, medianMillis: 10, sigma: 2.5, seed: 10) {
            reported += h.record(nanos: v)
        }
        reported += h.record(nanos: 1, count: 70_000)
        #expect(reported == h.estimatedBytes)
        var minutes = MinuteHistograms()
        var minuteBytes = minutes.estimatedBytes
        for i in 0..<20_000 {
            minuteBytes += minutes.record(nanos: Int64(i % 977) * 1_000_000, at: Int64(i) * 100_000_000)
        }
        #expect(minuteBytes == minutes.estimatedBytes)
        var series = RateSeries()
        var seriesBytes = series.estimatedBytes
        for _ in 0..<70_000 { seriesBytes += series.record(at: 5_000_000_000, .ok) }
        #expect(seriesBytes == series.estimatedBytes)
        #expect(series.recent(1).first?.ok == 70_000)
    }

    /// A windowed node or edge after sixteen minutes at 70 req/s: the size the graph's budget counts it at.
    @Test func aWindowedEntryFitsItsTypicalSize() {
        var stats = RequestStats(windowed: true)
        var reported = stats.estimatedBytes
        let latencies = Self.lognormal(count: 70 * 960, medianMillis: 40, sigma: 0.8, seed: 11)
        let start: Int64 = 1_700_000_000_000_000_000
        for (i, latency) in latencies.enumerated() {
            reported += stats.record(
                i % 50 == 0 ? .error : .ok, start: start + Int64(i) * 14_285_714, durationNanos: latency)
        }
        print("windowed entry: \(stats.estimatedBytes) bytes")
        #expect(reported == stats.estimatedBytes)
        #expect(stats.estimatedBytes <= ServiceGraph.typicalWindowedEntryBytes)
    }
}
