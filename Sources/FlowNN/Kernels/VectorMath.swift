import Foundation

/// Elementary functions on SIMD vectors of doubles, for the elementwise loops of the tape.
///
/// The tanh, exp and sigmoid of a training step are evaluated tens of millions of times per epoch;
/// a libm call per element costs more than the matrix products of small networks. These
/// implementations reduce x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite splitting of ln2, as in
/// fdlibm), evaluate expm1(r) by its Taylor polynomial to degree 13 (truncation < 2·10⁻¹⁷
/// relative) and rebuild 2ᵏ from the bits of the rounding shifter. Working on several lanes at
/// once gives the processor independent work to overlap with the latency of the polynomial and
/// the division. Accuracy is a few ulp; NaN propagates.
enum VectorMath {
    typealias Lanes = SIMD4<Double>
    typealias Bits = SIMD4<UInt64>
    static let width = Lanes.scalarCount

    private static let shifter = 0x1.8p52
    private static let log2e = 1.4426950408889634
    private static let ln2hi = 6.93147180369123816490e-01
    private static let ln2lo = 1.90821492927058770002e-10
    private static let lowest = -708.0
    private static let highest = 709.7

    /// (expm1(r), 2ᵏ) with x = k·ln2 + r; x must lie in [-708, 709.7].
    @inline(__always)
    private static func reduced(_ x: Lanes) -> (p: Lanes, scale: Lanes) {
        let t = x * log2e + shifter
        let k = t - shifter
        let r = (x - k * ln2hi) - k * ln2lo
        // Estrin's scheme: shorter dependency chains than Horner's rule, so more overlap.
        let r2 = r * r, r4 = r2 * r2
        let p01 = 0.5 + r * (1.0 / 6)
        let p23 = 1.0 / 24 + r * (1.0 / 120)
        let p45 = 1.0 / 720 + r * (1.0 / 5_040)
        let p67 = 1.0 / 40_320 + r * (1.0 / 362_880)
        let p89 = 1.0 / 3_628_800 + r * (1.0 / 39_916_800)
        let p1011 = 1.0 / 479_001_600 + r * (1.0 / 6_227_020_800)
        let q = (p01 + r2 * p23) + r4 * (p45 + r2 * p67) + (r4 * r4) * (p89 + r2 * p1011)
        let p = r + r2 * q
        let bits = (unsafeBitCast(t, to: Bits.self) &+ 1023) &<< 52
        return (p, unsafeBitCast(bits, to: Lanes.self))
    }

    @inline(__always)
    static func exp(_ x: Lanes) -> Lanes {
        let (p, s) = reduced(clamp(x, lowest, highest))
        var e = s + s * p
        e.replace(with: .infinity, where: x .> highest)
        e.replace(with: 0, where: x .< lowest)
        return nanPropagating(e, x)
    }

    /// eˣ − 1 without cancellation for small x.
    @inline(__always)
    static func expm1(_ x: Lanes) -> Lanes {
        let (p, s) = reduced(clamp(x, -40, highest))
        var e = s * p + (s - 1)
        e.replace(with: .infinity, where: x .> highest)
        e.replace(with: -1, where: x .< -40)
        return nanPropagating(e, x)
    }

    /// tanh x = E/(E + 2) with E = expm1(2|x|), accurate in relative terms also near 0.
    @inline(__always)
    static func tanh(_ x: Lanes) -> Lanes {
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: Bits.self) & 0x7FFF_FFFF_FFFF_FFFF, to: Lanes.self)
        let (p, s) = reduced(clamp(2 * magnitude, 0, 40))
        let e = s * p + (s - 1)
        var t = e / (e + 2)
        t.replace(with: -t, where: x .< 0)
        return nanPropagating(t, x)
    }

    @inline(__always)
    static func sigmoid(_ x: Lanes) -> Lanes {
        1 / (1 + exp(-x))
    }

    /// x limited to [lo, hi] lane by lane (NaN lanes become lo or hi; see `nanPropagating`).
    @inline(__always)
    private static func clamp(_ x: Lanes, _ lo: Double, _ hi: Double) -> Lanes {
        var c = x
        c.replace(with: lo, where: .!(x .>= lo))
        c.replace(with: hi, where: x .> hi)
        return c
    }

    /// NaN where x is NaN (`clamped` would have replaced it).
    @inline(__always)
    private static func nanPropagating(_ y: Lanes, _ x: Lanes) -> Lanes {
        var r = y
        r.replace(with: x, where: x .!= x)
        return r
    }

    /// dst[i] = f(src[i]) for i in range, a vector of lanes at a time (the tail padded).
    @inline(__always)
    static func map(_ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>, _ range: Range<Int>,
                    _ f: (Lanes) -> Lanes) {
        var i = range.lowerBound
        while i + width <= range.upperBound {
            let v = UnsafeRawPointer(src + i).loadUnaligned(as: Lanes.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: f(v), as: Lanes.self)
            i += width
        }
        if i < range.upperBound {
            var v = Lanes.zero
            for l in 0..<(range.upperBound - i) { v[l] = src[i + l] }
            let y = f(v)
            for l in 0..<(range.upperBound - i) { dst[i + l] = y[l] }
        }
    }

    // Scalar entry points (tests, and elementwise code that handles one value at a time).
    static func exp(_ x: Double) -> Double { exp(Lanes(repeating: x))[0] }
    static func expm1(_ x: Double) -> Double { expm1(Lanes(repeating: x))[0] }
    static func tanh(_ x: Double) -> Double { tanh(Lanes(repeating: x))[0] }
    static func sigmoid(_ x: Double) -> Double { sigmoid(Lanes(repeating: x))[0] }

    /// log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}), which never overflows.
    static func softplus(_ x: Double) -> Double {
        Swift.max(x, 0) + Foundation.log1p(exp(-x.magnitude))
    }
}
