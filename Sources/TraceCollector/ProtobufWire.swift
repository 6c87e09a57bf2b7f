/// Writing the protobuf wire format for the few small messages the receivers answer with (`partial_success`,
/// `RetryInfo`): varints and length-delimited fields.
enum ProtobufWire {
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A length-delimited field (wire type 2): tag, length, bytes.
    static func appendField(_ field: UInt8, _ payload: [UInt8], to bytes: inout [UInt8]) {
        bytes.append(field << 3 | 2)
        appendVarint(UInt64(payload.count), to: &bytes)
        bytes += payload
    }
}
