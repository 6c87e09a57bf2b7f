import TraceFormats

/// A JSON tree that keeps key order, for reports a person reads (`schema` first, then the figures).
indirect enum OrderedJSON {
    case object([(String, OrderedJSON)])
    case array([OrderedJSON])
    case string(String)
    case number(Double)
    case int(Int64)
    case bool(Bool)
    case null

    static func optional(_ v: Double?) -> OrderedJSON { v.map { .number($0) } ?? .null }
    static func optional(_ v: String?) -> OrderedJSON { v.map { .string($0) } ?? .null }

    /// Two-space indentation; arrays of scalars stay on one line.
    func pretty(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .object(let fields):
            if fields.isEmpty { return "{}" }
            let body = fields.map { inner + JSONText.quoted($0.0) + ": " + $0.1.pretty(indent: indent + 1) }
            return "{\n" + body.joined(separator: ",\n") + "\n" + pad + "}"
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy(\.isScalar) { return "[" + items.map { $0.pretty() }.joined(separator: ", ") + "]" }
            return "[\n" + items.map { inner + $0.pretty(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad
                + "]"
        case .string(let s): return JSONText.quoted(s)
        case .number(let d):
            guard d.isFinite else { return "null" }
            // Three decimals: microseconds for latencies, far below any gate's resolution.
            let rounded = (d * 1000).rounded() / 1000
            if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
            return String(rounded)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }
}
