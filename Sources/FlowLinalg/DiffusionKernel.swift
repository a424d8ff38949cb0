import Foundation

/// The Gaussian kernel of flow's diffusion maps and its bandwidth selection.
///
/// Convention: k_ε(x, y) = exp(−‖x − y‖² / (4ε)) (pydiffmap's; the Cameron/Banisch code uses
/// exp(−‖x − y‖²/ε), i.e. its ε is 4× ours). With this choice the Gaussian has variance 2ε per
/// coordinate, so ∫k_ε(x, x+z) f(x+z) dz ∝ f + ε Δf + O(ε²) and the normalized operator
/// L_ε = (P_ε − I)/ε tends to Δ + ∇log π·∇ with no extra factor (Coifman & Lafon 2006;
/// Banisch et al. 2018, eq. 9 with their ε replaced by 4ε).
public enum DiffusionKernel {
    @inline(__always) public static func value(squaredDistance d2: Double, epsilon: Double) -> Double {
        exp(-d2 / (4 * epsilon))
    }

    /// Automatic ε by Berry, Giannakis & Harlim (2015, Phys. Rev. E 91, 032915): on a log grid of
    /// ε, T(ε) = Σ_pairs k_ε behaves like ε^{d/2} where the kernel resolves the data manifold of
    /// intrinsic dimension d; choose the ε maximizing the slope d log T / d log ε and report
    /// d ≈ 2·max slope. `squaredDistances` are the stored off-diagonal pairs (a subsample is fine)
    /// and `selfPairs` the number of diagonal terms k_ε(x_i, x_i) = 1 that go with them: they keep
    /// T(ε) from vanishing as ε → 0, where the slope would otherwise grow without bound.
    /// The grid spans 2⁻²⁰ … 2⁶ times the median stored squared distance in steps of 2^¼.
    public static func automaticEpsilon(squaredDistances: [Double], selfPairs: Int) throws -> (epsilon: Double, dimension: Double) {
        let positive = squaredDistances.filter { $0 > 0 }.sorted()
        guard !positive.isEmpty else {
            throw LinalgError.invalidArgument("automatic ε needs at least one pair of distinct points")
        }
        let median = positive[positive.count / 2]
        let exponents = stride(from: -20.0, through: 6.0, by: 0.25).map { $0 }
        let epsilons = exponents.map { median * pow(2, $0) / 4 }
        // Pairs at distance 0 contribute 1 at every ε; they flatten the curve equally everywhere.
        let zeros = Double(squaredDistances.count - positive.count + selfPairs)
        let logT = epsilons.map { eps -> Double in
            var t = zeros
            for d2 in positive { t += exp(-d2 / (4 * eps)) }
            return log(Swift.max(t, .leastNormalMagnitude))
        }
        var best = 0, bestSlope = -Double.infinity
        for i in 0..<(epsilons.count - 1) {
            let slope = (logT[i + 1] - logT[i]) / (log(epsilons[i + 1]) - log(epsilons[i]))
            if slope > bestSlope { (best, bestSlope) = (i, slope) }
        }
        return ((epsilons[best] * epsilons[best + 1]).squareRoot(), 2 * bestSlope)
    }
}
