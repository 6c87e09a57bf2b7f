import TraceModel

/// Trace and span ids as OTLP JSON spells them: hex per the spec, base64 as some older exporters wrote them.
enum OTLPIDs {
    static func traceID(_ text: String) -> TraceID? {
        if let id = TraceID(hex: text) { return id }
        guard text.utf8.count == 24, let bytes = Base64.decode(text), bytes.count == 16 else { return nil }
        return TraceID(high: bigEndian(bytes[0..<8]), low: bigEndian(bytes[8..<16]))
    }

    static func spanID(_ text: String) -> SpanID? {
        if let id = SpanID(hex: text) { return id }
        guard text.utf8.count == 12, let bytes = Base64.decode(text), bytes.count == 8 else { return nil }
        return SpanID(bigEndian(bytes[0..<8]))
    }

    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// Minimal standard base64 decoding (with padding), enough for 8- and 16-byte ids.
enum Base64 {
    static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for c in text.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            buffer = buffer << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}
