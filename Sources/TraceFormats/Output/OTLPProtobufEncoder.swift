import TraceModel

/// Writes spans as an OTLP `ExportTraceServiceRequest` in protobuf, grouped into one `ResourceSpans` per resource,
/// for forwarding to OTLP backends (docs/SEMANTICS.md, "X-Ray as OTLP").
///
/// OTLP spans keep their own resource, attributes, kind and name. X-Ray spans are mapped so that an OTLP backend
/// shows the same services and calls, and so that Tracescope writing them back as X-Ray gives the same documents'
/// graph: the resource's `service.name` is the span's node (a segment's name, a subsegment's segment); a segment is
/// a SERVER span, a call a CLIENT span (`aws.service` names an AWS call, `peer.service` a remote one, `db.system` a
/// SQL one), anything else INTERNAL; the origin travels as `aws.xray.origin`, annotations as `annotation.*`, the
/// `aws` block as `aws.*`, HTTP as the semantic conventions' keys; a fault is status ERROR; exceptions become
/// `exception` events. Spans still in progress are not written (their complete document follows).
public enum OTLPProtobufEncoder {
    public static func request(_ spans: [Span], scope: String = "tracescope") -> [UInt8] {
        // Spans are read in place through the buffer: copying one costs a retain and release of each of its fields.
        spans.withUnsafeBufferPointer { spans in
            // One group per resource, in order of first appearance. Neighbours usually share a resource (a
            // tracer's batch has one): then it is neither rebuilt nor looked up again.
            var groups: [(resource: Resource, spans: [Int])] = []
            var groupOf: [Resource: Int] = [:]
            var previous: (index: Int, group: Int)?
            for i in spans.indices where !spans[i].inProgress && spans[i].end != nil {
                let group: Int
                if let previous, Resource.same(spans[previous.index], spans[i]) {
                    group = previous.group
                } else {
                    let resource = Resource(of: spans[i])
                    if let known = groupOf[resource] {
                        group = known
                    } else {
                        group = groups.count
                        groups.append((resource, []))
                        groupOf[resource] = group
                    }
                    previous = (i, group)
                }
                groups[group].spans.append(i)
            }
            var w = ProtobufWriter(capacity: 96 * spans.count)
            for (resource, members) in groups {
                writeResourceSpans(resource: resource.attributes, scope: scope, into: &w) { ss in
                    for index in members { write(spans[index], &ss) }
                }
            }
            return w.bytes
        }
    }

    /// One `ResourceSpans` of an `ExportTraceServiceRequest`: the resource, one scope, and the spans `spans` writes
    /// with `writeSpan`. With `writeSpan`, the one place the wire layout is written — for the model's spans here,
    /// and for spans held in another shape (the tracing library's finished spans).
    public static func writeResourceSpans(
        resource: [(String, AttributeValue)], scope: String, into w: inout ProtobufWriter,
        spans: (inout ProtobufWriter) -> Void
    ) {
        // ExportTraceServiceRequest.resource_spans = 1
        w.messageField(1) { rs in
            rs.messageField(1) { r in // ResourceSpans.resource
                for (key, value) in resource { keyValue(1, key, value, &r) } // Resource.attributes
            }
            rs.messageField(2) { ss in // ResourceSpans.scope_spans
                ss.messageField(1) { $0.stringField(1, scope) } // ScopeSpans.scope.name
                spans(&ss)
            }
        }
    }

    /// One span (`ScopeSpans.spans`) from plain values. Exceptions become `exception` events at the span's end;
    /// `error` makes the status ERROR, with `statusMessage` or the first exception's message.
    public static func writeSpan(
        traceID: TraceID, spanID: SpanID, parentID: SpanID?, name: String, kind: SpanKind, start: EpochNanos,
        end: EpochNanos, attributes: [(String, AttributeValue)], events: [(name: String, nanos: EpochNanos)] = [],
        exceptions: [ExceptionRecord] = [], error: Bool, statusMessage: String?, into w: inout ProtobufWriter
    ) {
        w.messageField(2) { w in
            w.idField(1, high: traceID.high, low: traceID.low)
            w.idField(2, low: spanID.value)
            if let parentID { w.idField(4, low: parentID.value) }
            w.stringField(5, name)
            w.varintField(6, kindNumber(kind))
            w.fixed64Field(7, UInt64(max(0, start)))
            w.fixed64Field(8, UInt64(max(0, end)))
            for (key, value) in attributes { keyValue(9, key, value, &w) }
            for event in events {
                w.messageField(11) { e in // Span.events
                    e.fixed64Field(1, UInt64(max(0, event.nanos)))
                    e.stringField(2, event.name)
                }
            }
            for exception in exceptions {
                w.messageField(11) { event in
                    event.fixed64Field(1, UInt64(max(0, end)))
                    event.stringField(2, "exception")
                    if let type = exception.type { keyValue(3, "exception.type", .string(type), &event) }
                    if let message = exception.message { keyValue(3, "exception.message", .string(message), &event) }
                }
            }
            if error {
                w.messageField(15) { status in // Span.status
                    if let message = statusMessage ?? exceptions.first?.message { status.stringField(2, message) }
                    status.varintField(3, 2) // STATUS_CODE_ERROR
                }
            }
        }
    }

    /// A span's resource: an OTLP span's own, or for an X-Ray span the node it belongs to.
    struct Resource: Hashable {
        var attributes: [(String, AttributeValue)]

        init(of span: Span) {
            switch span.source {
            case .otlp:
                var resource = span.resource
                if resource["service.name"] == nil, let service = span.serviceName {
                    resource["service.name"] = .string(service)
                }
                attributes = resource.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            case .xray:
                let service = span.isSegment ? span.name : span.serviceName ?? "unknown_service"
                attributes = [("service.name", .string(service))]
            }
        }

        /// True when two spans certainly have the same resource, found without building it.
        static func same(_ a: Span, _ b: Span) -> Bool {
            guard a.source == b.source else { return false }
            switch a.source {
            case .otlp: return a.serviceName == b.serviceName && a.resource == b.resource
            case .xray:
                return a.isSegment == b.isSegment && (a.isSegment ? a.name == b.name : a.serviceName == b.serviceName)
            }
        }

        static func == (a: Resource, b: Resource) -> Bool {
            a.attributes.elementsEqual(b.attributes) { $0.0 == $1.0 && $0.1 == $1.1 }
        }

        func hash(into hasher: inout Hasher) {
            for (key, value) in attributes {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    private static func write(_ span: Span, _ w: inout ProtobufWriter) {
        writeSpan(
            traceID: span.traceID, spanID: span.id, parentID: span.parentID, name: span.name, kind: otlpKind(span),
            start: span.start, end: span.end ?? span.start, attributes: attributes(of: span),
            exceptions: span.cause?.exceptions ?? [], error: span.statusError || span.statusClass == .fault,
            statusMessage: span.statusMessage, into: &w)
    }

    /// The span's attributes: an OTLP span's own; an X-Ray span's mapped as the type comment says.
    static func attributes(of span: Span) -> [(String, AttributeValue)] {
        guard span.source == .xray else { return span.attributeList.map { ($0.key, $0.value) } }
        var out: [(String, AttributeValue)] = []
        if let origin = span.origin { out.append((XRayNaming.originKey, .string(origin))) }
        if span.isDownstreamCall {
            if span.namespace == "aws" {
                out.append((XRayNaming.awsServiceKey, .string(span.name)))
            } else {
                out.append(("peer.service", .string(span.name)))
            }
            if !span.sql.isEmpty {
                out.append(("db.system", span.sql["database_type"] ?? .string("sql")))
            }
        }
        if let http = span.http {
            if let method = http.method { out.append(("http.request.method", .string(method))) }
            if let url = http.url { out.append(("url.full", .string(url))) }
            if let status = http.status { out.append(("http.response.status_code", .int(Int64(status)))) }
            if let ip = http.clientIP { out.append(("client.address", .string(ip))) }
            if let agent = http.userAgent { out.append(("user_agent.original", .string(agent))) }
        }
        for (key, value) in span.aws.sorted(by: { $0.key < $1.key }) { out.append(("aws." + key, value)) }
        for (key, value) in span.annotations.sorted(by: { $0.key < $1.key }) {
            out.append(("annotation." + key, value))
        }
        return out
    }

    /// An X-Ray span's OTLP kind: a segment serves, a call is a client, anything else internal.
    private static func otlpKind(_ span: Span) -> SpanKind {
        guard span.source == .xray else { return span.kind }
        return span.isSegment ? .server : span.isDownstreamCall ? .client : .internal
    }

    private static func kindNumber(_ kind: SpanKind) -> UInt64 {
        switch kind {
        case .internal: return 1
        case .server: return 2
        case .client: return 3
        case .producer: return 4
        case .consumer: return 5
        }
    }

    /// `KeyValue { key = 1; AnyValue value = 2; }` as field `field` of the enclosing message.
    private static func keyValue(_ field: UInt32, _ key: String, _ value: AttributeValue, _ w: inout ProtobufWriter) {
        w.messageField(field) { kv in
            kv.stringField(1, key)
            kv.messageField(2) { anyValue(value, &$0) }
        }
    }

    private static func anyValue(_ value: AttributeValue, _ w: inout ProtobufWriter) {
        switch value {
        case .string(let s): w.stringField(1, s)
        case .bool(let b): w.varintField(2, b ? 1 : 0)
        case .int(let i): w.varintField(3, UInt64(bitPattern: i))
        case .double(let d): w.fixed64Field(4, d.bitPattern)
        case .array(let values):
            w.messageField(5) { array in
                for v in values { array.messageField(1) { anyValue(v, &$0) } }
            }
        }
    }
}
