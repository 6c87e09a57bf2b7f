import TraceModel

/// Latency per minute for the last 16 minutes, so a live view can show percentiles for the last 1, 5 or 15 minutes
/// (merging the minutes it needs) while `LatencyHistogram` keeps the all-time figures.
///
/// A minute's histogram is created when its first request arrives and reused, cleared, sixteen minutes later, so
/// memory is bounded by 16 histograms (~21 KB each) per node or edge.
public struct MinuteHistograms: Sendable {
    public static let minutes = 16
    private var histograms: [LatencyHistogram?] = Array(repeating: nil, count: MinuteHistograms.minutes)
    private var minuteOf: [Int64] = Array(repeating: .min, count: MinuteHistograms.minutes)

    public init() {}

    public mutating func record(nanos: Int64, at start: EpochNanos) {
        let minute = Self.minute(start)
        let slot = Int(((minute % Int64(Self.minutes)) + Int64(Self.minutes)) % Int64(Self.minutes))
        if minuteOf[slot] != minute {
            // Only a newer minute may take over a slot; a very late request is left to the all-time histogram.
            guard minute > minuteOf[slot] else { return }
            minuteOf[slot] = minute
            histograms[slot] = LatencyHistogram()
        }
        histograms[slot]?.record(nanos: nanos)
    }

    /// The merged latency of the `count` minutes ending with the minute of `now`.
    public func merged(lastMinutes count: Int, now: EpochNanos) -> LatencyHistogram {
        let newest = Self.minute(now)
        var result = LatencyHistogram()
        for slot in 0..<Self.minutes {
            guard let h = histograms[slot], newest - minuteOf[slot] < Int64(count), minuteOf[slot] <= newest else {
                continue
            }
            result.merge(h)
        }
        return result
    }

    static func minute(_ nanos: EpochNanos) -> Int64 {
        nanos >= 0 ? nanos / 60_000_000_000 : (nanos - 59_999_999_999) / 60_000_000_000
    }
}

/// The time windows live views offer.
public enum TimeWindow: String, Sendable, CaseIterable {
    case oneMinute = "1m"
    case fiveMinutes = "5m"
    case fifteenMinutes = "15m"
    case all

    /// Seconds covered, nil for all time.
    public var seconds: Int? {
        switch self {
        case .oneMinute: 60
        case .fiveMinutes: 300
        case .fifteenMinutes: 900
        case .all: nil
        }
    }
}
