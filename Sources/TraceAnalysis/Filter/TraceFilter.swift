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
        var parser = FilterParser(text)
        expression = try parser.parseAll()
    }

    public func matches(_ trace: AssembledTrace) -> Bool {
        var facts = TraceFacts(trace)
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
    /// `a AND b AND …` as one list, not a left-leaning tree: a chain of any length costs one level of the stack
    /// when evaluated and when freed (only parentheses and `!` nest, and those are bounded).
    case all([Expression])
    case any([Expression])
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
    case equal = "="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case contains = "CONTAINS"
    case beginsWith = "BEGINSWITH"
    case endsWith = "ENDSWITH"
}

enum Value: Sendable, Equatable {
    case number(Double)
    case text(String)
    case bool(Bool)
}
