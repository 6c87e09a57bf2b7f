import TraceModel

/// Decodes X-Ray segment documents (segments, embedded and independent subsegments) into flat `Span`s.
///
/// Lenient as real SDKs require: unknown fields are skipped, `content_length` and `status` may be strings, times may be
/// `1.48E9` or ISO-8601 strings, `cause` may be an object or a 16-character exception id. Strict where the data would
/// be meaningless without it: a document needs a valid `trace_id` (inherited by embedded subsegments), `id` and
/// `start_time`.
public enum XRayDocumentDecoder {
    /// Subsegment nesting beyond this is rejected (real SDKs nest a few levels; hostile input nests thousands).
    static let maxNesting = 64

    /// Decodes one document and appends its spans (the document first, then its subsegments depth-first).
    public static func decode(_ bytes: UnsafeRawBufferPointer, into spans: inout [Span]) throws(DecodeFailure) {
        var scanner = JSONScanner(bytes)
        try decode(&scanner, into: &spans)
        scanner.skipWhitespace()
        if !scanner.isAtEnd {
            throw DecodeFailure(.invalidJSON, "unexpected data after the document at byte \(scanner.position)")
        }
    }

    /// Convenience for tests and small inputs.
    public static func decode(_ text: String) throws(DecodeFailure) -> [Span] {
        var spans: [Span] = []
        try decode(text, into: &spans)
        return spans
    }

    /// Decodes a document held in a string (as `batch-get-traces` output carries them), appending its spans.
    public static func decode(_ text: String, into spans: inout [Span]) throws(DecodeFailure) {
        var copy = text
        let result: Result<Void, DecodeFailure> = copy.withUTF8 { buffer in
            do throws(DecodeFailure) {
                try decode(UnsafeRawBufferPointer(buffer), into: &spans)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Decodes the document at the scanner's position.
    static func decode(_ scanner: inout JSONScanner, into spans: inout [Span]) throws(DecodeFailure) {
        let first = spans.count
        do throws(DecodeFailure) {
            try decodeObject(&scanner, depth: 0, into: &spans)
        } catch {
            spans.removeSubrange(first...)
            throw error
        }
        let top = spans[first]
        guard top.traceID.isValid else {
            spans.removeSubrange(first...)
            throw DecodeFailure(.missingField, "document has no trace_id")
        }
        let isSegment = top.isSegment
        for i in (first + 1)..<spans.count {
            spans[i].traceID = top.traceID
            if isSegment {
                spans[i].serviceName = top.name
                spans[i].segmentID = top.id
            }
        }
    }

    /// Decodes one segment or subsegment object; appends it, then its descendants. Returns its index.
    @discardableResult
    private static func decodeObject(_ s: inout JSONScanner, depth: Int, into spans: inout [Span]) throws(DecodeFailure)
        -> Int
    {
        guard depth <= maxNesting else {
            throw DecodeFailure(.invalidField, "subsegments nested deeper than \(maxNesting) levels")
        }
        do throws(JSONScanError) {
            return try decodeFields(&s, depth: depth, into: &spans)
        } catch {
            throw DecodeFailure(error)
        }
    }

    private static func decodeFields(_ s: inout JSONScanner, depth: Int, into spans: inout [Span]) throws(JSONScanError)
        -> Int
    {
        let index = spans.count
        spans.append(Span(traceID: TraceID(high: 0, low: 0), id: SpanID(0), name: "", start: 0, end: nil))
        var traceID: TraceID?
        var id: SpanID?
        var parentID: SpanID?
        var name: String?
        var start: EpochNanos?
        var end: EpochNanos?
        var inProgress = false
        var isSubsegment = depth > 0
        var origin: String?
        var namespace: String?
        var errorFlag = false
        var throttleFlag = false
        var faultFlag = false
        var http: HTTPInfo?
        var aws: [String: AttributeValue] = [:]
        var sql: [String: AttributeValue] = [:]
        var annotations: [String: AttributeValue] = [:]
        var metadata: String?
        var cause: Cause?
        var inferred = false
        var children: [Int] = []
        var problem: DecodeFailure?

        try s.beginObject()
        while let key = try s.nextKey() {
            switch key.count {
            case 2 where s.key(key, is: "id"):
                id = try readSpanID(&s, field: "id", problem: &problem)
            case 4 where s.key(key, is: "name"):
                name = try s.readString()
            case 4 where s.key(key, is: "type"):
                isSubsegment = try s.readString() == "subsegment" || depth > 0
            case 4 where s.key(key, is: "http"):
                http = try readHTTP(&s)
            case 3 where s.key(key, is: "aws"):
                try readFlattened(&s, prefix: "", into: &aws, depth: 0)
            case 3 where s.key(key, is: "sql"):
                try readFlattened(&s, prefix: "", into: &sql, depth: 0)
            case 5 where s.key(key, is: "error"):
                errorFlag = try readFlag(&s)
            case 5 where s.key(key, is: "fault"):
                faultFlag = try readFlag(&s)
            case 5 where s.key(key, is: "cause"):
                cause = try readCause(&s)
            case 6 where s.key(key, is: "origin"):
                origin = try readOptionalString(&s)
            case 8 where s.key(key, is: "trace_id"):
                let (range, _) = try s.readStringRange()
                traceID = TraceID(anyBytes: s.slice(range))
                if traceID == nil {
                    problem =
                        problem
                        ?? DecodeFailure(.invalidField, "trace_id \(quoted(s, range)) is not an X-Ray or W3C trace id")
                }
            case 8 where s.key(key, is: "end_time"):
                end = try readTime(&s, field: "end_time", problem: &problem)
            case 8 where s.key(key, is: "throttle"):
                throttleFlag = try readFlag(&s)
            case 8 where s.key(key, is: "metadata"):
                metadata = try s.readRawValue()
            case 8 where s.key(key, is: "inferred"):
                inferred = try readFlag(&s)
            case 9 where s.key(key, is: "parent_id"):
                if !s.consumeNull() { parentID = try readSpanID(&s, field: "parent_id", problem: &problem) }
            case 9 where s.key(key, is: "namespace"):
                namespace = try readOptionalString(&s)
            case 10 where s.key(key, is: "start_time"):
                start = try readTime(&s, field: "start_time", problem: &problem)
            case 11 where s.key(key, is: "in_progress"):
                inProgress = try readFlag(&s)
            case 11 where s.key(key, is: "annotations"):
                try readAnnotations(&s, into: &annotations)
            case 11 where s.key(key, is: "subsegments"):
                if s.consumeNull() { break }
                try s.beginArray()
                while try s.nextElement() {
                    do throws(DecodeFailure) {
                        children.append(try decodeObject(&s, depth: depth + 1, into: &spans))
                    } catch {
                        // A bad subsegment rejects the document; the first problem found is the one reported.
                        throw JSONScanError.wrapping(error)
                    }
                }
            default:
                try s.skipValue()
            }
        }
        if let problem { throw JSONScanError.wrapping(problem) }
        guard let id else {
            throw JSONScanError.wrapping(
                DecodeFailure(.missingField, "\(isSubsegment ? "subsegment" : "segment") has no id"))
        }
        guard let start else {
            throw JSONScanError.wrapping(
                DecodeFailure(.missingField, "\(isSubsegment ? "subsegment" : "segment") \(id.hex) has no start_time"))
        }
        let resolvedName = name ?? ""
        if name == nil || resolvedName.isEmpty {
            throw JSONScanError.wrapping(
                DecodeFailure(.missingField, "\(isSubsegment ? "subsegment" : "segment") \(id.hex) has no name"))
        }
        if !isSubsegment, depth == 0, parentID == nil, inferred == false, traceID == nil {
            throw JSONScanError.wrapping(DecodeFailure(.missingField, "segment \(id.hex) has no trace_id"))
        }
        if isSubsegment, depth == 0, parentID == nil {
            throw JSONScanError.wrapping(
                DecodeFailure(.missingField, "independent subsegment \(id.hex) has no parent_id"))
        }
        let downstream = isSubsegment && (namespace == "aws" || namespace == "remote")
        spans[index] = Span(
            traceID: traceID ?? TraceID(high: 0, low: 0), id: id, parentID: parentID, name: resolvedName, source: .xray,
            kind: isSubsegment ? (downstream ? .client : .internal) : .server, isSegment: !isSubsegment,
            origin: origin, namespace: namespace, serviceName: isSubsegment ? nil : resolvedName,
            start: start, end: inProgress ? nil : end, inProgress: inProgress || end == nil,
            errorFlag: errorFlag, throttleFlag: throttleFlag, faultFlag: faultFlag,
            http: http, aws: aws, sql: sql, annotations: annotations, metadataJSON: metadata, cause: cause,
            inferred: inferred
        )
        for child in children where spans[child].parentID == nil { spans[child].parentID = id }
        return index
    }

    // MARK: Field readers

    private static func quoted(_ s: JSONScanner, _ range: Range<Int>) -> String {
        let text = String(
            decoding: s.slice(range.lowerBound..<min(range.upperBound, range.lowerBound + 64)), as: UTF8.self)
        return "\"" + text + "\""
    }

    private static func readSpanID(_ s: inout JSONScanner, field: String, problem: inout DecodeFailure?)
        throws(JSONScanError) -> SpanID?
    {
        let (range, _) = try s.readStringRange()
        if let id = SpanID(hexBytes: s.slice(range)) { return id }
        problem = problem ?? DecodeFailure(.invalidField, "\(field) \(quoted(s, range)) is not 16 hex digits")
        return nil
    }

    private static func readTime(_ s: inout JSONScanner, field: String, problem: inout DecodeFailure?)
        throws(JSONScanError) -> EpochNanos?
    {
        switch try s.peekKind() {
        case .number:
            let range = try s.readNumberRange()
            if let nanos = DecimalParser.secondsToNanos(s.slice(range)) { return nanos }
            problem = problem ?? DecodeFailure(.invalidField, "\(field) \(quoted(s, range)) is not a number of seconds")
            return nil
        case .string:
            let text = try s.readString()
            if let nanos = TimestampParser.nanos(from: text) { return nanos }
            problem =
                problem
                ?? DecodeFailure(.invalidField, "\(field) \"\(text.prefix(64))\" is neither epoch seconds nor ISO-8601")
            return nil
        case .null:
            _ = s.consumeNull()
            return nil
        default:
            problem = problem ?? DecodeFailure(.invalidField, "\(field) is not a time")
            try s.skipValue()
            return nil
        }
    }

    /// Flags are booleans, but some writers send `"true"` or 1.
    private static func readFlag(_ s: inout JSONScanner) throws(JSONScanError) -> Bool {
        try s.readAttributeValue()?.boolValue ?? false
    }

    private static func readOptionalString(_ s: inout JSONScanner) throws(JSONScanError) -> String? {
        guard let value = try s.readAttributeValue() else { return nil }
        return value.description
    }

    private static func readHTTP(_ s: inout JSONScanner) throws(JSONScanError) -> HTTPInfo? {
        if s.consumeNull() { return nil }
        var info = HTTPInfo()
        try s.beginObject()
        while let key = try s.nextKey() {
            if s.key(key, is: "request") {
                if s.consumeNull() { continue }
                try s.beginObject()
                while let k = try s.nextKey() {
                    if s.key(k, is: "method") {
                        info.method = try readOptionalString(&s)
                    } else if s.key(k, is: "url") {
                        info.url = try readOptionalString(&s)
                    } else if s.key(k, is: "client_ip") {
                        info.clientIP = try readOptionalString(&s)
                    } else if s.key(k, is: "user_agent") {
                        info.userAgent = try readOptionalString(&s)
                    } else {
                        try s.skipValue()
                    }
                }
            } else if s.key(key, is: "response") {
                if s.consumeNull() { continue }
                try s.beginObject()
                while let k = try s.nextKey() {
                    if s.key(k, is: "status") {
                        info.status = (try s.readAttributeValue()?.intValue).map { Int(clamping: $0) }
                    } else if s.key(k, is: "content_length") {
                        info.contentLength = try s.readAttributeValue()?.intValue
                    } else {
                        try s.skipValue()
                    }
                }
            } else {
                try s.skipValue()
            }
        }
        return info.isEmpty ? nil : info
    }

    /// Flattens nested objects into dotted keys (`xray.sdk_version`), keeping scalars and arrays.
    static func readFlattened(
        _ s: inout JSONScanner, prefix: String, into out: inout [String: AttributeValue], depth: Int
    ) throws(JSONScanError) {
        if s.consumeNull() { return }
        guard depth < 8, try s.peekKind() == .object else {
            if let v = try s.readAttributeValue() { out[prefix.isEmpty ? "value" : prefix] = v }
            return
        }
        try s.beginObject()
        while let key = try s.nextKey() {
            let name = try s.keyString(key)
            let full = prefix.isEmpty ? name : prefix + "." + name
            if try s.peekKind() == .object {
                try readFlattened(&s, prefix: full, into: &out, depth: depth + 1)
            } else if let v = try s.readAttributeValue() {
                out[full] = v
            }
        }
    }

    private static func readAnnotations(_ s: inout JSONScanner, into out: inout [String: AttributeValue])
        throws(JSONScanError)
    {
        if s.consumeNull() { return }
        try s.beginObject()
        while let key = try s.nextKey() {
            let name = try s.keyString(key)
            if let v = try s.readAttributeValue() { out[name] = v }
        }
    }

    private static func readCause(_ s: inout JSONScanner) throws(JSONScanError) -> Cause? {
        switch try s.peekKind() {
        case .string:
            return Cause(referencedExceptionID: try s.readString())
        case .object:
            var cause = Cause()
            try s.beginObject()
            while let key = try s.nextKey() {
                if s.key(key, is: "working_directory") {
                    cause.workingDirectory = try readOptionalString(&s)
                } else if s.key(key, is: "exceptions") {
                    if s.consumeNull() { continue }
                    try s.beginArray()
                    while try s.nextElement() {
                        if let e = try readException(&s) { cause.exceptions.append(e) }
                    }
                } else {
                    try s.skipValue()
                }
            }
            return cause
        default:
            try s.skipValue()
            return nil
        }
    }

    private static func readException(_ s: inout JSONScanner) throws(JSONScanError) -> ExceptionRecord? {
        guard try s.peekKind() == .object else {
            try s.skipValue()
            return nil
        }
        var record = ExceptionRecord()
        try s.beginObject()
        while let key = try s.nextKey() {
            if s.key(key, is: "id") {
                record.id = try readOptionalString(&s)
            } else if s.key(key, is: "type") {
                record.type = try readOptionalString(&s)
            } else if s.key(key, is: "message") {
                record.message = try readOptionalString(&s)
            } else if s.key(key, is: "remote") {
                record.remote = try readFlag(&s)
            } else if s.key(key, is: "stack") {
                if s.consumeNull() { continue }
                try s.beginArray()
                while try s.nextElement() {
                    guard try s.peekKind() == .object else {
                        try s.skipValue()
                        continue
                    }
                    var frame = StackFrame()
                    try s.beginObject()
                    while let k = try s.nextKey() {
                        if s.key(k, is: "path") {
                            frame.path = try readOptionalString(&s)
                        } else if s.key(k, is: "line") {
                            frame.line = (try s.readAttributeValue()?.intValue).map { Int(clamping: $0) }
                        } else if s.key(k, is: "label") {
                            frame.label = try readOptionalString(&s)
                        } else {
                            try s.skipValue()
                        }
                    }
                    record.stack.append(frame)
                }
            } else {
                try s.skipValue()
            }
        }
        return record
    }
}

extension JSONScanError {
    /// Carries a semantic failure (a missing or invalid field) through code that throws `JSONScanError`.
    static func wrapping(_ failure: DecodeFailure) -> JSONScanError {
        JSONScanError(offset: -1, message: failure.detail, truncated: false, semantic: failure)
    }
}
