import Instrumentation
import TraceModel
import Tracing

/// A span of the Tracescope tracer. An unsampled span is this struct with no recorder: it carries its context so
/// children and outgoing headers know the decision, and allocates nothing.
public struct TracescopeSpan: Tracing.Span {
    /// The context children and outgoing calls see: this span, or the unsampled decision.
    public let context: InstrumentationContext
    let recorder: SpanRecorder?

    init(context: InstrumentationContext, recorder: SpanRecorder?) {
        self.context = context
        self.recorder = recorder
    }

    /// An unsampled span: its context carries the decision, and it records nothing.
    @usableFromInline
    init(unsampled context: InstrumentationContext) {
        self.init(context: context, recorder: nil)
    }

    /// The span's name; settable until it ends.
    public var operationName: String {
        get { recorder?.name ?? "" }
        nonmutating set { recorder?.update { $0.name = newValue } }
    }

    /// Sets the status (`.error` makes an X-Ray fault unless an HTTP status says otherwise).
    public func setStatus(_ status: SpanStatus) {
        recorder?.update { $0.status = status }
    }

    /// Records an event at its time.
    public func addEvent(_ event: SpanEvent) {
        recorder?.update { $0.events.append(event) }
    }

    /// Records the error as an exception of the span, with `attributes` merged into the span's.
    public func recordError<Instant: TracerInstant>(
        _ error: Error, attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        guard let recorder else { return }
        let record = ExceptionRecord(type: String(reflecting: type(of: error)), message: String(describing: error))
        recorder.update { state in
            state.errors.append(record)
            // swift-format-ignore: ReplaceForEachWithForLoop
            // SpanAttributes is not a Sequence: forEach is its only iteration.
            attributes.forEach { key, value in state.attributes[key] = value }
        }
    }

    /// The span's attributes.
    public var attributes: SpanAttributes {
        get { recorder?.read { $0.attributes } ?? [:] }
        nonmutating set { recorder?.update { $0.attributes = newValue } }
    }

    /// True from start to end of a sampled span.
    public var isRecording: Bool { recorder?.isRecording ?? false }

    /// X-Ray has no links: the linked trace is kept as an event named `link <trace>/<span>`.
    public func addLink(_ link: SpanLink) {
        // X-Ray documents have no links; the linked trace is kept as an event so it is not lost.
        guard let recorder, let linked = link.context.tracescopeSpanContext, let traceID = linked.traceID else {
            return
        }
        let name = "link " + traceID.xray + (linked.spanID.map { "/" + $0.hex } ?? "")
        recorder.update { $0.events.append(SpanEvent(name: name)) }
    }

    /// Ends the span (a second end is ignored) and hands it to the export queue.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let recorder else { return }
        recorder.end(at: EpochNanos(clamping: instant().nanosecondsSinceEpoch))
    }
}
