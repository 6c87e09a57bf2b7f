import Synchronization
import TraceModel

/// Trace and span ids without a system call per id: SplitMix64 over an atomic counter, seeded once from the system's
/// random source: an id per span must not cost a system call.
///
/// Trace ids carry the epoch second in their first 32 bits, as X-Ray requires (`1-{8 hex epoch}-{24 hex}`).
public final class IDGenerator: Sendable {
    private let seed: UInt64
    private let counter = Atomic<UInt64>(0)

    public init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.seed = seed
    }

    @inline(__always)
    private func next() -> UInt64 {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        // SplitMix64's state after n steps from the seed, mixed: a bijection, so ids never repeat within 2^64 draws.
        return SplitMix64.mix(seed &+ n &* SplitMix64.increment)
    }

    public func spanID() -> SpanID {
        var v = next()
        if v == 0 { v = next() }
        return SpanID(v)
    }

    public func traceID(epochSeconds: UInt64) -> TraceID {
        let random = next()
        return TraceID(high: (epochSeconds & 0xFFFF_FFFF) << 32 | (random >> 32), low: next())
    }

    /// A random fraction in [0, 1), for sampling rates.
    public func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
