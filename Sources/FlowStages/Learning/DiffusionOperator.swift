import Foundation
import FlowLinalg

/// The Markov matrix P of the target-measure diffusion map (TMDmap: Banisch, Trstanova,
/// Bittracher, Klus & Koltai, "Diffusion maps tailored to arbitrary non-degenerate Itô
/// processes", ACHA 2020) on a point set, kept as sparse rows:
///
///     K_ij = exp(−‖x_i − x_j‖² / ε)   for j among the k nearest neighbours of i or i among those of j
///     q_i  = Σ_j K_ij                                  (kernel density estimate)
///     K̃_ij = K_ij π_j^{1/2} / q_j,  π_j ∝ w_j q_j      (target measure from reweighting weights w)
///     P_ij = K̃_ij / Σ_j K̃_ij
///
/// The target density π is the sampled density q times the data's reweighting weights w (1 for
/// unbiased samples, where TMDmap reduces to the α = 1/2 diffusion map), so the right weights are
/// π^{1/2}/q = (w/q)^{1/2}. The kernel has no factor 4 in the exponent (the convention of the
/// Cameron group's codes). P is reversible with respect to `measure` m_i = s_i Σ_j K_ij s_j with
/// s = (w/q)^{1/2}: m_i P_ij = s_i K_ij s_j is symmetric, so P is self-adjoint in the m-weighted
/// inner product and Rayleigh quotients in that product give its eigenvalues.
struct DiffusionOperator {
    /// Row i holds P_ij for j = columns[offsets[i] ..< offsets[i + 1]].
    let offsets: [Int]
    let columns: [Int]
    let values: [Double]
    let measure: [Double]

    var count: Int { offsets.count - 1 }

    init(points x: Matrix, weights: [Double]?, epsilon: Double, neighbors: Int, monitor: WorkMonitor) throws {
        let n = x.rows
        let knn = try NearestNeighbours.search(x, k: neighbors, monitor: monitor)
        var kernel = [[Int: Double]](repeating: [:], count: n)
        for i in 0..<n {
            for (j, d2) in zip(knn.indices[i], knn.squaredDistances[i]) {
                let k = exp(-d2 / epsilon)
                kernel[i][j] = k
                kernel[j][i] = k
            }
        }
        // Every sum runs over the columns in increasing order: a dictionary's order changes from
        // process to process, and the bits of the sums with it.
        let neighbours = kernel.map { $0.keys.sorted() }
        let q = (0..<n).map { i in neighbours[i].reduce(0) { $0 + kernel[i][$1]! } }
        let s = (0..<n).map { ((weights?[$0] ?? 1) / q[$0]).squareRoot() }
        var offsets = [0], columns: [Int] = [], values: [Double] = [], measure: [Double] = []
        for i in 0..<n {
            let row = neighbours[i]
            let entries = row.map { kernel[i][$0]! * s[$0] }
            let total = entries.reduce(0, +)
            columns += row
            values += entries.map { $0 / total }
            offsets.append(columns.count)
            measure.append(s[i] * total)
        }
        self.offsets = offsets
        self.columns = columns
        self.values = values
        self.measure = measure
    }

    /// P v.
    func apply(_ v: [Double]) -> [Double] {
        (0..<count).map { i in
            (offsets[i]..<offsets[i + 1]).reduce(0.0) { $0 + values[$1] * v[columns[$1]] }
        }
    }

    /// The Rayleigh quotient λ = ⟨v, Pv⟩_m / ⟨v, v⟩_m and the relative residual
    /// ‖Pv − λv‖_m / ‖v‖_m (0 exactly when v is an eigenvector of P).
    func eigenvalueEstimate(_ v: [Double]) -> (eigenvalue: Double, residual: Double) {
        let pv = apply(v)
        var vpv = 0.0, vv = 0.0
        for i in 0..<count {
            vpv += measure[i] * v[i] * pv[i]
            vv += measure[i] * v[i] * v[i]
        }
        let lambda = vpv / vv
        var r = 0.0
        for i in 0..<count { r += measure[i] * (pv[i] - lambda * v[i]) * (pv[i] - lambda * v[i]) }
        return (lambda, (r / vv).squareRoot())
    }
}
