/// 2^t for potentials made of exponentials (Müller–Brown), where a libm `exp` call per term would
/// dominate the cost of a step. A kernel calls it as e^x = 2^(x log₂e) with log₂e folded into a
/// constant it multiplies by anyway, which makes the range reduction exact and cheap (Tang, ACM
/// TOMS 15, 144 (1989), without the table): t = n + r with n = round(t) and |r| ≤ 1/2, r = t − n
/// exact (Sterbenz); 2^r by its minimax polynomial of degree 11 (Remez, relative truncation error
/// 1.8·10⁻¹⁷; the Taylor polynomial of e^{r ln 2} needs degree 13 for the same) by Estrin's scheme
/// (Estrin 1960; short dependency chains); 2ⁿ assembled in the exponent bits. Written with explicit
/// fused multiply–adds (`addingProduct`, one rounding, the same bits on every IEEE machine: an FMA
/// instruction with `-target-cpu haswell`, libm's `fma` without). Relative error a few ulp
/// (≤ 10⁻¹⁵, tested against libm's `exp2`) for −1022 ≤ t ≤ 1023; below −1022 the result is 0
/// (absolute error < 2.3·10⁻³⁰⁸), above 1023 it is +∞, and NaN stays NaN (so a diverging walker
/// is still detected). The ends are two selects on t at the end, not a clamp at the start: out of
/// range, the reduction produces garbage (or NaN) that the selects discard.
///
/// Written on one `Double`, branch-free (the conditionals are selects): inlined into a kernel's
/// loop over walkers, the loop vectorizer runs four walkers per AVX2 instruction, and scalar and
/// vector lanes do the same IEEE operations, so a walker's bits do not depend on its batch. The
/// same algorithm on `SIMD4<Double>` compiled to half-width code with spills and was 2× slower
/// (Benchmarks/README.md, sampling).
enum KernelExp {
    /// log₂e, for callers that fold it into their own constants.
    @_transparent static var log2e: Double { 1.4426950408889634 }

    @_transparent
    static func exp2(_ t: Double) -> Double {
        // 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
        let shifter = 6755399441055744.0
        let shifted = shifter + t
        let n = shifted - shifter
        let r = t - n
        // Estrin's scheme: 1 + Σ cₖ rᵏ as pairs (c₂ⱼ + c₂ⱼ₊₁ r) combined with r², r⁴, r⁸, so the
        // dependency chain is 5 multiply–adds deep instead of Horner's 11.
        let r2 = r * r, r4 = r2 * r2, r8 = r4 * r4
        let p01 = (1.0).addingProduct(r, 0.6931471805599457)
        let p23 = (0.24022650695910097).addingProduct(r, 0.05550410866479039)
        let p45 = (0.009618129107607003).addingProduct(r, 0.001333355815343997)
        let p67 = (0.0001540353044157185).addingProduct(r, 1.5252727385189775e-05)
        let p89 = (1.3215442675452854e-06).addingProduct(r, 1.0180647660573069e-07)
        let p1011 = (7.072570394540799e-09).addingProduct(r, 4.0780717860928705e-10)
        let low = p01.addingProduct(r2, p23).addingProduct(r4, p45.addingProduct(r2, p67))
        let high = p89.addingProduct(r2, p1011)
        let p = low.addingProduct(r8, high)
        // The low 12 bits of `shifted` hold n mod 2¹²; n + 1023 shifted into the exponent field.
        let scale = Double(bitPattern: (shifted.bitPattern &+ 1023) &<< 52)
        let result = p * scale
        return t > 1023 ? .infinity : (t < -1022 ? 0 : result)
    }
}
