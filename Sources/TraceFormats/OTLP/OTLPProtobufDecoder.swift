import TraceModel

/// Decodes an OTLP `ExportTraceServiceRequest` in protobuf (what OpenTelemetry SDKs send to `/v1/traces` by default)
/// straight into spans.
///
/// Hand-written for the trace subset of the OTLP schema, so a batch goes from bytes to `Span`s in one pass without
/// building message objects first — the receiver's hot path. Unknown fields are skipped, as protobuf requires; a
/// truncated or malformed message is rejected whole with the reason.
public enum OTLPProtobufDecoder {
    /// Decodes one request, appending its spans. A span that cannot be taken (no ids, an id of the wrong length, no
    /// start time) is left out and returned as a rejection — the request's `partial_success` — so one bad span never
    /// costs the batch its good ones. A message that does not parse (truncated, a wrong wire type) is rejected whole.
    ///
    /// `maxSpans` bounds what one request can make in memory: a few megabytes of protobuf can hold a hundred
    /// thousand minimal spans, twenty times their size once decoded. The spans past it are rejected, one failure
    /// each, without being decoded.
    @discardableResult
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, into spans: inout [Span], maxSpans: Int = .max
    ) throws(DecodeFailure) -> [DecodeFailure] {
        let first = spans.count
        var rejected: [DecodeFailure] = []
        let limit = SpanLimit(first: first, maxSpans: maxSpans)
        do throws(ProtoError) {
            var reader = ProtoReader(bytes)
            while let (field, wire) = try reader.nextField() {
                if field == 1, wire == .lengthDelimited {
                    try decodeResourceSpans(
                        try reader.readMessage(), into: &spans, rejected: &rejected, limit: limit)
                } else {
                    try reader.skip(wire)
                }
            }
        } catch {
            spans.removeSubrange(first...)
            throw DecodeFailure(error.truncated ? .truncated : .invalidField, "OTLP protobuf: \(error.message)")
        }
        return rejected
    }

    private static func decodeResourceSpans(
        _ bytes: UnsafeRawBufferPointer, into spans: inout [Span],
        rejected: inout [DecodeFailure], limit: SpanLimit
    ) throws(ProtoError) {
        // The resource names every span's node. Protobuf lets it follow the spans on the wire, so it is read first:
        // each span is then made whole at once instead of being revisited (and its details copied) afterwards.
        var scratch: [(String, AttributeValue)] = []
        var reader = ProtoReader(bytes)
        while let (field, wire) = try reader.nextField() {
            guard field == 1, wire == .lengthDelimited else {
                try reader.skip(wire)
                continue
            }
            var r = ProtoReader(try reader.readMessage())
            while let (f, w) = try r.nextField() {
                if f == 1, w == .lengthDelimited {
                    if let pair = try readKeyValue(try r.readMessage()) { scratch.append((pair.key, pair.value)) }
                } else {
                    try r.skip(w)
                }
            }
        }
        let resource = dictionary(scratch)
        let owner = Owner(service: resource["service.name"]?.description ?? "unknown_service", resource: resource)
        reader = ProtoReader(bytes)
        while let (field, wire) = try reader.nextField() {
            guard field == 2, wire == .lengthDelimited else {
                try reader.skip(wire)
                continue
            }
            var scope = ProtoReader(try reader.readMessage())
            while let (f, w) = try scope.nextField() {
                guard f == 2, w == .lengthDelimited else {
                    try scope.skip(w)
                    continue
                }
                guard spans.count - limit.first < limit.maxSpans else {
                    _ = try scope.readMessage()
                    rejected.append(limit.failure)
                    continue
                }
                try decodeSpan(
                    try scope.readMessage(), owner: owner, scratch: &scratch, into: &spans, rejected: &rejected)
            }
        }
    }

    /// What every span of one `ResourceSpans` shares.
    private struct Owner {
        var service: String
        var resource: [String: AttributeValue]
    }

    /// Attributes as a dictionary, sized once (growing one from empty allocates and rehashes twice for two keys).
    /// A repeated key keeps its last value, as protobuf's map semantics would.
    private static func dictionary(_ pairs: [(String, AttributeValue)]) -> [String: AttributeValue] {
        guard !pairs.isEmpty else { return [:] }
        var out = [String: AttributeValue](minimumCapacity: pairs.count)
        for (key, value) in pairs { out[key] = value }
        return out
    }

    /// A span's attributes as it stores them: a repeated key keeps its last value, as protobuf's map semantics would.
    /// Spans have a few, where comparing each key with those before beats hashing; many (hostile or not) are
    /// de-duplicated through a dictionary instead, so the cost stays linear.
    private static func distinct(_ pairs: [(String, AttributeValue)]) -> [Attribute] {
        var out: [Attribute] = []
        out.reserveCapacity(pairs.count)
        if pairs.count <= 16 {
            for (key, value) in pairs {
                if let i = out.firstIndex(where: { $0.key == key }) {
                    out[i].value = value
                } else {
                    out.append((key, value))
                }
            }
            return out
        }
        var index = [String: Int](minimumCapacity: pairs.count)
        for (key, value) in pairs {
            if let i = index[key] {
                out[i].value = value
            } else {
                index[key] = out.count
                out.append((key, value))
            }
        }
        return out
    }

    /// Appends the span, or why it cannot be taken to `rejected`; throws only when the bytes themselves do not parse.
    /// `scratch` is a buffer for the span's attributes, reused from span to span.
    private static func decodeSpan(
        _ bytes: UnsafeRawBufferPointer, owner: Owner, scratch: inout [(String, AttributeValue)],
        into spans: inout [Span], rejected: inout [DecodeFailure]
    ) throws(ProtoError) {
        var traceID: TraceID?
        var spanID: SpanID?
        var parentID: SpanID?
        var name = ""
        var kind = SpanKind.internal
        var start: UInt64 = 0
        var end: UInt64 = 0
        var statusError = false
        var statusMessage: String?
        var exceptions: [ExceptionRecord] = []
        // Where each HTTP attribute is in `scratch` (plus one; 0: absent): positions are cheap to make and drop for
        // the many spans without any, and only a span with some gathers their values.
        var httpAt = SIMD16<Int32>()
        var problem: String?
        scratch.removeAll(keepingCapacity: true)
        var reader = ProtoReader(bytes)
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, .lengthDelimited):
                let b = try reader.readMessage()
                if b.count == 16 {
                    traceID = TraceID(high: bigEndian(b, 0), low: bigEndian(b, 8))
                } else {
                    problem = problem ?? "trace_id is \(b.count) bytes, not 16"
                }
            case (2, .lengthDelimited):
                let b = try reader.readMessage()
                if b.count == 8 {
                    spanID = SpanID(bigEndian(b, 0))
                } else {
                    problem = problem ?? "span_id is \(b.count) bytes, not 8"
                }
            case (4, .lengthDelimited):
                let b = try reader.readMessage()
                if b.count == 8 {
                    parentID = SpanID(bigEndian(b, 0))
                } else if b.count != 0 {
                    problem = problem ?? "parent_span_id is \(b.count) bytes, not 8"
                }
            case (5, .lengthDelimited):
                name = try reader.readString()
            case (6, .varint):
                switch try reader.readVarint() {
                case 2: kind = .server
                case 3: kind = .client
                case 4: kind = .producer
                case 5: kind = .consumer
                default: kind = .internal
                }
            case (7, .fixed64): start = try reader.readFixed64()
            case (8, .fixed64): end = try reader.readFixed64()
            case (9, .lengthDelimited):
                if let pair = try readKeyValue(try reader.readMessage()) {
                    scratch.append((pair.key, pair.value))
                    if let field = pair.http { httpAt[field.rawValue] = Int32(truncatingIfNeeded: scratch.count) }
                }
            case (11, .lengthDelimited):
                if let e = try readExceptionEvent(try reader.readMessage()) { exceptions.append(e) }
            case (15, .lengthDelimited):
                var r = ProtoReader(try reader.readMessage())
                while let (f, w) = try r.nextField() {
                    switch (f, w) {
                    case (2, .lengthDelimited): statusMessage = try r.readString()
                    case (3, .varint): statusError = try r.readVarint() == 2
                    default: try r.skip(w)
                    }
                }
            default:
                try reader.skip(wire)
            }
        }
        func reject(_ reason: RejectReason, _ detail: String) {
            rejected.append(DecodeFailure(reason, "OTLP protobuf: span \"\(name.prefix(64))\": \(detail)"))
        }
        if let problem { return reject(.invalidField, problem) }
        guard let traceID, traceID.isValid else { return reject(.missingField, "no trace_id") }
        guard let spanID, spanID.isValid else { return reject(.missingField, "no span_id") }
        guard start > 0 else { return reject(.missingField, "no start time") }
        let finished = end > 0
        let attributes = distinct(scratch)
        // Times past what the model holds are clamped by `Span` (see `EpochRange`), not rejected.
        spans.append(
            Span(
                traceID: traceID, id: spanID, parentID: parentID, name: name.isEmpty ? "(unnamed)" : name,
                source: .otlp,
                kind: kind, isSegment: kind.receivesRequests, serviceName: owner.service,
                start: Int64(clamping: start), end: finished ? Int64(clamping: end) : nil, inProgress: !finished,
                statusError: statusError, statusMessage: statusMessage,
                http: httpAt == .zero ? nil : httpInfo(at: httpAt, in: scratch),
                cause: exceptions.isEmpty ? nil : Cause(exceptions: exceptions), attributeList: attributes,
                resource: owner.resource
            ))
    }

    private static func readExceptionEvent(_ bytes: UnsafeRawBufferPointer) throws(ProtoError) -> ExceptionRecord? {
        var name = ""
        var attributes: [(String, AttributeValue)] = []
        var reader = ProtoReader(bytes)
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (2, .lengthDelimited): name = try reader.readString()
            case (3, .lengthDelimited):
                if let pair = try readKeyValue(try reader.readMessage()) { attributes.append((pair.key, pair.value)) }
            default: try reader.skip(wire)
            }
        }
        return name == "exception" ? OTLPSemantics.exception(from: dictionary(attributes)) : nil
    }

    /// The `HTTPInfo` of a span whose HTTP attributes are at `positions` (plus one) in its attribute pairs.
    private static func httpInfo(at positions: SIMD16<Int32>, in attributes: [(String, AttributeValue)]) -> HTTPInfo? {
        var http = HTTPAttributes()
        for field in HTTPAttribute.allCases where positions[field.rawValue] > 0 {
            http.set(field, attributes[Int(positions[field.rawValue]) - 1].1)
        }
        return http.info
    }

    /// `KeyValue { string key = 1; AnyValue value = 2; }`, and what the key says about HTTP (see `SemanticKeys`).
    private static func readKeyValue(_ bytes: UnsafeRawBufferPointer) throws(ProtoError)
        -> (key: String, value: AttributeValue, http: HTTPAttribute?)?
    {
        var key: (key: String, http: HTTPAttribute?)?
        var value: AttributeValue?
        var reader = ProtoReader(bytes)
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, .lengthDelimited): key = SemanticKeys.key(try reader.readMessage())
            case (2, .lengthDelimited): value = try readAnyValue(try reader.readMessage(), depth: 0)
            default: try reader.skip(wire)
            }
        }
        guard let key, let value else { return nil }
        return (key.key, value, key.http)
    }

    /// `AnyValue { oneof { string 1; bool 2; int64 3; double 4; ArrayValue 5; KeyValueList 6; bytes 7 } }`
    private static func readAnyValue(_ bytes: UnsafeRawBufferPointer, depth: Int) throws(ProtoError) -> AttributeValue?
    {
        guard depth < 8 else { return nil }
        var result: AttributeValue?
        var reader = ProtoReader(bytes)
        while let (field, wire) = try reader.nextField() {
            switch (field, wire) {
            case (1, .lengthDelimited): result = .string(try reader.readString())
            case (2, .varint): result = .bool(try reader.readVarint() != 0)
            case (3, .varint): result = .int(Int64(bitPattern: try reader.readVarint()))
            case (4, .fixed64): result = .double(Double(bitPattern: try reader.readFixed64()))
            case (5, .lengthDelimited):
                var values: [AttributeValue] = []
                var array = ProtoReader(try reader.readMessage())
                while let (f, w) = try array.nextField() {
                    if f == 1, w == .lengthDelimited,
                        let v = try readAnyValue(try array.readMessage(), depth: depth + 1)
                    {
                        values.append(v)
                    } else if !(f == 1 && w == .lengthDelimited) {
                        try array.skip(w)
                    }
                }
                result = .array(values)
            case (7, .lengthDelimited):
                result = .string(Hex.encode(try reader.readMessage()))
            default:
                try reader.skip(wire)
            }
        }
        return result
    }

    private static func bigEndian(_ b: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: b.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

/// Lowercase hex of raw bytes (OTLP `bytes` attribute values).
enum Hex {
    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A protobuf wire-format problem; `truncated` when the input ended inside a field.
struct ProtoError: Error {
    var message: String
    var truncated = false

    init(_ message: String, truncated: Bool = false) {
        self.message = message
        self.truncated = truncated
    }
}

/// Reads protobuf's wire format: tags, varints, fixed-width numbers and length-delimited fields.
struct ProtoReader {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    let bytes: UnsafeRawBufferPointer
    var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The next field's number and wire type, or nil at the end.
    @inline(__always)
    mutating func nextField() throws(ProtoError) -> (UInt64, WireType)? {
        guard position < bytes.count else { return nil }
        let tag = try readVarint()
        guard let wire = WireType(rawValue: tag & 7) else {
            throw ProtoError("invalid wire type \(tag & 7) at byte \(position)")
        }
        let field = tag >> 3
        guard field > 0 else { throw ProtoError("field number 0 at byte \(position)") }
        return (field, wire)
    }

    @inline(__always)
    mutating func readVarint() throws(ProtoError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift >= 64 { throw ProtoError("varint longer than 10 bytes") }
        }
        throw ProtoError("input ends inside a varint", truncated: true)
    }

    @inline(__always)
    mutating func readFixed64() throws(ProtoError) -> UInt64 {
        guard position + 8 <= bytes.count else { throw ProtoError("input ends inside a fixed64", truncated: true) }
        let v = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        position += 8
        return v
    }

    @inline(__always)
    mutating func readMessage() throws(ProtoError) -> UnsafeRawBufferPointer {
        let length = try readVarint()
        guard length <= UInt64(bytes.count - position) else {
            throw ProtoError("a field claims \(length) bytes but \(bytes.count - position) remain", truncated: true)
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + Int(length))])
        position += Int(length)
        return slice
    }

    mutating func readString() throws(ProtoError) -> String {
        String(decoding: try readMessage(), as: UTF8.self)
    }

    mutating func skip(_ wire: WireType) throws(ProtoError) {
        switch wire {
        case .varint: _ = try readVarint()
        case .fixed64:
            guard position + 8 <= bytes.count else { throw ProtoError("input ends inside a fixed64", truncated: true) }
            position += 8
        case .lengthDelimited: _ = try readMessage()
        case .fixed32:
            guard position + 4 <= bytes.count else { throw ProtoError("input ends inside a fixed32", truncated: true) }
            position += 4
        case .startGroup, .endGroup: throw ProtoError("groups are not used by OTLP")
        }
    }
}
