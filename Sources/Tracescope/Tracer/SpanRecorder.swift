import Synchronization
import TraceModel
import Tracing

/// The recording side of a sampled span. Spans may be touched from several tasks, so its mutable state sits behind
/// a mutex; once ended it is immutable and handed to the export pipeline.
final class SpanRecorder: SpanContextHolder {
    struct State {
        var name: String
        var attributes = SpanAttributes()
        var events: [SpanEvent] = []
        var status: SpanStatus?
        var errors: [ExceptionRecord] = []
        var end: EpochNanos?
    }

    let traceID: TraceID
    let spanID: SpanID
    let parentID: SpanID?
    let kind: Tracing.SpanKind
    let isLocalRoot: Bool
    let start: EpochNanos
    let pipeline: ExportPipeline
    let defaultService: String
    let defaultOrigin: String?
    /// Header fields passed through to children and outgoing calls (see `TracescopeSpanContext`).
    let xrayExtra: String?
    let traceState: String?
    let state: Mutex<State>

    init(
        name: String, traceID: TraceID, spanID: SpanID, parentID: SpanID?, kind: Tracing.SpanKind, isLocalRoot: Bool,
        start: EpochNanos, pipeline: ExportPipeline, defaultService: String, defaultOrigin: String?,
        xrayExtra: String? = nil, traceState: String? = nil
    ) {
        self.xrayExtra = xrayExtra
        self.traceState = traceState
        self.traceID = traceID
        self.spanID = spanID
        self.parentID = parentID
        self.kind = kind
        self.isLocalRoot = isLocalRoot
        self.start = start
        self.pipeline = pipeline
        self.defaultService = defaultService
        self.defaultOrigin = defaultOrigin
        state = Mutex(State(name: name))
    }

    func end(at nanos: EpochNanos) {
        let first = state.withLock { s -> Bool in
            guard s.end == nil else { return false }
            s.end = max(nanos, start)
            return true
        }
        // Ending twice is a programming error the API allows; the second end is ignored rather than exported twice.
        if first { pipeline.enqueue(self) }
    }

    var isRecording: Bool { state.withLock { $0.end == nil } }

    /// The context children see: this span, sampled, local.
    var spanContext: TracescopeSpanContext {
        TracescopeSpanContext(
            traceID: traceID, spanID: spanID, sampling: .sampled, isRemote: false, xrayExtra: xrayExtra,
            traceState: traceState)
    }

    /// The finished span in plain values (called on the export thread).
    func finished() -> FinishedSpan {
        state.withLock { s in
            // Most spans carry no attributes: then no dictionary is built or searched.
            var attributes: [String: AttributeValue] = [:]
            var origin: String?
            var service = defaultService
            if !s.attributes.isEmpty {
                // swift-format-ignore: ReplaceForEachWithForLoop
                // SpanAttributes is not a Sequence: forEach is its only iteration.
                s.attributes.forEach { key, value in
                    if let v = value.modelValue { attributes[key] = v }
                }
                origin = attributes[XRayAttribute.origin]?.stringValue
                service = attributes[XRayAttribute.serviceName]?.stringValue ?? defaultService
            }
            let isSegment = isLocalRoot || origin != nil
            return FinishedSpan(
                traceID: traceID, spanID: spanID, parentID: parentID, operationName: s.name, kind: kind.model,
                serviceName: service, isSegment: isSegment, origin: origin ?? (isSegment ? defaultOrigin : nil),
                start: start, end: s.end ?? start, attributes: attributes,
                statusError: s.status?.code == .error, statusMessage: s.status?.message, exceptions: s.errors,
                events: s.events.map { ($0.name, EpochNanos(clamping: $0.nanosecondsSinceEpoch)) }
            )
        }
    }
}

extension Tracing.SpanKind {
    var model: TraceModel.SpanKind {
        switch self {
        case .server: .server
        case .client: .client
        case .producer: .producer
        case .consumer: .consumer
        case .internal: .internal
        }
    }
}
