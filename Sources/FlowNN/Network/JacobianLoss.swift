import FlowLinalg

/// Loss terms built from per-sample Jacobians (`MLP.jacobian`), all differentiable with respect to
/// the network weights. A Jacobian variable `j` holds, for m samples, blocks of d rows: J_b is
/// d × D (rows b·d … b·d + d − 1).
public enum JacobianLoss {
    /// J_b v_b for every sample: (m × d), with `v` (m × D) one direction per sample.
    public static func jacobianTimes(_ j: Variable, _ v: Variable, outputs d: Int) -> Variable {
        let tape = j.tape
        let m = v.rows
        return tape.reshape(tape.sumOverColumns(tape.multiplyRepeated(j, by: v, blockSize: d)), rows: m, cols: d)
    }

    /// ‖∇ξ_k(x_b)‖² for every sample and output: (m × d). For a scalar f this is |∇f|².
    public static func gradientNormsSquared(_ j: Variable, outputs d: Int) -> Variable {
        let tape = j.tape
        return tape.reshape(tape.sumOverColumns(tape.square(j)), rows: j.rows / d, cols: d)
    }

    /// mean_b ‖J_b J_bᵀ − I‖²_F: how far the rows of J are from orthonormal (the CVs' metric from
    /// being the identity). 1 × 1.
    public static func orthonormality(_ j: Variable, outputs d: Int) -> Variable {
        let tape = j.tape
        let gram = tape.blockGram(j, blockSize: d)
        let identity = tape.constant(Matrix.identity(d).reshaped(rows: 1, cols: d * d))
        return tape.mean(tape.sumOverColumns(tape.square(gram - identity)))
    }

    /// mean_b ‖J_b v_b‖ / (‖J_b‖_F ‖v_b‖), the scale-free orthogonality of ξ to a normal field v
    /// (‖J_ξ ∇V₁‖ normalized, DESIGN.md §10). With `squared` the ratio is squared, which is smooth
    /// where J_b v_b = 0; otherwise `epsilon` is added under the square root of ‖J_b v_b‖². 1 × 1.
    public static func orthogonality(_ j: Variable, normals v: Variable, outputs d: Int,
                                     squared: Bool = false, epsilon: Double = 1e-12) -> Variable {
        let tape = j.tape
        let jv2 = tape.sumOverColumns(tape.square(jacobianTimes(j, v, outputs: d)))
        let j2 = tape.sumOverColumns(gradientNormsSquared(j, outputs: d))
        let v2 = tape.sumOverColumns(tape.square(v))
        let ratio2 = jv2 / (j2 * v2)
        return tape.mean(squared ? ratio2 : tape.sqrt(ratio2 + epsilon))
    }

    /// E|∇f_k|² / Var f_k for each output k (1 × d): the Rayleigh quotients whose minimizers are the
    /// leading eigenfunctions of the (reversible) generator, up to the factor β⁻¹ (Zhang et al.).
    /// `values` (m × d) are the network outputs and `j` their Jacobians.
    public static func rayleighQuotients(values f: Variable, jacobian j: Variable) -> Variable {
        let tape = j.tape
        let d = f.cols
        let energy = tape.meanOverRows(gradientNormsSquared(j, outputs: d))
        let mean = tape.meanOverRows(f)
        let variance = tape.meanOverRows(tape.square(f)) - tape.square(mean)
        return energy / variance
    }
}
