import FlowLinalg
import FlowMD

/// A minimum-energy path in the space a CV network reads, with the arclength of each image there,
/// for the term that ties ξ₁ to the arclength (Yuan, Sule, Lam & Cameron 2025, the reference
/// code's MEP loss). The arclength is measured in the network's input space (the features), where
/// J_ξ J_ξᵀ = I makes |∇ξ₁| = 1, so that ξ₁ = arclength is what an orthonormal ξ₁ running along the
/// path gives; the reference measures it in Cartesian coordinates instead.
enum PathArclength {
    /// `path` (images × D_path) taken as is when it has `inputs` columns, else mapped image by
    /// image through `features` (configurations → the network's inputs); nil when neither fits.
    static func inInputSpace(_ path: Matrix, inputs: Int, features: (any CollectiveVariable)?) -> Matrix? {
        if path.cols == inputs { return path }
        guard let features, features.inputDimension == path.cols, features.outputDimension == inputs else { return nil }
        return Matrix(rows: path.rows, cols: inputs, storage: (0..<path.rows).flatMap { features.value(path.row($0)) })
    }

    /// σ_i = Σ_{k ≤ i} |p_k − p_{k−1}|, σ_0 = 0.
    static func arclength(_ p: Matrix) -> [Double] {
        var s = [0.0]
        for i in 1..<Swift.max(p.rows, 1) {
            var d2 = 0.0
            for k in 0..<p.cols { d2 += (p[i, k] - p[i - 1, k]) * (p[i, k] - p[i - 1, k]) }
            s.append(s[i - 1] + d2.squareRoot())
        }
        return s
    }
}
