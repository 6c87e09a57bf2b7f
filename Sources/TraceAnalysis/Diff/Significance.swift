#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// When a change between two runs is more than noise (docs/SEMANTICS.md, "Diff: significance").
///
/// Each figure gets a distribution-free confidence interval in each run, and a change is significant when the gap
/// between the two estimates exceeds the intervals' facing half-widths added in quadrature — a z-test of the
/// difference, with each run's standard error read off its own interval on the side facing the other, so a skewed
/// latency distribution is judged on its own shape — and, for latencies, the change is at least
/// `minimumRelativeChange`:
/// - a percentile: the order-statistic interval — the values at the ranks `n·q ± z·√(n·q·(1−q))`, the normal
///   approximation of the binomial count of requests below the true percentile — read from the run's histogram;
/// - a rate of a class (errors, faults, cold starts): Wilson's score interval of the proportion;
/// - requests per second: a Poisson interval of the count, `(√k ± z/2)²`, over the run's seconds.
/// With z = 3.29 a figure of two runs of one distribution is flagged about once in a thousand comparisons, and a
/// diff's figures are strongly correlated (a service, its edge and its operation path share their requests), so a
/// diff of a hundred figures stays quiet; the rates measured over many seeds are in docs/SEMANTICS.md.
public struct Significance: Sendable, Equatable {
    /// The normal quantile of each interval's two-sided confidence.
    public var z: Double
    /// A latency change smaller than this (relative) is never significant, however tight the intervals: a 1%
    /// shift measured on a million requests is real but not worth a CI failure.
    public var minimumRelativeChange: Double
    /// Samples each run needs before a figure is judged; nil: the metric's own (p99 1,000, p90 100, p50 20, rates 1).
    public var minimumSamples: UInt64?

    public init(z: Double = 3.29, minimumRelativeChange: Double = 0.05, minimumSamples: UInt64? = nil) {
        self.z = z
        self.minimumRelativeChange = minimumRelativeChange
        self.minimumSamples = minimumSamples
    }

    /// Requests each run needs beyond a percentile before its change is judged.
    public static let tailSamples = 10.0

    /// Samples a percentile needs: `tailSamples` beyond it (p50 20, p90 100, p99 1,000). The interval of a percentile
    /// rests on the few values past it; with three (a p99 of 300 requests) the normal approximation of their count
    /// fails, and two runs of one distribution differed at p99 in 11 of 300 diffs (measured, docs/SEMANTICS.md).
    public func samplesNeeded(percentile q: Double) -> UInt64 {
        minimumSamples ?? UInt64(max(1, (Self.tailSamples * 100 / max(0.0001, 100 - q)).rounded(.up)))
    }

    public var samplesNeededForRates: UInt64 { minimumSamples ?? 1 }

    /// The interval of the value at percentile `q` (0–100), in milliseconds.
    public func interval(of histogram: LatencyHistogram, percentile q: Double) -> ClosedRange<Double>? {
        let n = Double(histogram.count)
        guard n > 0 else { return nil }
        let p = min(max(q / 100, 0), 1)
        let spread = z * (n * p * (1 - p)).squareRoot()
        let low = UInt64(max(1, (n * p - spread).rounded(.down)))
        let high = UInt64(min(n, (n * p + spread).rounded(.up) + 1))
        guard let lo = histogram.millis(atRank: low), let hi = histogram.millis(atRank: max(low, high)) else {
            return nil
        }
        return lo...max(lo, hi)
    }

    /// Wilson's score interval of `successes` out of `trials`.
    public func interval(successes: UInt64, trials: UInt64) -> ClosedRange<Double>? {
        guard trials > 0 else { return nil }
        let n = Double(trials)
        let p = Double(min(successes, trials)) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / (1 + z2 / n)
        return max(0, centre - half)...min(1, centre + half)
    }

    /// A Poisson interval of a rate: `count` events over `seconds`.
    public func interval(count: UInt64, seconds: Double) -> ClosedRange<Double>? {
        guard seconds > 0, seconds.isFinite else { return nil }
        let k = Double(count)
        let low = k == 0 ? 0 : pow(max(0, k.squareRoot() - z / 2), 2)
        let high = pow((k + 1).squareRoot() + z / 2, 2)
        return low / seconds...high / seconds
    }

    /// The two-sided confidence of each interval at `z`: 0.999 for 3.29.
    public static func confidence(ofZ z: Double) -> Double { erf(z / 2.0.squareRoot()) }

    /// Whether a figure moved from `base` to `current`, given each estimate's interval: the gap exceeds the facing
    /// half-widths (base's upper and current's lower for a rise) added in quadrature.
    public static func differs(
        _ base: Double?, _ baseInterval: ClosedRange<Double>?, _ current: Double?,
        _ currentInterval: ClosedRange<Double>?
    ) -> Bool {
        guard let base, let current, let baseInterval, let currentInterval, base != current else { return false }
        let rise = current > base
        let baseHalf = rise ? baseInterval.upperBound - base : base - baseInterval.lowerBound
        let currentHalf = rise ? current - currentInterval.lowerBound : currentInterval.upperBound - current
        return abs(current - base)
            > (max(0, baseHalf) * max(0, baseHalf) + max(0, currentHalf) * max(0, currentHalf))
            .squareRoot()
    }
}
