import TraceModel

/// The outcome of one gate on one matched scope.
public struct GateResult: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pass
        case fail
        /// Fewer samples than the metric needs: reported, and never counted as a pass.
        case insufficientSamples = "insufficient-samples"
        /// The scope matched nothing (a typo in a service name must not pass silently).
        case noMatch = "no-match"
        /// A relative gate with no baseline figure to compare with.
        case noBaseline = "no-baseline"
    }

    /// The gate as written.
    public var gate: String
    /// What it was evaluated on (`checkout (AWS::Lambda::Function)`, `api -> db`), nil when nothing matched.
    public var target: String?
    public var observed: Double?
    /// The absolute threshold after applying a relative one to the baseline.
    public var threshold: Double?
    public var baseline: Double?
    public var samples: UInt64
    public var requiredSamples: UInt64
    public var status: Status
    /// One sentence for the report.
    public var message: String
    /// The unit of `observed` and `threshold`: `ms`, `ratio` or `count`.
    public var unit: String

    public var passed: Bool { status == .pass }
}

/// Evaluates gates against a summary (and a baseline summary for relative gates).
public enum GateEvaluator {
    /// `minimumSamples` overrides each metric's own minimum (p(99) needs 100 samples, p(95) 20, rates 1).
    public static func evaluate(
        _ gates: [Gate], on summary: Summary, baseline: Summary?,
        minimumSamples: UInt64? = nil
    ) -> [GateResult] {
        gates.flatMap { evaluate($0, on: summary, baseline: baseline, minimumSamples: minimumSamples) }
    }

    public static func evaluate(
        _ gate: Gate, on summary: Summary, baseline: Summary?,
        minimumSamples: UInt64?
    ) -> [GateResult] {
        let targets = GateTargets.resolve(gate.scope, in: summary)
        let required = minimumSamples ?? gate.defaultMinimumSamples
        let unit = gate.isLatency ? "ms" : gate.isRate ? "ratio" : "count"
        guard !targets.isEmpty else {
            return [
                GateResult(
                    gate: gate.text, target: nil, observed: nil, threshold: nil, baseline: nil, samples: 0,
                    requiredSamples: required, status: .noMatch,
                    message: "\(GateTargets.describe(gate.scope)) matched nothing in the traces", unit: unit)
            ]
        }
        return targets.map { target in
            let (observed, samples) = target.measure(gate.metric)
            var result = GateResult(
                gate: gate.text, target: target.label, observed: observed, threshold: nil,
                baseline: nil, samples: samples, requiredSamples: required, status: .fail,
                message: "", unit: unit)
            switch gate.threshold {
            case .absolute(let v):
                result.threshold = v
            case .relative(let change):
                let base = baseline.flatMap { GateTargets.match(target, in: $0) }?.measure(gate.metric).value
                guard let base else {
                    result.status = .noBaseline
                    result.message =
                        baseline == nil
                        ? "relative gate needs --baseline"
                        : "the baseline has no \(target.label) figure for this metric"
                    return result
                }
                result.baseline = base
                result.threshold = base * (1 + change)
            }
            guard samples >= required else {
                result.status = .insufficientSamples
                result.message = "\(samples) sample\(samples == 1 ? "" : "s"), \(required) needed for this metric"
                return result
            }
            guard let observed, let threshold = result.threshold else {
                result.status = .insufficientSamples
                result.message = "no samples"
                return result
            }
            let ok = gate.comparison.holds(observed, threshold)
            result.status = ok ? .pass : .fail
            result.message =
                "\(Formatting.value(observed, unit: unit)) \(ok ? "" : "not ")\(gate.comparison.rawValue) "
                + Formatting.value(threshold, unit: unit)
            return result
        }
    }

}

/// One thing a gate measures: a node, an edge, a function or the traces.
struct GateTarget {
    enum Subject {
        case figures(Summary.Figures, LatencyHistogramBox?)
        case function(Summary.Function)
    }

    var label: String
    var subject: Subject
    var key: Key

    enum Key: Equatable {
        case node(NodeKey)
        case edge(EdgeKey)
        case function(String)
        case traces
    }

    func measure(_ metric: Gate.Metric) -> (value: Double?, samples: UInt64) {
        switch subject {
        case .figures(let f, let latency):
            let n = f.requests
            switch metric {
            case .percentile(let q): return (percentile(q, f, latency), n)
            case .avg: return (f.avgMillis, n)
            case .min: return (latency?.histogram.minMillis, n)
            case .max: return (f.maxMillis, n)
            case .requests: return (Double(n), n)
            case .rps: return (f.rps, n)
            case .rate(let cls): return (f.rate(cls), n)
            case .failureRate: return (f.rate(.ok).map { 1 - $0 }, n)
            case .classCount(let cls): return (Double(f.count(cls)), n)
            default: return (nil, 0)
            }
        case .function(let fn):
            switch metric {
            case .invocations: return (Double(fn.invocations), fn.invocations)
            case .coldStarts: return (Double(fn.coldStarts), fn.invocations)
            case .coldStartRate:
                return (fn.invocations == 0 ? nil : Double(fn.coldStarts) / Double(fn.invocations), fn.invocations)
            case .phase(let phase, let m):
                let p = fn.phase(phase)
                switch m {
                case .count: return (Double(p.count), p.count)
                case .avg: return (p.avgMillis, p.count)
                case .max: return (p.maxMillis, p.count)
                case .percentile(let q):
                    let fixed: Double? = q == 50 ? p.p50 : q == 99 ? p.p99 : nil
                    return (fixed ?? p.latency?.histogram.percentileMillis(q), p.count)
                }
            default: return (nil, 0)
            }
        }
    }

    private func percentile(_ q: Double, _ f: Summary.Figures, _ latency: LatencyHistogramBox?) -> Double? {
        switch q {
        case 50: f.p50
        case 90: f.p90
        case 95: f.p95
        case 99: f.p99
        case 100: f.maxMillis
        default: latency?.histogram.percentileMillis(q)
        }
    }
}

enum GateTargets {
    static func resolve(_ scope: Gate.Scope, in s: Summary) -> [GateTarget] {
        switch scope {
        case .traces:
            return [GateTarget(label: "traces", subject: .figures(s.traces, s.tracesLatency), key: .traces)]
        case .allServices:
            return s.services.filter { $0.node.kind != .client && $0.figures.requests > 0 }.map(serviceTarget)
        case .service(let name, let type):
            return s.services.filter { $0.node.name == name && (type == nil || $0.node.type == type) }.map(
                serviceTarget)
        case .edge(let from, let to):
            return s.edges.filter { (from == "*" || $0.edge.from.name == from) && (to == "*" || $0.edge.to.name == to) }
                .map {
                    GateTarget(label: label($0.edge), subject: .figures($0.figures, $0.latency), key: .edge($0.edge))
                }
        case .function(let name):
            return s.functions.filter { $0.name == name }.map(functionTarget)
        case .allFunctions:
            return s.functions.map(functionTarget)
        }
    }

    /// The same target in another summary (the baseline).
    static func match(_ target: GateTarget, in s: Summary) -> GateTarget? {
        switch target.key {
        case .traces: return GateTarget(label: "traces", subject: .figures(s.traces, s.tracesLatency), key: .traces)
        case .node(let key): return s.services.first { $0.node == key }.map(serviceTarget)
        case .edge(let key):
            return s.edges.first { $0.edge == key }
                .map {
                    GateTarget(label: label($0.edge), subject: .figures($0.figures, $0.latency), key: .edge($0.edge))
                }
        case .function(let name): return s.functions.first { $0.name == name }.map(functionTarget)
        }
    }

    private static func serviceTarget(_ service: Summary.Service) -> GateTarget {
        GateTarget(
            label: service.node.description, subject: .figures(service.figures, service.latency),
            key: .node(service.node))
    }

    private static func functionTarget(_ fn: Summary.Function) -> GateTarget {
        GateTarget(label: "fn:" + fn.name, subject: .function(fn), key: .function(fn.name))
    }

    static func label(_ edge: EdgeKey) -> String { "\(edge.from.description) -> \(edge.to.description)" }

    static func describe(_ scope: Gate.Scope) -> String {
        switch scope {
        case .traces: "traces"
        case .allServices: "*"
        case .service(let name, let type): type.map { "service \"\(name)\" of type \($0)" } ?? "service \"\(name)\""
        case .edge(let from, let to): "edge \"\(from) -> \(to)\""
        case .function(let name): "function \"\(name)\""
        case .allFunctions: "fn:*"
        }
    }
}
