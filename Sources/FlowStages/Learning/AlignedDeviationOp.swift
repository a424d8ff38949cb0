import FlowLinalg
import FlowMD
import FlowNN

/// The mean squared deviation per atom of a frame from a target after optimal superposition
/// (Kabsch / Horn's quaternion method, `RigidAlignment`):
/// MSD(x, y) = min_R (1/n) Σᵢ ‖R x̃ᵢ − ỹᵢ‖², x̃ and ỹ centred (Å²), the square of the RMSD that
/// Cava et al. evaluate generated frames with. As a reconstruction loss it sees the fold, which
/// torsion features alone do not (small errors in every torsion add up along the chain), and,
/// unlike a mean squared error of raw coordinates, it does not ask the generator for the random
/// orientation of an augmented frame.
///
/// Gradient: the rotation is optimal, so its own derivative does not enter (envelope theorem: the
/// objective is stationary in R at the optimum), and the centring's drops out because the
/// residuals sum to zero: ∂MSD/∂xᵢ = (2/n)(x̃ᵢ − Rᵀỹᵢ). Rᵀỹ is ỹ superposed onto x̃ (the inverse
/// rotation solves the mirrored problem). Defined wherever the optimal rotation is unique.
struct AlignedDeviationOp {
    /// MSD of every row of `x` against the same row of `targets` after superposition (batch × 1, Å²).
    func callAsFunction(_ x: Variable, targets: Matrix) -> Variable {
        precondition(targets.rows == x.rows && targets.cols == x.cols, "one target frame per generated frame")
        return x.tape.custom(x) { value in
            var msd = Matrix(rows: value.rows, cols: 1)
            var dx = Matrix(rows: value.rows, cols: value.cols)
            for s in 0..<value.rows {
                let (m, gradient) = Self.deviation(GeneratedPathAnalysis.row(value, s), GeneratedPathAnalysis.row(targets, s))
                msd.storage[s] = m
                for (k, g) in gradient.enumerated() { dx.storage[s * value.cols + k] = g }
            }
            return (msd, { upstream in
                var out = dx
                for s in 0..<out.rows { for k in 0..<out.cols { out.storage[s * out.cols + k] *= upstream.storage[s] } }
                return out
            })
        }
    }

    /// MSD(a, b) after superposing a onto b, and its gradient with respect to a (flat, 3n).
    static func deviation(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> (msd: Double, gradient: [Double]) {
        let x = RigidAlignment.centered(GeneratedPathAnalysis.atoms(a))
        let y = RigidAlignment.centered(GeneratedPathAnalysis.atoms(b))
        let yOnX = RigidAlignment.align(y, onto: x)
        let rmsd = RigidAlignment.rmsd(x, yOnX)
        let scale = 2 / Double(x.count)
        return (rmsd * rmsd, zip(x, yOnX).flatMap { p, q in (0..<3).map { scale * (p[$0] - q[$0]) } })
    }
}
