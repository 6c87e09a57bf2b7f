import TraceModel

/// Request counts by status class, and what follows from them. Shared by live statistics and summary figures.
public protocol StatusCounts {
    var ok: UInt64 { get }
    var errors: UInt64 { get }
    var throttles: UInt64 { get }
    var faults: UInt64 { get }
}

extension StatusCounts {
    public var total: UInt64 { ok + errors + throttles + faults }

    public func count(_ cls: StatusClass) -> UInt64 {
        switch cls {
        case .ok: ok
        case .error: errors
        case .throttle: throttles
        case .fault: faults
        }
    }

    /// The worst class seen at all (what a node is coloured by).
    public var worstClass: StatusClass {
        if faults > 0 { return .fault }
        if throttles > 0 { return .throttle }
        if errors > 0 { return .error }
        return .ok
    }

    /// The share of requests in a class; nil when there were none.
    public func rate(_ cls: StatusClass) -> Double? {
        total == 0 ? nil : Double(count(cls)) / Double(total)
    }
}

/// What is known about the requests of one node, edge or trace population: counts per class, latency, rates.
public struct RequestStats: Sendable, StatusCounts {
    public var ok: UInt64 = 0
    public var errors: UInt64 = 0
    public var throttles: UInt64 = 0
    public var faults: UInt64 = 0
    public var latency = LatencyHistogram()
    public var series: RateSeries
    public var firstStart: EpochNanos = .max
    public var lastEnd: EpochNanos = .min

    public init(seriesCapacity: Int = RateSeries.defaultCapacity) {
        series = RateSeries(capacity: seriesCapacity)
    }

    public var total: UInt64 { ok + errors + throttles + faults }

    public mutating func record(_ cls: StatusClass, start: EpochNanos, durationNanos: Int64) {
        switch cls {
        case .ok: ok += 1
        case .error: errors += 1
        case .throttle: throttles += 1
        case .fault: faults += 1
        }
        latency.record(nanos: durationNanos)
        series.record(at: start, cls)
        if start < firstStart { firstStart = start }
        let end = start + durationNanos
        if end > lastEnd { lastEnd = end }
    }
}
