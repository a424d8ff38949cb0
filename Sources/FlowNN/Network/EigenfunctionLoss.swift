import FlowLinalg

/// The variational loss whose minimizers are the K leading eigenfunctions of the generator of
/// overdamped Langevin dynamics, L = β⁻¹Δ − ∇V·∇ (Zhang, Li & Schütte, "Solving eigenvalue PDEs
/// of metastable diffusion processes using artificial neural networks", J. Comput. Phys. 2022):
///
///     Σₖ ωₖ λ_{σ(k)}  +  α Σ_{i≤j} (Cov(fᵢ, fⱼ) − δᵢⱼ)²,      λᵢ = β⁻¹ E|∇fᵢ|² / Var fᵢ,
///
/// with weights ω₁ > ω₂ > … > ω_K > 0. The Rayleigh quotient λᵢ is invariant under shifts and
/// scalings of fᵢ; the penalty fixes the scale and makes the fᵢ uncorrelated. For strictly
/// decreasing weights the minimum over uncorrelated functions is attained by the eigenfunctions of
/// −L for its K smallest non-zero eigenvalues 0 < λ₁ ≤ … ≤ λ_K, fᵢ matched to λᵢ (the paper's
/// variational characterization; equal weights would only determine their span).
///
/// Sign convention: λᵢ > 0 are eigenvalues of −L (L fᵢ = −λᵢ fᵢ); for the Ornstein–Uhlenbeck
/// process V = ½|x|² they are 1, 1, 2, … whatever β.
///
/// σ orders the outputs by their current Rayleigh quotient, so that the largest weight always
/// goes to the smallest quotient (Zhang et al. re-sort at every step): outputs may swap roles
/// during training without fighting the weights.
///
/// Expectations are taken under the weighted empirical measure Σ_b w_b δ_{x_b} / Σ_b w_b: with
/// the reweighting weights of biased samples they estimate expectations under μ ∝ e^{−βV}.
public struct EigenfunctionLoss: Sendable {
    /// β, the inverse temperature of the dynamics.
    public let beta: Double
    /// ω₁ > … > ω_K > 0; K = weights.count is the number of eigenfunctions.
    public let weights: [Double]
    /// α, the weight of the covariance penalty.
    public let penalty: Double
    /// Whether σ sorts the outputs by Rayleigh quotient (otherwise output i gets ωᵢ).
    public let sortsByEigenvalue: Bool

    public init(beta: Double, weights: [Double], penalty: Double, sortsByEigenvalue: Bool = true) {
        precondition(beta > 0, "β must be positive")
        precondition(!weights.isEmpty && weights.allSatisfy { $0 > 0 }, "eigenfunction weights must be positive")
        precondition(zip(weights, weights.dropFirst()).allSatisfy { $0 > $1 }, "eigenfunction weights must decrease strictly")
        precondition(penalty >= 0, "the covariance penalty must be non-negative")
        self.beta = beta
        self.weights = weights
        self.penalty = penalty
        self.sortsByEigenvalue = sortsByEigenvalue
    }

    /// K, the number of eigenfunctions.
    public var count: Int { weights.count }

    /// The two terms of the loss on one batch, with the eigenvalue estimates they were built from.
    public struct Evaluation {
        /// Σₖ ωₖ λ_{σ(k)} (1 × 1).
        public let rayleigh: Variable
        /// α Σ_{i≤j} (Cov(fᵢ, fⱼ) − δᵢⱼ)² (1 × 1).
        public let covariance: Variable
        /// λᵢ of output i, in output order.
        public let eigenvalues: [Double]
        /// Output indices by increasing λ (σ); the identity when the loss does not sort.
        public let order: [Int]

        /// λ in increasing order (λ_{σ(1)}, …, λ_{σ(K)}).
        public var sortedEigenvalues: [Double] { order.map { eigenvalues[$0] } }
    }

    /// The loss of a batch from the values f (m × K), the squared gradient norms |∇fᵢ|² (m × K,
    /// e.g. `JacobianLoss.gradientNormsSquared`) and optional per-sample weights (m values).
    public func evaluate(values f: Variable, gradientNormsSquared g: Variable, sampleWeights: [Double]? = nil) -> Evaluation {
        precondition(f.cols == count && g.cols == count, "expected \(count) eigenfunctions, got \(f.cols) values and \(g.cols) gradient norms")
        precondition(f.rows == g.rows, "values and gradient norms have different batch sizes")
        let tape = f.tape
        let moments = WeightedMoments(tape: tape, rows: f.rows, weights: sampleWeights)
        let cov = moments.covariance(f)
        let k = count
        let variance = tape.sumOverRows(cov * tape.constant(Matrix.identity(k)))
        let energy = moments.mean(g)
        let lambda = energy / variance * (1 / beta)
        let eigenvalues = tape.value(lambda).storage
        let order = sortsByEigenvalue
            ? eigenvalues.indices.sorted { (eigenvalues[$0], $0) < (eigenvalues[$1], $1) }
            : Array(0..<k)
        var assigned = [Double](repeating: 0, count: k)
        for (rank, output) in order.enumerated() { assigned[output] = weights[rank] }
        let rayleigh = tape.sum(lambda * tape.constant(Matrix(rows: 1, cols: k, storage: assigned)))
        var upper = Matrix(rows: k, cols: k)
        for i in 0..<k { for j in i..<k { upper[i, j] = 1 } }
        let deviation = tape.square(cov - tape.constant(Matrix.identity(k))) * tape.constant(upper)
        return Evaluation(rayleigh: rayleigh, covariance: tape.sum(deviation) * penalty,
                          eigenvalues: eigenvalues, order: order)
    }
}

extension EigenfunctionLoss {
    /// λᵢ of each function and the order σ, from values and squared gradient norms already
    /// computed on a whole sample set (m × K each), e.g. to report the trained eigenvalues.
    public func eigenvalues(values: Matrix, gradientNormsSquared: Matrix,
                            sampleWeights: [Double]? = nil) -> (eigenvalues: [Double], order: [Int]) {
        let tape = Tape()
        let e = evaluate(values: tape.constant(values), gradientNormsSquared: tape.constant(gradientNormsSquared),
                         sampleWeights: sampleWeights)
        return (e.eigenvalues, e.order)
    }
}

/// Means and covariances of batch columns under normalized sample weights, as tape operations.
public struct WeightedMoments {
    public let tape: Tape
    public let rows: Int
    /// w_b / Σw (m × 1), or nil for the plain average.
    public let normalized: Variable?

    /// `weights`: one non-negative weight per row (nil: all equal).
    public init(tape: Tape, rows: Int, weights: [Double]?) {
        self.tape = tape
        self.rows = rows
        if let weights {
            precondition(weights.count == rows, "\(weights.count) sample weights for \(rows) samples")
            let total = weights.reduce(0, +)
            precondition(total > 0 && total.isFinite, "sample weights must have a positive finite sum")
            normalized = tape.constant(Matrix(rows: rows, cols: 1, storage: weights.map { $0 / total }))
        } else {
            normalized = nil
        }
    }

    /// E[x] per column (1 × n).
    public func mean(_ x: Variable) -> Variable {
        guard let w = normalized else { return tape.meanOverRows(x) }
        return tape.sumOverRows(x * w)
    }

    /// Cov(xᵢ, xⱼ) = E[(xᵢ − Exᵢ)(xⱼ − Exⱼ)] (n × n).
    public func covariance(_ x: Variable) -> Variable {
        let centred = x - mean(x)
        guard let w = normalized else {
            return tape.matmul(centred, centred, transposeA: true) * (1 / Double(rows))
        }
        return tape.matmul(centred * w, centred, transposeA: true)
    }
}
