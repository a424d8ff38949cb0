import Foundation

/// Branch-free scalar elementary functions that the compiler can inline and vectorize in the
/// elementwise loops of the tape.
///
/// The tanh, exp and sigmoid of a training step are evaluated tens of millions of times per epoch;
/// a libm call per element costs more than the matrix products of small networks. These
/// implementations reduce x = k·ln2 + r with |r| ≤ ln2/2 (Cody–Waite splitting of ln2, as in
/// fdlibm), evaluate expm1(r) by its Taylor polynomial to degree 13 (truncation < 2·10⁻¹⁷ relative)
/// and rebuild 2ᵏ from the bits of the rounding shifter. Accuracy is a few ulp; NaN propagates.
enum VectorMath {
    private static let shifter = 0x1.8p52
    private static let log2e = 1.4426950408889634
    private static let ln2hi = 6.93147180369123816490e-01
    private static let ln2lo = 1.90821492927058770002e-10
    private static let lowest = -708.0
    private static let highest = 709.7

    /// (expm1(r), 2ᵏ) with x = k·ln2 + r; x must lie in [-708, 709.7].
    @inline(__always)
    private static func reduced(_ x: Double) -> (p: Double, scale: Double) {
        let t = x * log2e + shifter
        let k = t - shifter
        let r = (x - k * ln2hi) - k * ln2lo
        var q = 1.0 / 6_227_020_800
        q = q * r + 1.0 / 479_001_600
        q = q * r + 1.0 / 39_916_800
        q = q * r + 1.0 / 3_628_800
        q = q * r + 1.0 / 362_880
        q = q * r + 1.0 / 40_320
        q = q * r + 1.0 / 5_040
        q = q * r + 1.0 / 720
        q = q * r + 1.0 / 120
        q = q * r + 1.0 / 24
        q = q * r + 1.0 / 6
        q = q * r + 0.5
        let p = r + (r * r) * q
        let scale = Double(bitPattern: (t.bitPattern &+ 1023) << 52)
        return (p, scale)
    }

    @inline(__always)
    static func exp(_ x: Double) -> Double {
        let c = Swift.min(Swift.max(x, lowest), highest)
        let (p, s) = reduced(c)
        let e = s + s * p
        return x > highest ? .infinity : (x < lowest ? 0 : e)
    }

    /// eˣ − 1 without cancellation for small x.
    @inline(__always)
    static func expm1(_ x: Double) -> Double {
        let c = Swift.min(Swift.max(x, -40), highest)
        let (p, s) = reduced(c)
        let e = s * p + (s - 1)
        return x > highest ? .infinity : (x < -40 ? -1 : e)
    }

    /// tanh x = E/(E + 2) with E = expm1(2|x|), accurate in relative terms also near 0.
    @inline(__always)
    static func tanh(_ x: Double) -> Double {
        let u = Swift.min(2 * x.magnitude, 40)
        let e = expm1(u)
        let t = e / (e + 2)
        return x < 0 ? -t : t
    }

    @inline(__always)
    static func sigmoid(_ x: Double) -> Double {
        1 / (1 + exp(-x))
    }

    /// log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|}), which never overflows.
    @inline(__always)
    static func softplus(_ x: Double) -> Double {
        Swift.max(x, 0) + Foundation.log1p(exp(-x.magnitude))
    }
}
