import TraceModel

/// A subset of AWS X-Ray's filter expressions, for the dashboard's `/` filter over traces:
///
///     service("checkout") AND responsetime > 1
///     edge("shop-api/prod", "checkout") OR fault
///     !ok AND http.url CONTAINS "/cart" AND annotation.customer = "gold"
///     (http.status >= 500 OR throttle) AND duration < 3
///
/// Keywords `ok`, `error`, `throttle`, `fault` are true when a request or call of the trace ended in that class (`ok`:
/// nothing failed). `responsetime` is the root request's duration and `duration` the whole trace's, in seconds.
/// `http.status|url|method|useragent|clientip` are the root request's; `annotation.KEY` matches any span's annotation
/// (or OTLP attribute). Operators: `= != < <= > >=`, and for text `CONTAINS BEGINSWITH ENDSWITH` (ignoring case);
/// combine with `AND`/`&&`, `OR`/`||`, `!`/`NOT`, parentheses.
public struct TraceFilter: Sendable, Equatable {
    public let text: String
    let expression: Expression

    public init(_ text: String) throws(TraceFilterError) {
        self.text = text
        var parser = Parser(text)
        expression = try parser.parseAll()
    }

    public func matches(_ trace: AssembledTrace) -> Bool {
        var facts = Facts(trace)
        return expression.evaluate(&facts)
    }
}

/// Why an expression did not parse, with the column (1-based) where the problem starts.
public struct TraceFilterError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var column: Int

    public var description: String { "column \(column): \(message)" }
}

// MARK: - Syntax

indirect enum Expression: Sendable, Equatable {
    case and(Expression, Expression)
    case or(Expression, Expression)
    case not(Expression)
    case status(StatusClass)
    case service(String)
    case edge(String, String)
    case compare(Field, Operator, Value)
}

enum Field: Sendable, Equatable {
    case responseTime, duration
    case httpStatus, httpURL, httpMethod, httpUserAgent, httpClientIP
    case annotation(String)

    init?(_ name: String) {
        switch name.lowercased() {
        case "responsetime": self = .responseTime
        case "duration": self = .duration
        case "http.status": self = .httpStatus
        case "http.url": self = .httpURL
        case "http.method": self = .httpMethod
        case "http.useragent": self = .httpUserAgent
        case "http.clientip": self = .httpClientIP
        default:
            guard name.lowercased().hasPrefix("annotation."), name.count > "annotation.".count else { return nil }
            self = .annotation(String(name.dropFirst("annotation.".count)))
        }
    }
}

enum Operator: String, Sendable, Equatable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case contains = "CONTAINS", beginsWith = "BEGINSWITH", endsWith = "ENDSWITH"
}

enum Value: Sendable, Equatable {
    case number(Double)
    case text(String)
    case bool(Bool)
}

private enum Token: Equatable {
    case word(String)
    case string(String)
    case number(Double)
    case symbol(String)
    case end
}

private struct Parser {
    let characters: [Character]
    var position = 0
    /// Column of the token `current` (1-based).
    var tokenColumn = 1
    var current: Token = .end

    init(_ text: String) {
        characters = Array(text)
    }

    mutating func parseAll() throws(TraceFilterError) -> Expression {
        try advance()
        guard current != .end else { throw TraceFilterError(message: "the expression is empty", column: 1) }
        let expression = try parseOr()
        guard current == .end else { throw unexpected("AND, OR or the end") }
        return expression
    }

    mutating func parseOr() throws(TraceFilterError) -> Expression {
        try parseChain(word: "OR", symbol: "||", operand: { (p: inout Parser) throws(TraceFilterError) in try p.parseAnd() },
                       combine: Expression.or)
    }

    mutating func parseAnd() throws(TraceFilterError) -> Expression {
        try parseChain(word: "AND", symbol: "&&", operand: { (p: inout Parser) throws(TraceFilterError) in try p.parseUnary() },
                       combine: Expression.and)
    }

    /// `operand (OP operand)*`, left-associative, where OP is the word or the symbol.
    mutating func parseChain(word: String, symbol: String,
                             operand: (inout Parser) throws(TraceFilterError) -> Expression,
                             combine: (Expression, Expression) -> Expression) throws(TraceFilterError) -> Expression {
        var left = try operand(&self)
        while isWord(word) || current == .symbol(symbol) {
            try advance()
            left = combine(left, try operand(&self))
        }
        return left
    }

    mutating func parseUnary() throws(TraceFilterError) -> Expression {
        if current == .symbol("!") || isWord("NOT") {
            try advance()
            return .not(try parseUnary())
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(TraceFilterError) -> Expression {
        switch current {
        case .symbol("("):
            try advance()
            let inner = try parseOr()
            guard current == .symbol(")") else { throw unexpected("')'") }
            try advance()
            return inner
        case .word(let word):
            let column = tokenColumn
            try advance()
            switch word.lowercased() {
            case "ok": return .status(.ok)
            case "error": return .status(.error)
            case "throttle": return .status(.throttle)
            case "fault": return .status(.fault)
            case "service":
                let names = try parseArguments(count: 1, function: "service")
                return .service(names[0])
            case "edge":
                let names = try parseArguments(count: 2, function: "edge")
                return .edge(names[0], names[1])
            default:
                guard let field = Field(word) else {
                    throw TraceFilterError(message: "unknown keyword or field '\(word)' (try service(\"name\"), "
                                           + "responsetime, duration, http.status, http.url, annotation.key, fault…)",
                                           column: column)
                }
                return try parseComparison(field)
            }
        default:
            throw unexpected("a keyword, a field, service(…), edge(…), '!' or '('")
        }
    }

    mutating func parseArguments(count: Int, function: String) throws(TraceFilterError) -> [String] {
        guard current == .symbol("(") else { throw unexpected("'(' after \(function)") }
        try advance()
        var names: [String] = []
        while true {
            guard case .string(let name) = current else { throw unexpected("a quoted name in \(function)(…)") }
            names.append(name)
            try advance()
            if current == .symbol(",") && names.count < count { try advance(); continue }
            break
        }
        guard names.count == count else {
            throw TraceFilterError(message: "\(function)(…) takes \(count) quoted name\(count == 1 ? "" : "s")", column: tokenColumn)
        }
        guard current == .symbol(")") else { throw unexpected("')' to close \(function)(…)") }
        try advance()
        return names
    }

    mutating func parseComparison(_ field: Field) throws(TraceFilterError) -> Expression {
        let op: Operator
        switch current {
        case .symbol(let s): guard let o = Operator(rawValue: s) else { throw unexpected("a comparison") }; op = o
        case .word(let w): guard let o = Operator(rawValue: w.uppercased()) else { throw unexpected("a comparison") }; op = o
        default: throw unexpected("a comparison (= != < <= > >= CONTAINS BEGINSWITH ENDSWITH)")
        }
        try advance()
        let value: Value
        switch current {
        case .number(let n): value = .number(n)
        case .string(let s): value = .text(s)
        case .word(let w) where w.lowercased() == "true" || w.lowercased() == "false": value = .bool(w.lowercased() == "true")
        default: throw unexpected("a number, a quoted string, true or false")
        }
        let column = tokenColumn
        try advance()
        switch (field, op, value) {
        case (.responseTime, _, .number), (.duration, _, .number), (.httpStatus, _, .number): break
        case (.responseTime, _, _), (.duration, _, _), (.httpStatus, _, _):
            throw TraceFilterError(message: "this field compares with a number", column: column)
        case (.annotation, _, _): break
        case (_, _, .text): break
        default: throw TraceFilterError(message: "this field compares with a quoted string", column: column)
        }
        if [.contains, .beginsWith, .endsWith].contains(op), case .number = value {
            throw TraceFilterError(message: "\(op.rawValue) compares text: quote the value", column: column)
        }
        return .compare(field, op, value)
    }

    func isWord(_ keyword: String) -> Bool {
        if case .word(let w) = current { return w.uppercased() == keyword }
        return false
    }

    func unexpected(_ expected: String) -> TraceFilterError {
        let found: String
        switch current {
        case .end: found = "the end"
        case .word(let w): found = "'\(w)'"
        case .string(let s): found = "\"\(s)\""
        case .number(let n): found = Formatting.number(n)
        case .symbol(let s): found = "'\(s)'"
        }
        return TraceFilterError(message: "expected \(expected), found \(found)", column: tokenColumn)
    }

    mutating func advance() throws(TraceFilterError) {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
        tokenColumn = position + 1
        guard position < characters.count else { current = .end; return }
        let c = characters[position]
        if c == "\"" {
            var text = ""
            position += 1
            while position < characters.count, characters[position] != "\"" {
                if characters[position] == "\\", position + 1 < characters.count { position += 1 }
                text.append(characters[position])
                position += 1
            }
            guard position < characters.count else {
                throw TraceFilterError(message: "a quoted string is not closed", column: tokenColumn)
            }
            position += 1
            current = .string(text)
        } else if c.isNumber || (c == "-" && position + 1 < characters.count && characters[position + 1].isNumber) {
            let startIndex = position
            position += 1
            while position < characters.count, characters[position].isNumber || characters[position] == "." { position += 1 }
            guard let n = Double(String(characters[startIndex..<position])) else {
                throw TraceFilterError(message: "'\(String(characters[startIndex..<position]))' is not a number", column: tokenColumn)
            }
            current = .number(n)
        } else if c.isLetter || c == "_" {
            let startIndex = position
            while position < characters.count,
                  characters[position].isLetter || characters[position].isNumber || "_.-:".contains(characters[position]) {
                position += 1
            }
            current = .word(String(characters[startIndex..<position]))
        } else {
            let two = position + 1 < characters.count ? String(characters[position...position + 1]) : ""
            if ["<=", ">=", "!=", "&&", "||", "=="].contains(two) {
                current = .symbol(two == "==" ? "=" : two)
                position += 2
            } else if "()!,<>=".contains(c) {
                current = .symbol(String(c))
                position += 1
            } else {
                throw TraceFilterError(message: "unexpected character '\(c)'", column: tokenColumn)
            }
        }
    }
}

// MARK: - Evaluation

/// What expressions ask of a trace, computed on first use: the topology walk only when service/edge appear.
fileprivate struct Facts {
    let trace: AssembledTrace
    private var topologyCache: (nodes: Set<NodeKey>, edges: Set<EdgeKey>)?
    private(set) lazy var root: Span? = trace.root
    private(set) lazy var classes: Set<StatusClass> = {
        var found = Set<StatusClass>()
        for s in trace.spans where s.isSegment || s.isDownstreamCall || s.parentID == nil { found.insert(s.statusClass) }
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
    fileprivate func evaluate(_ facts: inout Facts) -> Bool {
        switch self {
        case .and(let a, let b): return a.evaluate(&facts) && b.evaluate(&facts)
        case .or(let a, let b): return a.evaluate(&facts) || b.evaluate(&facts)
        case .not(let a): return !a.evaluate(&facts)
        case .status(let cls):
            // ok: nothing failed; the others: something ended in that class.
            return cls == .ok ? facts.classes.allSatisfy { $0 == .ok } : facts.classes.contains(cls)
        case .service(let name): return facts.topology().nodes.contains { $0.name == name }
        case .edge(let from, let to): return facts.topology().edges.contains { $0.from.name == from && $0.to.name == to }
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
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            case .contains, .beginsWith, .endsWith: return false
            }
        case (.bool(let a), .bool(let b)):
            return op == .equal ? a == b : op == .notEqual ? a != b : false
        default:
            let a = Self.text(actual), b = Self.text(expected)
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            case .contains: return a.lowercased().contains(b.lowercased())
            case .beginsWith: return a.lowercased().hasPrefix(b.lowercased())
            case .endsWith: return a.lowercased().hasSuffix(b.lowercased())
            }
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
