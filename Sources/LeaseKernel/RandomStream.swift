/// A seeded pseudo-random stream (xoshiro256**), one per simulated entity.
///
/// Streams are derived from the run's seed and a stable per-entity key, so
/// adding an entity never changes another entity's draws. Integer draws are
/// exact; `nextUnitInterval` is the only floating-point draw.
public struct RandomStream: Sendable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// A stream for `key` (for instance `RandomStream.key(of: "branch-001/demand")`) under `seed`.
    public init(seed: UInt64, key: UInt64) {
        var mixer = SplitMix64(state: seed ^ (key &* 0x9E37_79B9_7F4A_7C15))
        state = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    /// A stable 64-bit key for a name (FNV-1a over its UTF-8 bytes); never Swift's per-process `hashValue`.
    public static func key(of name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    @inlinable
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// A uniform integer in the closed range.
    @inlinable
    public mutating func next(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        if width == 0 { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: next(below: width))
    }

    /// A uniform value in the half-open interval (0, 1], with 53 random bits.
    @inlinable
    public mutating func nextUnitInterval() -> Double {
        Double((next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)
    }

    @inlinable func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}

/// SplitMix64, used only to expand a seed into xoshiro state.
@usableFromInline struct SplitMix64 {
    @usableFromInline var state: UInt64
    @usableFromInline init(state: UInt64) { self.state = state }
    @usableFromInline mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
