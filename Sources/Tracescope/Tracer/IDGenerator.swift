import Synchronization
import TraceModel

/// Trace and span ids without a system call per id: SplitMix64 over an atomic counter, seeded once from the system's
/// random source: an id per span must not cost a system call.
///
/// Trace ids carry the epoch second in their first 32 bits, as X-Ray requires (`1-{8 hex epoch}-{24 hex}`).
final class IDGenerator: Sendable {
    private let seed: UInt64
    private let counter = Atomic<UInt64>(0)

    init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.seed = seed
    }

    @inline(__always)
    private func next() -> UInt64 {
        draw(counter.wrappingAdd(1, ordering: .relaxed).newValue, stream: 0)
    }

    /// The `n`th value of one of three streams. Each is SplitMix64's state after n steps from its own seed, mixed:
    /// a bijection of n, so a stream's values never repeat within 2^64 draws, and one counter step feeds all three.
    @inline(__always)
    private func draw(_ n: UInt64, stream: UInt64) -> UInt64 {
        SplitMix64.mix((seed ^ (stream &* 0xD1B5_4A32_D192_ED03)) &+ n &* SplitMix64.increment)
    }

    func spanID() -> SpanID {
        var v = next()
        if v == 0 { v = next() }
        return SpanID(v)
    }

    func traceID(epochSeconds: UInt64) -> TraceID {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return Self.traceID(epochSeconds: epochSeconds, high: draw(n, stream: 1), low: draw(n, stream: 2))
    }

    /// A new trace's id and its first span's, for one atomic step (the root span's cost on the caller's path).
    func traceAndSpanID(epochSeconds: UInt64) -> (TraceID, SpanID) {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var span = draw(n, stream: 0)
        if span == 0 { span = next() }
        return (
            Self.traceID(epochSeconds: epochSeconds, high: draw(n, stream: 1), low: draw(n, stream: 2)), SpanID(span)
        )
    }

    @inline(__always)
    private static func traceID(epochSeconds: UInt64, high: UInt64, low: UInt64) -> TraceID {
        TraceID(high: (epochSeconds & 0xFFFF_FFFF) << 32 | (high >> 32), low: low)
    }

    /// A random fraction in [0, 1), for sampling rates.
    func unitInterval() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }
}
