import TraceModel

/// Requests per second, split by status class, for the most recent `capacity` seconds (a ring buffer).
///
/// Seconds are epoch seconds of the request's start. A request older than the window is counted in `dropped` and
/// otherwise ignored; a newer one advances the window, clearing the seconds it skips. The counts are packed 16 bits
/// wide until a second's count needs more (`PackedCounts`): 7.7 KB for the default capacity.
public struct RateSeries: Sendable {
    public struct Bucket: Sendable, Equatable {
        public var ok: UInt32 = 0
        public var error: UInt32 = 0
        public var throttle: UInt32 = 0
        public var fault: UInt32 = 0

        public init() {}

        public var total: UInt32 { ok &+ error &+ throttle &+ fault }

        /// The bucket as the counts every population keeps.
        public var counts: ClassCounts {
            ClassCounts(ok: UInt64(ok), errors: UInt64(error), throttles: UInt64(throttle), faults: UInt64(fault))
        }

        /// Adds another second's counts (a chart column sums several).
        public mutating func add(_ other: Bucket) {
            ok &+= other.ok
            error &+= other.error
            throttle &+= other.throttle
            fault &+= other.fault
        }

    }

    /// Where a class's count sits among a second's four.
    private static func offset(of cls: StatusClass) -> Int {
        switch cls {
        case .ok: 0
        case .error: 1
        case .throttle: 2
        case .fault: 3
        }
    }

    /// Fifteen minutes and a margin, so a 15-minute window is always complete.
    public static let defaultCapacity = 960
    public let capacity: Int
    /// Four counts a second (ok, error, throttle, fault), second `s` at `slot(s) * 4`.
    private var counts: PackedCounts
    /// The newest epoch second recorded (nil until the first request).
    public private(set) var newestSecond: Int64?
    public private(set) var dropped: UInt64 = 0

    public init(capacity: Int = RateSeries.defaultCapacity) {
        self.capacity = max(1, capacity)
        counts = PackedCounts(count: 4 * self.capacity)
    }

    /// What the series holds, inline and on the heap.
    public var estimatedBytes: Int { MemoryLayout<RateSeries>.stride + counts.allocatedBytes }

    /// Counts one request in its second. Returns the bytes grown (when a count outgrew its width).
    @discardableResult
    public mutating func record(at nanos: EpochNanos, _ cls: StatusClass) -> Int {
        let second = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        guard let newest = newestSecond else {
            newestSecond = second
            return counts.add(1, at: slot(second) * 4 + Self.offset(of: cls))
        }
        if second > newest {
            let gap = second - newest
            if gap >= Int64(capacity) {
                counts.zeroAll()
            } else {
                var s = newest + 1
                while s <= second {
                    for i in 0..<4 { counts.zero(at: slot(s) * 4 + i) }
                    s += 1
                }
            }
            newestSecond = second
        } else if newest - second >= Int64(capacity) {
            dropped += 1
            return 0
        }
        return counts.add(1, at: slot(second) * 4 + Self.offset(of: cls))
    }

    private func bucket(atSlot slot: Int) -> Bucket {
        var bucket = Bucket()
        bucket.ok = UInt32(clamping: counts[slot * 4])
        bucket.error = UInt32(clamping: counts[slot * 4 + 1])
        bucket.throttle = UInt32(clamping: counts[slot * 4 + 2])
        bucket.fault = UInt32(clamping: counts[slot * 4 + 3])
        return bucket
    }

    private func slot(_ second: Int64) -> Int {
        Int(((second % Int64(capacity)) + Int64(capacity)) % Int64(capacity))
    }

    /// The last `seconds` buckets ending at `endSecond` (default: the newest), oldest first.
    public func recent(_ seconds: Int, endingAt endSecond: Int64? = nil) -> [Bucket] {
        guard let end = endSecond ?? newestSecond, let newest = newestSecond else {
            return Array(repeating: Bucket(), count: max(0, seconds))
        }
        let count = min(max(0, seconds), capacity)
        return (0..<count).map { offset in
            let s = end - Int64(count - 1 - offset)
            guard s <= newest, newest - s < Int64(capacity) else { return Bucket() }
            return bucket(atSlot: slot(s))
        }
    }
}
