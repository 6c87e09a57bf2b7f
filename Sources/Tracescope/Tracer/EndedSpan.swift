import TraceModel
import Tracing

/// What ending a span hands to the export pipeline: the span in plain values when it recorded nothing but its name
/// (most spans), so its recorder is freed by the thread that made it — not by the export thread, which would send
/// the recorder's memory and reference count across cores for every span. A span that recorded attributes, events,
/// a status or errors is passed by its recorder, read under the recorder's lock on the export thread.
struct EndedSpan: Sendable {
    let traceID: TraceID
    let spanID: SpanID
    let parentID: SpanID?
    let kind: Tracing.SpanKind
    let isLocalRoot: Bool
    let start: EpochNanos
    let end: EpochNanos
    let name: String
    /// Set only for a span that recorded more than its name.
    let recorder: SpanRecorder?

    /// The finished span an exporter sees; `serviceName` and `origin` are the tracer's.
    func finished(serviceName: String, origin: String?) -> FinishedSpan {
        if let recorder { return recorder.finished() }
        return FinishedSpan(
            traceID: traceID, spanID: spanID, parentID: parentID, operationName: name, kind: kind,
            serviceName: serviceName, isSegment: isLocalRoot, origin: isLocalRoot ? origin : nil, start: start,
            end: end)
    }
}
