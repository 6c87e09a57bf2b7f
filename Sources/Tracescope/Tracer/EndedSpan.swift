import TraceModel
import Tracing

/// What a span is from its start: ids, kind, whether it is its process's root, and its start time. The recorder
/// holds it while the span runs; the ended span carries it to the export thread.
struct StartedSpan: Sendable {
    let traceID: TraceID
    let spanID: SpanID
    let parentID: SpanID?
    let kind: Tracing.SpanKind
    let isLocalRoot: Bool
    let start: EpochNanos
}

/// What ending a span hands to the export pipeline: the span in plain values when it recorded nothing but its name
/// (most spans), so its recorder is freed by the thread that made it — not by the export thread, which would send
/// the recorder's memory and reference count across cores for every span. A span that recorded attributes, events,
/// a status or errors is passed by its recorder, read under the recorder's lock on the export thread.
struct EndedSpan: Sendable {
    let started: StartedSpan
    let end: EpochNanos
    let name: String
    /// Set only for a span that recorded more than its name.
    let recorder: SpanRecorder?

    /// The finished span an exporter sees; `serviceName` and `origin` are the tracer's.
    func finished(serviceName: String, origin: String?) -> FinishedSpan {
        if let recorder { return recorder.finished() }
        let s = started
        return FinishedSpan(
            traceID: s.traceID, spanID: s.spanID, parentID: s.parentID, operationName: name, kind: s.kind,
            serviceName: serviceName, isSegment: s.isLocalRoot, origin: s.isLocalRoot ? origin : nil, start: s.start,
            end: end)
    }
}
