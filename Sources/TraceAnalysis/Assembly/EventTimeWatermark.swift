import TraceModel

/// "Now" in event time, for input replayed from files: the median of the recent spans' times (one span in eight
/// sampled, the last 63 samples), not the newest.
///
/// The newest time seen would let one document dated decades ahead (a broken clock, a hostile sender) end every
/// open trace at once and split each later one into fragments. The median moves only when most recent spans move:
/// an outlier, or a run of them shorter than half the window, changes nothing (docs/SEMANTICS.md, "Time").
struct EventTimeWatermark: Sendable {
    static let samples = 63
    static let sampleEvery = 8

    private var ring: [EpochNanos] = []
    private var sorted: [EpochNanos] = []
    private var next = 0
    private var seen = 0
    private(set) var value: EpochNanos = .min

    init() {
        ring.reserveCapacity(Self.samples)
        sorted.reserveCapacity(Self.samples)
    }

    /// Takes one span's activity time into account.
    @inline(__always)
    mutating func observe(_ activity: EpochNanos) {
        defer { seen &+= 1 }
        // The first spans are all sampled, so a short input has a watermark from its own times.
        guard seen < Self.samples || seen % Self.sampleEvery == 0 else { return }
        sample(activity)
    }

    private mutating func sample(_ activity: EpochNanos) {
        if ring.count < Self.samples {
            ring.append(activity)
        } else {
            let old = ring[next]
            ring[next] = activity
            next = (next + 1) % Self.samples
            sorted.remove(at: Self.insertionPoint(of: old, in: sorted))
        }
        sorted.insert(activity, at: Self.insertionPoint(of: activity, in: sorted))
        // The lower median: with two samples, the earlier.
        value = sorted[(sorted.count - 1) / 2]
    }

    private static func insertionPoint(of v: EpochNanos, in a: [EpochNanos]) -> Int {
        var low = 0
        var high = a.count
        while low < high {
            let mid = (low + high) / 2
            if a[mid] < v { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
