/// A 128-bit trace identifier.
///
/// X-Ray and W3C spell the same id two ways; both parse to the same value:
/// ```swift
/// let a = TraceID(xray: "1-5759e988-bd862e3fe1be46a994272793")
/// let b = TraceID(hex: "5759e988bd862e3fe1be46a994272793")
/// assert(a == b)
/// ```
public struct TraceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 32 hex digits (the W3C `traceparent` form). Returns nil for anything else.
    public init?(hex: some StringProtocol) {
        var utf8 = Array(hex.utf8)
        guard utf8.count == 32 else { return nil }
        guard let id = utf8.withUnsafeMutableBufferPointer({ TraceID(hexBytes: UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self = id
    }

    /// Parses the X-Ray form `1-{8 hex epoch seconds}-{24 hex}`. Returns nil for anything else.
    public init?(xray: some StringProtocol) {
        let bytes = Array(xray.utf8)
        guard let id = bytes.withUnsafeBytes({ TraceID(xrayBytes: $0) }) else { return nil }
        self = id
    }

    /// Parses either spelling from raw bytes: the X-Ray form or 32 hex digits.
    public init?(anyBytes bytes: UnsafeRawBufferPointer) {
        if bytes.count == 35, let id = TraceID(xrayBytes: bytes) {
            self = id
        } else if bytes.count == 32, let id = TraceID(hexBytes: bytes) {
            self = id
        } else {
            return nil
        }
    }

    public init?(xrayBytes b: UnsafeRawBufferPointer) {
        guard b.count == 35, b[0] == UInt8(ascii: "1"), b[1] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "-") else {
            return nil
        }
        guard let epoch = Hex.parse(b, from: 2, count: 8),
            let mid = Hex.parse(b, from: 11, count: 8),
            let tail = Hex.parse(b, from: 19, count: 16)
        else { return nil }
        self.init(high: epoch << 32 | mid, low: tail)
    }

    public init?(hexBytes b: UnsafeRawBufferPointer) {
        guard b.count == 32, let high = Hex.parse(b, from: 0, count: 16), let low = Hex.parse(b, from: 16, count: 16)
        else {
            return nil
        }
        self.init(high: high, low: low)
    }

    /// The W3C spelling: 32 lowercase hex digits.
    public var hex: String { Hex.format(high, digits: 16) + Hex.format(low, digits: 16) }

    /// The X-Ray spelling: `1-{8}-{24}`.
    public var xray: String {
        "1-" + Hex.format(high >> 32, digits: 8) + "-" + Hex.format(high & 0xFFFF_FFFF, digits: 8)
            + Hex.format(low, digits: 16)
    }

    /// The epoch seconds an X-Ray trace id carries in its first field.
    public var epochSeconds: UInt32 { UInt32(truncatingIfNeeded: high >> 32) }

    public var isValid: Bool { high != 0 || low != 0 }

    public var description: String { xray }

    public static func < (lhs: TraceID, rhs: TraceID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
