import TraceModel

/// A forward-only JSON reader over bytes, built for decoding trace documents without building a tree.
///
/// Decoders walk an object key by key, read the values they want and skip the rest, so unknown fields cost one
/// skip and nothing is allocated for them. Codable and `JSONSerialization` are 4–8× slower on these documents
/// (docs/PERFORMANCE.md), which is why this exists.
///
/// ```swift
/// var scanner = JSONScanner(bytes)
/// try scanner.beginObject()
/// while let key = try scanner.nextKey() {
///     if scanner.key(key, is: "name") { name = try scanner.readString() } else { try scanner.skipValue() }
/// }
/// ```
struct JSONScanner {
    /// A key's bytes inside the buffer (without quotes, escapes not decoded).
    struct Key {
        var start: Int
        var count: Int
        var hasEscapes: Bool
    }

    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    /// Bounds nesting so hostile input cannot exhaust the stack or spin on `[[[[…`.
    static let maxDepth = 512

    init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var isAtEnd: Bool { position >= bytes.count }

    // MARK: Structure

    @inline(__always)
    mutating func skipWhitespace() {
        while position < bytes.count {
            let c = bytes[position]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            position += 1
        }
    }

    /// The next significant byte, without consuming it.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    mutating func fail(_ message: String) -> JSONScanError {
        JSONScanError(offset: position, message: message, truncated: position >= bytes.count)
    }

    @inline(__always)
    mutating func expect(_ c: UInt8, _ what: StaticString) throws(JSONScanError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input, expected \(what)") }
        guard bytes[position] == c else { throw fail("expected \(what), found \(describeByte(bytes[position]))") }
        position += 1
    }

    mutating func beginObject() throws(JSONScanError) {
        try expect(UInt8(ascii: "{"), "'{'")
        pendingFirst = true
    }

    /// Whether the next key read is the object's first (so no comma is due).
    private var pendingFirst = false

    /// Reads the next key and its colon, or returns nil at the object's closing brace.
    mutating func nextKey() throws(JSONScanError) -> Key? {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input inside an object") }
        if bytes[position] == UInt8(ascii: "}") {
            position += 1
            pendingFirst = false
            return nil
        }
        if !pendingFirst {
            guard bytes[position] == UInt8(ascii: ",") else {
                throw fail("expected ',' or '}' in object, found \(describeByte(bytes[position]))")
            }
            position += 1
            skipWhitespace()
        }
        pendingFirst = false
        guard position < bytes.count else { throw fail("unexpected end of input, expected a key") }
        guard bytes[position] == UInt8(ascii: "\"") else {
            throw fail("expected a quoted key, found \(describeByte(bytes[position]))")
        }
        let (start, end, escapes) = try scanString()
        try expect(UInt8(ascii: ":"), "':' after key")
        return Key(start: start, count: end - start, hasEscapes: escapes)
    }

    mutating func beginArray() throws(JSONScanError) {
        try expect(UInt8(ascii: "["), "'['")
        pendingFirst = true
    }

    /// True when another array element follows (consuming the comma); false at the closing bracket.
    mutating func nextElement() throws(JSONScanError) -> Bool {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input inside an array") }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1
            pendingFirst = false
            return false
        }
        if !pendingFirst {
            guard bytes[position] == UInt8(ascii: ",") else {
                throw fail("expected ',' or ']' in array, found \(describeByte(bytes[position]))")
            }
            position += 1
        }
        pendingFirst = false
        return true
    }

    /// Compares a key with a literal, byte for byte.
    @inline(__always)
    func key(_ key: Key, is literal: StaticString) -> Bool {
        guard key.count == literal.utf8CodeUnitCount else { return false }
        let lit = literal.utf8Start
        for i in 0..<key.count where bytes[key.start + i] != lit[i] { return false }
        return true
    }

    /// The key as a `String`, with escapes decoded.
    func keyString(_ key: Key) throws(JSONScanError) -> String {
        if !key.hasEscapes {
            return String(
                decoding: UnsafeRawBufferPointer(rebasing: bytes[key.start..<(key.start + key.count)]), as: UTF8.self)
        }
        var copy = JSONScanner(bytes, position: key.start - 1)
        return try copy.readString()
    }

    // MARK: Values

    enum ValueKind { case object, array, string, number, bool, null }

    mutating func peekKind() throws(JSONScanError) -> ValueKind {
        guard let c = peek() else { throw fail("unexpected end of input, expected a value") }
        switch c {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw fail("unexpected \(describeByte(c))")
        }
    }

    /// Consumes `null` if it is next.
    mutating func consumeNull() -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        if position + 4 <= bytes.count, bytes[position + 1] == UInt8(ascii: "u"),
            bytes[position + 2] == UInt8(ascii: "l"),
            bytes[position + 3] == UInt8(ascii: "l")
        {
            position += 4
            return true
        }
        return false
    }

    /// Scans a string starting at the opening quote; returns the content range and whether it has escapes.
    @inline(__always)
    private mutating func scanString() throws(JSONScanError) -> (Int, Int, Bool) {
        position += 1
        let start = position
        var escapes = false
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                let end = position
                position += 1
                return (start, end, escapes)
            }
            if c == UInt8(ascii: "\\") {
                escapes = true
                position += 2
                continue
            }
            position += 1
        }
        position = bytes.count
        throw fail("unterminated string")
    }

    /// Reads a string value's raw byte range (escapes undecoded), for ids and other plain ASCII tokens.
    mutating func readStringRange() throws(JSONScanError) -> (range: Range<Int>, hasEscapes: Bool) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw position < bytes.count
                ? fail("expected a string, found \(describeByte(bytes[position]))")
                : fail("unexpected end of input, expected a string")
        }
        let (start, end, escapes) = try scanString()
        return (start..<end, escapes)
    }

    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// Reads a string value, decoding escapes. Invalid UTF-8 is repaired with U+FFFD rather than rejected.
    mutating func readString() throws(JSONScanError) -> String {
        let (range, escapes) = try readStringRange()
        if !escapes { return String(decoding: slice(range), as: UTF8.self) }
        return try unescape(range)
    }

    private func unescape(_ range: Range<Int>) throws(JSONScanError) -> String {
        var out = [UInt8]()
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        var pendingHighSurrogate: UInt32?
        func appendScalar(_ v: UInt32, into out: inout [UInt8]) {
            let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while i < range.upperBound {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\") else {
                if let high = pendingHighSurrogate {
                    appendScalar(high, into: &out)
                    pendingHighSurrogate = nil
                }
                out.append(c)
                i += 1
                continue
            }
            guard i + 1 < range.upperBound else {
                throw JSONScanError(offset: i, message: "dangling escape in string", truncated: false)
            }
            let e = bytes[i + 1]
            if e == UInt8(ascii: "u") {
                guard i + 6 <= range.upperBound else {
                    throw JSONScanError(offset: i, message: "short \\u escape", truncated: false)
                }
                var v: UInt32 = 0
                for j in (i + 2)..<(i + 6) {
                    guard let d = hexValue(bytes[j]) else {
                        throw JSONScanError(offset: j, message: "bad hex digit in \\u escape", truncated: false)
                    }
                    v = v << 4 | d
                }
                i += 6
                if (0xD800...0xDBFF).contains(v) {
                    if let high = pendingHighSurrogate { appendScalar(high, into: &out) }
                    pendingHighSurrogate = v
                } else if (0xDC00...0xDFFF).contains(v), let high = pendingHighSurrogate {
                    appendScalar(0x10000 + ((high - 0xD800) << 10) + (v - 0xDC00), into: &out)
                    pendingHighSurrogate = nil
                } else {
                    if let high = pendingHighSurrogate {
                        appendScalar(high, into: &out)
                        pendingHighSurrogate = nil
                    }
                    appendScalar(v, into: &out)
                }
                continue
            }
            if let high = pendingHighSurrogate {
                appendScalar(high, into: &out)
                pendingHighSurrogate = nil
            }
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            default:
                throw JSONScanError(
                    offset: i, message: "invalid escape \\\(Character(Unicode.Scalar(e)))", truncated: false)
            }
            i += 2
        }
        if let high = pendingHighSurrogate { appendScalar(high, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    private func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(c - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Reads a number token's byte range, validating its shape.
    mutating func readNumberRange() throws(JSONScanError) -> Range<Int> {
        skipWhitespace()
        let start = position
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        var digits = 0
        while position < bytes.count {
            let c = bytes[position]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
                digits += 1
            } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || c == UInt8(ascii: "+")
                || c == UInt8(ascii: "-")
            {
                // part of a fraction or exponent; the numeric parsers validate the exact shape
            } else {
                break
            }
            position += 1
        }
        guard digits > 0 else {
            position = start
            if position < bytes.count { throw fail("expected a number, found \(describeByte(bytes[position]))") }
            throw fail("unexpected end of input, expected a number")
        }
        return start..<position
    }

    mutating func readDouble() throws(JSONScanError) -> Double {
        let start = position
        let range = try readNumberRange()
        guard let value = Double(String(decoding: slice(range), as: UTF8.self)) else {
            position = start
            throw fail("malformed number")
        }
        return value
    }

    /// Reads an integer; a number with a fraction or exponent is accepted when it is integral.
    mutating func readInt() throws(JSONScanError) -> Int64 {
        let start = position
        let range = try readNumberRange()
        if let v = DecimalParser.integer(slice(range)) { return v }
        if let d = Double(String(decoding: slice(range), as: UTF8.self)), d.rounded() == d, abs(d) < 9.2e18 {
            return Int64(d)
        }
        position = start
        throw fail("expected an integer")
    }

    mutating func readBool() throws(JSONScanError) -> Bool {
        skipWhitespace()
        if position + 4 <= bytes.count, bytes[position] == UInt8(ascii: "t"), bytes[position + 1] == UInt8(ascii: "r"),
            bytes[position + 2] == UInt8(ascii: "u"), bytes[position + 3] == UInt8(ascii: "e")
        {
            position += 4
            return true
        }
        if position + 5 <= bytes.count, bytes[position] == UInt8(ascii: "f"), bytes[position + 1] == UInt8(ascii: "a"),
            bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "s"),
            bytes[position + 4] == UInt8(ascii: "e")
        {
            position += 5
            return false
        }
        throw fail("expected true or false")
    }

    /// Skips one value of any kind, iteratively, with nesting bounded by `maxDepth`.
    mutating func skipValue() throws(JSONScanError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input, expected a value") }
        let c = bytes[position]
        switch c {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while position < bytes.count {
                let b = bytes[position]
                switch b {
                case UInt8(ascii: "\""):
                    _ = try scanString()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth > Self.maxDepth { throw fail("nesting deeper than \(Self.maxDepth) levels") }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        position += 1
                        return
                    }
                default:
                    break
                }
                position += 1
            }
            throw fail("unexpected end of input inside a value")
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try readBool()
        case UInt8(ascii: "n"):
            guard consumeNull() else { throw fail("expected null") }
        default:
            _ = try readNumberRange()
        }
    }

    /// The next value's JSON text, verbatim.
    mutating func readRawValue() throws(JSONScanError) -> String {
        skipWhitespace()
        let start = position
        try skipValue()
        return String(decoding: slice(start..<position), as: UTF8.self)
    }

    /// Reads a value as an attribute: scalars as themselves, arrays as `.array`, objects as their JSON text,
    /// null as nil.
    mutating func readAttributeValue(depth: Int = 0) throws(JSONScanError) -> AttributeValue? {
        switch try peekKind() {
        case .string: return .string(try readString())
        case .bool: return .bool(try readBool())
        case .null:
            _ = consumeNull()
            return nil
        case .number:
            let start = position
            let range = try readNumberRange()
            if let i = DecimalParser.integer(slice(range)) { return .int(i) }
            position = start
            return .double(try readDouble())
        case .array:
            guard depth < 8 else { return .string(try readRawValue()) }
            var values: [AttributeValue] = []
            try beginArray()
            while try nextElement() {
                if let v = try readAttributeValue(depth: depth + 1) { values.append(v) }
            }
            return .array(values)
        case .object:
            return .string(try readRawValue())
        }
    }

    private func describeByte(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x" + String(c, radix: 16, uppercase: true)
    }
}

/// A syntax error at a byte offset. `truncated` marks input that ended mid-value (a cut-off last line).
struct JSONScanError: Error, Sendable {
    var offset: Int
    var message: String
    var truncated: Bool
    /// Set when the JSON was fine but its content was not (see `wrapping(_:)`).
    var semantic: DecodeFailure?

    init(offset: Int, message: String, truncated: Bool, semantic: DecodeFailure? = nil) {
        self.offset = offset
        self.message = message
        self.truncated = truncated
        self.semantic = semantic
    }
}
