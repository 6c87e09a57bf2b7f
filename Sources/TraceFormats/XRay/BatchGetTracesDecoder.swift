import TraceModel

/// Decodes `aws xray batch-get-traces` output: `{"Traces":[{"Id":…,"Segments":[{"Id":…,"Document":…}]}]}`.
///
/// `Document` is normally a JSON string holding the segment document; some tools store it as an object. Both work.
enum BatchGetTracesDecoder {
    static func decode(_ s: inout JSONScanner, into spans: inout [Span]) throws(DecodeFailure) {
        var firstFailure: DecodeFailure?
        var documents = 0
        do throws(JSONScanError) {
            try s.beginObject()
            while let key = try s.nextKey() {
                guard s.key(key, is: "Traces"), !s.consumeNull() else {
                    try s.skipValue()
                    continue
                }
                try s.beginArray()
                while try s.nextElement() {
                    try s.beginObject()
                    while let traceKey = try s.nextKey() {
                        guard s.key(traceKey, is: "Segments"), !s.consumeNull() else {
                            try s.skipValue()
                            continue
                        }
                        try s.beginArray()
                        while try s.nextElement() {
                            try s.beginObject()
                            while let segmentKey = try s.nextKey() {
                                guard s.key(segmentKey, is: "Document") else {
                                    try s.skipValue()
                                    continue
                                }
                                documents += 1
                                do throws(DecodeFailure) {
                                    try decodeDocument(&s, into: &spans)
                                } catch {
                                    firstFailure = firstFailure ?? error
                                }
                            }
                        }
                    }
                }
            }
        } catch {
            throw DecodeFailure(error)
        }
        if let firstFailure { throw firstFailure }
        if documents == 0 { throw DecodeFailure(.missingField, "batch-get-traces output holds no segment documents") }
    }

    private static func decodeDocument(_ s: inout JSONScanner, into spans: inout [Span]) throws(DecodeFailure) {
        let kind: JSONScanner.ValueKind
        do throws(JSONScanError) { kind = try s.peekKind() } catch { throw DecodeFailure(error) }
        switch kind {
        case .object:
            try XRayDocumentDecoder.decode(&s, into: &spans)
        case .string:
            let text: String
            do throws(JSONScanError) { text = try s.readString() } catch { throw DecodeFailure(error) }
            try XRayDocumentDecoder.decode(text, into: &spans)
        default:
            do throws(JSONScanError) { try s.skipValue() } catch { throw DecodeFailure(error) }
            throw DecodeFailure(.invalidField, "Document is neither a JSON string nor an object")
        }
    }
}
