import TraceModel

/// Decodes an OTLP `ExportTraceServiceRequest` in its JSON mapping (as the OpenTelemetry Collector's file exporter
/// writes it, one request per line) into spans.
///
/// Follows the OTLP JSON rules: ids are hex (base64 is accepted too, as older exporters wrote it), 64-bit integers may
/// be strings, enums may be numbers or names. Resource attributes are merged under span attributes, and the
/// resource's `service.name` becomes each span's node.
public enum OTLPJSONDecoder {
    /// Decodes one OTLP/JSON request body (what `/v1/traces` receives as `application/json`), appending its spans and
    /// returning the spans it had to leave out (no ids, no start time) — the request's `partial_success`. An empty
    /// request (`{}`) is valid and holds no spans; a body that is not one JSON object is rejected whole.
    @discardableResult
    ///
    /// `maxSpans` bounds what one request makes in memory, as in `OTLPProtobufDecoder`: the spans past it are
    /// skipped, not decoded, and rejected one failure each.
    public static func decodeRequest(
        _ bytes: UnsafeRawBufferPointer, into spans: inout [Span], maxSpans: Int = .max
    ) throws(DecodeFailure) -> [DecodeFailure] {
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        guard scanner.peekByte == UInt8(ascii: "{") else {
            throw DecodeFailure(.invalidJSON, "an OTLP request is a JSON object")
        }
        let first = spans.count
        var rejected: [DecodeFailure] = []
        do throws(DecodeFailure) {
            try decode(&scanner, into: &spans, rejected: &rejected, maxSpans: maxSpans)
        } catch {
            // Rejected whole: none of its spans stay.
            spans.removeSubrange(first...)
            throw error
        }
        scanner.skipWhitespace()
        guard scanner.isAtEnd else {
            spans.removeSubrange(first...)
            throw DecodeFailure(.invalidJSON, "unexpected bytes after the request at byte \(scanner.position)")
        }
        return rejected
    }

    /// Decodes the request at the scanner; spans that cannot be taken go to `rejected`, the rest are appended.
    static func decode(
        _ s: inout JSONScanner, into spans: inout [Span], rejected: inout [DecodeFailure], maxSpans: Int = .max
    ) throws(DecodeFailure) {
        let limit = SpanLimit(first: spans.count, maxSpans: maxSpans)
        do throws(JSONScanError) {
            try s.beginObject()
            while let key = try s.nextKey() {
                guard s.key(key, is: "resourceSpans") || s.key(key, is: "resource_spans"), !s.consumeNull() else {
                    try s.skipValue()
                    continue
                }
                try s.beginArray()
                while try s.nextElement() {
                    try decodeResourceSpans(&s, into: &spans, rejected: &rejected, limit: limit)
                }
            }
        } catch {
            throw DecodeFailure(error)
        }
    }

    private static func decodeResourceSpans(
        _ s: inout JSONScanner, into spans: inout [Span],
        rejected: inout [DecodeFailure], limit: SpanLimit
    ) throws(JSONScanError) {
        let first = spans.count
        var resource: [String: AttributeValue] = [:]
        try s.beginObject()
        while let key = try s.nextKey() {
            if s.key(key, is: "resource") {
                if s.consumeNull() { continue }
                try s.beginObject()
                while let k = try s.nextKey() {
                    if s.key(k, is: "attributes") { try readAttributes(&s, into: &resource) } else { try s.skipValue() }
                }
            } else if s.key(key, is: "scopeSpans") || s.key(key, is: "instrumentationLibrarySpans")
                || s.key(key, is: "scope_spans")
            {
                if s.consumeNull() { continue }
                try s.beginArray()
                while try s.nextElement() {
                    try s.beginObject()
                    while let k = try s.nextKey() {
                        guard s.key(k, is: "spans"), !s.consumeNull() else {
                            try s.skipValue()
                            continue
                        }
                        try s.beginArray()
                        while try s.nextElement() {
                            if spans.count - limit.first >= limit.maxSpans {
                                try s.skipValue()
                                rejected.append(limit.failure)
                            } else {
                                try decodeSpan(&s, into: &spans, rejected: &rejected)
                            }
                        }
                    }
                }
            } else {
                try s.skipValue()
            }
        }
        let service = resource["service.name"]?.description ?? "unknown_service"
        for i in first..<spans.count {
            spans[i].serviceName = service
            if !resource.isEmpty {
                spans[i].resource = resource
            }
        }
    }

    /// Appends the span, or why it cannot be taken to `rejected`; throws only when the JSON itself is broken.
    private static func decodeSpan(
        _ s: inout JSONScanner, into spans: inout [Span],
        rejected: inout [DecodeFailure]
    ) throws(JSONScanError) {
        var traceID: TraceID?
        var spanID: SpanID?
        var parentID: SpanID?
        var name = ""
        var kind = SpanKind.internal
        var start: Int64?
        var end: Int64?
        var attributes: [String: AttributeValue] = [:]
        var statusError = false
        var statusMessage: String?
        var exceptions: [ExceptionRecord] = []
        var problem: DecodeFailure?
        try s.beginObject()
        while let key = try s.nextKey() {
            if s.key(key, is: "traceId") || s.key(key, is: "trace_id") {
                let text = try s.readString()
                traceID = OTLPIDs.traceID(text)
                if traceID == nil {
                    problem =
                        problem
                        ?? DecodeFailure(
                            .invalidField, "traceId \"\(text.prefix(48))\" is not 16 bytes of hex or base64")
                }
            } else if s.key(key, is: "spanId") || s.key(key, is: "span_id") {
                let text = try s.readString()
                spanID = OTLPIDs.spanID(text)
                if spanID == nil {
                    problem =
                        problem
                        ?? DecodeFailure(.invalidField, "spanId \"\(text.prefix(32))\" is not 8 bytes of hex or base64")
                }
            } else if s.key(key, is: "parentSpanId") || s.key(key, is: "parent_span_id") {
                let text = try s.consumeNull() ? "" : s.readString()
                if !text.isEmpty {
                    parentID = OTLPIDs.spanID(text)
                    if parentID == nil {
                        problem =
                            problem
                            ?? DecodeFailure(
                                .invalidField, "parentSpanId \"\(text.prefix(32))\" is not 8 bytes of hex or base64")
                    }
                }
            } else if s.key(key, is: "name") {
                name = try s.readString()
            } else if s.key(key, is: "kind") {
                kind = mapKind(try s.readAttributeValue())
            } else if s.key(key, is: "startTimeUnixNano") || s.key(key, is: "start_time_unix_nano") {
                start = try readNanos(&s)
            } else if s.key(key, is: "endTimeUnixNano") || s.key(key, is: "end_time_unix_nano") {
                end = try readNanos(&s)
            } else if s.key(key, is: "attributes") {
                try readAttributes(&s, into: &attributes)
            } else if s.key(key, is: "status") {
                if s.consumeNull() { continue }
                try s.beginObject()
                while let k = try s.nextKey() {
                    if s.key(k, is: "code") {
                        let code = try s.readAttributeValue()
                        statusError = code?.intValue == 2 || code?.stringValue == "STATUS_CODE_ERROR"
                    } else if s.key(k, is: "message") {
                        statusMessage = try s.readAttributeValue()?.description
                    } else {
                        try s.skipValue()
                    }
                }
            } else if s.key(key, is: "events") {
                if s.consumeNull() { continue }
                try s.beginArray()
                while try s.nextElement() {
                    if let exception = try readExceptionEvent(&s) { exceptions.append(exception) }
                }
            } else {
                try s.skipValue()
            }
        }
        if let problem { return rejected.append(problem) }
        guard let traceID else {
            return rejected.append(DecodeFailure(.missingField, "span \"\(name.prefix(64))\" has no traceId"))
        }
        guard let spanID else {
            return rejected.append(DecodeFailure(.missingField, "span \"\(name.prefix(64))\" has no spanId"))
        }
        guard let start, start > 0 else {
            return rejected.append(DecodeFailure(.missingField, "span \(spanID.hex) has no startTimeUnixNano"))
        }
        let finished = end.map { $0 > 0 } ?? false
        spans.append(
            Span(
                traceID: traceID, id: spanID, parentID: parentID, name: name.isEmpty ? "(unnamed)" : name,
                source: .otlp,
                kind: kind, isSegment: kind.receivesRequests, start: start, end: finished ? end : nil,
                inProgress: !finished, statusError: statusError, statusMessage: statusMessage,
                http: OTLPSemantics.http(from: attributes),
                cause: exceptions.isEmpty ? nil : Cause(exceptions: exceptions), attributes: attributes
            ))
    }

    private static func mapKind(_ value: AttributeValue?) -> SpanKind {
        switch value {
        case .int(2)?, .string("SPAN_KIND_SERVER")?: .server
        case .int(3)?, .string("SPAN_KIND_CLIENT")?: .client
        case .int(4)?, .string("SPAN_KIND_PRODUCER")?: .producer
        case .int(5)?, .string("SPAN_KIND_CONSUMER")?: .consumer
        default: .internal
        }
    }

    /// 64-bit nanosecond times arrive as strings (proto3 JSON) or numbers.
    private static func readNanos(_ s: inout JSONScanner) throws(JSONScanError) -> Int64? {
        switch try s.readAttributeValue() {
        case .int(let v)?: v
        case .string(let text)?: Int64(text)
        case .double(let d)? where d >= 0 && d < 9.2e18: Int64(d)
        default: nil
        }
    }

    /// Reads `[{"key": k, "value": AnyValue}]`.
    static func readAttributes(_ s: inout JSONScanner, into out: inout [String: AttributeValue]) throws(JSONScanError) {
        if s.consumeNull() { return }
        try s.beginArray()
        while try s.nextElement() {
            var key: String?
            var value: AttributeValue?
            try s.beginObject()
            while let k = try s.nextKey() {
                if s.key(k, is: "key") {
                    key = try s.readString()
                } else if s.key(k, is: "value") {
                    value = try readAnyValue(&s, depth: 0)
                } else {
                    try s.skipValue()
                }
            }
            if let key, let value { out[key] = value }
        }
    }

    /// Reads an OTLP `AnyValue` (`{"stringValue": …}`, `{"intValue": "42"}`, `{"arrayValue": {"values": […]}}`, …).
    private static func readAnyValue(_ s: inout JSONScanner, depth: Int) throws(JSONScanError) -> AttributeValue? {
        if s.consumeNull() { return nil }
        guard depth < 8 else { return .string(try s.readRawValue()) }
        var result: AttributeValue?
        try s.beginObject()
        while let k = try s.nextKey() {
            if s.key(k, is: "stringValue") {
                result = .string(try s.readString())
            } else if s.key(k, is: "intValue") {
                result = (try s.readAttributeValue()?.intValue).map { .int($0) }
            } else if s.key(k, is: "doubleValue") {
                result = (try s.readAttributeValue()?.doubleValue).map { .double($0) }
            } else if s.key(k, is: "boolValue") {
                result = (try s.readAttributeValue()?.boolValue).map { .bool($0) }
            } else if s.key(k, is: "bytesValue") {
                result = .string(try s.readString())
            } else if s.key(k, is: "arrayValue") {
                var values: [AttributeValue] = []
                try s.beginObject()
                while let ak = try s.nextKey() {
                    guard s.key(ak, is: "values"), !s.consumeNull() else {
                        try s.skipValue()
                        continue
                    }
                    try s.beginArray()
                    while try s.nextElement() {
                        if let v = try readAnyValue(&s, depth: depth + 1) { values.append(v) }
                    }
                }
                result = .array(values)
            } else if s.key(k, is: "kvlistValue") {
                result = .string(try s.readRawValue())
            } else {
                try s.skipValue()
            }
        }
        return result
    }

    private static func readExceptionEvent(_ s: inout JSONScanner) throws(JSONScanError) -> ExceptionRecord? {
        var name = ""
        var attributes: [String: AttributeValue] = [:]
        try s.beginObject()
        while let k = try s.nextKey() {
            if s.key(k, is: "name") {
                name = try s.readString()
            } else if s.key(k, is: "attributes") {
                try readAttributes(&s, into: &attributes)
            } else {
                try s.skipValue()
            }
        }
        guard name == "exception" else { return nil }
        return OTLPSemantics.exception(from: attributes)
    }
}
