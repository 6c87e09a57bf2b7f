import TraceModel

/// A trace summary: what `tracescope summary` reports and what CI gates judge (schema `tracescope.summary/v1`).
///
/// Every latency figure is in milliseconds and comes from an HdrHistogram with its sample count beside it.
public struct Summary: Sendable {
    public static let schema = "tracescope.summary/v1"

    public struct Window: Sendable, Equatable {
        public var start: EpochNanos
        public var end: EpochNanos
        /// In doubles: a window read from a baseline may span more than Int64 nanoseconds hold.
        public var seconds: Double { max(0, (Double(end) - Double(start)) / 1_000_000_000) }

        public init(start: EpochNanos, end: EpochNanos) {
            self.start = start
            self.end = end
        }
    }

    /// Request counts by class, rate and latency percentiles for one population (all traces, a node, an edge).
    public struct Figures: Sendable, Equatable, StatusCounts {
        public var requests: UInt64 = 0
        public var counts = ClassCounts()
        public var rps: Double = 0
        public var avgMillis: Double?
        public var p50: Double?
        public var p90: Double?
        public var p95: Double?
        public var p99: Double?
        public var maxMillis: Double?

        public init() {}

        public init(_ stats: RequestStats, windowSeconds: Double) {
            requests = stats.total
            counts = stats.counts
            rps = windowSeconds > 0 ? Double(requests) / windowSeconds : Double(requests)
            avgMillis = stats.latency.meanMillis
            p50 = stats.latency.percentileMillis(50)
            p90 = stats.latency.percentileMillis(90)
            p95 = stats.latency.percentileMillis(95)
            p99 = stats.latency.percentileMillis(99)
            maxMillis = stats.latency.maxMillis
        }
    }

    public struct Service: Sendable, Equatable {
        public var node: NodeKey
        public var figures: Figures
        /// Kept for gates on percentiles the fixed figures do not include (p(75), p(99.9)); not serialized.
        public var latency: LatencyHistogramBox?

        public init(node: NodeKey, figures: Figures, latency: LatencyHistogramBox? = nil) {
            self.node = node
            self.figures = figures
            self.latency = latency
        }
    }

    public struct Edge: Sendable, Equatable {
        public var edge: EdgeKey
        public var figures: Figures
        public var latency: LatencyHistogramBox?

        public init(edge: EdgeKey, figures: Figures, latency: LatencyHistogramBox? = nil) {
            self.edge = edge
            self.figures = figures
            self.latency = latency
        }
    }

    public struct PhaseFigures: Sendable, Equatable {
        public var count: UInt64 = 0
        public var p50: Double?
        public var p99: Double?
        public var maxMillis: Double?
        public var avgMillis: Double?
        public var latency: LatencyHistogramBox?

        public init() {}

        public init(_ h: LatencyHistogram) {
            count = h.count
            p50 = h.percentileMillis(50)
            p99 = h.percentileMillis(99)
            maxMillis = h.maxMillis
            avgMillis = h.meanMillis
            latency = LatencyHistogramBox(h)
        }
    }

    public struct Function: Sendable, Equatable {
        public var name: String
        public var invocations: UInt64
        public var coldStarts: UInt64
        public var dwell: PhaseFigures
        public var initialization: PhaseFigures
        public var handler: PhaseFigures
        public var overhead: PhaseFigures

        public init(
            name: String, invocations: UInt64, coldStarts: UInt64, dwell: PhaseFigures,
            initialization: PhaseFigures, handler: PhaseFigures, overhead: PhaseFigures
        ) {
            self.name = name
            self.invocations = invocations
            self.coldStarts = coldStarts
            self.dwell = dwell
            self.initialization = initialization
            self.handler = handler
            self.overhead = overhead
        }

        public func phase(_ phase: FunctionPhase) -> PhaseFigures {
            switch phase {
            case .dwell: dwell
            case .initialization: initialization
            case .handler: handler
            case .overhead: overhead
            }
        }
    }

    public struct Rejected: Sendable, Equatable {
        public var count: Int
        public var reasons: [String: Int]
        /// The first few rejections in full (`file:line: reason: detail`).
        public var examples: [String]

        public init(count: Int = 0, reasons: [String: Int] = [:], examples: [String] = []) {
            self.count = count
            self.reasons = reasons
            self.examples = examples
        }
    }

    public var inputs: [String] = []
    public var window: Window
    public var traces: Figures
    public var tracesLatency: LatencyHistogramBox?
    public var services: [Service]
    public var edges: [Edge]
    public var functions: [Function]
    public var gates: [GateResult] = []
    public var rejected = Rejected()

    public init(window: Window, traces: Figures, services: [Service], edges: [Edge], functions: [Function]) {
        self.window = window
        self.traces = traces
        self.services = services
        self.edges = edges
        self.functions = functions
    }

    public var verdict: Verdict { gates.allSatisfy(\.passed) ? .pass : .fail }

    public enum Verdict: String, Sendable {
        case pass
        case fail
    }
}

/// A latency histogram carried inside a summary for gates on arbitrary percentiles. Equality is by identity of
/// contents' summary figures, which is all summaries need.
public struct LatencyHistogramBox: Sendable, Equatable {
    public let histogram: LatencyHistogram

    public init(_ histogram: LatencyHistogram) {
        self.histogram = histogram
    }

    public static func == (lhs: LatencyHistogramBox, rhs: LatencyHistogramBox) -> Bool {
        lhs.histogram.count == rhs.histogram.count && lhs.histogram.sumNanos == rhs.histogram.sumNanos
    }
}
