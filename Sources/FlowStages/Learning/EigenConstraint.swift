import FlowAnalysis
import FlowLinalg
import FlowNN

/// The eigen-constraint of diffusion nets (Mishne, Shaham, Cloninger & Cohen, "Diffusion nets",
/// Appl. Comput. Harmon. Anal. 47 (2019) 259–285, §3.2): besides fitting the diffusion-map
/// coordinates y_l, the encoder's outputs o_l, seen as vectors over the training points, should
/// satisfy the eigen-equation of the diffusion operator, (P − λ_l I) o_l = 0 — the property that
/// makes the Nyström extension o_l(x) = λ_l⁻¹ Σ_j P(x, x_j) o_l(x_j) reproduce them. The paper adds
/// η/(2m) Σ_l ‖(P − λ_l I) o_l‖² to a fidelity term 1/(2m) Σ_i ‖o(x_i) − y(x_i)‖²; here both are
/// means over the minibatch in coordinates scaled by the targets' variances:
///
///     η · mean_{i ∈ batch} Σ_l ((P o_l)_i − λ_l o_l(x_i))² / Var(y_l),
///
/// where (P o_l)_i needs o_l at every neighbour of x_i, so the network is evaluated on the batch
/// and its neighbours. P is the diffusion map's own operator A = I + εL_ε on the training points
/// (`FlowAnalysis.DiffusionOperator`, built with the map's ε, ρ and k; A = P for ρ ≡ 1, and the
/// eigenvectors φ_l of a variable-bandwidth map satisfy A φ_l = λ_l φ_l, not P φ_l = λ_l φ_l), and
/// λ_l the Rayleigh quotient of the target y_l under A, the map's eigenvalue; `residuals`
/// (‖A y_l − λ_l y_l‖/‖y_l‖) say how well the targets satisfy it.
struct EigenConstraint {
    let markov: DiffusionOperator
    var offsets: [Int] { markov.matrix.rowStart }
    let weight: Double
    let eigenvalues: [Double]
    let residuals: [Double]
    /// 1 / Var(y_l).
    let inverseVariances: [Double]

    /// `targets`: one row per training point (the points `markov` was built on).
    init(markov: DiffusionOperator, targets: Matrix, weight: Double) {
        self.markov = markov
        self.weight = weight
        var lambdas: [Double] = [], residuals: [Double] = [], inverse: [Double] = []
        for l in 0..<targets.cols {
            let y = targets.column(l)
            let (lambda, r) = markov.eigenvalueEstimate(y)
            lambdas.append(lambda)
            residuals.append(r)
            let mean = y.reduce(0, +) / Double(y.count)
            let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(y.count)
            inverse.append(variance > 0 ? 1 / variance : 1)
        }
        eigenvalues = lambdas
        self.residuals = residuals
        inverseVariances = inverse
    }

    /// The rows a batch needs: the batch itself first, then the other neighbours of its rows,
    /// with P's entries of the batch rows in these local positions.
    struct Neighbourhood {
        let rows: [Int]
        let batchCount: Int
        /// (batch position, local position, P entry).
        let entries: [(Int, Int, Double)]
    }

    func column(_ e: Int) -> Int { Int(markov.matrix.columnIndices[e]) }

    func neighbourhood(of batch: [Int]) -> Neighbourhood {
        var local: [Int: Int] = [:]
        var rows = batch
        for (p, i) in batch.enumerated() where local[i] == nil { local[i] = p }
        var extra = Set<Int>()
        for i in batch {
            for e in offsets[i]..<offsets[i + 1] where local[column(e)] == nil {
                extra.insert(column(e))
            }
        }
        for j in extra.sorted() {
            local[j] = rows.count
            rows.append(j)
        }
        var entries: [(Int, Int, Double)] = []
        for (p, i) in batch.enumerated() {
            for e in offsets[i]..<offsets[i + 1] {
                entries.append((p, local[column(e)]!, markov.matrix.values[e]))
            }
        }
        return Neighbourhood(rows: rows, batchCount: batch.count, entries: entries)
    }

    /// The weighted term from the network outputs on `hood.rows` (|rows| × L).
    func term(outputs o: Variable, on hood: Neighbourhood) -> LossTerm {
        let tape = o.tape
        let markov = Self.sparseProduct(o, hood)
        let batchOutputs = tape.sliceRows(o, 0..<hood.batchCount)
        let lambda = tape.constant(Matrix(rows: 1, cols: o.cols, storage: eigenvalues))
        let residual = markov - batchOutputs * lambda
        let scale = tape.constant(Matrix(rows: 1, cols: o.cols, storage: inverseVariances))
        return LossTerm("eigen_constraint", tape.mean(tape.sumOverColumns(tape.square(residual) * scale)) * weight)
    }

    /// (P o)_batch as a tape operation: the sparse product forward, its transpose backward.
    static func sparseProduct(_ o: Variable, _ hood: Neighbourhood) -> Variable {
        o.tape.custom(o) { value in
            let cols = value.cols
            var out = Matrix(rows: hood.batchCount, cols: cols)
            for (p, c, w) in hood.entries {
                for l in 0..<cols { out[p, l] += w * value[c, l] }
            }
            return (out, { g in
                var d = Matrix(rows: value.rows, cols: cols)
                for (p, c, w) in hood.entries {
                    for l in 0..<cols { d[c, l] += w * g[p, l] }
                }
                return d
            })
        }
    }
}
