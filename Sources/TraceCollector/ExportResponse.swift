import TraceFormats

/// The `ExportTraceServiceResponse` body: empty when every span was taken, else a `partial_success` with the
/// number of spans rejected and the first reason (OTLP/HTTP spec, "Partial Success").
enum ExportResponse {
    static func body(rejected: Int, message: String?, protobuf: Bool) -> [UInt8] {
        guard rejected > 0 else { return protobuf ? [] : Array("{}".utf8) }
        let text = String((message ?? "").prefix(512))
        if protobuf {
            // partial_success (field 1) { rejected_spans (1, int64), error_message (2, string) }
            var inner: [UInt8] = [0x08]
            ProtobufWire.appendVarint(UInt64(rejected), to: &inner)
            inner.append(0x12)
            ProtobufWire.appendVarint(UInt64(text.utf8.count), to: &inner)
            inner.append(contentsOf: text.utf8)
            var body: [UInt8] = [0x0A]
            ProtobufWire.appendVarint(UInt64(inner.count), to: &body)
            return body + inner
        }
        // proto3 JSON spells int64 as a string.
        return Array(
            #"{"partialSuccess":{"rejectedSpans":"\#(rejected)","errorMessage":\#(JSONText.quoted(text))}}"#.utf8)
    }
}
