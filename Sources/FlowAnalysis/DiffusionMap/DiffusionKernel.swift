import Foundation
import FlowLinalg

/// The Gaussian kernel of flow's diffusion maps and the choice of its bandwidth ε.
///
/// Convention: k_ε(x, y) = exp(−‖x − y‖² / (4ε ρ(x) ρ(y))) with a bandwidth function ρ (ρ ≡ 1 for
/// the classical fixed-bandwidth kernel; pydiffmap's convention — the Cameron/Banisch code uses
/// exp(−‖x − y‖²/ε), i.e. its ε is 4× ours). With ρ ≡ 1 the Gaussian has variance 2ε per
/// coordinate, so ∫k_ε(x, x+z) f(x+z) dz ∝ f + ε Δf + O(ε²) and L_ε = (P_ε − I)/ε tends to
/// Δ + ∇log π·∇ with no extra factor (Coifman & Lafon 2006; Banisch et al. 2020, eq. 9 with their ε
/// replaced by 4ε).
public enum DiffusionKernel {
    @inline(__always) public static func value(squaredDistance d2: Double, epsilon: Double) -> Double {
        exp(-d2 / (4 * epsilon))
    }

    /// The reach c of a kernel whose k-th stored neighbour sits at d²/(4ερ_iρ_j) = c: a Gaussian in
    /// dimension d cut at that radius keeps the fractions P(d/2, c) of its mass and P(d/2 + 1, c) of
    /// its second moment (P the regularized lower incomplete gamma function), so the operator
    /// L_ε, which is the ratio of the two, is scaled by P(d/2 + 1, c)/P(d/2, c). The reach returned
    /// makes that relative error equal `tolerance` (d = 2, 1%: c ≈ 6.6; d = 3: c ≈ 7.5).
    public static func reach(dimension d: Double, tolerance: Double) -> Double {
        precondition(d > 0 && tolerance > 0 && tolerance < 1, "reach needs d > 0 and a tolerance in (0, 1)")
        func error(_ c: Double) -> Double { 1 - regularizedLowerGamma(d / 2 + 1, c) / regularizedLowerGamma(d / 2, c) }
        var lo = 0.01, hi = 200.0
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi)
            if error(mid) > tolerance { lo = mid } else { hi = mid }
        }
        return hi
    }

    /// Intrinsic dimension by maximum likelihood from nearest-neighbour distances (Levina & Bickel
    /// 2005, with MacKay & Ghahramani's pooling: the harmonic mean of the per-sample estimates
    /// m_i = [(1/(k−1)) Σ_{j<k} log(T_k/T_j)]⁻¹, T_j the distance to the j-th neighbour). It uses
    /// the kNN list the kernel is built from, and unlike a slope of the kernel sum truncated at the k-th neighbour it does not
    /// depend on where that sum saturates (`KernelSum` sums the full kernel instead). Samples with duplicate neighbours are skipped.
    public static func likelihoodDimension(squaredDistances: [Double], stride: Int, neighbors k: Int, count n: Int) -> Double? {
        guard k >= 2 else { return nil }
        var inverseSum = 0.0, used = 0
        for i in 0..<n {
            let tk = squaredDistances[i * stride + k - 1]
            guard squaredDistances[i * stride] > 0, tk > 0 else { continue }
            var s = 0.0
            for j in 0..<(k - 1) { s += 0.5 * log(tk / squaredDistances[i * stride + j]) }
            inverseSum += s / Double(k - 1)
            used += 1
        }
        guard used > 0, inverseSum > 0 else { return nil }
        return Double(used) / inverseSum
    }

    /// `likelihoodDimension` of all of `data` from `queries` seeded random rows (all when fewer)
    /// and their `neighbors` nearest samples (themselves left out). A δ-net must not estimate its
    /// own dimension: its points are packed (neighbour distances between δ and 2δ instead of
    /// Poisson-spread), which flattens the distance ratios the estimate rests on and inflates it
    /// (LJ7 features: 6.57 on a net of 4833 points, 6.02 on all 10⁵ frames).
    public static func likelihoodDimension(of data: Matrix, queries: Int = 2000, neighbors k: Int = 20,
                                           monitor: WorkMonitor = SilentMonitor()) throws -> Double? {
        guard data.rows > k + 1 else { return nil }
        var rows = Array(0..<data.rows)
        if data.rows > queries {
            var rng = RandomSource(seed: 0x4C42_4449, stream: "likelihood dimension rows")
            rows = Array(rng.permutation(data.rows).prefix(queries)).sorted()
        }
        let list = try NearestNeighbors.search(queries: data.rows(rows), reference: data, k: k + 1, monitor: monitor)
        var distances = [Double]()
        distances.reserveCapacity(rows.count * k)
        for (q, row) in rows.enumerated() {
            var own = false
            for t in 0..<(k + 1) {
                if !own && Int(list.indices[q * (k + 1) + t]) == row { own = true; continue }
                if distances.count < (q + 1) * k { distances.append(list.squaredDistances[q * (k + 1) + t]) }
            }
        }
        return likelihoodDimension(squaredDistances: distances, stride: k, neighbors: k, count: rows.count)
    }

    /// Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a) by its power series (x ≤ a + 40 in
    /// every use here, where the series converges in a few hundred terms) and by the complement's
    /// continued fraction above.
    static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        let logPrefactor = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if term < sum * 1e-16 { break }
            }
            return sum * exp(logPrefactor)
        }
        // Lentz's continued fraction for Q(a, x) (Numerical Recipes §6.2).
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return 1 - exp(logPrefactor) * h
    }
}
