import Foundation
import FlowLinalg

/// A fitted diffusion map: what the `diffusion-map` stage stores and what later stages evaluate.
///
/// Normalization: `eigenvectors` are eigenvectors φ of L_ε = R⁻²(P − I)/ε (right eigenvectors of P
/// for a fixed bandwidth; trivial φ₀ = 1 dropped), sorted by decreasing eigenvalue, with
/// Σ_i m_i φ(i)² = 1 where m = `stationary` is the measure L_ε is self-adjoint in (for TMDmap an
/// estimate of π on the samples); the largest-magnitude entry of each is positive.
public struct DiffusionMapModel: Sendable {
    /// Σ m φ⁴ above which an eigenvector counts as localized on a few samples: a mode spread over
    /// the data has a fourth moment of order 1–10 (3 for a Gaussian-like φ), one carried by a
    /// cluster of measure m_c has about 1/m_c.
    public static let localizationLimit = 100.0
    /// A localized eigenvector (Σmφ⁴ above `localizationLimit`) whose support, n / Σmφ⁴ samples,
    /// is smaller than this counts as carried by isolated samples (`ModeDiagnostics.isIsolated`);
    /// `DiffusionMap.fit` refuses it when asked to (`LocalizedModes.refuse`).
    public static let isolatedSampleLimit = 20.0

    /// Training samples (one per row), kept for the Nyström extension.
    public let data: Matrix
    /// Bandwidth ε of k_ε = exp(−d²/(4ερ_iρ_j)).
    public let epsilon: Double
    /// Neighbours per sample of the sparse kernel, nil for the dense kernel.
    public let neighbors: Int?
    /// Nearest-neighbour maximum-likelihood estimate of the intrinsic dimension (Levina & Bickel
    /// 2005; unrounded).
    public let intrinsicDimension: Double
    /// The kernel-sum scan (Coifman et al. 2008; Berry & Harlim 2016): its ε and implied dimension.
    public let kernelSum: KernelSum
    /// 2 × the steepest log-slope of the kernel sum (Berry, Giannakis & Harlim 2015).
    public var slopeDimension: Double { kernelSum.dimension }
    /// The manifold dimension used by the variable-bandwidth weights and the density.
    public let dimension: Int
    /// The variable bandwidth ρ, nil for ρ ≡ 1.
    public let bandwidth: BandwidthFunction?
    public let beta: Double
    /// w_j of P = D⁻¹ K W.
    public let rightWeights: [Double]
    /// Leave-one-out kernel density estimate of the sampling density, Σ_{j≠i} K_ij/(n (4πε)^{d/2} ρ_i^d)
    /// (a probability density in the data's units when d is the manifold dimension).
    public let density: [Double]
    /// The measure m_i ∝ ρ_i² w_i (K w)_i that L_ε is self-adjoint in, summing to 1.
    public let stationary: [Double]
    /// Non-trivial eigenvalues 1 + εν, descending, for the eigenvalues ν of L_ε (the eigenvalues of
    /// P for a fixed bandwidth).
    public let eigenvalues: [Double]
    /// n × components.
    public let eigenvectors: Matrix
    /// Where each eigenvector lives: participation ratio, target mass, support, centroid and extent.
    public let modes: [ModeDiagnostics]
    /// Σ_i m_i φ(i)⁴ of each eigenvector (see `localizationLimit`).
    public var localization: [Double] { modes.map(\.fourthMoment) }
    /// The eigenvalue of the dropped constant eigenvector (1 up to rounding; a check).
    public let trivialEigenvalue: Double
    /// How the eigenpairs were computed ("ARPACK dsaupd: … restarts, … products").
    public let solver: String

    /// ν = (λ − 1)/ε: eigenvalues of the limiting operator (Δ + ∇log π·∇ for TMDmap).
    public var operatorEigenvalues: [Double] { eigenvalues.map { ($0 - 1) / epsilon } }

    /// (λ − 1)/(βε): for TMDmap with π ∝ e^{−βV}, estimates of the eigenvalues of the Langevin
    /// generator β⁻¹Δ − ∇V·∇ (non-positive, in the time unit where the generator has that form).
    public var generatorEigenvalues: [Double] { eigenvalues.map { ($0 - 1) / (beta * epsilon) } }

    /// Nyström out-of-sample extension (Coifman & Lafon 2006): for a new point y,
    /// φ_m(y) = Σ_j P(y, x_j) φ_m(x_j) / (1 + εν_m ρ(y)²) with P(y, x_j) = k_ε(y, x_j) w_j / Σ_l k_ε(y, x_l) w_l
    /// over the training samples (its `neighbors` nearest ones for a sparse model), since
    /// P φ = (1 + ερ²ν) φ. At a training sample this reproduces φ_m up to the self-term the
    /// kernel leaves out.
    public func extend(to points: Matrix, monitor: WorkMonitor = SilentMonitor()) throws -> Matrix {
        guard points.cols == data.cols else {
            throw LinalgError.dimensionMismatch("points have dimension \(points.cols), the model was fitted in \(data.cols)")
        }
        let k = neighbors ?? data.rows
        let list = try NearestNeighbors.search(queries: points, reference: data, k: k, monitor: monitor)
        let rhoPoints = bandwidth?.values(at: list) ?? [Double](repeating: 1, count: points.rows)
        let rho = bandwidth?.values
        let nu = operatorEigenvalues
        let m = eigenvectors.cols
        var out = Matrix(rows: points.rows, cols: m)
        for i in 0..<points.rows {
            var total = 0.0
            var sums = [Double](repeating: 0, count: m)
            for t in 0..<k {
                let j = Int(list.indices[i * k + t])
                let scaled = list.squaredDistances[i * k + t] / (rhoPoints[i] * (rho?[j] ?? 1))
                let p = DiffusionKernel.value(squaredDistance: scaled, epsilon: epsilon) * rightWeights[j]
                total += p
                for c in 0..<m { sums[c] += p * eigenvectors[j, c] }
            }
            guard total > 0 else {
                throw LinalgError.invalidArgument("point \(i) is too far from every training sample for ε = \(epsilon) (kernel underflows)")
            }
            for c in 0..<m { out[i, c] = sums[c] / (total * (1 + epsilon * nu[c] * rhoPoints[i] * rhoPoints[i])) }
        }
        return out
    }
}
