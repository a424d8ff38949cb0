/// A fitted diffusion map: what the `diffusion-map` stage stores and what later stages evaluate.
///
/// Normalization: `eigenvectors` are right eigenvectors φ of P (trivial φ₀ = 1 dropped), sorted by
/// decreasing eigenvalue, with Σ_i μ_i φ(i)² = 1 where μ = `stationary` is P's invariant measure
/// (for TMDmap an estimate of π on the samples); the largest-magnitude entry of each is positive.
public struct DiffusionMapModel: Sendable {
    /// Training samples (one per row), kept for the Nyström extension.
    public let data: Matrix
    /// Bandwidth ε of k_ε = exp(−d²/4ε).
    public let epsilon: Double
    /// Neighbours per sample of the sparse kernel, nil for the dense kernel.
    public let neighbors: Int?
    /// Berry–Giannakis–Harlim estimate, when ε was chosen automatically.
    public let intrinsicDimension: Double?
    public let beta: Double
    /// w_j of P = D⁻¹ K D_w.
    public let rightWeights: [Double]
    /// Kernel density estimate q = K·1 (unnormalized).
    public let density: [Double]
    /// Invariant measure μ_i ∝ w_i (K w)_i of P, summing to 1.
    public let stationary: [Double]
    /// Non-trivial eigenvalues λ of P, descending.
    public let eigenvalues: [Double]
    /// n × components.
    public let eigenvectors: Matrix
    /// The eigenvalue of the dropped constant eigenvector (1 up to rounding; a check).
    public let trivialEigenvalue: Double

    /// (λ − 1)/ε: eigenvalues of the limiting operator (Δ + ∇log π·∇ for TMDmap).
    public var operatorEigenvalues: [Double] { eigenvalues.map { ($0 - 1) / epsilon } }

    /// (λ − 1)/(βε): for TMDmap with π ∝ e^{−βV}, estimates of the eigenvalues of the Langevin
    /// generator β⁻¹Δ − ∇V·∇ (non-positive, in the time unit where the generator has that form).
    public var generatorEigenvalues: [Double] { eigenvalues.map { ($0 - 1) / (beta * epsilon) } }

    /// Nyström out-of-sample extension (Coifman & Lafon 2006): for a new point y,
    /// ψ_m(y) = λ_m⁻¹ Σ_j P(y, x_j) φ_m(x_j) with P(y, x_j) = k_ε(y, x_j) w_j / Σ_l k_ε(y, x_l) w_l over
    /// the training samples (its `neighbors` nearest ones for a sparse model). At a training
    /// sample this reproduces φ_m up to the self-term the kernel leaves out.
    public func extend(to points: Matrix, monitor: WorkMonitor = SilentMonitor()) throws -> Matrix {
        guard points.cols == data.cols else {
            throw LinalgError.dimensionMismatch("points have dimension \(points.cols), the model was fitted in \(data.cols)")
        }
        let k = neighbors ?? data.rows
        let list = try NearestNeighbors.search(queries: points, reference: data, k: k, monitor: monitor)
        let m = eigenvectors.cols
        var out = Matrix(rows: points.rows, cols: m)
        for i in 0..<points.rows {
            var total = 0.0
            var sums = [Double](repeating: 0, count: m)
            for t in 0..<k {
                let j = Int(list.indices[i * k + t])
                let p = DiffusionKernel.value(squaredDistance: list.squaredDistances[i * k + t], epsilon: epsilon) * rightWeights[j]
                total += p
                for c in 0..<m { sums[c] += p * eigenvectors[j, c] }
            }
            guard total > 0 else {
                throw LinalgError.invalidArgument("point \(i) is too far from every training sample for ε = \(epsilon) (kernel underflows)")
            }
            for c in 0..<m { out[i, c] = sums[c] / (total * eigenvalues[c]) }
        }
        return out
    }
}
