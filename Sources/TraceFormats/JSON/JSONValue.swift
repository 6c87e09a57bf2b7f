/// A parsed JSON tree, for small documents where convenience beats speed (a baseline summary, a rules file).
/// Trace data never goes through this: it is decoded straight from bytes by the format decoders.
public enum JSONValue: Sendable, Hashable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        var copy = text
        let result: Result<JSONValue, ParseError> = copy.withUTF8 { buffer in
            do throws(ParseError) {
                return .success(try parse(UnsafeRawBufferPointer(buffer)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> JSONValue {
        var scanner = JSONScanner(bytes)
        do throws(JSONScanError) {
            let value = try read(&scanner, depth: 0)
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.fail("unexpected data after the JSON value") }
            return value
        } catch {
            throw ParseError(message: error.message, offset: error.offset)
        }
    }

    private static func read(_ s: inout JSONScanner, depth: Int) throws(JSONScanError) -> JSONValue {
        guard depth < 256 else { throw s.fail("nesting deeper than 256 levels") }
        switch try s.peekKind() {
        case .object:
            var object: [String: JSONValue] = [:]
            try s.beginObject()
            while let key = try s.nextKey() {
                let name = try s.keyString(key)
                object[name] = try read(&s, depth: depth + 1)
            }
            return .object(object)
        case .array:
            var array: [JSONValue] = []
            try s.beginArray()
            while try s.nextElement() { array.append(try read(&s, depth: depth + 1)) }
            return .array(array)
        case .string: return .string(try s.readString())
        case .number: return .number(try s.readDouble())
        case .bool: return .bool(try s.readBool())
        case .null:
            _ = s.consumeNull()
            return .null
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var number: Double? {
        if case .number(let n) = self { return n }
        return nil
    }
}
