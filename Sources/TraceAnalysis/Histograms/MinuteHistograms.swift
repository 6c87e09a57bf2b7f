import TraceModel

/// Latency per minute for the last 16 minutes, so a live view can show percentiles for the last 1, 5 or 15 minutes
/// (merging the minutes it needs) while `LatencyHistogram` keeps the all-time figures.
///
/// A minute's histogram fills as its requests arrive and is emptied for reuse sixteen minutes later, so memory is
/// bounded by 16 compact histograms per node or edge: about half a kilobyte each at a realistic spread.
public struct MinuteHistograms: Sendable {
    public static let minutes = 16
    private var histograms = Array(repeating: LatencyHistogram(), count: MinuteHistograms.minutes)
    private var minuteOf: [Int64] = Array(repeating: .min, count: MinuteHistograms.minutes)

    public init() {}

    /// What the sixteen minutes hold, inline and on the heap.
    public var estimatedBytes: Int {
        var bytes = 2 * 32 + Self.minutes * MemoryLayout<Int64>.stride
        for h in histograms { bytes += h.estimatedBytes }
        return bytes
    }

    /// Records one request in its minute. Returns the bytes grown (negative when a reused minute shrank).
    @discardableResult
    public mutating func record(nanos: Int64, at start: EpochNanos) -> Int {
        let minute = Self.minute(start)
        let slot = Int(((minute % Int64(Self.minutes)) + Int64(Self.minutes)) % Int64(Self.minutes))
        var grown = 0
        if minuteOf[slot] != minute {
            // Only a newer minute may take over a slot; a very late request is left to the all-time histogram.
            guard minute > minuteOf[slot] else { return 0 }
            minuteOf[slot] = minute
            grown -= histograms[slot].estimatedBytes
            histograms[slot] = LatencyHistogram()
            grown += histograms[slot].estimatedBytes
        }
        return grown + histograms[slot].record(nanos: nanos)
    }

    /// The merged latency of the `count` minutes ending with the minute of `now`.
    public func merged(lastMinutes count: Int, now: EpochNanos) -> LatencyHistogram {
        let newest = Self.minute(now)
        var result = LatencyHistogram()
        for slot in 0..<Self.minutes {
            guard histograms[slot].count > 0, newest - minuteOf[slot] < Int64(count), minuteOf[slot] <= newest else {
                continue
            }
            result.merge(histograms[slot])
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
