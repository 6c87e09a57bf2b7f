import TraceModel

/// Appends JSON text to a byte buffer. Strings are escaped per RFC 8259, control characters included, so what we
/// write is always valid JSON whatever bytes a span name carried.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma.removeLast()
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma.removeLast()
    }

    public mutating func key(_ k: String) {
        separate()
        appendString(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    /// A key known at compile time to need no escaping (`"start_time"`): copied, not scanned.
    public mutating func key(_ k: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeRawBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
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
            bytes.append(contentsOf: Array("null".utf8))
        }
    }

    public mutating func bool(_ v: Bool) {
        separate()
        bytes.append(contentsOf: Array((v ? "true" : "false").utf8))
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: Array("null".utf8))
    }

    /// Inserts JSON text that is already valid (e.g. `metadata` kept verbatim from a decoded document).
    public mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: Array(json.utf8))
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
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: "1"), UInt8(ascii: "-")])
        appendHex(id.high >> 32, digits: 8)
        bytes.append(UInt8(ascii: "-"))
        appendHex(id.high & 0xFFFF_FFFF, digits: 8)
        appendHex(id.low, digits: 16)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendHex(_ value: UInt64, digits: Int) {
        var shift = (digits - 1) * 4
        while shift >= 0 {
            bytes.append(Self.hex[Int((value >> UInt64(shift)) & 0xF)])
            shift -= 4
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
        needsComma = [false]
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
