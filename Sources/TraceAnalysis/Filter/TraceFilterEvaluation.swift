import TraceModel

/// What expressions ask of a trace, computed on first use: the topology walk only when service/edge appear.
struct TraceFacts {
    let trace: AssembledTrace
    private var topologyCache: (nodes: Set<NodeKey>, edges: Set<EdgeKey>)?
    private(set) lazy var root: Span? = trace.root
    private(set) lazy var classes: Set<StatusClass> = {
        var found = Set<StatusClass>()
        for s in trace.spans where s.isSegment || s.isDownstreamCall || s.parentID == nil {
            found.insert(s.statusClass)
        }
        return found
    }()

    init(_ trace: AssembledTrace) {
        self.trace = trace
    }

    mutating func topology() -> (nodes: Set<NodeKey>, edges: Set<EdgeKey>) {
        if let topologyCache { return topologyCache }
        let computed = ServiceGraphBuilder.topology(of: trace)
        topologyCache = computed
        return computed
    }
}

extension Expression {
    func evaluate(_ facts: inout TraceFacts) -> Bool {
        switch self {
        case .all(let terms):
            for term in terms where !term.evaluate(&facts) { return false }
            return true
        case .any(let terms):
            for term in terms where term.evaluate(&facts) { return true }
            return false
        case .not(let a): return !a.evaluate(&facts)
        case .status(let cls):
            // ok: nothing failed; the others: something ended in that class.
            return cls == .ok ? facts.classes.allSatisfy { $0 == .ok } : facts.classes.contains(cls)
        case .service(let name): return facts.topology().nodes.contains { $0.name == name }
        case .edge(let from, let to):
            return facts.topology().edges.contains { $0.from.name == from && $0.to.name == to }
        case .compare(let field, let op, let value):
            switch field {
            case .responseTime:
                guard let root = facts.root else { return false }
                return compare(.number(Double(root.duration) / 1e9), op, value)
            case .duration: return compare(.number(Double(facts.trace.durationNanos) / 1e9), op, value)
            case .httpStatus: return facts.root?.http?.status.map { compare(.number(Double($0)), op, value) } ?? false
            case .httpURL: return facts.root?.http?.url.map { compare(.text($0), op, value) } ?? false
            case .httpMethod: return facts.root?.http?.method.map { compare(.text($0), op, value) } ?? false
            case .httpUserAgent: return facts.root?.http?.userAgent.map { compare(.text($0), op, value) } ?? false
            case .httpClientIP: return facts.root?.http?.clientIP.map { compare(.text($0), op, value) } ?? false
            case .annotation(let key):
                return facts.trace.spans.contains { span in
                    guard let attribute = span.attribute(key) else { return false }
                    return compare(Self.value(of: attribute), op, value)
                }
            }
        }
    }

    private static func value(of attribute: AttributeValue) -> Value {
        if let b = attribute.boolValue { return .bool(b) }
        if let n = attribute.doubleValue { return .number(n) }
        return .text(attribute.description)
    }

    private func compare(_ actual: Value, _ op: Operator, _ expected: Value) -> Bool {
        switch (actual, expected) {
        case (.number(let a), .number(let b)):
            return Self.order(a, op, b) ?? false
        case (.bool(let a), .bool(let b)):
            return op == .equal ? a == b : op == .notEqual ? a != b : false
        default:
            let a = Self.text(actual)
            let b = Self.text(expected)
            if let ordered = Self.order(a, op, b) { return ordered }
            switch op {
            case .contains: return a.lowercased().contains(b.lowercased())
            case .beginsWith: return a.lowercased().hasPrefix(b.lowercased())
            case .endsWith: return a.lowercased().hasSuffix(b.lowercased())
            default: return false
            }
        }
    }

    /// `= != < <= > >=` on numbers or text; nil for the text-only operators.
    private static func order<T: Comparable>(_ a: T, _ op: Operator, _ b: T) -> Bool? {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        case .contains, .beginsWith, .endsWith: nil
        }
    }

    private static func text(_ value: Value) -> String {
        switch value {
        case .number(let n): Formatting.number(n)
        case .text(let s): s
        case .bool(let b): b ? "true" : "false"
        }
    }
}
