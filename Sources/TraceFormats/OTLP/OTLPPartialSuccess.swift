/// The `partial_success` of an OTLP `ExportTraceServiceResponse`: how many spans a backend refused, and why.
public struct OTLPPartialSuccess: Sendable, Equatable {
    public var rejectedSpans: UInt64
    public var message: String?

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// An empty response (everything taken) gives zero rejected.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> OTLPPartialSuccess {
        var result = OTLPPartialSuccess(rejectedSpans: 0, message: nil)
        do throws(ProtoError) {
            var reader = ProtoReader(bytes)
            while let (field, wire) = try reader.nextField() {
                guard field == 1, wire == .lengthDelimited else {
                    try reader.skip(wire)
                    continue
                }
                var partial = ProtoReader(try reader.readMessage())
                while let (inner, innerWire) = try partial.nextField() {
                    switch (inner, innerWire) {
                    case (1, .varint): result.rejectedSpans = try partial.readVarint()
                    case (2, .lengthDelimited):
                        let text = try partial.readString()
                        result.message = text.isEmpty ? nil : text
                    default: try partial.skip(innerWire)
                    }
                }
            }
        } catch {
            throw Failure(description: "unreadable ExportTraceServiceResponse: \(error.message)")
        }
        return result
    }
}
