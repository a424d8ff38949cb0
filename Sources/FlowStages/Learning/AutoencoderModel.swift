import FlowLinalg
import FlowNN

/// The networks of a (regularized) autoencoder and its loss terms (Lelièvre, Pigeon, Stoltz &
/// Zhang, "Analyzing multimodal probability measures with autoencoders", J. Phys. Chem. B 2024):
///
///     γ₁ · E‖dec(ξ(x)) − x‖²  +  γ₂ · R(ξ),
///
/// with encoder ξ: ℝᴰ → ℝᵐ, decoder dec: ℝᵐ → ℝᴰ, and R(ξ) the eigenfunction loss
/// (`EigenfunctionLoss`) of the functions gᵢ∘ξ, where g₁…g_K are small networks on the latent
/// space. R is small only if the leading eigenfunctions of the generator are (close to) functions
/// of ξ: the regularizer puts the dynamics into a CV that reconstruction alone knows nothing of.
final class AutoencoderModel {
    let encoder: MLP
    let decoder: MLP
    /// g₁…g_K: ℝᵐ → ℝ (empty without regularization).
    let regularizers: [MLP]
    let reconstructionWeight: Double
    let regularizerWeight: Double
    let eigenfunctionLoss: EigenfunctionLoss?

    init(encoder: MLP, decoder: MLP, regularizers: [MLP], reconstructionWeight: Double, regularizerWeight: Double,
         eigenfunctionLoss: EigenfunctionLoss?) {
        precondition(encoder.outputDimension == decoder.inputDimension && decoder.outputDimension == encoder.inputDimension,
                     "encoder and decoder do not fit together")
        precondition((regularizerWeight > 0) == (eigenfunctionLoss != nil && !regularizers.isEmpty),
                     "a regularizer weight needs the eigenfunction loss and its networks")
        self.encoder = encoder
        self.decoder = decoder
        self.regularizers = regularizers
        self.reconstructionWeight = reconstructionWeight
        self.regularizerWeight = regularizerWeight
        self.eigenfunctionLoss = eigenfunctionLoss
    }

    var latentDimension: Int { encoder.outputDimension }

    /// What the joint phase trains: the encoder, the gᵢ when regularized, the decoder when the
    /// reconstruction is part of the loss (with γ₁ = 0 it is fitted afterwards, `decoderTerms`).
    var jointParameters: [Parameter] {
        encoder.parameters + regularizers.flatMap(\.parameters) + (reconstructionWeight > 0 ? decoder.parameters : [])
    }

    /// The weighted loss terms of the batch `x` ("reconstruction", "rayleigh", "covariance").
    func jointTerms(_ x: Variable, sampleWeights: [Double]?) -> [LossTerm] {
        var terms: [LossTerm] = []
        let latent: Variable
        var encoderJacobian: Variable?
        if regularizerWeight > 0 {
            let (z, j) = encoder.jacobian(x)
            latent = z
            encoderJacobian = j
        } else {
            latent = encoder(x)
        }
        if reconstructionWeight > 0 {
            terms.append(LossTerm("reconstruction", reconstructionError(decoder(latent), x, sampleWeights: sampleWeights) * reconstructionWeight))
        }
        if let j = encoderJacobian, let loss = eigenfunctionLoss {
            let e = regularization(latent: latent, encoderJacobian: j, loss: loss, sampleWeights: sampleWeights)
            terms.append(LossTerm("rayleigh", e.rayleigh * regularizerWeight))
            terms.append(LossTerm("covariance", e.covariance * regularizerWeight))
        }
        return terms
    }

    /// The reconstruction term alone for given latent values (the decoder fit with ξ fixed).
    func decoderTerms(latent: Variable, target x: Variable, sampleWeights: [Double]?) -> [LossTerm] {
        [LossTerm("reconstruction", reconstructionError(decoder(latent), x, sampleWeights: sampleWeights))]
    }

    /// E_w‖y − x‖² (1 × 1).
    func reconstructionError(_ y: Variable, _ x: Variable, sampleWeights: [Double]?) -> Variable {
        let tape = x.tape
        let moments = WeightedMoments(tape: tape, rows: x.rows, weights: sampleWeights)
        return moments.mean(tape.sumOverColumns(tape.square(y - x)))
    }

    /// The eigenfunction loss of g₁∘ξ … g_K∘ξ.
    func regularization(latent z: Variable, encoderJacobian j: Variable, loss: EigenfunctionLoss,
                        sampleWeights: [Double]?) -> EigenfunctionLoss.Evaluation {
        let (values, norms) = regularizedFunctions(latent: z, encoderJacobian: j)
        return loss.evaluate(values: values, gradientNormsSquared: norms, sampleWeights: sampleWeights)
    }

    /// gᵢ∘ξ (m × K) and |∇ₓ(gᵢ∘ξ)|² = |J_ξᵀ ∇gᵢ(ξ)|² (m × K) from the latent values and the
    /// encoder's Jacobian of a batch.
    func regularizedFunctions(latent z: Variable, encoderJacobian j: Variable) -> (values: Variable, gradientNormsSquared: Variable) {
        let tape = z.tape
        let parts = regularizers.map { g -> (Variable, Variable) in
            let (value, covector) = g.jacobian(z)
            let gradient = JacobianLoss.pullback(covector, through: j, outputs: latentDimension)
            return (value, tape.sumOverColumns(tape.square(gradient)))
        }
        return (tape.concatColumns(parts.map(\.0)), tape.concatColumns(parts.map(\.1)))
    }

    /// λ₁ ≤ … ≤ λ_K of g₁∘ξ … g_K∘ξ on all rows of `x` and the gᵢ by increasing λ, or nil
    /// without regularization.
    func regularizerEigenvalues(_ x: Matrix, sampleWeights: [Double]?) -> (eigenvalues: [Double], order: [Int])? {
        guard let loss = eigenfunctionLoss, regularizerWeight > 0 else { return nil }
        let (values, norms) = ChunkedEvaluation.pair(x) { chunk in
            let (z, j) = encoder.jacobian(chunk)
            return regularizedFunctions(latent: z, encoderJacobian: j)
        }
        let e = loss.eigenvalues(values: values, gradientNormsSquared: norms, sampleWeights: sampleWeights)
        return (e.order.map { e.eigenvalues[$0] }, e.order)
    }
}
