import FlowLinalg
import FlowNN

/// The direction off the data manifold at each sample: ∇V₁(x) = ∇ₓ ψ(f_e(x)) = J_f(x)ᵀ ∇ψ(f_e(x)),
/// by the chain rule through the encoder f_e and the manifold function ψ (Yuan, Sule, Lam &
/// Cameron 2025, Step 4). ψ itself, not ψ², is differentiated: ∇(ψ²) = 2ψ∇ψ vanishes where ψ
/// does, which is on the manifold (DESIGN §10).
enum ManifoldNormal {
    /// One gradient per row of `x` (rows × D).
    static func gradients(psi: MLP, encoder: MLP, at x: Matrix) -> Matrix {
        let m = encoder.outputDimension, d = x.cols
        let (z, jf) = encoder.valuesAndJacobians(x)
        let gpsi = psi.valuesAndJacobians(z).jacobians
        var out = Matrix(rows: x.rows, cols: d)
        for i in 0..<x.rows {
            for k in 0..<m {
                let g = gpsi[i, k]
                for j in 0..<d { out[i, j] += g * jf[i * m + k, j] }
            }
        }
        return out
    }
}
