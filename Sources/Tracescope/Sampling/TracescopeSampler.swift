/// Decides whether a new trace is recorded. Only roots ask: an upstream decision is always honoured.
public protocol TracescopeSampler: Sendable {
    func shouldSample(_ request: SamplingRequest) -> Bool
    /// The answer, when it never depends on the request: the tracer then skips building the request.
    var fixedDecision: Bool? { get }
}

extension TracescopeSampler {
    /// None by default: the sampler is asked for every new trace.
    public var fixedDecision: Bool? { nil }
}

/// Records every trace.
public struct AlwaysSample: TracescopeSampler {
    /// Samples every trace.
    public init() {}
    /// Always true.
    public func shouldSample(_ request: SamplingRequest) -> Bool { true }
    /// Always sampled.
    public var fixedDecision: Bool? { true }
}

/// Records nothing (unless an upstream caller sampled the trace).
public struct NeverSample: TracescopeSampler {
    /// Samples no trace (spans still propagate the decision).
    public init() {}
    /// Always false.
    public func shouldSample(_ request: SamplingRequest) -> Bool { false }
    /// Never sampled.
    public var fixedDecision: Bool? { false }
}
