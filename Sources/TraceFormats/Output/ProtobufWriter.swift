/// Writing the protobuf wire format: varints, fixed64, and length-delimited fields (strings, bytes, nested
/// messages). The one protobuf writer of the project — the OTLP encoder and the receivers' small answers use it.
///
/// It writes through a pointer into storage it grows itself, with one capacity check per field: appending byte by
/// byte to an array (a uniqueness and a capacity check per byte, plus a buffer per nested message) was most of the
/// tracer's export time.
public struct ProtobufWriter: Sendable {
    /// Zero-filled storage; the first `count` bytes are written.
    private var storage: [UInt8]
    public private(set) var count = 0

    public init(capacity: Int = 0) {
        storage = [UInt8](repeating: 0, count: max(64, capacity))
    }

    /// What has been written.
    public var bytes: [UInt8] { Array(storage[0..<count]) }

    public mutating func varint(_ value: UInt64) {
        put(10) { p in Self.varint(value, p) }
    }

    /// A varint field (wire type 0).
    public mutating func varintField(_ field: UInt32, _ value: UInt64) {
        put(20) { p in
            let n = Self.varint(UInt64(field) << 3, p)
            return n + Self.varint(value, p + n)
        }
    }

    /// A fixed64 field (wire type 1), little-endian.
    public mutating func fixed64Field(_ field: UInt32, _ value: UInt64) {
        put(18) { p in
            let n = Self.varint(UInt64(field) << 3 | 1, p)
            UnsafeMutableRawPointer(p + n).storeBytes(of: value.littleEndian, as: UInt64.self)
            return n + 8
        }
    }

    /// A length-delimited field (wire type 2) holding `payload`.
    public mutating func bytesField(_ field: UInt32, _ payload: some Collection<UInt8>) {
        let length = payload.count
        put(20 + length) { p in
            var n = Self.varint(UInt64(field) << 3 | 2, p)
            n += Self.varint(UInt64(length), p + n)
            let copied = payload.withContiguousStorageIfAvailable { source in
                if let base = source.baseAddress { (p + n).update(from: base, count: length) }
            }
            if copied == nil {
                var i = n
                for byte in payload {
                    p[i] = byte
                    i += 1
                }
            }
            return n + length
        }
    }

    public mutating func stringField(_ field: UInt32, _ text: String) {
        var text = text
        // Native strings are contiguous UTF-8: copied in one go (a bridged or lazy one is made native first).
        text.withUTF8 { bytesField(field, $0) }
    }

    /// A length-delimited field of 8 or 16 bytes given as big-endian words (OTLP's span and trace ids).
    public mutating func idField(_ field: UInt32, high: UInt64? = nil, low: UInt64) {
        put(28) { p in
            var n = Self.varint(UInt64(field) << 3 | 2, p)
            p[n] = high == nil ? 8 : 16
            n += 1
            if let high {
                UnsafeMutableRawPointer(p + n).storeBytes(of: high.bigEndian, as: UInt64.self)
                n += 8
            }
            UnsafeMutableRawPointer(p + n).storeBytes(of: low.bigEndian, as: UInt64.self)
            return n + 8
        }
    }

    /// A nested message, written by `body` in place after a one-byte length that is widened afterwards if the
    /// message turned out longer than 127 bytes: no buffer of its own, no copy for the common small message.
    public mutating func messageField(_ field: UInt32, _ body: (inout ProtobufWriter) -> Void) {
        varint(UInt64(field) << 3 | 2)
        let lengthAt = count
        put(1) { p in
            p[0] = 0
            return 1
        }
        body(&self)
        let length = count - lengthAt - 1
        if length < 0x80 {
            storage[lengthAt] = UInt8(length)
            return
        }
        var prefix: [UInt8] = []
        var v = UInt64(length)
        while v >= 0x80 {
            prefix.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        prefix.append(UInt8(v))
        // Shift the message right to make room for the longer length.
        let extra = prefix.count - 1
        reserve(extra)
        storage.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress else { return }
            (base + lengthAt + 1 + extra).update(from: base + lengthAt + 1, count: length)
            for (i, byte) in prefix.enumerated() { base[lengthAt + i] = byte }
        }
        count += extra
    }

    /// Appends bytes that are already a message's fields (concatenated messages merge, by the wire format's rules).
    public mutating func append(raw: some Collection<UInt8>) {
        let length = raw.count
        put(length) { p in
            var i = 0
            for byte in raw {
                p[i] = byte
                i += 1
            }
            return length
        }
    }

    /// Writes at most `most` bytes at the end through `fill`, which returns how many it wrote.
    @inline(__always)
    private mutating func put(_ most: Int, _ fill: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserve(most)
        let at = count
        let written = storage.withUnsafeMutableBufferPointer { p in fill(p.baseAddress! + at) }
        count = at + written
    }

    @inline(__always)
    private mutating func reserve(_ needed: Int) {
        if storage.count - count < needed { grow(needed) }
    }

    private mutating func grow(_ needed: Int) {
        storage.append(contentsOf: repeatElement(0, count: max(storage.count, needed)))
    }

    /// Writes `value` as a varint at `p`; returns its length.
    @inline(__always)
    private static func varint(_ value: UInt64, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        var v = value
        var n = 0
        while v >= 0x80 {
            p[n] = UInt8(v & 0x7F) | 0x80
            n += 1
            v >>= 7
        }
        p[n] = UInt8(v)
        return n + 1
    }
}
