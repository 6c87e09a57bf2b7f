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
        bytes.append(contentsOf: Array(String(v).utf8))
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
        let negative = nanos < 0
        let magnitude = nanos.magnitude
        let seconds = magnitude / 1_000_000_000
        var fraction = magnitude % 1_000_000_000
        if negative { bytes.append(UInt8(ascii: "-")) }
        bytes.append(contentsOf: Array(String(seconds).utf8))
        guard fraction > 0 else { return }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        bytes.append(UInt8(ascii: "."))
        for _ in 0..<(digits - text.utf8.count) { bytes.append(UInt8(ascii: "0")) }
        bytes.append(contentsOf: Array(text.utf8))
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
