/// Just enough of the protobuf wire format to build OTLP requests in tests.
public struct ProtoWriter {
    public var bytes: [UInt8] = []

    public init() {}

    public mutating func rawVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func varint(_ field: Int, _ value: UInt64) {
        rawVarint(UInt64(field << 3))
        rawVarint(value)
    }

    public mutating func fixed64(_ field: Int, _ value: UInt64) {
        rawVarint(UInt64(field << 3 | 1))
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        rawVarint(UInt64(field << 3 | 2))
        rawVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    public mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        bytes(field, inner.bytes)
    }

    /// An OTLP `ResourceSpans` (field 1 of `ExportTraceServiceRequest`) whose resource has `service.name`, with one
    /// `ScopeSpans`; `spans` writes the spans into it (`scope.message(2) { span in … }` each).
    public mutating func resourceSpans(service: String, spans: (inout ProtoWriter) -> Void) {
        message(1) { resourceSpans in
            resourceSpans.message(1) { resource in
                resource.message(1) { kv in
                    kv.string(1, "service.name")
                    kv.message(2) { $0.string(1, service) }
                }
            }
            resourceSpans.message(2, spans)
        }
    }
}
