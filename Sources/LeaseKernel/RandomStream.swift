/// A seeded pseudo-random stream (xoshiro256**), one per simulated entity.
///
/// Streams are derived from the run's seed and a stable per-entity key, so
/// adding an entity never changes another entity's draws. Every draw is exact
/// integer arithmetic (no floating point, no libm), so a seed gives the same
/// draws on every platform.
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

    /// An exponentially distributed count with mean `numerator / denominator`, rounded half up: for session
    /// lengths and gaps between arrivals, in milliseconds.
    ///
    /// Exact integer arithmetic only, so the draw is the same on every platform (no libm): the inverse of the
    /// distribution, -ln(u / 2^53) for 53 random bits u in 1...2^53, worked out in 64-bit fixed point.
    /// - Precondition: `numerator < 2^40`, `denominator > 0` (the result is at most 37 times the mean).
    public mutating func nextExponential(meanNumerator numerator: UInt64, denominator: UInt64) -> Int64 {
        RandomStream.exponential(uniform: (next() >> 11) + 1, meanNumerator: numerator, denominator: denominator)
    }

    /// -ln(u / 2^53) times `numerator / denominator`, rounded half up, for `u` in 1...2^53.
    static func exponential(uniform u: UInt64, meanNumerator numerator: UInt64, denominator: UInt64) -> Int64 {
        precondition(u >= 1 && u <= 1 << 53 && numerator < 1 << 40 && denominator > 0, "exponential draw out of range")
        let exponent = 63 - u.leadingZeroBitCount // u = 2^exponent x mantissa, mantissa in [1, 2)
        let one = UInt128(1) << 64
        let mantissa = UInt128(u) << (64 - exponent) // Q.64
        // ln(mantissa) = 2 atanh(s), s = (m - 1) / (m + 1) < 1/3; atanh(s) / s = sum of s^2k / (2k + 1), by Horner.
        let s = ((mantissa - one) << 64) / (mantissa + one)
        let s2 = (s * s) >> 64
        let reciprocals = RandomStream.oddReciprocals
        var series = UInt128(reciprocals[reciprocals.count - 1])
        for k in stride(from: reciprocals.count - 2, through: 0, by: -1) {
            series = UInt128(reciprocals[k]) + ((series * s2) >> 64)
        }
        series = one + ((series * s2) >> 64)
        let lnMantissa = 2 * ((s * series) >> 64)
        // -ln(u / 2^53) = (53 - exponent) ln 2 - ln(mantissa): ln(mantissa) < ln 2, and 0 when exponent is 53.
        let whole = UInt128(53 - exponent) * UInt128(RandomStream.ln2)
        let value = whole - min(lnMantissa, whole)
        let scaled = value * UInt128(numerator) / UInt128(denominator)
        return Int64((scaled + (one >> 1)) >> 64)
    }

    /// ln 2 in 64-bit fixed point (rounded to nearest).
    static let ln2: UInt64 = 12_786_308_645_202_655_660
    /// 2^64 / (2k + 1), k = 1...22, rounded down: enough terms for s^2 < 1/9 to reach 2^-64.
    static let oddReciprocals: [UInt64] = [
        6_148_914_691_236_517_205, 3_689_348_814_741_910_323, 2_635_249_153_387_078_802, 2_049_638_230_412_172_401,
        1_676_976_733_973_595_601, 1_418_980_313_362_273_201, 1_229_782_938_247_303_441, 1_085_102_592_571_150_095,
        970_881_267_037_344_821, 878_416_384_462_359_600, 802_032_351_030_850_070, 737_869_762_948_382_064,
        683_212_743_470_724_133, 636_094_623_231_363_848, 595_056_260_442_243_600, 558_992_244_657_865_200,
        527_049_830_677_415_760, 498_560_650_640_798_692, 472_993_437_787_424_400, 449_920_587_163_647_600,
        428_994_048_225_803_525, 409_927_646_082_434_480,
    ]

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
