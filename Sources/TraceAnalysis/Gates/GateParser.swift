/// Parses gate expressions (`SCOPE: METRIC OP VALUE`); errors say what was expected, for a usage message.
public enum GateParser {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var gate: String
        public var message: String
        public var description: String { "invalid gate \"\(gate)\": \(message)" }
    }

    public static func parse(_ text: String) throws(Failure) -> Gate {
        // The scope may itself hold colons (`fn:checkout`, `[AWS::Lambda]`), so split at the last colon after which
        // an expression parses.
        let chars = Array(text)
        var firstError: String?
        for split in chars.indices.reversed() where chars[split] == ":" {
            let scopeText = String(chars[..<split]).trimmingWhitespace
            let expression = String(chars[(split + 1)...]).trimmingWhitespace
            guard !scopeText.isEmpty else { continue }
            do throws(Failure) {
                let scope = try parseScope(scopeText, gate: text)
                let (metric, comparison, threshold) = try parseExpression(expression, scope: scope, gate: text)
                return Gate(
                    text: text.trimmingWhitespace, scope: scope, metric: metric, comparison: comparison,
                    threshold: threshold)
            } catch {
                firstError = firstError ?? error.message
            }
        }
        throw Failure(
            gate: text, message: firstError ?? "expected SCOPE: METRIC OP VALUE, e.g. \"checkout: p(95) < 250ms\"")
    }

    static func parseScope(_ text: String, gate: String) throws(Failure) -> Gate.Scope {
        if text == "*" { return .allServices }
        if text == "traces" { return .traces }
        if text.hasPrefix("fn:") {
            let name = unquote(String(text.dropFirst(3)).trimmingWhitespace)
            guard !name.isEmpty else { throw Failure(gate: gate, message: "fn: needs a function name or *") }
            return name == "*" ? .allFunctions : .function(name: name)
        }
        if let arrow = text.firstRange(of: "->") {
            let from = unquote(String(text[..<arrow.lowerBound]).trimmingWhitespace)
            let to = unquote(String(text[arrow.upperBound...]).trimmingWhitespace)
            guard !from.isEmpty, !to.isEmpty else {
                throw Failure(gate: gate, message: "an edge scope is \"from -> to\"")
            }
            return .edge(from: from, to: to)
        }
        // `name[Type]` picks one node of a name shared by several (a Lambda function's two nodes).
        if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
            let name = unquote(String(text[..<open]).trimmingWhitespace)
            let type = String(text[text.index(after: open)..<text.index(before: text.endIndex)]).trimmingWhitespace
            return .service(name: name, type: type.isEmpty ? nil : type)
        }
        return .service(name: unquote(text), type: nil)
    }

    private static func unquote(_ s: String) -> String {
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { return String(s.dropFirst().dropLast()) }
        return s
    }

    static func parseExpression(_ text: String, scope: Gate.Scope, gate: String) throws(Failure)
        -> (Gate.Metric, Gate.Comparison, Gate.Threshold)
    {
        // The operator is the first of < > = ! in the text, two characters long when `=` follows.
        guard let opStart = text.firstIndex(where: { "<>=!".contains($0) }) else {
            throw Failure(gate: gate, message: "no comparison (one of < <= > >= == !=)")
        }
        var opEnd = text.index(after: opStart)
        if opEnd < text.endIndex, text[opEnd] == "=" { opEnd = text.index(after: opEnd) }
        let opText = String(text[opStart..<opEnd])
        guard let comparison = Gate.Comparison(rawValue: opText == "=" ? "==" : opText) else {
            throw Failure(gate: gate, message: "unknown comparison \"\(opText)\" (one of < <= > >= == !=)")
        }
        let metricText = String(text[..<opStart]).trimmingWhitespace
        let valueText = String(text[opEnd...]).trimmingWhitespace
        let metric = try parseMetric(metricText, scope: scope, gate: gate)
        let threshold = try parseValue(valueText, metric: metric, gate: gate)
        return (metric, comparison, threshold)
    }

    static func parseMetric(_ text: String, scope: Gate.Scope, gate: String) throws(Failure) -> Gate.Metric {
        let isFunction: Bool
        switch scope {
        case .function, .allFunctions: isFunction = true
        default: isFunction = false
        }
        let t = text.lowercased().replacingSpaces
        if isFunction {
            switch t {
            case "invocations", "count": return .invocations
            case "cold_starts": return .coldStarts
            case "cold_start_rate": return .coldStartRate
            default: break
            }
            guard let dot = t.firstIndex(of: "."),
                let phase = FunctionPhase(rawValue: String(t[..<dot]) == "initialization" ? "init" : String(t[..<dot]))
            else {
                throw Failure(
                    gate: gate,
                    message:
                        "unknown function metric \"\(text)\" (invocations, cold_starts, cold_start_rate, or dwell|init|handler|overhead . p(N)|avg|max|count)"
                )
            }
            let rest = String(t[t.index(after: dot)...])
            switch rest {
            case "avg": return .phase(phase, .avg)
            case "max": return .phase(phase, .max)
            case "count": return .phase(phase, .count)
            case "med": return .phase(phase, .percentile(50))
            default:
                if let q = percentile(rest) { return .phase(phase, .percentile(q)) }
                throw Failure(gate: gate, message: "unknown phase metric \"\(rest)\" (p(N), avg, max, med, count)")
            }
        }
        switch t {
        case "avg": return .avg
        case "min": return .min
        case "max": return .max
        case "med": return .percentile(50)
        case "count", "requests": return .requests
        case "rps": return .rps
        case "error_rate": return .rate(.error)
        case "fault_rate": return .rate(.fault)
        case "throttle_rate": return .rate(.throttle)
        case "ok_rate": return .rate(.ok)
        case "failure_rate": return .failureRate
        case "errors": return .classCount(.error)
        case "faults": return .classCount(.fault)
        case "throttles": return .classCount(.throttle)
        default:
            if let q = percentile(t) { return .percentile(q) }
            throw Failure(
                gate: gate,
                message:
                    "unknown metric \"\(text)\" (p(N), avg, min, max, med, count, rps, error_rate, fault_rate, throttle_rate, failure_rate, errors, faults, throttles)"
            )
        }
    }

    /// `p(95)`, `p(99.9)` → the percentile, when in (0, 100].
    private static func percentile(_ t: String) -> Double? {
        guard t.hasPrefix("p("), t.hasSuffix(")"), let q = Double(t.dropFirst(2).dropLast()), q > 0, q <= 100 else {
            return nil
        }
        return q
    }

    static func parseValue(_ text: String, metric: Gate.Metric, gate: String) throws(Failure) -> Gate.Threshold {
        let threshold = try parseNumber(text, metric: metric, gate: gate)
        let value: Double
        switch threshold {
        case .absolute(let v), .relative(let v): value = v
        }
        guard value.isFinite else { throw Failure(gate: gate, message: "\"\(text)\" is not a finite number") }
        let probe = Gate(text: "", scope: .traces, metric: metric, comparison: .less, threshold: threshold)
        // Counts are exact up to 2^53 (a double's integers): a threshold past that cannot be met or missed exactly.
        if !probe.isLatency, !probe.isRate, case .absolute = threshold, abs(value) > 9_007_199_254_740_992 {
            throw Failure(gate: gate, message: "\"\(text)\" is past any count (at most 2^53)")
        }
        return threshold
    }

    private static func parseNumber(_ text: String, metric: Gate.Metric, gate: String) throws(Failure) -> Gate.Threshold
    {
        var t = text.replacingSpaces.lowercased()
        guard !t.isEmpty else { throw Failure(gate: gate, message: "no value after the comparison") }
        if (t.hasPrefix("+") || t.hasPrefix("-")) && t.hasSuffix("%") {
            guard let v = Double(t.dropLast()) else {
                throw Failure(gate: gate, message: "bad relative value \"\(text)\"")
            }
            return .relative(v / 100)
        }
        let probe = Gate(text: "", scope: .traces, metric: metric, comparison: .less, threshold: .absolute(0))
        if t.hasSuffix("%") {
            guard probe.isRate, let v = Double(t.dropLast()) else {
                throw Failure(
                    gate: gate,
                    message:
                        "\"\(text)\": a percentage needs a rate metric, or a sign (+10%) to be relative to --baseline")
            }
            return .absolute(v / 100)
        }
        if probe.isLatency {
            let units: [(String, Double)] = [
                ("ns", 1e-6), ("µs", 1e-3), ("us", 1e-3), ("ms", 1), ("s", 1000), ("m", 60_000),
            ]
            var scale = 1.0
            for (suffix, factor) in units where t.hasSuffix(suffix) {
                t.removeLast(suffix.count)
                scale = factor
                break
            }
            guard let v = Double(t) else {
                throw Failure(gate: gate, message: "bad duration \"\(text)\" (e.g. 250ms, 2s)")
            }
            return .absolute(v * scale)
        }
        guard let v = Double(t) else { throw Failure(gate: gate, message: "bad number \"\(text)\"") }
        return .absolute(v)
    }
}

extension String {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    var replacingSpaces: String { filter { !$0.isWhitespace } }
}
