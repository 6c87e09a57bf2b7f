import TraceModel
import Tracing

/// A span that has ended, as exporters receive it: everything recorded, in plain values.
public struct FinishedSpan: Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// The parent's id: in this process, or the caller's when the span continued a remote context.
    public var parentID: SpanID?
    public var operationName: String
    public var kind: TraceModel.SpanKind
    /// The service that recorded it (the tracer's, or a `service.name` attribute for a span that is its own segment).
    public var serviceName: String
    /// True for the first span of a trace in this process (or one marked as a segment): an X-Ray segment.
    public var isSegment: Bool
    /// The X-Ray origin of a segment, e.g. `AWS::Lambda::Function`.
    public var origin: String?
    public var start: EpochNanos
    public var end: EpochNanos
    public var attributes: [String: AttributeValue]
    public var statusError: Bool
    public var statusMessage: String?
    public var exceptions: [ExceptionRecord]
    public var events: [(name: String, nanos: EpochNanos)]

    public init(
        traceID: TraceID, spanID: SpanID, parentID: SpanID?, operationName: String, kind: TraceModel.SpanKind,
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
