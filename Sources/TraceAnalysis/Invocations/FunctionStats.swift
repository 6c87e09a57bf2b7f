import TraceModel

/// Aggregated invocations of one function: counts, cold starts, and a latency histogram per phase.
public struct FunctionStats: Sendable {
    public var invocations: UInt64 = 0
    public var coldStarts: UInt64 = 0
    public var dwell = LatencyHistogram()
    public var initialization = LatencyHistogram()
    public var handler = LatencyHistogram()
    public var overhead = LatencyHistogram()
    public var classes: [StatusClass: UInt64] = [:]

    public init() {}

    public mutating func add(_ record: InvocationRecord) {
        invocations += 1
        if record.coldStart { coldStarts += 1 }
        if let d = record.dwellNanos { dwell.record(nanos: d) }
        if let i = record.initNanos { initialization.record(nanos: i) }
        if let h = record.handlerNanos { handler.record(nanos: h) }
        if let o = record.overheadNanos { overhead.record(nanos: o) }
        classes[record.statusClass, default: 0] += 1
    }

    public var coldStartRate: Double { invocations == 0 ? 0 : Double(coldStarts) / Double(invocations) }

    public func histogram(_ phase: FunctionPhase) -> LatencyHistogram {
        switch phase {
        case .dwell: dwell
        case .initialization: initialization
        case .handler: handler
        case .overhead: overhead
        }
    }
}

/// The phases summaries and gates name: `dwell`, `init`, `handler`, `overhead`.
public enum FunctionPhase: String, Sendable, CaseIterable {
    case dwell
    case initialization = "init"
    case handler
    case overhead
}
