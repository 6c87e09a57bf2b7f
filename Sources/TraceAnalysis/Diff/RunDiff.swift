import TraceModel

/// What changed between a base run and a current run: what `tracescope diff` reports and what its gates judge
/// (schema `tracescope.diff/v1`, docs/SEMANTICS.md, "Diff").
public struct RunDiff: Sendable {
    public static let schema = "tracescope.diff/v1"

    /// What a figure is of.
    public enum Subject: Sendable, Hashable, CustomStringConvertible {
        /// All traces, end to end.
        case traces
        case service(NodeKey)
        case edge(EdgeKey)
        case function(String)
        /// The steps from a trace's root to the work (see `OperationPath`).
        case operation([String])

        /// The JSON `scope`.
        public var scope: String {
            switch self {
            case .traces: "traces"
            case .service: "service"
            case .edge: "edge"
            case .function: "function"
            case .operation: "operation"
            }
        }

        /// How reports name it (untrusted: escape for the medium).
        public var description: String {
            switch self {
            case .traces: "traces"
            case .service(let node): node.description
            case .edge(let edge): "\(edge.from.description) -> \(edge.to.description)"
            case .function(let name): "fn:" + name
            case .operation(let path): path.joined(separator: " → ")
            }
        }
    }

    /// The unit of a figure.
    public enum Unit: String, Sendable {
        case millis = "ms"
        case ratio
        case perSecond = "rps"
        case count
    }

    /// One figure in both runs.
    public struct Change: Sendable, Equatable {
        public var subject: Subject
        /// `p50_ms`, `error_rate`, `rps`, `init.p99_ms`, …
        public var metric: String
        public var unit: Unit
        public var base: Double?
        public var current: Double?
        public var baseSamples: UInt64
        public var currentSamples: UInt64
        /// More than noise (see `Significance`); never for a figure with too few samples in either run.
        public var significant: Bool
        /// Whether a rise is bad (latencies, failure rates), good, or neither (load: requests, rps).
        public var higherIsWorse: Bool?

        /// `current − base`.
        public var absoluteChange: Double? {
            guard let base, let current else { return nil }
            return current - base
        }

        /// The change relative to the base, in percent; nil when the base is 0 or missing.
        public var changePercent: Double? {
            guard let base, let current, base != 0 else { return nil }
            return (current - base) / base * 100
        }

        /// A significant change for the worse.
        public var isRegression: Bool {
            guard significant, let higherIsWorse, let change = absoluteChange, change != 0 else { return false }
            return (change > 0) == higherIsWorse
        }

        public var isImprovement: Bool {
            guard significant, let higherIsWorse, let change = absoluteChange, change != 0 else { return false }
            return (change > 0) != higherIsWorse
        }
    }

    /// A node, edge or function found in only one of the runs.
    public struct Presence: Sendable, Equatable {
        public var subject: Subject
        public var requests: UInt64
    }

    /// How much of the change of the typical trace one operation path explains.
    public struct Attribution: Sendable, Equatable {
        public var path: [String]
        /// Mean critical-path self time of the path in the traces around the median of each run.
        public var baseMillis: Double
        public var currentMillis: Double
        public var changeMillis: Double { currentMillis - baseMillis }
        /// `changeMillis` over the change of those traces' mean duration; nil when that did not change.
        public var share: Double?
    }

    /// The traces the attribution compares: those around the median duration of each run.
    public struct AttributionBasis: Sendable, Equatable {
        public var percentile: Double
        /// The percentile of trace duration in each run (from the histograms).
        public var baseMillis: Double?
        public var currentMillis: Double?
        /// The mean duration of the traces in the band around it, which the paths' times add up to.
        public var baseBandMillis: Double
        public var currentBandMillis: Double
        public var baseTraces: Int
        public var currentTraces: Int
    }

    public var base: Summary
    public var current: Summary
    /// Every figure of every subject in both runs, significant first within a subject's order.
    public var changes: [Change]
    public var added: [Presence]
    public var removed: [Presence]
    /// Largest change first.
    public var attribution: [Attribution]
    public var attributionBasis: AttributionBasis?
    public var significance: Significance
    public var gates: [GateResult] = []

    public var significantRegressions: Int { changes.count { $0.isRegression } }
    public var significantImprovements: Int { changes.count { $0.isImprovement } }
    public var verdict: Summary.Verdict { gates.allSatisfy(\.passed) ? .pass : .fail }
}
