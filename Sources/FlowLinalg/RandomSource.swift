import Foundation

/// xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021):
/// fast, 256 bits of state, passes BigCrush, and has a `jump()` for non-overlapping substreams.
///
/// flow never uses the system generator: every stage gets a `RandomSource` derived from the
/// workflow seed and the stage name, and parallel work derives one stream per walker/worker with
/// `stream(_:)`, so results do not depend on the number of threads.
public struct RandomSource: RandomNumberGenerator, Sendable, Equatable {
    /// The four state words; exposed so that checkpoints can save and restore the exact state.
    public var state: (UInt64, UInt64, UInt64, UInt64)
    /// The second normal deviate of the last Box–Muller pair, if unused (part of the state).
    public var spareNormal: Double?

    public static func == (a: RandomSource, b: RandomSource) -> Bool {
        a.state == b.state && a.spareNormal == b.spareNormal
    }

    /// Seeds the state with SplitMix64, as recommended by the xoshiro authors.
    public init(seed: UInt64) {
        var sm = seed
        state = (Self.splitMix(&sm), Self.splitMix(&sm), Self.splitMix(&sm), Self.splitMix(&sm))
        spareNormal = nil
    }

    /// A generator for the named stream of `seed`: the name is hashed (FNV-1a 64) and mixed into
    /// the seed, so `RandomSource(seed: s, stream: "walker-3")` is reproducible and independent of
    /// the order in which streams are created.
    public init(seed: UInt64, stream name: String) {
        self.init(seed: Self.mix(seed, Self.fnv1a(name)))
    }

    /// Restores a generator from saved state words (see `stateWords`).
    public init(stateWords w: [UInt64], spareNormal: Double? = nil) {
        precondition(w.count == 4, "RandomSource state has 4 words")
        state = (w[0], w[1], w[2], w[3])
        self.spareNormal = spareNormal
    }

    /// A generator at the given state words, without a spare normal (no array, unlike
    /// `init(stateWords:)`: walkers' streams kept word by word are rebuilt this way every step).
    @inlinable public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        self.state = state
        spareNormal = nil
    }

    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// A child generator for substream `index`, independent of this generator's position.
    public func stream(_ index: Int) -> RandomSource {
        RandomSource(seed: Self.mix(Self.mix(state.0, state.2), UInt64(bitPattern: Int64(index)) &+ 0x9E37_79B9_7F4A_7C15))
    }

    /// A child generator for the named substream, independent of this generator's position.
    public func stream(_ name: String) -> RandomSource {
        RandomSource(seed: Self.mix(Self.mix(state.0, state.2), Self.fnv1a(name)))
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in (0, 1]: safe as the argument of a logarithm.
    @inlinable public mutating func uniformPositive() -> Double {
        (Double(next() >> 11) + 1) * 0x1.0p-53
    }

    /// Uniform in [a, b).
    @inlinable public mutating func uniform(_ a: Double, _ b: Double) -> Double {
        a + (b - a) * uniform()
    }

    /// Standard normal deviate (Box–Muller; the second value of each pair is kept for the next call).
    @inlinable public mutating func normal() -> Double {
        if let s = spareNormal {
            spareNormal = nil
            return s
        }
        let r = (-2 * log(uniformPositive())).squareRoot()
        let theta = 2 * Double.pi * uniform()
        spareNormal = r * sin(theta)
        return r * cos(theta)
    }

    /// Fills `buffer` with standard normal deviates.
    public mutating func fillNormal(_ buffer: inout [Double]) {
        for i in buffer.indices { buffer[i] = normal() }
    }

    /// Uniform integer in 0..<n without modulo bias.
    public mutating func index(below n: Int) -> Int {
        precondition(n > 0)
        return Int(next(upperBound: UInt64(n)))
    }

    /// Fisher–Yates shuffle of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            let j = index(below: i + 1)
            p.swapAt(i, j)
        }
        return p
    }

    /// Advances the state by 2^128 calls (the xoshiro256 jump polynomial).
    public mutating func jump() {
        let jumpPoly: [UInt64] = [0x180e_c6d3_3cfd_0aba, 0xd5a6_1266_f0c9_392c,
                                  0xa958_2618_e03f_c9aa, 0x39ab_dc45_29b1_661c]
        var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, s3: UInt64 = 0
        for word in jumpPoly {
            for b in 0..<64 {
                if word & (UInt64(1) << UInt64(b)) != 0 {
                    s0 ^= state.0; s1 ^= state.1; s2 ^= state.2; s3 ^= state.3
                }
                _ = next()
            }
        }
        state = (s0, s1, s2, s3)
    }

    static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var x = a ^ (b &* 0x9E37_79B9_7F4A_7C15)
        return splitMix(&x)
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes of `s`.
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}

@inlinable func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}
