/// Records new traces with a probability (`OTEL_TRACES_SAMPLER=traceidratio` with `OTEL_TRACES_SAMPLER_ARG`).
/// Only roots ask: a trace's later spans follow its first decision, here and downstream.
public struct RatioSampler: TracescopeSampler {
    /// The fraction of new traces sampled, in [0, 1].
    public let ratio: Double
    private let ids = IDGenerator()

    /// - Parameter ratio: from 0 (none) to 1 (all); clamped.
    public init(ratio: Double) {
        self.ratio = ratio.isNaN ? 0 : min(max(ratio, 0), 1)
    }

    /// True for `ratio` of the calls, at random.
    public func shouldSample(_ request: SamplingRequest) -> Bool {
        ids.unitInterval() < ratio
    }

    /// Fixed at the ends: 0 never samples, 1 always does.
    public var fixedDecision: Bool? {
        ratio >= 1 ? true : ratio <= 0 ? false : nil
    }
}
