/// SplitMix64 (Steele, Lea and Flood): a small, fast generator that a seed reproduces — the demo's `--seed` traffic,
/// the tracing library's ids (its output function over an atomic counter) and seeded tests.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The golden-ratio step between states.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    public var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// A uniform fraction in [0, 1).
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// The output function: a bijection of 64-bit values, so distinct states never give equal outputs.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
