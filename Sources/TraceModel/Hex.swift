/// Hex digit helpers shared by the id types.
enum Hex {
    @inline(__always)
    static func digit(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt64(c &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt64(c &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt64(c &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    static func parse(_ b: UnsafeRawBufferPointer, from start: Int, count: Int) -> UInt64? {
        var value: UInt64 = 0
        for i in start..<(start + count) {
            guard let d = digit(b[i]) else { return nil }
            value = value << 4 | d
        }
        return value
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func format(_ value: UInt64, digits count: Int) -> String {
        String(unsafeUninitializedCapacity: count) { buffer in
            for i in 0..<count {
                let shift = UInt64((count - 1 - i) * 4)
                buffer[i] = digits[Int((value >> shift) & 0xF)]
            }
            return count
        }
    }
}
