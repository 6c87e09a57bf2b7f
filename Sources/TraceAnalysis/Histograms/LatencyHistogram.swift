#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Latencies in a compact logarithmic histogram: exact counts, mergeable, at most 1% relative error, and memory for
/// the buckets in use only (docs/SEMANTICS.md, "Latency").
///
/// Values are kept in microseconds from 1 µs to one hour. Bucket `i` holds the values in (γ^(i-1), γ^i] with
/// γ = 1.01/0.99, and answers with the point of that range within 1% of every value in it — the two significant
/// digits HdrHistogram gives, in about a quarter of the buckets, since its linear sub-buckets are finer than 1% at
/// the top of each power of two. Only the run of buckets between the lowest and highest value recorded is stored,
/// in 16-bit counters that widen when a count needs it (`PackedCounts`): a realistic spread takes 250–400 buckets,
/// well under a kilobyte, where a dense HdrHistogram over the same range takes 26 KB. The exact minimum, maximum and
/// sum are kept beside it, so `max_ms` and averages carry no bucket error.
public struct LatencyHistogram: Sendable {
    public static let highestMicros: UInt64 = 3_600_000_000
    /// The relative error of every percentile: the half-width of a bucket, relative to the value it answers with.
    public static let relativeError = 0.01
    static let gamma = (1 + relativeError) / (1 - relativeError)
    private static let inverseLogGamma = 1 / log(gamma)
    /// The bucket of `highestMicros`; the lowest is 0 (1 µs).
    static let highestIndex = bucket(ofMicros: Double(highestMicros))

    /// Counts of buckets `lowestIndex ..< lowestIndex + counts.count`.
    private var counts = PackedCounts()
    private var lowestIndex = 0
    public private(set) var count: UInt64 = 0
    public private(set) var sumNanos: Int64 = 0
    public private(set) var minNanos: Int64 = .max
    public private(set) var maxNanos: Int64 = 0

    public init() {}

    /// What this histogram holds on the heap and inline, for memory budgets.
    public var estimatedBytes: Int { MemoryLayout<LatencyHistogram>.stride + counts.allocatedBytes }

    static func bucket(ofMicros micros: Double) -> Int {
        Int((log(micros) * inverseLogGamma).rounded(.up))
    }

    /// The value bucket `index` answers with, in microseconds: within 1% of every value in it.
    static func representativeMicros(ofBucket index: Int) -> Double {
        2 * pow(gamma, Double(index)) / (gamma + 1)
    }

    private static func bucket(ofNanos nanos: Int64) -> Int {
        let micros = Double(nanos) / 1000
        return micros <= 1 ? 0 : min(bucket(ofMicros: min(micros, Double(highestMicros))), highestIndex)
    }

    /// Records one request. Returns the bytes the histogram grew by (`ServiceGraph.bytes` keeps the sum).
    @discardableResult
    public mutating func record(nanos: Int64) -> Int {
        record(nanos: nanos, count: 1)
    }

    /// Records `count` requests of one latency at once (a remote histogram's bucket). Returns the bytes grown.
    @discardableResult
    public mutating func record(nanos: Int64, count: UInt64) -> Int {
        guard count > 0 else { return 0 }
        let clamped = max(0, nanos)
        let index = Self.bucket(ofNanos: clamped)
        let grown = makeRoom(for: index)
        let added = counts.add(count, at: index - lowestIndex)
        self.count &+= count
        let (sum, overflow) = clamped.multipliedReportingOverflow(by: Int64(clamping: count))
        sumNanos &+= overflow ? .max / 4 : sum
        if clamped < minNanos { minNanos = clamped }
        if clamped > maxNanos { maxNanos = clamped }
        return grown + added
    }

    /// Extends the stored run of buckets to include `index`, with a little room beyond it in the direction it grew so
    /// that a spread widening value by value does not copy the counters each time.
    private mutating func makeRoom(for index: Int) -> Int {
        let slack = 8
        if counts.count == 0 {
            lowestIndex = index
            return counts.extend(front: 0, back: 1)
        }
        if index < lowestIndex {
            let front = lowestIndex - max(0, index - slack)
            lowestIndex -= front
            return counts.extend(front: front, back: 0)
        }
        let end = lowestIndex + counts.count
        if index >= end {
            return counts.extend(front: 0, back: min(index + slack, Self.highestIndex) + 1 - end)
        }
        return 0
    }

    /// Adds another histogram's requests. Returns the bytes grown.
    @discardableResult
    public mutating func merge(_ other: LatencyHistogram) -> Int {
        guard other.count > 0 else { return 0 }
        var grown = 0
        let otherEnd = other.lowestIndex + other.counts.count
        if counts.count == 0 {
            lowestIndex = other.lowestIndex
            grown += counts.extend(front: 0, back: other.counts.count)
        } else {
            let front = max(0, lowestIndex - other.lowestIndex)
            let back = max(0, otherEnd - (lowestIndex + counts.count))
            lowestIndex -= front
            grown += counts.extend(front: front, back: back)
        }
        for i in 0..<other.counts.count {
            let c = other.counts[i]
            if c > 0 { grown += counts.add(c, at: other.lowestIndex + i - lowestIndex) }
        }
        count &+= other.count
        sumNanos &+= other.sumNanos
        minNanos = min(minNanos, other.minNanos)
        maxNanos = max(maxNanos, other.maxNanos)
        return grown
    }

    /// The value at a percentile (0–100) in milliseconds; nil when empty. p0 is the exact minimum, p100 the exact
    /// maximum. The rank is HdrHistogram's: the smallest bucket reaching ⌈p/100 × count⌉ requests.
    public func percentileMillis(_ percentile: Double) -> Double? {
        guard count > 0 else { return nil }
        if percentile >= 100 { return maxMillis }
        if !(percentile > 0) { return minMillis }
        return millis(atRank: max(1, UInt64((percentile.nextDown * Double(count) / 100).rounded(.up))))
    }

    /// The value of the `rank`-th smallest request (1-based, clamped to 1…count) in milliseconds; nil when empty.
    /// What percentiles and their confidence intervals (`Significance`) read.
    public func millis(atRank rank: UInt64) -> Double? {
        guard count > 0 else { return nil }
        let rank = min(max(1, rank), count)
        var seen: UInt64 = 0
        for i in 0..<counts.count {
            seen &+= counts[i]
            if seen >= rank { return clampedMillis(micros: Self.representativeMicros(ofBucket: lowestIndex + i)) }
        }
        return maxMillis
    }

    /// A bucket's answer, never outside the exact minimum and maximum.
    private func clampedMillis(micros: Double) -> Double {
        min(max(micros / 1000, Double(minNanos) / 1_000_000), Double(maxNanos) / 1_000_000)
    }

    public var maxMillis: Double? { count > 0 ? Double(maxNanos) / 1_000_000 : nil }
    public var minMillis: Double? { count > 0 ? Double(minNanos) / 1_000_000 : nil }
    public var meanMillis: Double? { count > 0 ? Double(sumNanos) / Double(count) / 1_000_000 : nil }

    /// The non-empty buckets, lowest first: each one's answer in milliseconds and its count.
    public var buckets: [(millis: Double, count: UInt64)] {
        (0..<counts.count).compactMap { i in
            let c = counts[i]
            return c > 0 ? (clampedMillis(micros: Self.representativeMicros(ofBucket: lowestIndex + i)), c) : nil
        }
    }

    /// Counts per bucket for drawing a distribution: `buckets` logarithmic bins between the min and max recorded.
    public func distribution(buckets binCount: Int) -> [(upperMillis: Double, count: UInt64)] {
        guard count > 0, binCount > 0 else { return [] }
        let lo = max(Double(minNanos) / 1000, 1)
        let hi = max(Double(maxNanos) / 1000, lo * 1.01)
        let ratio = pow(hi / lo, 1 / Double(binCount))
        var edges: [Double] = []
        var edge = lo
        for _ in 0..<binCount {
            edge *= ratio
            edges.append(edge)
        }
        var bins = [UInt64](repeating: 0, count: binCount)
        for bucket in buckets {
            let micros = bucket.millis * 1000
            let index = edges.firstIndex { micros <= $0 * 1.0000001 } ?? (binCount - 1)
            // Saturating: counts can come from elsewhere (X-Ray's histograms) and be as large as it says.
            let (sum, overflow) = bins[index].addingReportingOverflow(bucket.count)
            bins[index] = overflow ? .max : sum
        }
        return zip(edges, bins).map { (upperMillis: $0 / 1000, count: $1) }
    }
}
