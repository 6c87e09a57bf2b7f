import TraceFormats

/// Builds OTLP requests in tests, on the project's own protobuf writer (`ProtobufWriter`), with field numbers as
/// plain `Int`s and an OTLP shortcut for resource spans.
public struct ProtoWriter {
    private var writer = ProtobufWriter()

    public init() {}

    public var bytes: [UInt8] { writer.bytes }

    public mutating func rawVarint(_ value: UInt64) { writer.varint(value) }

    public mutating func varint(_ field: Int, _ value: UInt64) { writer.varintField(UInt32(field), value) }

    public mutating func fixed64(_ field: Int, _ value: UInt64) { writer.fixed64Field(UInt32(field), value) }

    public mutating func bytes(_ field: Int, _ value: [UInt8]) { writer.bytesField(UInt32(field), value) }

    public mutating func string(_ field: Int, _ value: String) { writer.stringField(UInt32(field), value) }

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
