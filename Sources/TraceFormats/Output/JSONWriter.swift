import TraceModel

/// Appends JSON text to a byte buffer. Strings are escaped per RFC 8259, control characters included, so what we
/// write is always valid JSON whatever bytes a span name carried.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next value at each nesting level needs a comma first: one bit per level, the current level in
    /// bit 0. A bit stack rather than an array, so writing a document allocates nothing but its bytes; levels beyond
    /// 64 (only hostile input nests that deep) spill into `deeperLevels`.
    private var commaBits: UInt64 = 0
    private var deeperLevels: [UInt64] = []
    private var depth = 0

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        push()
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        pop()
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        push()
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        pop()
    }

    @inline(__always)
    private mutating func push() {
        depth += 1
        if depth % 64 == 0 { deeperLevels.append(commaBits); commaBits = 0 } else { commaBits <<= 1 }
    }

    @inline(__always)
    private mutating func pop() {
        guard depth > 0 else { return }
        if depth % 64 == 0 { commaBits = deeperLevels.popLast() ?? 0 } else { commaBits >>= 1 }
        depth -= 1
    }

    public mutating func key(_ k: String) {
        separate()
        appendString(k)
        bytes.append(UInt8(ascii: ":"))
        commaBits &= ~1
    }

    /// A key known at compile time to need no escaping (`"start_time"`): copied, not scanned.
    public mutating func key(_ k: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        commaBits &= ~1
    }

    @inline(__always)
    private mutating func separate() {
        if commaBits & 1 != 0 { bytes.append(UInt8(ascii: ",")) }
        commaBits |= 1
    }

    /// Bytes known at compile time (`true`, `null`), copied without building an array.
    @inline(__always)
    private mutating func append(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    public mutating func string(_ s: String) {
        separate()
        appendString(s)
    }

    public mutating func int<I: BinaryInteger>(_ v: I) {
        separate()
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendDecimal(UInt64(v.magnitude))
        } else {
            appendDecimal(UInt64(v))
        }
    }

    public mutating func double(_ v: Double) {
        separate()
        if v.isFinite {
            bytes.append(contentsOf: Array(String(v).utf8))
        } else {
            append("null")
        }
    }

    public mutating func bool(_ v: Bool) {
        separate()
        if v { append("true") } else { append("false") }
    }

    public mutating func null() {
        separate()
        append("null")
    }

    /// Inserts JSON text that is already valid (e.g. `metadata` kept verbatim from a decoded document).
    public mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
    }

    /// Epoch seconds with up to nine decimals, exact from integer nanoseconds (`1700000000.123456789`).
    public mutating func epochSeconds(_ nanos: EpochNanos) {
        separate()
        let magnitude = nanos.magnitude
        if nanos < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDecimal(magnitude / 1_000_000_000)
        var fraction = magnitude % 1_000_000_000
        guard fraction > 0 else { return }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        // Leading zeros of the fraction, then its significant digits.
        var width = 1
        var probe = fraction
        while probe >= 10 {
            probe /= 10
            width += 1
        }
        for _ in 0..<(digits - width) { bytes.append(UInt8(ascii: "0")) }
        appendDecimal(fraction)
    }

    /// An unsigned integer's digits, without going through `String`.
    private mutating func appendDecimal(_ value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") &+ UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(20 - count)...]))
        }
    }

    /// A span id as a quoted 16-digit hex string, written in place.
    public mutating func spanID(_ id: SpanID) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        appendHex(id.value, digits: 16)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A trace id in X-Ray form (`"1-5759e988-bd862e3fe1be46a994272793"`), written in place.
    public mutating func xrayTraceID(_ id: TraceID) {
        separate()
        append("\"1-")
        appendHex(id.high >> 32, digits: 8)
        bytes.append(UInt8(ascii: "-"))
        appendHex(id.high & 0xFFFF_FFFF, digits: 8)
        appendHex(id.low, digits: 16)
        bytes.append(UInt8(ascii: "\""))
    }

    /// The low `digits` hex digits of `value` (at most 16), formatted on the stack and appended in one copy.
    private mutating func appendHex(_ value: UInt64, digits: Int) {
        var buffer: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &buffer) { out in
            var v = value
            var i = digits - 1
            while i >= 0 {
                let d = UInt8(truncatingIfNeeded: v & 0xF)
                out[i] = d < 10 ? d &+ 0x30 : d &+ 0x57
                v >>= 4
                i -= 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: out[0..<digits]))
        }
    }

    /// Appends raw bytes (a newline between documents).
    public mutating func rawByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Empties the buffer for reuse, keeping its capacity; with `keepingBytes`, only the nesting state is reset so
    /// the next document follows the last one (JSON lines).
    public mutating func reset(keepingBytes: Bool = false) {
        if !keepingBytes { bytes.removeAll(keepingCapacity: true) }
        commaBits = 0
        deeperLevels.removeAll(keepingCapacity: true)
        depth = 0
    }

    public mutating func attribute(_ v: AttributeValue) {
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .double(let d): double(d)
        case .bool(let b): bool(b)
        case .array(let values):
            beginArray()
            for value in values { attribute(value) }
            endArray()
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings need no escaping: scan their bytes and copy them in one go.
        let copied: Bool? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            for b in utf8 where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(b)
            case UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(b)
            case 0x0A:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "n"))
            case 0x0D:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "r"))
            case 0x09:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          Self.hex[Int(b >> 4)], Self.hex[Int(b & 0xF)]])
            default:
                bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// JSON string escaping for other modules' writers (summary JSON, JUnit attributes use their own escaping).
public enum JSONText {
    /// `s` as a quoted JSON string literal.
    public static func quoted(_ s: String) -> String {
        var writer = JSONWriter(capacity: s.utf8.count + 2)
        writer.string(s)
        return writer.text
    }
}
