import TraceModel

/// What is known about the requests of one node, edge or trace population: counts per class, latency, rates.
public struct RequestStats: Sendable, StatusCounts {
    public var counts = ClassCounts()
    public var latency = LatencyHistogram()
    public var series: RateSeries
    /// Per-minute latency for live windows; nil when the analysis runs over files (`summary` needs none).
    public var recent: MinuteHistograms?
    public var firstStart: EpochNanos = .max
    public var lastEnd: EpochNanos = .min

    public init(seriesCapacity: Int = RateSeries.defaultCapacity, windowed: Bool = false) {
        series = RateSeries(capacity: seriesCapacity)
        recent = windowed ? MinuteHistograms() : nil
    }

    /// What these statistics hold, inline and on the heap (a windowed entry: ~10–20 KB at a realistic spread).
    public var estimatedBytes: Int {
        MemoryLayout<RequestStats>.stride + latency.estimatedBytes - MemoryLayout<LatencyHistogram>.stride
            + series.estimatedBytes - MemoryLayout<RateSeries>.stride + (recent?.estimatedBytes ?? 0)
    }

    /// Counts one request. Returns the bytes the statistics grew by (`ServiceGraph.bytes` keeps the sum).
    @discardableResult
    public mutating func record(_ cls: StatusClass, start: EpochNanos, durationNanos: Int64) -> Int {
        counts.record(cls)
        var grown = latency.record(nanos: durationNanos)
        grown += recent?.record(nanos: durationNanos, at: start) ?? 0
        grown += series.record(at: start, cls)
        if start < firstStart { firstStart = start }
        let (end, overflow) = start.addingReportingOverflow(durationNanos)
        if !overflow, end > lastEnd { lastEnd = end }
        return grown
    }
}

extension RequestStats {
    /// The latency distribution over a window ending at `now`, to the minute (all time for `.all`).
    public func latency(in window: TimeWindow, now: EpochNanos) -> LatencyHistogram {
        guard let seconds = window.seconds, let recent else { return latency }
        return recent.merged(lastMinutes: (seconds + 59) / 60, now: now)
    }

    /// Counts, rate and latency over a window ending at `now` (all time for `.all`).
    public func figures(in window: TimeWindow, now: EpochNanos) -> Summary.Figures {
        guard let seconds = window.seconds else {
            let span = Double(max(0, lastEnd - firstStart)) / 1_000_000_000
            return Summary.Figures(self, windowSeconds: max(span, 1))
        }
        var f = Summary.Figures()
        for bucket in series.recent(seconds, endingAt: now / 1_000_000_000) { f.counts += bucket.counts }
        f.requests = f.total
        // Right after start-up the data covers less than the window: rates are over what it covers.
        let covered = firstStart == .max ? Double(seconds) : Double(now - firstStart) / 1_000_000_000
        f.rps = Double(f.requests) / min(Double(seconds), max(1, covered))
        let latency = latency(in: window, now: now)
        f.avgMillis = latency.meanMillis
        f.p50 = latency.percentileMillis(50)
        f.p90 = latency.percentileMillis(90)
        f.p95 = latency.percentileMillis(95)
        f.p99 = latency.percentileMillis(99)
        f.maxMillis = latency.maxMillis
        return f
    }
}
