import TraceModel

/// A lexical token of a filter expression.
enum FilterToken: Equatable {
    case word(String)
    case string(String)
    case number(Double)
    case symbol(String)
    case end
}

/// A recursive-descent parser for `TraceFilter`'s grammar: OR of ANDs of (negated) primaries — keywords, `service(…)`,
/// `edge(…)`, comparisons, parenthesised expressions — with the column of every error.
struct FilterParser {
    let characters: [Character]
    var position = 0
    /// Column of the token `current` (1-based).
    var tokenColumn = 1
    var current: FilterToken = .end
    /// How many `(` and `!` enclose the current position: bounded, so no expression can exhaust the stack.
    var nesting = 0
    static let maximumNesting = 64

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
        try parseChain(
            word: "OR", symbol: "||", operand: { (p: inout FilterParser) throws(TraceFilterError) in try p.parseAnd() },
            combine: Expression.any)
    }

    mutating func parseAnd() throws(TraceFilterError) -> Expression {
        try parseChain(
            word: "AND", symbol: "&&",
            operand: { (p: inout FilterParser) throws(TraceFilterError) in try p.parseUnary() },
            combine: Expression.all)
    }

    /// `operand (OP operand)*`, where OP is the word or the symbol: one list of operands, however long the chain.
    mutating func parseChain(
        word: String, symbol: String,
        operand: (inout FilterParser) throws(TraceFilterError) -> Expression,
        combine: ([Expression]) -> Expression
    ) throws(TraceFilterError) -> Expression {
        var terms = [try operand(&self)]
        while isWord(word) || current == .symbol(symbol) {
            try advance()
            terms.append(try operand(&self))
        }
        return terms.count == 1 ? terms[0] : combine(terms)
    }

    mutating func parseUnary() throws(TraceFilterError) -> Expression {
        if current == .symbol("!") || isWord("NOT") {
            try enter()
            defer { nesting -= 1 }
            try advance()
            return .not(try parseUnary())
        }
        return try parsePrimary()
    }

    mutating func enter() throws(TraceFilterError) {
        nesting += 1
        guard nesting <= Self.maximumNesting else {
            throw TraceFilterError(message: "nested more than \(Self.maximumNesting) deep", column: tokenColumn)
        }
    }

    mutating func parsePrimary() throws(TraceFilterError) -> Expression {
        switch current {
        case .symbol("("):
            try enter()
            defer { nesting -= 1 }
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
                    throw TraceFilterError(
                        message: "unknown keyword or field '\(word)' (try service(\"name\"), "
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
            if current == .symbol(",") && names.count < count {
                try advance()
                continue
            }
            break
        }
        guard names.count == count else {
            throw TraceFilterError(
                message: "\(function)(…) takes \(count) quoted name\(count == 1 ? "" : "s")", column: tokenColumn)
        }
        guard current == .symbol(")") else { throw unexpected("')' to close \(function)(…)") }
        try advance()
        return names
    }

    mutating func parseComparison(_ field: Field) throws(TraceFilterError) -> Expression {
        let op: Operator
        switch current {
        case .symbol(let s):
            guard let o = Operator(rawValue: s) else { throw unexpected("a comparison") }
            op = o
        case .word(let w):
            guard let o = Operator(rawValue: w.uppercased()) else { throw unexpected("a comparison") }
            op = o
        default: throw unexpected("a comparison (= != < <= > >= CONTAINS BEGINSWITH ENDSWITH)")
        }
        try advance()
        let value: Value
        switch current {
        case .number(let n): value = .number(n)
        case .string(let s): value = .text(s)
        case .word(let w) where w.lowercased() == "true" || w.lowercased() == "false":
            value = .bool(w.lowercased() == "true")
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
        guard position < characters.count else {
            current = .end
            return
        }
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
            while position < characters.count, characters[position].isNumber || characters[position] == "." {
                position += 1
            }
            guard let n = Double(String(characters[startIndex..<position])) else {
                throw TraceFilterError(
                    message: "'\(String(characters[startIndex..<position]))' is not a number", column: tokenColumn)
            }
            current = .number(n)
        } else if c.isLetter || c == "_" {
            let startIndex = position
            while position < characters.count,
                characters[position].isLetter || characters[position].isNumber || "_.-:".contains(characters[position])
            {
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
