/// Nanoseconds since the Unix epoch. All times inside Tracescope are integers of this unit.
public typealias EpochNanos = Int64

/// The times the model holds: from the Unix epoch to the start of 2100. A timestamp outside it is garbage (or
/// hostile: `"start_time": -9e9`); spans clamp theirs into this range when made, which keeps every difference of two
/// times and every sum of two durations within `Int64` — so no analysis can overflow, whatever a document claims.
public enum EpochRange {
    public static let latest: EpochNanos = 4_102_444_800 * 1_000_000_000

    @inlinable
    public static func clamp(_ nanos: EpochNanos) -> EpochNanos { min(max(nanos, 0), latest) }
}

extension Int64 {
    /// Seconds as nanoseconds, saturating: NaN is zero and anything past ±292 years is the largest magnitude, so an
    /// absurd duration from a file or a flag can never trap a conversion.
    public init(saturatingNanosFromSeconds seconds: Double) {
        let nanos = seconds * 1_000_000_000
        if nanos.isNaN {
            self = 0
        } else if nanos >= 9.2e18 {
            self = .max
        } else if nanos <= -9.2e18 {
            self = .min
        } else {
            self = Int64(nanos)
        }
    }
}
