import Instrumentation
import TraceModel
import Tracing

/// Tracescope's tracer for swift-distributed-tracing: sampling as X-Ray does it, `X-Amzn-Trace-Id` and W3C
/// propagation, and export off the caller's path. The first step is usually the one-line setup, which builds it:
///
/// ```swift
/// let tracing = try TracescopeTracing.bootstrap(serviceName: "checkout")
/// let tracer = tracing.tracer                                // or the global `withSpan`, which finds it
/// try await tracer.withSpan("charge card") { span in … }
/// tracing.shutdown()                                         // flushes everything accepted
/// ```
/// Built by hand, `TracescopeTracer(serviceName:exporter:)`, it is installed with `InstrumentationSystem.bootstrap`.
/// For the hot path, keep the tracer and call `tracer.withSpan` on it: the global `withSpan` looks the tracer up with
/// a dynamic cast on every call.
public final class TracescopeTracer: Tracing.Tracer, Sendable {
    /// The tracer's span type.
    public typealias Span = TracescopeSpan

    /// Finished spans held for export by default: at the fastest a caller can end spans here (about two million a
    /// second), 30 ms of them, many times what the export thread takes to send a batch.
    public static let defaultQueueCapacity = 65_536

    /// The service its spans belong to.
    public let serviceName: String
    /// The X-Ray origin of this service's segments, e.g. `AWS::EC2::Instance`; nil for none.
    public let origin: String?
    /// Decides new traces.
    public let sampler: any TracescopeSampler
    /// The sampler's answer when it never depends on the request, read once here rather than asked per span.
    private let fixedDecision: Bool?
    let ids: IDGenerator
    let pipeline: ExportPipeline
    private let owner: SpanRecorder.Owner
    private let clock: @Sendable () -> EpochNanos

    /// - Parameters:
    ///   - origin: the X-Ray origin of this service's segments, e.g. `AWS::EC2::Instance`; nil for none.
    ///   - exporter: where finished spans go (UDP to the X-Ray daemon, OTLP/HTTP, a JSON-lines file).
    ///   - sampler: decides for new traces; an upstream decision is always honoured. Default: X-Ray's 1/s + 5%.
    ///   - queueCapacity: finished spans held for export; beyond it spans are dropped and counted, never blocking.
    ///   - flushInterval: how often the background thread exports.
    public convenience init(
        serviceName: String, origin: String? = nil, exporter: any SpanExporter,
        sampler: any TracescopeSampler = LocalSampler(), queueCapacity: Int = TracescopeTracer.defaultQueueCapacity,
        flushInterval: Duration = .milliseconds(200)
    ) {
        self.init(
            serviceName: serviceName, origin: origin, exporter: exporter, sampler: sampler,
            queueCapacity: queueCapacity, flushInterval: flushInterval, clock: WallClock.now, ids: IDGenerator())
    }

    /// The same with the clock and the id generator chosen (for tests).
    init(
        serviceName: String, origin: String? = nil, exporter: any SpanExporter,
        sampler: any TracescopeSampler = LocalSampler(), queueCapacity: Int = TracescopeTracer.defaultQueueCapacity,
        flushInterval: Duration = .milliseconds(200), clock: @escaping @Sendable () -> EpochNanos,
        ids: IDGenerator = IDGenerator()
    ) {
        self.serviceName = serviceName
        self.origin = origin
        self.sampler = sampler
        fixedDecision = sampler.fixedDecision
        neverSamplesNewTraces = sampler.fixedDecision == false
        self.clock = clock
        self.ids = ids
        pipeline = ExportPipeline(
            exporter: exporter, capacity: queueCapacity, interval: flushInterval, serviceName: serviceName,
            origin: origin)
        owner = SpanRecorder.Owner(pipeline: pipeline, serviceName: serviceName, origin: origin)
    }

    // MARK: Tracer

    /// Starts a span under `context`'s: sampled spans record and export, unsampled ones only carry the decision.
    /// Prefer `withSpan`, which ends the span for you.
    @inlinable
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: Tracing.SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> TracescopeSpan {
        let context = context()
        // A new trace that is never sampled (`always_off`, or a sampler saying no for every request): inlined into
        // the caller, so an unsampled span costs next to what the API itself costs.
        if neverSamplesNewTraces, context.isEmpty { return TracescopeSpan(unsampled: sharedUnsampled) }
        return startSpan(operationName, in: context, ofKind: kind, at: instant)
    }

    /// Whether the sampler says no to every new trace (read once, see `fixedDecision`).
    @usableFromInline let neverSamplesNewTraces: Bool

    @usableFromInline
    func startSpan<Instant: TracerInstant>(
        _ operationName: String, in parentContext: InstrumentationContext, ofKind kind: Tracing.SpanKind,
        at instant: () -> Instant
    ) -> TracescopeSpan {
        var context = parentContext
        // A root span in an empty context (the common case) needs no look-ups at all.
        let empty = context.isEmpty
        let parent = empty ? nil : context.tracescopeSpanContext
        if let parent, parent.sampling == .notSampled {
            // Unsampled all the way down: the parent's context is reused as is, so nothing is allocated.
            return TracescopeSpan(context: context, recorder: nil)
        }
        let sampled: Bool
        if let parent, parent.sampling == .sampled {
            sampled = true
        } else if let fixed = fixedDecision {
            sampled = fixed
        } else {
            sampled = sampler.shouldSample(
                (empty ? nil : context.samplingHints) ?? SamplingRequest(serviceName: serviceName))
        }
        guard sampled else {
            if parent == nil {
                // A new unsampled trace: one shared context says so, with no id until a header needs one.
                return TracescopeSpan(
                    context: empty ? sharedUnsampled : Self.unsampledContext(from: context), recorder: nil)
            }
            var unsampled = parent
            unsampled?.sampling = .notSampled
            unsampled?.isRemote = false
            context.tracescopeSpanContext = unsampled
            return TracescopeSpan(context: context, recorder: nil)
        }
        let start = EpochNanos(clamping: instant().nanosecondsSinceEpoch)
        let traceID: TraceID
        let spanID: SpanID
        if let parentTrace = parent?.traceID {
            (traceID, spanID) = (parentTrace, ids.spanID())
        } else {
            (traceID, spanID) = ids.traceAndSpanID(epochSeconds: UInt64(max(0, start / 1_000_000_000)))
        }
        let recorder = SpanRecorder(
            name: operationName, traceID: traceID, spanID: spanID, parentID: parent?.spanID, kind: kind,
            isLocalRoot: parent == nil || (parent?.isRemote == true && parent?.parentIsFacade == false), start: start,
            owner: owner,
            passedOn: parent.flatMap { SpanRecorder.PassedOn(xrayExtra: $0.xrayExtra, traceState: $0.traceState) }
        )
        // The recorder is the children's context: no second allocation for it.
        context.tracescopeHolder = recorder
        return TracescopeSpan(context: context, recorder: recorder)
    }

    private static let unsampledMarker = PlainSpanContext(
        TracescopeSpanContext(traceID: nil, spanID: nil, sampling: .notSampled, isRemote: false))

    private static func unsampledContext(from context: InstrumentationContext) -> InstrumentationContext {
        var copy = context
        copy.tracescopeHolder = unsampledMarker
        return copy
    }

    /// The context of every new unsampled trace (built once per tracer, so no lazy-global check per span).
    @usableFromInline let sharedUnsampled: InstrumentationContext = {
        var context = InstrumentationContext.topLevel
        context.tracescopeHolder = TracescopeTracer.unsampledMarker
        return context
    }()

    /// Blocks until every span ended so far has been exported.
    public func forceFlush() {
        pipeline.flush()
    }

    /// Exports everything accepted so far and stops the background thread; later spans are dropped and counted.
    public func shutdown() {
        pipeline.shutdown()
    }

    /// What the export pipeline has done: spans exported, dropped for a full queue, and failed exports.
    public var exportStats: ExportStats { pipeline.stats }

    // MARK: Propagation

    /// Writes `X-Amzn-Trace-Id` and, for a span, W3C `traceparent` (and `tracestate`) into `carrier`.
    public func inject<Carrier, Inject>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    )
    where Inject: Injector, Carrier == Inject.Carrier {
        guard var spanContext = context.tracescopeSpanContext else { return }
        // An unsampled trace gets its id when it first crosses a process boundary.
        let traceID = spanContext.traceID ?? ids.traceID(epochSeconds: UInt64(max(0, clock() / 1_000_000_000)))
        spanContext.traceID = traceID
        let header = XRayTraceHeader(
            root: traceID, parent: spanContext.spanID, sampling: spanContext.sampling,
            extra: spanContext.xrayExtra)
        injector.inject(header.value, forKey: XRayTraceHeader.name, into: &carrier)
        if let parent = spanContext.spanID {
            injector.inject(
                W3CTraceParent(traceID: traceID, parentID: parent, sampled: spanContext.isSampled).value,
                forKey: W3CTraceParent.name, into: &carrier)
            if let state = spanContext.traceState {
                injector.inject(state, forKey: W3CTraceParent.stateName, into: &carrier)
            }
        }
    }

    /// Reads `X-Amzn-Trace-Id`, else `traceparent`, from `carrier` into `context`.
    public func extract<Carrier, Extract>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    )
    where Extract: Extractor, Carrier == Extract.Carrier {
        if let value = extractor.extract(key: XRayTraceHeader.name, from: carrier)
            ?? extractor.extract(key: XRayTraceHeader.name.lowercased(), from: carrier),
            let header = XRayTraceHeader(parsing: value)
        {
            context.tracescopeSpanContext = TracescopeSpanContext(
                traceID: header.root, spanID: header.parent, sampling: header.sampling, isRemote: true,
                xrayExtra: header.extra)
            return
        }
        if let value = extractor.extract(key: W3CTraceParent.name, from: carrier),
            let parent = W3CTraceParent(parsing: value)
        {
            context.tracescopeSpanContext = TracescopeSpanContext(
                traceID: parent.traceID, spanID: parent.parentID, sampling: parent.sampled ? .sampled : .notSampled,
                isRemote: true, traceState: extractor.extract(key: W3CTraceParent.stateName, from: carrier))
        }
    }
}

/// Request details for the sampler, carried in the context so HTTP instrumentation can pass them to `startSpan`.
public enum SamplingHintsKey: InstrumentationContextKey {
    /// The request details.
    public typealias Value = SamplingRequest
}

extension InstrumentationContext {
    /// Request details for the sampler of the next new trace (set by `handle(_:)`, or by your own HTTP
    /// instrumentation before `withSpan`).
    public var samplingHints: SamplingRequest? {
        get { self[SamplingHintsKey.self] }
        set { self[SamplingHintsKey.self] = newValue }
    }
}
