/// e^x for eight lanes at once, for potentials made of exponentials (Müller–Brown), where a
/// scalar libm `exp` per term dominates the cost of a step. Classic range reduction (Cody &
/// Waite, "Software Manual for the Elementary Functions", 1980; Tang, ACM TOMS 15, 144 (1989)):
/// x = n ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2, ln 2 split in a high part with
/// trailing zero bits (n·ln2_hi exact) and a low part; e^r by its Taylor polynomial of degree 13
/// (truncation < 4·10⁻¹⁸ relative) in Horner form; 2ⁿ assembled in the exponent bits. Relative
/// error a few ulp (≤ 10⁻¹⁵, tested against libm) for −708 ≤ x ≤ 709; below −708 the result is
/// 0 (absolute error < 3·10⁻³⁰⁸), above 709 it is +∞, and NaN stays NaN (so a diverging walker is
/// still detected). Only adds, multiplies and integer bit
/// operations: no table, no branch, the same bits in every lane and on every thread.
public enum VectorExp {
    public typealias Lanes = SIMD8<Double>

    static let log2e = 1.4426950408889634
    /// ln 2 = ln2Hi + ln2Lo; ln2Hi has 32 significant bits, so n·ln2Hi is exact for |n| < 2²¹.
    static let ln2Hi = 0.6931471803691238
    static let ln2Lo = 1.9082149292705877e-10
    /// 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
    static let shifter = 6755399441055744.0

    @inline(__always)
    public static func exp(_ x: Lanes) -> Lanes {
        let clamped = x.clamped(lowerBound: Lanes(repeating: -708), upperBound: Lanes(repeating: 709))
        let t = clamped * log2e + shifter
        let n = t - shifter
        let r = (clamped - n * ln2Hi) - n * ln2Lo
        var p = Lanes(repeating: 1.0 / 6_227_020_800)
        p = p * r + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40_320
        p = p * r + 1.0 / 5_040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = unsafeBitCast(t, to: SIMD8<Int64>.self) &- unsafeBitCast(shifter, to: Int64.self)
        let scale = unsafeBitCast((bits &+ 1023) &<< 52, to: Lanes.self)
        var result = p * scale
        result.replace(with: 0, where: x .< -708)
        result.replace(with: .infinity, where: x .> 709)
        result.replace(with: .nan, where: x .!= x)
        return result
    }
}
