import Foundation
@testable import FlowAnalysis
import FlowLinalg

/// Independent references for the effective-dynamics tests: discretizations that share nothing with
/// the P1 finite elements under test.
enum EffectiveDynamicsReference {
    /// The k-th smallest eigenvalue (k from 0) of −L = −β⁻¹ d²/dx² + F′ d/dx (M = 1) on [a, b], through
    /// the unitarily equivalent Schrödinger form β⁻¹(−d²/dx² + U), U = β²F′²/4 − βF″/2 (ψ = e^{−βF/2} f),
    /// by second-order finite differences with ψ = 0 at a and b (valid when e^{−βF} is negligible
    /// there) and Sturm-sequence bisection on the symmetric tridiagonal matrix.
    static func schroedingerEigenvalue(_ k: Int, beta: Double, on a: Double, _ b: Double, intervals n: Int,
                                       derivative: (Double) -> Double, secondDerivative: (Double) -> Double) -> Double {
        let h = (b - a) / Double(n)
        let diagonal = (1..<n).map { i -> Double in
            let x = a + Double(i) * h, g = derivative(x)
            return (2 / (h * h) + beta * beta * g * g / 4 - beta * secondDerivative(x) / 2) / beta
        }
        let off = -1 / (beta * h * h)
        func countBelow(_ x: Double) -> Int {
            var count = 0
            var q = 1.0
            for (i, d) in diagonal.enumerated() {
                q = d - x - (i == 0 ? 0 : off * off / q)
                if q == 0 { q = 1e-300 }
                if q < 0 { count += 1 }
            }
            return count
        }
        var lo = diagonal.min()! - 2 * abs(off), hi = diagonal.max()! + 2 * abs(off)
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if countBelow(mid) > k { hi = mid } else { lo = mid }
        }
        return (lo + hi) / 2
    }

    /// The smallest eigenvalues of −L = −β⁻¹ e^{βF} (e^{−βF} M f′)′ on the circle [0, 2π) by a
    /// Fourier–Galerkin method: basis 1, cos kφ, sin kφ (k ≤ modes), the weak form's integrals by the
    /// trapezoidal rule on `points` nodes (spectrally accurate for smooth periodic integrands), and
    /// the generalized problem K c = λ B c reduced to B^{−1/2} K B^{−1/2}.
    static func fourierGalerkinEigenvalues(beta: Double, modes: Int, points: Int, count: Int,
                                           freeEnergy: (Double) -> Double, diffusion: (Double) -> Double) throws -> [Double] {
        let size = 2 * modes + 1
        let w = 2 * Double.pi / Double(points)
        let phis = (0..<points).map { Double($0) * w }
        let fMin = phis.map(freeEnergy).min()!
        var basis = Matrix(rows: points, cols: size), slope = Matrix(rows: points, cols: size)
        for (q, phi) in phis.enumerated() {
            basis[q, 0] = 1
            for k in 1...modes {
                let kk = Double(k)
                basis[q, 2 * k - 1] = cos(kk * phi); slope[q, 2 * k - 1] = -kk * sin(kk * phi)
                basis[q, 2 * k] = sin(kk * phi); slope[q, 2 * k] = kk * cos(kk * phi)
            }
        }
        let weight = phis.map { exp(-beta * (freeEnergy($0) - fMin)) * w }
        let stiffnessWeight = zip(weight, phis).map { $0 * diffusion($1) / beta }
        let b = basis.scalingRows(weight.map { $0.squareRoot() }).gram()
        let k = slope.scalingRows(stiffnessWeight.map { $0.squareRoot() }).gram()
        let eb = try b.symmetricEigen()
        var inverseRoot = eb.vectors
        for i in 0..<size { for j in 0..<size { inverseRoot[i, j] /= eb.values[j].squareRoot() } }
        let reduced = inverseRoot.multiplied(by: k.multiplied(by: inverseRoot), transposeSelf: true)
        return try reduced.symmetricEigen(.smallest(count), computeVectors: false).values
    }

    /// ∫_a^b g by the midpoint rule on `n` intervals.
    static func integral(_ a: Double, _ b: Double, _ n: Int, _ g: (Double) -> Double) -> Double {
        let h = (b - a) / Double(n)
        return (0..<n).reduce(0.0) { $0 + g(a + (Double($1) + 0.5) * h) } * h
    }
}

/// Cell-centre coordinates of every grid cell, in row-major cell order (not node order).
func cellCentres(_ axes: [GridAxis]) -> [[Double]] {
    if axes.count == 1 { return (0..<axes[0].count).map { [axes[0].center($0)] } }
    return (0..<axes[0].count).flatMap { i in (0..<axes[1].count).map { j in [axes[0].center(i), axes[1].center(j)] } }
}

/// A diffusion field evaluated at the cell centres of `axes` (d × d row-major per cell).
func diffusionField(_ axes: [GridAxis], _ m: ([Double]) -> [Double]) throws -> DiffusionTensorField {
    try DiffusionTensorField(dimension: axes.count, values: Matrix(cellCentres(axes).map(m)))
}

/// A scalar field at the cell centres of `axes`, row-major.
func cellValues(_ axes: [GridAxis], _ f: ([Double]) -> Double) -> [Double] {
    cellCentres(axes).map(f)
}
