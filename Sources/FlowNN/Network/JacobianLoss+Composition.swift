extension JacobianLoss {
    /// ∇ₓ(g∘ξ)(x_b) = J_ξ(x_b)ᵀ ∇g(ξ(x_b)) for every sample (m × D): the chain rule for a scalar
    /// function g on the latent space of an encoder ξ: ℝᴰ → ℝᵈ, as tape operations, so a loss on
    /// |∇(g∘ξ)|² trains both networks (the eigenfunction regularizer of an autoencoder, Lelièvre,
    /// Pigeon, Stoltz & Zhang, J. Phys. Chem. B 2024). `j` is the encoder's Jacobian (m·d × D,
    /// blocks of d rows per sample, from `MLP.jacobian`) and `covector` holds ∇g at ξ(x_b) (m × d).
    public static func pullback(_ covector: Variable, through j: Variable, outputs d: Int) -> Variable {
        let tape = j.tape
        let m = covector.rows, inputs = j.cols
        precondition(covector.cols == d && j.rows == m * d, "pullback: \(m)×\(covector.cols) covectors through a \(j.rows)×\(inputs) Jacobian of \(d) outputs")
        if d == 1 { return j * covector }
        let transposed = tape.blockTranspose(j, blockSize: d)
        let rows = tape.multiplyRepeated(transposed, by: covector, blockSize: inputs)
        return tape.reshape(tape.sumOverColumns(rows), rows: m, cols: inputs)
    }
}
