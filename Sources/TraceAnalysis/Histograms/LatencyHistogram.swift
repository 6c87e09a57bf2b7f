import Histogram

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Latencies in an HdrHistogram: exact counts, mergeable, bounded relative error, fixed memory.
///
/// Values are recorded in microseconds from 1 µs to one hour with two significant digits (at most 1% relative
/// error; ~21 KB each). The exact minimum, maximum and sum are kept beside it, so `max_ms` and averages
/// carry no bucket error. Percentile lookups scan the buckets: compute them when data changes, never per frame.
public struct LatencyHistogram: Sendable {
    public static let highestMicros: UInt64 = 3_600_000_000
    private var histogram: Histogram<UInt64>
    public private(set) var count: UInt64 = 0
    public private(set) var sumNanos: Int64 = 0
    public private(set) var minNanos: Int64 = .max
    public private(set) var maxNanos: Int64 = 0

    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: Self.highestMicros,
            numberOfSignificantValueDigits: .two)
    }

    public mutating func record(nanos: Int64) {
        let clamped = max(0, nanos)
        let micros = min(max(UInt64(clamped / 1000), 1), Self.highestMicros)
        _ = histogram.record(micros)
        count += 1
        sumNanos &+= clamped
        if clamped < minNanos { minNanos = clamped }
        if clamped > maxNanos { maxNanos = clamped }
    }

    /// Records `count` requests of one latency at once (a remote histogram's bucket).
    public mutating func record(nanos: Int64, count: UInt64) {
        guard count > 0 else { return }
        let clamped = max(0, nanos)
        let micros = min(max(UInt64(clamped / 1000), 1), Self.highestMicros)
        _ = histogram.record(micros, count: count)
        self.count &+= count
        let (sum, overflow) = clamped.multipliedReportingOverflow(by: Int64(clamping: count))
        sumNanos &+= overflow ? .max / 4 : sum
        if clamped < minNanos { minNanos = clamped }
        if clamped > maxNanos { maxNanos = clamped }
    }

    public mutating func merge(_ other: LatencyHistogram) {
        guard other.count > 0 else { return }
        histogram.add(other.histogram)
        count += other.count
        sumNanos &+= other.sumNanos
        minNanos = min(minNanos, other.minNanos)
        maxNanos = max(maxNanos, other.maxNanos)
    }

    /// The value at a percentile (0–100) in milliseconds; nil when empty. p100 is the exact maximum.
    public func percentileMillis(_ percentile: Double) -> Double? {
        guard count > 0 else { return nil }
        if percentile >= 100 { return maxMillis }
        let micros = histogram.valueAtPercentile(percentile)
        // The histogram reports the bucket's upper edge; never report more than the true maximum.
        return min(Double(micros) / 1000, Double(maxNanos) / 1_000_000)
    }

    public var maxMillis: Double? { count > 0 ? Double(maxNanos) / 1_000_000 : nil }
    public var minMillis: Double? { count > 0 ? Double(minNanos) / 1_000_000 : nil }
    public var meanMillis: Double? { count > 0 ? Double(sumNanos) / Double(count) / 1_000_000 : nil }

    /// Counts per bucket for drawing a distribution: `buckets` logarithmic bins between the min and max recorded.
    public func distribution(buckets: Int) -> [(upperMillis: Double, count: UInt64)] {
        guard count > 0, buckets > 0 else { return [] }
        let lo = max(Double(minNanos) / 1000, 1)
        let hi = max(Double(maxNanos) / 1000, lo * 1.01)
        let ratio = pow(hi / lo, 1 / Double(buckets))
        var edges: [Double] = []
        var edge = lo
        for _ in 0..<buckets {
            edge *= ratio
            edges.append(edge)
        }
        var counts = [UInt64](repeating: 0, count: buckets)
        for item in histogram.recordedValues() {
            let v = Double(item.value)
            let index = edges.firstIndex { v <= $0 * 1.0000001 } ?? (buckets - 1)
            // Saturating: counts can come from elsewhere (X-Ray's histograms) and be as large as it says.
            let (sum, overflow) = counts[index].addingReportingOverflow(item.count)
            counts[index] = overflow ? .max : sum
        }
        return zip(edges, counts).map { (upperMillis: $0 / 1000, count: $1) }
    }
}
