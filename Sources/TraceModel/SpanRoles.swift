/// The roles a span plays in the service graph, defined once for every analysis, encoder and view
/// (docs/SEMANTICS.md, "Service graph").
///
/// All of them read inline fields only and are `@inlinable`, so the analyses' hot loops can ask a span held in place
/// without copying it.
extension SpanKind {
    /// SERVER and CONSUMER spans receive a request (synchronously or from a queue).
    @inlinable
    public var receivesRequests: Bool { self == .server || self == .consumer }

    /// CLIENT and PRODUCER spans call another service (synchronously or through a queue).
    @inlinable
    public var makesCalls: Bool { self == .client || self == .producer }
}

extension Span {
    /// A span that receives a request and so counts toward its node: an X-Ray segment; an OTLP SERVER or CONSUMER
    /// span, or a root span of another kind that is not itself a call.
    @inlinable
    public var isEntry: Bool {
        switch source {
        case .xray: isSegment
        case .otlp: kind.receivesRequests || (parentID == nil && !isDownstreamCall)
        }
    }

    /// A span that calls another service: an X-Ray subsegment with namespace `aws` or `remote` (decoded as `.client`),
    /// or an OTLP CLIENT or PRODUCER span.
    @inlinable
    public var isDownstreamCall: Bool { kind.makesCalls }
}
