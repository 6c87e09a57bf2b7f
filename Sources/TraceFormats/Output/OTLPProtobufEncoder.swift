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
        var groups: [Resource: [Int]] = [:]
        var order: [Resource] = []
        for (i, span) in spans.enumerated() where !span.inProgress && span.end != nil {
            let resource = Resource(of: span)
            if groups[resource] == nil { order.append(resource) }
            groups[resource, default: []].append(i)
        }
        var w = ProtobufWriter(capacity: 200 * spans.count)
        for resource in order {
            // ExportTraceServiceRequest.resource_spans = 1
            w.messageField(1) { rs in
                rs.messageField(1) { r in // ResourceSpans.resource
                    for (key, value) in resource.attributes { keyValue(1, key, value, &r) } // Resource.attributes
                }
                rs.messageField(2) { ss in // ResourceSpans.scope_spans
                    ss.messageField(1) { $0.stringField(1, scope) } // ScopeSpans.scope.name
                    for index in groups[resource] ?? [] { ss.messageField(2) { write(spans[index], &$0) } }
                }
            }
        }
        return w.bytes
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
        w.bytesField(1, idBytes(span.traceID))
        w.bytesField(2, idBytes(span.id))
        if let parent = span.parentID { w.bytesField(4, idBytes(parent)) }
        w.stringField(5, span.name)
        w.varintField(6, kindNumber(span))
        w.fixed64Field(7, UInt64(max(0, span.start)))
        w.fixed64Field(8, UInt64(max(0, span.end ?? span.start)))
        for (key, value) in attributes(of: span) { keyValue(9, key, value, &w) }
        for exception in span.cause?.exceptions ?? [] {
            w.messageField(11) { event in // Span.events
                event.fixed64Field(1, UInt64(max(0, span.end ?? span.start)))
                event.stringField(2, "exception")
                if let type = exception.type { keyValue(3, "exception.type", .string(type), &event) }
                if let message = exception.message { keyValue(3, "exception.message", .string(message), &event) }
            }
        }
        let fault = span.statusError || span.statusClass == .fault
        if fault {
            w.messageField(15) { status in // Span.status
                if let message = span.statusMessage ?? span.cause?.exceptions.first?.message {
                    status.stringField(2, message)
                }
                status.varintField(3, 2) // STATUS_CODE_ERROR
            }
        }
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

    private static func kindNumber(_ span: Span) -> UInt64 {
        if span.source == .xray { return span.isSegment ? 2 : span.isDownstreamCall ? 3 : 1 }
        switch span.kind {
        case .internal: return 1
        case .server: return 2
        case .client: return 3
        case .producer: return 4
        case .consumer: return 5
        }
    }

    private static func idBytes(_ id: TraceID) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        withUnsafeBytes(of: id.high.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: id.low.bigEndian) { out.append(contentsOf: $0) }
        return out
    }

    private static func idBytes(_ id: SpanID) -> [UInt8] {
        withUnsafeBytes(of: id.value.bigEndian) { Array($0) }
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
