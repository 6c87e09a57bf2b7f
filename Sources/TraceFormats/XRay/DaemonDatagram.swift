import TraceModel

/// The X-Ray daemon UDP protocol: a header line, a newline, then one segment or subsegment document.
///
/// ```
/// {"format": "json", "version": 1}
/// {"trace_id": "1-…", "id": "…", "name": "checkout", …}
/// ```
/// SDKs disagree on spacing and key order (the Python SDK sends `{"format":"json","version":1}`), so the header is
/// parsed as JSON: `format` must be `json` in any case, `version` must be 1.
public enum DaemonDatagram {
    /// The largest IPv4 UDP payload; a datagram over this cannot be sent.
    public static let maxSize = 65_507
    /// The header every SDK accepts, as our exporters send it.
    public static let header = #"{"format":"json","version":1}"# + "\n"

    /// Decodes one datagram, appending its spans.
    public static func decode(_ bytes: UnsafeRawBufferPointer, into spans: inout [Span]) throws(DecodeFailure) {
        guard let newline = bytes.firstIndex(of: 0x0A) else {
            if TraceRecordDecoder.describeGarbage(bytes) != nil {
                throw DecodeFailure(.binary, "binary data (\(bytes.count) bytes)")
            }
            throw DecodeFailure(
                .badHeader, "no header line (expected {\"format\":\"json\",\"version\":1} and a newline)")
        }
        var header = JSONScanner(UnsafeRawBufferPointer(rebasing: bytes[0..<newline]))
        try readHeader(&header)
        header.skipWhitespace()
        guard header.isAtEnd else { throw DecodeFailure(.badHeader, "unexpected data after the header") }
        let body = UnsafeRawBufferPointer(rebasing: bytes[(newline + 1)...])
        var scanner = JSONScanner(body)
        guard scanner.peek() == UInt8(ascii: "{") else {
            throw scanner.isAtEnd
                ? DecodeFailure(.missingField, "datagram has a header but no document")
                : DecodeFailure(.invalidJSON, "the document after the header is not a JSON object")
        }
        try XRayDocumentDecoder.decode(&scanner, into: &spans)
        scanner.skipWhitespace()
        guard scanner.isAtEnd else { throw DecodeFailure(.invalidJSON, "unexpected data after the document") }
    }

    /// Reads and validates a header object at the scanner.
    static func readHeader(_ s: inout JSONScanner) throws(DecodeFailure) {
        var format: String?
        var version: AttributeValue?
        do throws(JSONScanError) {
            guard s.peek() == UInt8(ascii: "{") else {
                throw JSONScanError.wrapping(DecodeFailure(.badHeader, "the header is not a JSON object"))
            }
            try s.beginObject()
            while let key = try s.nextKey() {
                if s.key(key, is: "format") {
                    format = try s.readAttributeValue()?.description
                } else if s.key(key, is: "version") {
                    version = try s.readAttributeValue()
                } else {
                    try s.skipValue()
                }
            }
        } catch {
            let failure = DecodeFailure(error)
            throw failure.reason == .badHeader
                ? failure : DecodeFailure(.badHeader, "the header is not valid JSON: \(failure.detail)")
        }
        guard let format else { throw DecodeFailure(.badHeader, "the header has no \"format\"") }
        guard format.lowercased() == "json" else {
            throw DecodeFailure(.badHeader, "unsupported format \"\(format.prefix(32))\" (expected \"json\")")
        }
        guard let version else { throw DecodeFailure(.badHeader, "the header has no \"version\"") }
        guard version.intValue == 1 else {
            throw DecodeFailure(.badHeader, "unsupported version \(version.description.prefix(16)) (expected 1)")
        }
    }
}
