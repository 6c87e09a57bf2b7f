import TraceFormats

/// The `ExportTraceServiceResponse` body: empty when every span was taken, else a `partial_success` with the
/// number of spans rejected and the first reason (OTLP/HTTP spec, "Partial Success").
enum ExportResponse {
    static func body(rejected: Int, message: String?, protobuf: Bool) -> [UInt8] {
        guard rejected > 0 else { return protobuf ? [] : Array("{}".utf8) }
        let text = String((message ?? "").prefix(512))
        if protobuf {
            // partial_success (field 1) { rejected_spans (1, int64), error_message (2, string) }
            var w = ProtobufWriter()
            w.messageField(1) { partial in
                partial.varintField(1, UInt64(rejected))
                partial.stringField(2, text)
            }
            return w.bytes
        }
        // proto3 JSON spells int64 as a string.
        return Array(
            #"{"partialSuccess":{"rejectedSpans":"\#(rejected)","errorMessage":\#(JSONText.quoted(text))}}"#.utf8)
    }
}
