import TraceModel

/// When each recorded span is delivered in a paced replay, and what the recorded clock reads at a playback time.
///
/// A span is delivered when it was sent: at its end (its start if it never ended), the moment an SDK emits it.
/// Playback runs at `speed` times the recorded pace, except that idle gaps longer than `maxGapSeconds` are cut to one
/// second — a file spanning a night with two busy minutes replays as two minutes, not a night.
public struct ReplaySchedule: Sendable {
    /// The spans in delivery order.
    public let spans: [Span]
    /// Recorded emission time of each span.
    public let emitted: [EpochNanos]
    /// Playback time (nanoseconds from the start of the replay) of each span.
    public let playback: [Int64]
    public let speed: Double

    public init(spans: [Span], speed: Double, maxGapSeconds: Double = 5) {
        precondition(speed > 0, "speed 0 means no pacing: ingest everything at once instead")
        let ordered = spans.sorted { ($0.end ?? $0.start) < ($1.end ?? $1.start) }
        self.spans = ordered
        self.speed = speed
        emitted = ordered.map { $0.end ?? $0.start }
        let maxGap = Int64(maxGapSeconds * 1e9)
        var offsets: [Int64] = []
        offsets.reserveCapacity(ordered.count)
        var offset: Int64 = 0
        for i in emitted.indices {
            if i > 0 {
                let gap = emitted[i] - emitted[i - 1]
                let kept = gap > maxGap ? 1_000_000_000 : gap
                // However slow the speed, a gap plays for a day at most and the clock saturates rather than overflow.
                let (sum, overflow) = offset.addingReportingOverflow(Int64(min(Double(kept) / speed, 86_400e9)))
                offset = overflow ? .max : sum
            }
            offsets.append(offset)
        }
        playback = offsets
    }

    /// Playback time at which the last span is delivered.
    public var length: Int64 { playback.last ?? 0 }

    /// The index of the first span due after `elapsed` nanoseconds of playback, i.e. how many are due by then.
    public func dueCount(at elapsed: Int64) -> Int {
        var low = 0
        var high = playback.count
        while low < high {
            let mid = (low + high) / 2
            if playback[mid] <= elapsed { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// What the recorded clock reads after `elapsed` nanoseconds of playback: it runs at `speed` from the last
    /// delivered span, jumps across cut gaps, and stops `afterEndSeconds` past the last span.
    public func recordedTime(at elapsed: Int64, afterEndSeconds: Double = 60) -> EpochNanos {
        guard let first = emitted.first else { return 0 }
        let due = dueCount(at: elapsed)
        guard due > 0 else { return first }
        let last = due - 1
        // A year of recorded time at most, so no speed, however fast, overflows the conversion.
        let ran = Int64(min(Double(elapsed - playback[last]) * speed, 365 * 86_400e9))
        let limit = due < emitted.count ? emitted[due] : emitted[last] + Int64(afterEndSeconds * 1e9)
        return min(emitted[last] + ran, limit)
    }
}
