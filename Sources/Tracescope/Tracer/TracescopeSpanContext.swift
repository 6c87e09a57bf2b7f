import Instrumentation
import TraceModel

/// What a span passes to its children and to the services it calls: trace, parent and sampling decision.
public struct TracescopeSpanContext: Sendable, Hashable {
    /// The trace's sampling decision.
    public enum Sampling: Sendable, Hashable {
        case sampled
        case notSampled
        /// The caller asked us to decide (`Sampled=?` in the X-Ray header).
        case deferred
    }

    /// Nil only for an unsampled trace that never needed an id (nothing recorded, nothing propagated yet).
    public var traceID: TraceID?
    /// The current span (the parent of the next), nil before any.
    public var spanID: SpanID?
    /// The decision, as made here or received.
    public var sampling: Sampling
    /// True when this context came from another process (an extracted header), so a span started under it is the
    /// local root: an X-Ray segment.
    public var isRemote: Bool
    /// Header fields we do not interpret but must pass on (X-Ray `Lineage`, unknown keys; W3C `tracestate`).
    public var xrayExtra: String?
    /// W3C `tracestate`, passed on unread.
    public var traceState: String?
    /// Inside AWS Lambda the parent is the function's facade segment, which Lambda itself reports: spans under it are
    /// subsegments, never segments of their own.
    public var parentIsFacade: Bool = false

    /// A context from its fields (an extracted header's, say).
    public init(
        traceID: TraceID?, spanID: SpanID?, sampling: Sampling, isRemote: Bool, xrayExtra: String? = nil,
        traceState: String? = nil, parentIsFacade: Bool = false
    ) {
        self.parentIsFacade = parentIsFacade
        self.traceID = traceID
        self.spanID = spanID
        self.sampling = sampling
        self.isRemote = isRemote
        self.xrayExtra = xrayExtra
        self.traceState = traceState
    }

    /// True when the trace is sampled.
    public var isSampled: Bool { sampling == .sampled }
}

/// What the instrumentation context holds for Tracescope: a reference. A `TracescopeSpanContext` stored directly is
/// too large for an existential's inline buffer and would be boxed — one more allocation per span. A sampled span's
/// recorder is its own holder, so starting one allocates the recorder and nothing else for its context.
protocol SpanContextHolder: AnyObject, Sendable {
    var spanContext: TracescopeSpanContext { get }
}

/// The holder for contexts that have no recorder: extracted headers, unsampled traces, Lambda's facade.
final class PlainSpanContext: SpanContextHolder {
    let spanContext: TracescopeSpanContext

    init(_ spanContext: TracescopeSpanContext) {
        self.spanContext = spanContext
    }
}

/// The instrumentation-context key under which Tracescope keeps the current span's context.
enum TracescopeContextKey: InstrumentationContextKey {
    typealias Value = any SpanContextHolder
    static var nameOverride: String? { "tracescope-span-context" }
}

extension InstrumentationContext {
    /// The Tracescope span context, if any.
    public var tracescopeSpanContext: TracescopeSpanContext? {
        get { self[TracescopeContextKey.self]?.spanContext }
        set { self[TracescopeContextKey.self] = newValue.map { PlainSpanContext($0) } }
    }

    /// The holder itself, for the tracer: reading it builds no struct, storing a recorder allocates nothing.
    var tracescopeHolder: (any SpanContextHolder)? {
        get { self[TracescopeContextKey.self] }
        set { self[TracescopeContextKey.self] = newValue }
    }
}
