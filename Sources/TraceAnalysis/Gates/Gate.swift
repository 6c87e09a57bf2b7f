import TraceModel

/// A CI gate: a threshold on one metric of one scope, in k6's threshold grammar (docs/SEMANTICS.md, "Command line").
///
/// ```
/// checkout: p(95) < 250ms
/// checkout -> payments: fault_rate == 0
/// fn:checkout: init.p(99) < 2s
/// *: error_rate < 1%
/// checkout: p(95) <= +10%          (relative to --baseline)
/// ```
public struct Gate: Sendable, Hashable, CustomStringConvertible {
    public enum Scope: Sendable, Hashable {
        /// Every service node (client and inferred nodes excluded).
        case allServices
        /// Every node of this name, or only the one of this type.
        case service(name: String, type: String?)
        /// Every edge between nodes of these names; `*` matches any name.
        case edge(from: String, to: String)
        case function(name: String)
        case allFunctions
        /// All traces, end to end.
        case traces
    }

    public enum Metric: Sendable, Hashable {
        case percentile(Double)
        case avg, min, max
        case requests
        case rps
        case rate(StatusClass)
        /// Everything that is not ok.
        case failureRate
        case classCount(StatusClass)
        case invocations
        case coldStarts
        case coldStartRate
        case phase(FunctionPhase, PhaseMetric)
    }

    public enum PhaseMetric: Sendable, Hashable {
        case percentile(Double)
        case avg, max, count
    }

    public enum Comparison: String, Sendable, Hashable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case equal = "=="
        case notEqual = "!="

        func holds(_ observed: Double, _ threshold: Double) -> Bool {
            // Compare at a tolerance far below any figure we print, so `== 0.1` matches 0.1 computed as 1/10.
            let epsilon = 1e-9 * max(1, abs(threshold))
            switch self {
            case .less: return observed < threshold - epsilon
            case .lessOrEqual: return observed <= threshold + epsilon
            case .greater: return observed > threshold + epsilon
            case .greaterOrEqual: return observed >= threshold - epsilon
            case .equal: return abs(observed - threshold) <= epsilon
            case .notEqual: return abs(observed - threshold) > epsilon
            }
        }
    }

    public enum Threshold: Sendable, Hashable {
        /// In the metric's unit: milliseconds for latencies, a fraction for rates, a plain number for counts.
        case absolute(Double)
        /// A change relative to the baseline's figure: +0.10 for `+10%`.
        case relative(Double)
    }

    public var text: String
    public var scope: Scope
    public var metric: Metric
    public var comparison: Comparison
    public var threshold: Threshold

    public init(text: String, scope: Scope, metric: Metric, comparison: Comparison, threshold: Threshold) {
        self.text = text
        self.scope = scope
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
    }

    public var description: String { text }

    /// Fewest samples a metric needs before its figure means anything: a p(99) from ten requests is just the max.
    public var defaultMinimumSamples: UInt64 {
        switch metric {
        case .percentile(let q), .phase(_, .percentile(let q)):
            return UInt64(max(1, (100 / max(0.0001, 100 - q)).rounded(.up)))
        case .requests, .classCount, .invocations, .coldStarts, .phase(_, .count), .rps:
            return 0
        default:
            return 1
        }
    }

    var isLatency: Bool {
        switch metric {
        case .percentile, .avg, .min, .max, .phase(_, .percentile), .phase(_, .avg), .phase(_, .max): true
        default: false
        }
    }

    var isRate: Bool {
        switch metric {
        case .rate, .failureRate, .coldStartRate: true
        default: false
        }
    }
}
