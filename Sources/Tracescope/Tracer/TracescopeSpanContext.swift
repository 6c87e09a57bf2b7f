import Instrumentation
import TraceModel

/// What a span passes to its children and to the services it calls: trace, parent and sampling decision.
public struct TracescopeSpanContext: Sendable, Hashable {
    public enum Sampling: Sendable, Hashable {
        case sampled
        case notSampled
        /// The caller asked us to decide (`Sampled=?` in the X-Ray header).
        case deferred
    }

    /// Nil only for an unsampled trace that never needed an id (nothing recorded, nothing propagated yet).
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var sampling: Sampling
    /// True when this context came from another process (an extracted header), so a span started under it is the
    /// local root: an X-Ray segment.
    public var isRemote: Bool
    /// Header fields we do not interpret but must pass on (X-Ray `Lineage`, unknown keys; W3C `tracestate`).
    public var xrayExtra: String?
    public var traceState: String?
    /// Inside AWS Lambda the parent is the function's facade segment, which Lambda itself reports: spans under it are
    /// subsegments, never segments of their own.
    public var parentIsFacade: Bool = false

    public init(traceID: TraceID?, spanID: SpanID?, sampling: Sampling, isRemote: Bool, xrayExtra: String? = nil,
                traceState: String? = nil, parentIsFacade: Bool = false) {
        self.parentIsFacade = parentIsFacade
        self.traceID = traceID
        self.spanID = spanID
        self.sampling = sampling
        self.isRemote = isRemote
        self.xrayExtra = xrayExtra
        self.traceState = traceState
    }

    public var isSampled: Bool { sampling == .sampled }
}

/// The instrumentation-context key under which Tracescope keeps the current span's context.
public enum TracescopeContextKey: InstrumentationContextKey {
    public typealias Value = TracescopeSpanContext
    public static var nameOverride: String? { "tracescope-span-context" }
}

extension InstrumentationContext {
    /// The Tracescope span context, if any.
    public var tracescopeSpanContext: TracescopeSpanContext? {
        get { self[TracescopeContextKey.self] }
        set { self[TracescopeContextKey.self] = newValue }
    }
}
