import TraceModel

#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock in epoch nanoseconds.
enum Clock {
    static func now() -> EpochNanos {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
