/// Writing the protobuf wire format: varints, fixed64, and length-delimited fields (strings, bytes, nested
/// messages). The one protobuf writer of the project — the OTLP encoder and the receivers' small answers use it.
public struct ProtobufWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A varint field (wire type 0).
    public mutating func varintField(_ field: UInt32, _ value: UInt64) {
        varint(UInt64(field) << 3)
        varint(value)
    }

    /// A fixed64 field (wire type 1), little-endian.
    public mutating func fixed64Field(_ field: UInt32, _ value: UInt64) {
        varint(UInt64(field) << 3 | 1)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A length-delimited field (wire type 2) holding `payload`.
    public mutating func bytesField(_ field: UInt32, _ payload: some Collection<UInt8>) {
        varint(UInt64(field) << 3 | 2)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    public mutating func stringField(_ field: UInt32, _ text: String) {
        bytesField(field, text.utf8)
    }

    /// A nested message, written by `body` into a writer of its own and then framed.
    public mutating func messageField(_ field: UInt32, _ body: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        body(&inner)
        bytesField(field, inner.bytes)
    }

    /// Appends bytes that are already a message's fields (concatenated messages merge, by the wire format's rules).
    public mutating func append(raw: some Collection<UInt8>) {
        bytes.append(contentsOf: raw)
    }
}
