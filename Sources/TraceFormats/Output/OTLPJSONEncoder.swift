import TraceModel

/// Writes spans as an OTLP `ExportTraceServiceRequest` in the OTLP/JSON mapping (hex ids, string 64-bit integers,
/// numeric enums), grouped into one resource per service. Spans are read with OTLP meaning: `name` is the operation,
/// `kind` the span kind, `attributes` the span attributes, `cause` becomes `exception` events.
public enum OTLPJSONEncoder {
    public static func request(
        _ spans: [Span], resourceAttributes: [String: AttributeValue] = [:],
        scope: String = "tracescope"
    ) -> String {
        var byService: [String: [Span]] = [:]
        var order: [String] = []
        for span in spans {
            let service = span.serviceName ?? "unknown_service"
            if byService[service] == nil { order.append(service) }
            byService[service, default: []].append(span)
        }
        var w = JSONWriter(capacity: 256 * spans.count)
        w.beginObject()
        w.key("resourceSpans")
        w.beginArray()
        for service in order {
            w.beginObject()
            w.key("resource")
            w.beginObject()
            w.key("attributes")
            w.beginArray()
            var resource = resourceAttributes
            resource["service.name"] = .string(service)
            for key in resource.keys.sorted() { if let v = resource[key] { keyValue(key, v, &w) } }
            w.endArray()
            w.endObject()
            w.key("scopeSpans")
            w.beginArray()
            w.beginObject()
            w.key("scope")
            w.beginObject()
            w.key("name")
            w.string(scope)
            w.endObject()
            w.key("spans")
            w.beginArray()
            for span in byService[service] ?? [] { write(span, &w) }
            w.endArray()
            w.endObject()
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.text
    }

    private static func write(_ span: Span, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("traceId")
        w.string(span.traceID.hex)
        w.key("spanId")
        w.string(span.id.hex)
        if let parent = span.parentID {
            w.key("parentSpanId")
            w.string(parent.hex)
        }
        w.key("name")
        w.string(span.name)
        w.key("kind")
        w.int(kindNumber(span.kind))
        w.key("startTimeUnixNano")
        w.string(String(span.start))
        w.key("endTimeUnixNano")
        w.string(String(span.end ?? span.start))
        w.key("attributes")
        w.beginArray()
        for key in span.attributes.keys.sorted() { if let v = span.attributes[key] { keyValue(key, v, &w) } }
        w.endArray()
        if let exceptions = span.cause?.exceptions, !exceptions.isEmpty {
            w.key("events")
            w.beginArray()
            for e in exceptions {
                w.beginObject()
                w.key("timeUnixNano")
                w.string(String(span.end ?? span.start))
                w.key("name")
                w.string("exception")
                w.key("attributes")
                w.beginArray()
                if let type = e.type { keyValue("exception.type", .string(type), &w) }
                if let message = e.message { keyValue("exception.message", .string(message), &w) }
                w.endArray()
                w.endObject()
            }
            w.endArray()
        }
        w.key("status")
        w.beginObject()
        let cls = span.statusClass
        if span.statusError || cls == .fault {
            w.key("code")
            w.int(2)
            if let message = span.statusMessage ?? span.cause?.exceptions.first?.message {
                w.key("message")
                w.string(message)
            }
        }
        w.endObject()
        w.endObject()
    }

    private static func kindNumber(_ kind: SpanKind) -> Int {
        switch kind {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }

    private static func keyValue(_ key: String, _ value: AttributeValue, _ w: inout JSONWriter) {
        w.beginObject()
        w.key("key")
        w.string(key)
        w.key("value")
        anyValue(value, &w)
        w.endObject()
    }

    private static func anyValue(_ value: AttributeValue, _ w: inout JSONWriter) {
        w.beginObject()
        switch value {
        case .string(let s):
            w.key("stringValue")
            w.string(s)
        case .int(let i):
            w.key("intValue")
            w.string(String(i))
        case .double(let d):
            w.key("doubleValue")
            w.double(d)
        case .bool(let b):
            w.key("boolValue")
            w.bool(b)
        case .array(let values):
            w.key("arrayValue")
            w.beginObject()
            w.key("values")
            w.beginArray()
            for v in values { anyValue(v, &w) }
            w.endArray()
            w.endObject()
        }
        w.endObject()
    }
}
