import TraceModel
import Tracing

/// A span that has ended, as exporters receive it: everything recorded, in plain values.
public struct FinishedSpan: Sendable {
    /// The trace.
    public var traceID: TraceID
    /// The span.
    public var spanID: SpanID
    /// The parent's id: in this process, or the caller's when the span continued a remote context.
    public var parentID: SpanID?
    /// Its name (`withSpan`'s first argument, or as renamed).
    public var operationName: String
    /// The kind it was started with (`withSpan(_:ofKind:)`).
    public var kind: Tracing.SpanKind
    /// The service that recorded it (the tracer's, or a `service.name` attribute for a span that is its own segment).
    public var serviceName: String
    /// True for the first span of a trace in this process (or one marked as a segment): an X-Ray segment.
    public var isSegment: Bool
    /// The X-Ray origin of a segment, e.g. `AWS::Lambda::Function`.
    public var origin: String?
    /// Start and end, in nanoseconds since the epoch.
    public var start: EpochNanos
    /// Never before `start`.
    public var end: EpochNanos
    /// The attributes set (`annotation.*`, `aws.*`, HTTP and peer keys shape the X-Ray output).
    public var attributes: [String: AttributeValue]
    /// True when the status was set to error.
    public var statusError: Bool
    /// The status's message, if any.
    public var statusMessage: String?
    /// Errors recorded with `recordError`, in order.
    public var exceptions: [ExceptionRecord]
    /// Events added, with their times.
    public var events: [(name: String, nanos: EpochNanos)]

    /// A finished span from plain values (for exporters' tests).
    public init(
        traceID: TraceID, spanID: SpanID, parentID: SpanID?, operationName: String, kind: Tracing.SpanKind,
        serviceName: String, isSegment: Bool, origin: String?, start: EpochNanos, end: EpochNanos,
        attributes: [String: AttributeValue] = [:], statusError: Bool = false, statusMessage: String? = nil,
        exceptions: [ExceptionRecord] = [], events: [(name: String, nanos: EpochNanos)] = []
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentID = parentID
        self.operationName = operationName
        self.kind = kind
        self.serviceName = serviceName
        self.isSegment = isSegment
        self.origin = origin
        self.start = start
        self.end = end
        self.attributes = attributes
        self.statusError = statusError
        self.statusMessage = statusMessage
        self.exceptions = exceptions
        self.events = events
    }

    /// `end - start`.
    public var durationNanos: Int64 { end - start }
}

extension SpanAttribute {
    /// The attribute as a model value (arrays of scalars included).
    var modelValue: AttributeValue? {
        switch self {
        case .int32(let v): return .int(Int64(v))
        case .int64(let v): return .int(v)
        case .double(let v): return .double(v)
        case .bool(let v): return .bool(v)
        case .string(let v): return .string(v)
        case .int32Array(let v): return .array(v.map { .int(Int64($0)) })
        case .int64Array(let v): return .array(v.map { .int($0) })
        case .doubleArray(let v): return .array(v.map { .double($0) })
        case .boolArray(let v): return .array(v.map { .bool($0) })
        case .stringArray(let v): return .array(v.map { .string($0) })
        case .stringConvertible(let v): return .string(v.description)
        case .stringConvertibleArray(let v): return .array(v.map { .string($0.description) })
        default: return nil
        }
    }
}
