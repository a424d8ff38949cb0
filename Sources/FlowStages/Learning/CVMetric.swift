import FlowLinalg

/// The metric M = J Jᵀ of CVs, averaged over samples. Effective dynamics on ξ needs
/// M(x) = ∂ξ/∂x (∂ξ/∂x)ᵀ in the coordinates the dynamics runs in (Legoll & Lelièvre 2010, eq. 14;
/// DESIGN §10): for CVs learned on features φ(x) that is J_ξ(φ(x)) J_φ(x), which differs from the
/// feature-space J_ξ J_ξᵀ wherever J_φ is not an isometry.
enum CVMetric {
    /// mean_b J_b J_bᵀ (d × d) and mean_b ‖J_b J_bᵀ − I‖_F over per-sample Jacobians J_b (d × n,
    /// blocks of d rows of `jacobians`).
    static func summary(jacobians j: Matrix, outputs d: Int) -> (mean: Matrix, deviation: Double) {
        let m = j.rows / d
        var mean = Matrix(rows: d, cols: d)
        var deviation = 0.0
        for b in 0..<m {
            var frob = 0.0
            for p in 0..<d {
                for q in 0..<d {
                    var g = 0.0
                    for k in 0..<j.cols { g += j[b * d + p, k] * j[b * d + q, k] }
                    mean[p, q] += g / Double(m)
                    let e = g - (p == q ? 1 : 0)
                    frob += e * e
                }
            }
            deviation += frob.squareRoot() / Double(m)
        }
        return (mean, deviation)
    }

    /// ∂ξ/∂x at each configuration (rows·d × D, blocks of d rows), through the CV's feature map.
    static func systemJacobians(_ cv: NetworkCV, at configurations: Matrix) -> Matrix {
        let d = cv.outputDimension, n = cv.inputDimension
        var out = Matrix(rows: configurations.rows * d, cols: n)
        var jacobian = [Double](repeating: 0, count: d * n)
        for b in 0..<configurations.rows {
            _ = cv.value(configurations.row(b), jacobian: &jacobian)
            for r in 0..<d {
                for c in 0..<n { out[b * d + r, c] = jacobian[r * n + c] }
            }
        }
        return out
    }
}
