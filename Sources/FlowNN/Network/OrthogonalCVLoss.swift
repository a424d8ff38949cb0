import FlowLinalg

/// The loss of orthogonal CVs ξ: ℝᴰ → ℝᵈ with a mirrored decoder g: ℝᵈ → ℝᵐ (Yuan, Sule, Lam &
/// Cameron, arXiv:2507.00408, 2025, Step 4), per minibatch of m samples:
///
///     θ1 · mean_b ‖J_b v_b‖ / (‖J_b‖_F ‖v_b‖)          orthogonality to the normal v = ∇V₁
///   + θ2 · mean_b ‖J_b J_bᵀ − I‖²_F                     orthonormality
///   + θr · mean_{b,l} ((g(ξ(x_b))_l − z_{b,l}) / s_l)²   reconstruction of the embedding z = f_e(x)
///   + θm · mean_i (ξ₁(p_i) − σ_i)²                       ξ₁ = arclength σ along a minimum-energy path p
///
/// The first two terms alone leave ξ free among all orthonormal directions tangent to the level
/// sets of V₁ (D − 1 of them, most of them off the data manifold); the reconstruction term makes ξ
/// keep what the decoder needs to rebuild the embedding, which pins it to the manifold's
/// coordinates. s_l is the spread of embedding component l, so each component weighs the same.
public struct OrthogonalCVLoss {
    public var theta1: Double
    public var theta2: Double
    public var reconstruction: Double
    public var mep: Double
    /// Square the cosine (smooth where J v = 0) instead of taking it as is.
    public var squaredCosine: Bool

    public init(theta1: Double, theta2: Double, reconstruction: Double = 0, mep: Double = 0, squaredCosine: Bool = false) {
        self.theta1 = theta1
        self.theta2 = theta2
        self.reconstruction = reconstruction
        self.mep = mep
        self.squaredCosine = squaredCosine
    }

    /// A path for the MEP term: points in ξ's input space (images × D) and the arclength of each.
    public struct Path {
        public let points: Matrix
        public let arclength: [Double]
        public init(points: Matrix, arclength: [Double]) {
            precondition(points.rows == arclength.count, "one arclength per path point")
            self.points = points
            self.arclength = arclength
        }
    }

    /// The weighted terms on a batch whose inputs `x` (m × D), unit normals (m × D) and embedding
    /// targets (m × m_e) are on one tape; `scale` holds s_l. Terms with weight 0 are left out; the
    /// decoder, targets and scale are needed when θr > 0, the path when θm > 0.
    public func terms(xi: MLP, decoder: MLP?, x: Variable, normals: Variable, targets: Variable?, scale: [Double]?,
                      path: Path?) -> [LossTerm] {
        let tape = x.tape
        let d = xi.outputDimension
        let (cv, j) = xi.jacobian(x)
        var terms: [LossTerm] = []
        if theta1 > 0 {
            let o = JacobianLoss.orthogonality(j, normals: normals, outputs: d, squared: squaredCosine)
            terms.append(LossTerm("orthogonality", o * theta1))
        }
        if theta2 > 0 { terms.append(LossTerm("orthonormality", JacobianLoss.orthonormality(j, outputs: d) * theta2)) }
        if reconstruction > 0 {
            guard let decoder, let targets, let scale else { preconditionFailure("the reconstruction term needs a decoder, targets and scales") }
            let inverse = tape.constant(Matrix(rows: 1, cols: scale.count, storage: scale.map { 1 / $0 }))
            let error = (decoder(cv) - targets) * inverse
            terms.append(LossTerm("reconstruction", tape.mean(tape.square(error)) * reconstruction))
        }
        if mep > 0 {
            guard let path else { preconditionFailure("the MEP term needs a path") }
            let first = tape.sliceColumns(xi(tape.constant(path.points)), 0..<1)
            let sigma = tape.constant(Matrix(rows: path.arclength.count, cols: 1, storage: path.arclength))
            terms.append(LossTerm("mep", tape.mean(tape.square(first - sigma)) * mep))
        }
        return terms
    }

    /// The mirrored decoder of `xi`: ξ's hidden widths in reverse order and its hidden activation,
    /// from d inputs to `outputs`, identity output (as the reference's CV_learner).
    public static func mirroredDecoder(of xi: MLP, outputs: Int, rng: inout RandomSource) -> MLP {
        let hidden = Array(xi.sizes.dropFirst().dropLast().reversed())
        let activation = xi.activations.first ?? .identity
        return MLP(sizes: [xi.outputDimension] + hidden + [outputs], activation: activation, rng: &rng)
    }
}
