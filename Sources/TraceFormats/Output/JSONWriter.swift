import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Appends JSON text to a byte buffer. Strings are escaped per RFC 8259, control characters included, so what we
/// write is always valid JSON whatever bytes a span name carried.
///
/// The buffer is written through a pointer after one capacity check per value — an exporter writes a few dozen values
/// per span, and `Array.append(contentsOf:)` costs more per call than the bytes it copies. The writer is a value type:
/// a copy shares the buffer until either side writes (copy on write), like an array.
public struct JSONWriter: Sendable {
    private var storage: ByteBuffer
    /// Whether the next value at each nesting level needs a comma first: one bit per level, the current level in
    /// bit 0. A bit stack rather than an array, so writing a document allocates nothing but its bytes; levels beyond
    /// 64 (only hostile input nests that deep) spill into `deeperLevels`.
    private var commaBits: UInt64 = 0
    private var deeperLevels: [UInt64] = []
    private var depth = 0

    public init(capacity: Int = 512) {
        storage = ByteBuffer(capacity: max(64, capacity))
    }

    /// The bytes written so far (a copy; `withUnsafeBytes` reads them in place).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }

    public var count: Int { storage.count }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }

    public var text: String {
        String(decoding: UnsafeBufferPointer(start: storage.base, count: storage.count), as: UTF8.self)
    }

    // MARK: Structure

    public mutating func beginObject() {
        separate()
        put(UInt8(ascii: "{"))
        push()
    }

    public mutating func endObject() {
        put(UInt8(ascii: "}"))
        pop()
    }

    public mutating func beginArray() {
        separate()
        put(UInt8(ascii: "["))
        push()
    }

    public mutating func endArray() {
        put(UInt8(ascii: "]"))
        pop()
    }

    @inline(__always)
    private mutating func push() {
        depth += 1
        if depth % 64 == 0 {
            deeperLevels.append(commaBits)
            commaBits = 0
        } else {
            commaBits <<= 1
        }
    }

    @inline(__always)
    private mutating func pop() {
        guard depth > 0 else { return }
        if depth % 64 == 0 { commaBits = deeperLevels.popLast() ?? 0 } else { commaBits >>= 1 }
        depth -= 1
    }

    @inline(__always)
    private mutating func separate() {
        if commaBits & 1 != 0 { put(UInt8(ascii: ",")) }
        commaBits |= 1
    }

    public mutating func key(_ k: String) {
        separate()
        appendString(k)
        put(UInt8(ascii: ":"))
        commaBits &= ~1
    }

    /// A key known at compile time to need no escaping (`"start_time"`): copied, not scanned.
    public mutating func key(_ k: StaticString) {
        separate()
        let n = k.utf8CodeUnitCount
        let p = reserve(n + 3)
        p[0] = UInt8(ascii: "\"")
        (p + 1).update(from: k.utf8Start, count: n)
        p[n + 1] = UInt8(ascii: "\"")
        p[n + 2] = UInt8(ascii: ":")
        storage.count += n + 3
        commaBits &= ~1
    }

    // MARK: Values

    public mutating func string(_ s: String) {
        separate()
        appendString(s)
    }

    public mutating func int<I: BinaryInteger>(_ v: I) {
        separate()
        if v < 0 {
            put(UInt8(ascii: "-"))
            appendDecimal(UInt64(v.magnitude))
        } else {
            appendDecimal(UInt64(v))
        }
    }

    public mutating func double(_ v: Double) {
        separate()
        if v.isFinite {
            appendRaw(String(v))
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
    /// Appends JSON text as it is (metadata kept verbatim from its document). C1 controls, bidirectional overrides
    /// and zero-width marks are rewritten as `\u` escapes on the way: in valid JSON such characters can only stand
    /// inside strings, where the escape means the same character, so the JSON keeps its meaning and turns inert.
    public mutating func raw(_ json: String) {
        separate()
        guard json.utf8.contains(where: { $0 == 0xC2 || $0 == 0xE2 || $0 == 0xEF }) else {
            appendRaw(json)
            return
        }
        var safe = ""
        safe.reserveCapacity(json.utf8.count + 16)
        for scalar in json.unicodeScalars {
            if scalar.value >= 0x80, TerminalSafe.needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16)
                safe += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        appendRaw(safe)
    }

    /// Epoch seconds with up to nine decimals, exact from integer nanoseconds (`1700000000.123456789`).
    public mutating func epochSeconds(_ nanos: EpochNanos) {
        separate()
        let magnitude = nanos.magnitude
        if nanos < 0 { put(UInt8(ascii: "-")) }
        appendDecimal(magnitude / 1_000_000_000)
        var fraction = magnitude % 1_000_000_000
        guard fraction > 0 else { return }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        // The point, then the fraction's digits with their leading zeros.
        let p = reserve(digits + 1)
        p[0] = UInt8(ascii: ".")
        Self.writeDigits(fraction, width: digits, to: p + 1)
        storage.count += digits + 1
    }

    /// A span id as a quoted 16-digit hex string, written in place.
    public mutating func spanID(_ id: SpanID) {
        separate()
        let p = reserve(18)
        p[0] = UInt8(ascii: "\"")
        Self.writeHex(id.value, digits: 16, to: p + 1)
        p[17] = UInt8(ascii: "\"")
        storage.count += 18
    }

    /// A trace id in X-Ray form (`"1-5759e988-bd862e3fe1be46a994272793"`), written in place.
    public mutating func xrayTraceID(_ id: TraceID) {
        separate()
        let p = reserve(37)
        p[0] = UInt8(ascii: "\"")
        p[1] = UInt8(ascii: "1")
        p[2] = UInt8(ascii: "-")
        Self.writeHex(id.high >> 32, digits: 8, to: p + 3)
        p[11] = UInt8(ascii: "-")
        Self.writeHex(id.high & 0xFFFF_FFFF, digits: 8, to: p + 12)
        Self.writeHex(id.low, digits: 16, to: p + 20)
        p[36] = UInt8(ascii: "\"")
        storage.count += 37
    }

    /// Appends raw bytes (a newline between documents).
    public mutating func rawByte(_ byte: UInt8) {
        put(byte)
    }

    /// Empties the buffer for reuse, keeping its capacity; with `keepingBytes`, only the nesting state is reset so
    /// the next document follows the last one (JSON lines).
    public mutating func reset(keepingBytes: Bool = false) {
        if !keepingBytes {
            if isKnownUniquelyReferenced(&storage) {
                storage.count = 0
            } else {
                storage = ByteBuffer(capacity: storage.capacity)
            }
        }
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

    // MARK: Bytes

    /// Room for `n` more bytes, the buffer made unique first; returns where they go. The caller adds to `count`.
    @inline(__always)
    private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy(minimumCapacity: storage.count + n)
        } else if storage.count + n > storage.capacity {
            storage.grow(toAtLeast: storage.count + n)
        }
        return storage.base + storage.count
    }

    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        reserve(1).pointee = byte
        storage.count += 1
    }

    /// Bytes known at compile time (`true`, `null`).
    @inline(__always)
    private mutating func append(_ text: StaticString) {
        let n = text.utf8CodeUnitCount
        reserve(n).update(from: text.utf8Start, count: n)
        storage.count += n
    }

    private mutating func appendRaw(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            guard let source = utf8.baseAddress else { return }
            reserve(utf8.count).update(from: source, count: utf8.count)
            storage.count += utf8.count
        }
    }

    /// An unsigned integer's digits.
    private mutating func appendDecimal(_ value: UInt64) {
        var width = 1
        var threshold: UInt64 = 10
        while value >= threshold && width < 20 {
            width += 1
            threshold = threshold &* 10 // wraps only past 10^19, when the width is already 20
        }
        Self.writeDigits(value, width: width, to: reserve(width))
        storage.count += width
    }

    /// "00" to "99": numbers are written two digits per division (every span carries two 19-digit timestamps).
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// The low `width` decimal digits of `value`, leading zeros included, right to left into place.
    @inline(__always)
    private static func writeDigits(_ value: UInt64, width: Int, to p: UnsafeMutablePointer<UInt8>) {
        let pairs = digitPairs.utf8Start
        var v = value
        var i = width
        while i >= 2 {
            let pair = Int(truncatingIfNeeded: v % 100) &* 2
            v /= 100
            i -= 2
            p[i] = pairs[pair]
            p[i + 1] = pairs[pair + 1]
        }
        if i == 1 { p[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10) }
    }

    /// The low `digits` hex digits of `value`.
    @inline(__always)
    private static func writeHex(_ value: UInt64, digits: Int, to p: UnsafeMutablePointer<UInt8>) {
        var v = value
        var i = digits - 1
        while i >= 0 {
            let d = UInt8(truncatingIfNeeded: v & 0xF)
            p[i] = d < 10 ? d &+ 0x30 : d &+ 0x57
            v >>= 4
            i -= 1
        }
    }

    private mutating func appendString(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            // Most strings need no escaping: scan their bytes, then copy them in one go. Lead bytes 0xC2, 0xE2 and
            // 0xEF start every C1 control, bidirectional override and zero-width mark; those strings take the slow
            // path, which escapes exactly the scalars `TerminalSafe.needsEscape` names (docs/SEMANTICS.md,
            // "Untrusted text"), so a report printed raw in a terminal or CI log stays inert.
            var clean = true
            for b in utf8
            where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b == 0x7F || b == 0xC2
                || b == 0xE2 || b == 0xEF
            {
                clean = false
                break
            }
            let n = utf8.count
            if clean {
                let p = reserve(n + 2)
                p[0] = UInt8(ascii: "\"")
                if let source = utf8.baseAddress { (p + 1).update(from: source, count: n) }
                p[n + 1] = UInt8(ascii: "\"")
                storage.count += n + 2
                return
            }
            // At most six bytes per input byte (`\u001f`), and the quotes.
            let p = reserve(6 * n + 2)
            var o = 0
            p[o] = UInt8(ascii: "\"")
            o += 1
            func escaped(_ code: UInt32) {
                p[o] = UInt8(ascii: "\\")
                p[o + 1] = UInt8(ascii: "u")
                Self.writeHex(UInt64(code), digits: 4, to: p + o + 2)
                o += 6
            }
            var i = 0
            while i < n {
                let b = utf8[i]
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    p[o] = UInt8(ascii: "\\")
                    p[o + 1] = b
                    o += 2
                case 0x0A:
                    p[o] = UInt8(ascii: "\\")
                    p[o + 1] = UInt8(ascii: "n")
                    o += 2
                case 0x0D:
                    p[o] = UInt8(ascii: "\\")
                    p[o + 1] = UInt8(ascii: "r")
                    o += 2
                case 0x09:
                    p[o] = UInt8(ascii: "\\")
                    p[o + 1] = UInt8(ascii: "t")
                    o += 2
                case 0..<0x20, 0x7F:
                    escaped(UInt32(b))
                case 0xC2 where i + 1 < n && (0x80...0x9F).contains(utf8[i + 1]):
                    // A C1 control, U+0080…U+009F: two bytes become one `\u` escape.
                    escaped(UInt32(utf8[i + 1]))
                    i += 1
                case 0xE2 where i + 2 < n, 0xEF where i + 2 < n:
                    let scalar =
                        (UInt32(b & 0x0F) << 12) | (UInt32(utf8[i + 1] & 0x3F) << 6) | UInt32(utf8[i + 2] & 0x3F)
                    if let u = Unicode.Scalar(scalar), TerminalSafe.needsEscape(u) {
                        escaped(scalar)
                    } else {
                        p[o] = b
                        p[o + 1] = utf8[i + 1]
                        p[o + 2] = utf8[i + 2]
                        o += 3
                    }
                    i += 2
                default:
                    p[o] = b
                    o += 1
                }
                i += 1
            }
            p[o] = UInt8(ascii: "\"")
            o += 1
            storage.count += o
        }
    }
}

/// The writer's bytes: a growable buffer owned by one writer at a time (`JSONWriter` copies it before writing when
/// shared). `@unchecked Sendable`: it is only mutated through a writer that holds the sole reference.
final class ByteBuffer: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    func grow(toAtLeast needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    func copy(minimumCapacity: Int) -> ByteBuffer {
        let copy = ByteBuffer(capacity: max(capacity, minimumCapacity))
        copy.base.update(from: base, count: count)
        copy.count = count
        return copy
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
