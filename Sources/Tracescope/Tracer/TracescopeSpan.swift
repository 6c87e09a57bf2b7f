import Instrumentation
import TraceModel
import Tracing

/// A span of the Tracescope tracer. An unsampled span is this struct with no recorder: it carries its context so
/// children and outgoing headers know the decision, and allocates nothing.
public struct TracescopeSpan: Tracing.Span {
    public let context: InstrumentationContext
    let recorder: SpanRecorder?

    public var operationName: String {
        get { recorder?.state.withLock { $0.name } ?? "" }
        nonmutating set { recorder?.state.withLock { $0.name = newValue } }
    }

    public func setStatus(_ status: SpanStatus) {
        recorder?.state.withLock { $0.status = status }
    }

    public func addEvent(_ event: SpanEvent) {
        recorder?.state.withLock { $0.events.append(event) }
    }

    public func recordError<Instant: TracerInstant>(
        _ error: Error, attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        guard let recorder else { return }
        let record = ExceptionRecord(type: String(reflecting: type(of: error)), message: String(describing: error))
        recorder.state.withLock { state in
            state.errors.append(record)
            // swift-format-ignore: ReplaceForEachWithForLoop
            // SpanAttributes is not a Sequence: forEach is its only iteration.
            attributes.forEach { key, value in state.attributes[key] = value }
        }
    }

    public var attributes: SpanAttributes {
        get { recorder?.state.withLock { $0.attributes } ?? [:] }
        nonmutating set { recorder?.state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { recorder?.isRecording ?? false }

    public func addLink(_ link: SpanLink) {
        // X-Ray documents have no links; the linked trace is kept as an event so it is not lost.
        guard let recorder, let linked = link.context.tracescopeSpanContext, let traceID = linked.traceID else {
            return
        }
        let name = "link " + traceID.xray + (linked.spanID.map { "/" + $0.hex } ?? "")
        recorder.state.withLock { $0.events.append(SpanEvent(name: name)) }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let recorder else { return }
        recorder.end(at: EpochNanos(clamping: instant().nanosecondsSinceEpoch))
    }
}
