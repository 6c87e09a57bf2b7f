import TraceModel

/// Requests per second, split by status class, for the most recent `capacity` seconds (a ring buffer).
///
/// Seconds are epoch seconds of the request's start. A request older than the window is counted in `dropped` and
/// otherwise ignored; a newer one advances the window, clearing the seconds it skips.
public struct RateSeries: Sendable {
    public struct Bucket: Sendable, Equatable {
        public var ok: UInt32 = 0
        public var error: UInt32 = 0
        public var throttle: UInt32 = 0
        public var fault: UInt32 = 0

        public init() {}

        public var total: UInt32 { ok &+ error &+ throttle &+ fault }

        /// The bucket as the counts every population keeps (buckets stay 32-bit: a series holds 960 of them).
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

        mutating func add(_ cls: StatusClass) {
            switch cls {
            case .ok: ok &+= 1
            case .error: error &+= 1
            case .throttle: throttle &+= 1
            case .fault: fault &+= 1
            }
        }
    }

    /// Fifteen minutes and a margin, so a 15-minute window is always complete.
    public static let defaultCapacity = 960
    public let capacity: Int
    private var buckets: [Bucket]
    /// The newest epoch second recorded (nil until the first request).
    public private(set) var newestSecond: Int64?
    public private(set) var dropped: UInt64 = 0

    public init(capacity: Int = RateSeries.defaultCapacity) {
        self.capacity = max(1, capacity)
        buckets = Array(repeating: Bucket(), count: self.capacity)
    }

    public mutating func record(at nanos: EpochNanos, _ cls: StatusClass) {
        let second = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
        guard let newest = newestSecond else {
            newestSecond = second
            buckets[slot(second)].add(cls)
            return
        }
        if second > newest {
            let gap = second - newest
            if gap >= Int64(capacity) {
                for i in buckets.indices { buckets[i] = Bucket() }
            } else {
                var s = newest + 1
                while s <= second {
                    buckets[slot(s)] = Bucket()
                    s += 1
                }
            }
            newestSecond = second
        } else if newest - second >= Int64(capacity) {
            dropped += 1
            return
        }
        buckets[slot(second)].add(cls)
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
            return buckets[slot(s)]
        }
    }
}
