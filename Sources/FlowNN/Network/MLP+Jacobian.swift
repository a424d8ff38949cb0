import FlowLinalg

/// Per-sample Jacobians built as tape operations, so that losses containing J_ξ are differentiable
/// with respect to the weights (double backpropagation).
///
/// For ξ: ℝᴰ → ℝᵈ the Jacobian of sample b is J_b = S_out · diag(σ′_L) W_Lᵀ ⋯ diag(σ′_1) W_1ᵀ · S_in⁻¹.
/// All samples are propagated at once as one tall matrix of per-sample blocks, one BLAS product per
/// layer: from the output side (blocks of d rows, cost ∝ m·d·Σ width²) when d ≤ D, from the input
/// side (blocks of D rows, then transposed) otherwise. The σ′ factors are `activationDerivative`
/// nodes, whose own gradient σ″ carries the loss back into the forward pass.
extension MLP {
    /// The outputs (m × d) and the Jacobians (m·d × D, rows b·d … b·d + d − 1 hold J_b) of a batch.
    public func jacobian(_ x: Variable) -> (output: Variable, jacobian: Variable) {
        let tape = x.tape
        let t = trace(x)
        let output = denormalize(t.y.last!)
        let m = x.rows, d = outputDimension, inDim = inputDimension
        let derivative: (Int) -> Variable? = { l in
            self.activations[l].isIdentity ? nil
                : tape.activationDerivative(self.activations[l], preactivation: t.z[l], output: t.y[l + 1])
        }
        if d <= inDim {
            var g = tape.constant(Self.blockIdentity(blocks: m, size: d, diagonal: outputNormalization.scale))
            for l in stride(from: layerCount - 1, through: 0, by: -1) {
                if let s = derivative(l) { g = tape.multiplyRepeated(g, by: s, blockSize: d) }
                g = tape.matmul(g, tape.parameter(weights[l]), transposeB: true)
            }
            if !inputNormalization.isIdentity {
                g = g / tape.constant(Matrix(rows: 1, cols: inDim, storage: inputNormalization.scale))
            }
            return (output, g)
        }
        var tangent = tape.constant(Self.blockIdentity(blocks: m, size: inDim,
                                                       diagonal: inputNormalization.scale.map { 1 / $0 }))
        for l in 0..<layerCount {
            tangent = tape.matmul(tangent, tape.parameter(weights[l]))
            if let s = derivative(l) { tangent = tape.multiplyRepeated(tangent, by: s, blockSize: inDim) }
        }
        if !outputNormalization.isIdentity {
            tangent = tangent * tape.constant(Matrix(rows: 1, cols: d, storage: outputNormalization.scale))
        }
        return (output, tape.blockTranspose(tangent, blockSize: inDim))
    }

    /// m blocks of diag(diagonal) stacked: (m·k × k).
    static func blockIdentity(blocks m: Int, size k: Int, diagonal: [Double]) -> Matrix {
        var s = Matrix(rows: m * k, cols: k)
        s.storage.withUnsafeMutableBufferPointer { p in
            for b in 0..<m {
                for i in 0..<k { p[(b * k + i) * k + i] = diagonal[i] }
            }
        }
        return s
    }
}
