/// A gate on a diff: any summary gate, judged on the current run with the base run as its baseline (so
/// `checkout: p(95) <= +10%` reads as "at most 10% above the base"), or a bound on the significant regressions
/// (`significant_regressions == 0`) (docs/SEMANTICS.md, "Diff").
public enum DiffGate: Sendable, Hashable, CustomStringConvertible {
    case summary(Gate)
    case significantRegressions(text: String, Gate.Comparison, Double)

    public var description: String {
        switch self {
        case .summary(let gate): gate.text
        case .significantRegressions(let text, _, _): text
        }
    }

    public static func parse(_ text: String) throws(GateParser.Failure) -> DiffGate {
        let trimmed = text.trimmingWhitespace
        let name = "significant_regressions"
        guard trimmed.lowercased().hasPrefix(name) else { return .summary(try GateParser.parse(text)) }
        let rest = String(trimmed.dropFirst(name.count)).replacingSpaces
        guard let opEnd = rest.firstIndex(where: { !"<>=!".contains($0) }),
            let comparison = Gate.Comparison(rawValue: rest[..<opEnd] == "=" ? "==" : String(rest[..<opEnd])),
            let value = Double(rest[opEnd...]), value.isFinite, value >= 0
        else {
            throw GateParser.Failure(
                gate: text, message: "expected \"significant_regressions OP N\", e.g. \"significant_regressions == 0\"")
        }
        return .significantRegressions(text: trimmed, comparison, value)
    }

    /// Judges the gates on a diff; `minimumSamples` as for summary gates.
    public static func evaluate(_ gates: [DiffGate], on diff: RunDiff, minimumSamples: UInt64? = nil) -> [GateResult] {
        gates.flatMap { gate -> [GateResult] in
            switch gate {
            case .summary(let gate):
                return GateEvaluator.evaluate(
                    gate, on: diff.current, baseline: diff.base, minimumSamples: minimumSamples)
            case .significantRegressions(let text, let comparison, let threshold):
                let observed = Double(diff.significantRegressions)
                let ok = comparison.holds(observed, threshold)
                let judged = UInt64(diff.changes.count)
                return [
                    GateResult(
                        gate: text, target: "diff", observed: observed, threshold: threshold, baseline: nil,
                        samples: judged, requiredSamples: 0, status: ok ? .pass : .fail,
                        message:
                            "\(diff.significantRegressions) significant regression\(diff.significantRegressions == 1 ? "" : "s") "
                            + "of \(judged) figures \(ok ? "" : "not ")\(comparison.rawValue) \(Formatting.number(threshold))",
                        unit: "count")
                ]
            }
        }
    }
}
