import TraceModel

/// Decodes one framed record — which may hold several JSON values back to back — into spans, whatever its format.
///
/// The format is sniffed per value from its first key, and confirmed as the value is read, so a file may even mix
/// formats line by line.
public enum TraceRecordDecoder {
    /// The result of decoding one record: spans are appended to the caller's array; failures are returned, one per
    /// value that could not be used. Values after a syntax error on the same line are lost with it (their boundary is
    /// unknowable) and counted in that one failure.
    public struct Outcome {
        public var kinds: Set<RecordKind> = []
        public var failures: [DecodeFailure] = []
        public var values = 0
    }

    public static func decode(_ bytes: UnsafeRawBufferPointer, into spans: inout [Span]) -> Outcome {
        var outcome = Outcome()
        var scanner = JSONScanner(bytes)
        scanner.skipWhitespace()
        if scanner.isAtEnd { return outcome }
        // Only input that does not even start like JSON is examined as possible binary data.
        let first = scanner.peekByte
        if first != UInt8(ascii: "{") && first != UInt8(ascii: "["), let garbage = describeGarbage(bytes) {
            outcome.failures.append(garbage)
            return outcome
        }
        while true {
            scanner.skipWhitespace()
            if scanner.isAtEnd { break }
            outcome.values += 1
            let start = scanner.position
            do throws(DecodeFailure) {
                let kind = try decodeValue(&scanner, into: &spans, rejected: &outcome.failures)
                outcome.kinds.insert(kind)
            } catch {
                outcome.failures.append(error)
                // Resynchronise: skip this value if its JSON is intact, else give up on the rest of the record.
                var probe = JSONScanner(bytes, position: start)
                do throws(JSONScanError) {
                    try probe.skipValue()
                    scanner = probe
                } catch {
                    break
                }
            }
        }
        return outcome
    }

    /// Decodes the value at the scanner; on return the scanner is just past it. Spans an OTLP request had to leave
    /// out (the rest of it kept) go to `rejected`, one failure each.
    static func decodeValue(
        _ scanner: inout JSONScanner, into spans: inout [Span],
        rejected: inout [DecodeFailure], inArray: Bool = false
    ) throws(DecodeFailure) -> RecordKind {
        let start = scanner.position
        switch scanner.peekByte {
        case UInt8(ascii: "{"):
            break
        case UInt8(ascii: "[") where !inArray:
            // A JSON array of records (e.g. a list of segment documents): decode each element.
            return try decodeArray(&scanner, into: &spans, rejected: &rejected)
        default:
            throw DecodeFailure(.invalidJSON, "expected a JSON object at byte \(start)")
        }
        let kind = try sniff(scanner)
        switch kind {
        case .xrayDocument:
            try XRayDocumentDecoder.decode(&scanner, into: &spans)
        case .daemonHeader:
            try DaemonDatagram.readHeader(&scanner)
        case .otlpJSON:
            try OTLPJSONDecoder.decode(&scanner, into: &spans, rejected: &rejected)
        case .batchGetTraces:
            try BatchGetTracesDecoder.decode(&scanner, into: &spans)
        }
        return kind
    }

    private static func decodeArray(
        _ scanner: inout JSONScanner, into spans: inout [Span],
        rejected: inout [DecodeFailure]
    ) throws(DecodeFailure) -> RecordKind {
        var kind = RecordKind.xrayDocument
        var firstFailure: DecodeFailure?
        do throws(JSONScanError) {
            try scanner.beginArray()
            while try scanner.nextElement() {
                scanner.skipWhitespace()
                let elementStart = scanner.position
                do throws(DecodeFailure) {
                    // One level only: records are objects, so an array inside is no record (and `[[[[…` no stack
                    // overflow); it is skipped with the scanner's bounded, iterative skip.
                    kind = try decodeValue(&scanner, into: &spans, rejected: &rejected, inArray: true)
                } catch {
                    firstFailure = firstFailure ?? error
                    scanner = JSONScanner(scanner.bytes, position: elementStart)
                    try scanner.skipValue()
                }
            }
        } catch {
            throw DecodeFailure(error)
        }
        if let firstFailure { throw firstFailure }
        return kind
    }

    /// Tells the format from the object's top-level keys without consuming anything.
    static func sniff(_ scanner: JSONScanner) throws(DecodeFailure) -> RecordKind {
        var probe = scanner
        do throws(JSONScanError) {
            try probe.beginObject()
            var sawFormat = false
            var keys = 0
            while let key = try probe.nextKey() {
                keys += 1
                if probe.key(key, is: "resourceSpans") || probe.key(key, is: "resource_spans") { return .otlpJSON }
                if probe.key(key, is: "Traces") || probe.key(key, is: "UnprocessedTraceIds") { return .batchGetTraces }
                if probe.key(key, is: "format") { sawFormat = true }
                if probe.key(key, is: "trace_id") || probe.key(key, is: "start_time")
                    || probe.key(key, is: "subsegments")
                    || probe.key(key, is: "parent_id")
                {
                    return .xrayDocument
                }
                try probe.skipValue()
            }
            if sawFormat { return .daemonHeader }
            if keys == 0 { throw JSONScanError.wrapping(DecodeFailure(.unknownRecord, "empty JSON object")) }
            return .xrayDocument
        } catch {
            throw DecodeFailure(error)
        }
    }

    /// Recognises input that is not text at all, so it is reported as binary rather than as a JSON syntax error.
    static func describeGarbage(_ bytes: UnsafeRawBufferPointer) -> DecodeFailure? {
        var controls = 0
        let sample = min(bytes.count, 512)
        for i in 0..<sample {
            let b = bytes[i]
            if b == 0 { return DecodeFailure(.binary, "binary data (\(bytes.count) bytes, NUL at byte \(i))") }
            if b < 0x09 || (b > 0x0D && b < 0x20) { controls += 1 }
        }
        if sample > 0, controls * 10 > sample {
            return DecodeFailure(.binary, "binary data (\(bytes.count) bytes)")
        }
        return nil
    }
}

extension JSONScanner {
    /// The next significant byte, or 0 at the end.
    var peekByte: UInt8 {
        mutating get { peek() ?? 0 }
    }
}
