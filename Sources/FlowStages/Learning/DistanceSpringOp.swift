import FlowLinalg
import FlowNN

/// The time-dependent end-to-end bias of Cava et al. (their Eq. for the "potential" steps):
/// V_b(x, t) = ½ k (c(t) − |r_b − r_a|)² with c(t) = from + (to − from) t — for deca-alanine
/// the CA1–CA10 spring of the steered-MD data, c(t) = 12 + 22 t Å. A generated frame at time t
/// is pulled towards the distance the steered spring had at that time, or (`profile`) towards the
/// mean distance the data had at that time — the spring's centre is not where the molecule is
/// (at t = 0 the helix's CA1–CA10 distance is ≈ 14 Å, not 12).
struct DistanceSpringOp {
    let atomA: Int, atomB: Int
    /// Spring constant (kcal/mol/Å²) and the centre's ends (Å).
    let k: Double, from: Double, to: Double
    /// The centre as a function of t instead of the straight line, when given.
    var profile: TimeProfile? = nil

    func center(_ t: Double) -> Double { profile.map { $0(t)[0] } ?? from + (to - from) * t }

    /// |r_b − r_a| of every row (Å).
    func distances(_ x: Matrix) -> [Double] {
        (0..<x.rows).map { s in
            let a = s * x.cols + 3 * atomA, b = s * x.cols + 3 * atomB
            var r2 = 0.0
            for c in 0..<3 { r2 += (x.storage[b + c] - x.storage[a + c]) * (x.storage[b + c] - x.storage[a + c]) }
            return r2.squareRoot()
        }
    }

    /// The bias of each row of `x` at its time `times[s]` (batch × 1, kcal/mol).
    func callAsFunction(_ x: Variable, times: [Double]) -> Variable {
        precondition(times.count == x.rows, "one time per sample")
        return x.tape.custom(x) { value in
            let r = distances(value)
            let energies = (0..<value.rows).map { 0.5 * k * (center(times[$0]) - r[$0]) * (center(times[$0]) - r[$0]) }
            return (Matrix(rows: value.rows, cols: 1, storage: energies), { upstream in
                var dx = Matrix(rows: value.rows, cols: value.cols)
                for s in 0..<value.rows where r[s] > 0 {
                    // dV/dr_b = −k (c − r) (r_b − r_a)/r, dV/dr_a = −dV/dr_b.
                    let f = -upstream.storage[s] * k * (center(times[s]) - r[s]) / r[s]
                    let a = s * value.cols + 3 * atomA, b = s * value.cols + 3 * atomB
                    for c in 0..<3 {
                        let u = value.storage[b + c] - value.storage[a + c]
                        dx.storage[b + c] += f * u
                        dx.storage[a + c] -= f * u
                    }
                }
                return dx
            })
        }
    }
}
