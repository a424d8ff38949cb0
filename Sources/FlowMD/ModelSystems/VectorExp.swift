/// e^x for eight lanes at once, for potentials made of exponentials (Müller–Brown), where a
/// scalar libm `exp` per term dominates the cost of a step. Classic range reduction (Cody &
/// Waite, "Software Manual for the Elementary Functions", 1980; Tang, ACM TOMS 15, 144 (1989)):
/// x = n ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2, ln 2 split in a high part with 32
/// significant bits (n·ln2_hi exact) and a low part; e^r by its Taylor polynomial of degree 13
/// (truncation < 4·10⁻¹⁸ relative) in Horner form; 2ⁿ assembled in the exponent bits. Relative
/// error a few ulp (≤ 10⁻¹⁵, tested against libm) for −708 ≤ x ≤ 709; below −708 the result is
/// 0 (absolute error < 3·10⁻³⁰⁸), above 709 it is +∞, and NaN stays NaN (so a diverging walker is
/// still detected). Only adds, multiplies, compares and integer bit operations: no table, no
/// branch, the same bits in every lane and on every thread. Transparent, so it is always inlined
/// into the kernels (a call would pass the vector through memory).
enum VectorExp {
    typealias Lanes = SIMD4<Double>
    typealias Bits = SIMD4<Int64>

    @_transparent
    static func exp(_ x: Lanes) -> Lanes {
        // 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
        let shifter = 6755399441055744.0
        let low = Lanes(repeating: -708), high = Lanes(repeating: 709)
        let clamped = LaneSelect.choose(low, LaneSelect.choose(high, x, where: x .> high), where: x .< low)
        let t = clamped * 1.4426950408889634 + shifter
        let n = t - shifter
        let r = (clamped - n * 0.6931471803691238) - n * 1.9082149292705877e-10
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
        let bits = unsafeBitCast(t, to: Bits.self) &- 0x4338_0000_0000_0000
        let result = p * unsafeBitCast((bits &+ 1023) &<< 52, to: Lanes.self)
        let edges = LaneSelect.choose(.zero, LaneSelect.choose(Lanes(repeating: .infinity), x + x, where: x .> high), where: x .< low)
        return LaneSelect.choose(edges, result, where: (x .< low) .| (x .> high) .| (x .!= x))
    }
}
