/// Decides whether a new trace is recorded. Only roots ask: an upstream decision is always honoured.
public protocol TracescopeSampler: Sendable {
    func shouldSample(_ request: SamplingRequest) -> Bool
    /// The answer, when it never depends on the request: the tracer then skips building the request.
    var fixedDecision: Bool? { get }
}

extension TracescopeSampler {
    public var fixedDecision: Bool? { nil }
}

/// Records every trace.
public struct AlwaysSample: TracescopeSampler {
    public init() {}
    public func shouldSample(_ request: SamplingRequest) -> Bool { true }
    public var fixedDecision: Bool? { true }
}

/// Records nothing (unless an upstream caller sampled the trace).
public struct NeverSample: TracescopeSampler {
    public init() {}
    public func shouldSample(_ request: SamplingRequest) -> Bool { false }
    public var fixedDecision: Bool? { false }
}
