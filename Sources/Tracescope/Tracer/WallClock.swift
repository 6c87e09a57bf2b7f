import TraceModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The real-time clock, in epoch nanoseconds. Everything that reads time takes a clock closure, so tests inject one.
public enum WallClock {
    /// Nanoseconds since the epoch, now.
    @Sendable
    public static func now() -> EpochNanos {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
