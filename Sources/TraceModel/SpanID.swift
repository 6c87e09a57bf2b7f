/// A 64-bit span (X-Ray segment or subsegment) identifier, spelled as 16 hex digits.
public struct SpanID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Parses exactly 16 hex digits.
    public init?(hex: some StringProtocol) {
        let bytes = Array(hex.utf8)
        guard let id = bytes.withUnsafeBytes({ SpanID(hexBytes: $0) }) else { return nil }
        self = id
    }

    public init?(hexBytes b: UnsafeRawBufferPointer) {
        guard b.count == 16, let v = Hex.parse(b, from: 0, count: 16) else { return nil }
        value = v
    }

    public var hex: String { Hex.format(value, digits: 16) }
    public var description: String { hex }
    public var isValid: Bool { value != 0 }

    public static func < (lhs: SpanID, rhs: SpanID) -> Bool { lhs.value < rhs.value }
}
