import Foundation
import FlowLinalg

/// How the slowest eigenpairs of a grid generator are computed.
public enum GridEigenSolver: Sendable {
    /// Dense LAPACK up to 2500 nodes, ARPACK shift-invert above.
    case automatic
    case dense
    /// ARPACK in shift-invert mode around a small negative shift, with a banded Cholesky solve.
    case shiftInvert
}

/// A reversible generator L on the nodes of a grid, held in its symmetric form
/// A = μ^{1/2} (−L) μ^{−1/2}: symmetric positive semidefinite, with μ^{1/2} spanning its null space
/// (the constant function is harmonic), where μ is the (unnormalized) reversible measure.
///
/// - SqRA (`GridGenerator`): μ_i = e^{−β(F_i − F_min)}, A = −Π^{1/2} Q Π^{−1/2}.
/// - P1 finite elements (`FiniteElementGenerator`): μ = the lumped mass B, A = B^{−1/2} K B^{−1/2},
///   so that A's eigenproblem is the generalized one K v = λ B v.
///
/// Every quantity of the jump process or the Galerkin problem then follows from A and μ alone,
/// which is why both discretizations share this one implementation: the spectrum, the committor
/// (a Dirichlet problem), the reactive flux (the committor's Dirichlet form) and mean first-passage
/// times.
struct SymmetricGeneratorForm: Sendable {
    /// A, symmetric positive semidefinite, CSR.
    let matrix: SparseMatrix
    /// μ^{1/2} per node.
    let sqrtWeight: [Double]

    var count: Int { sqrtWeight.count }
    /// Z = Σ μ_i.
    var partitionFunction: Double { sqrtWeight.reduce(0) { $0 + $1 * $1 } }
    /// π = μ / Σ μ.
    var stationary: [Double] {
        let z = partitionFunction
        return sqrtWeight.map { $0 * $0 / z }
    }

    /// A restricted to `subset` (nodes in increasing order), shifted by `shift`·I, factored in band
    /// form. A node numbering from `GridNodes` keeps the band narrow.
    func factor(on subset: [Int], shift: Double) throws -> BandedCholesky {
        var local = [Int](repeating: -1, count: count)
        for (k, s) in subset.enumerated() { local[s] = k }
        var entries = [(Int, Int, Double)]()
        entries.reserveCapacity(subset.count * 5)
        for (k, s) in subset.enumerated() {
            for e in matrix.rowStart[s]..<matrix.rowStart[s + 1] {
                let t = local[Int(matrix.columnIndices[e])]
                if t >= 0 && t <= k { entries.append((k, t, matrix.values[e] + (t == k ? shift : 0))) }
            }
        }
        return try BandedCholesky(dimension: subset.count, lowerEntries: entries)
    }

    /// The `count` smallest eigenvalues of −L (ascending; the first is 0 up to rounding) and the
    /// matching eigenfunctions f = μ^{−1/2} w of the eigenvectors w of A, normalized to
    /// Σ_i π_i f(i)² = 1 with the largest-magnitude entry positive.
    func spectrum(count wanted: Int, solver: GridEigenSolver, monitor: WorkMonitor) throws -> GridSpectrum {
        guard wanted >= 1 && wanted <= count else {
            throw LinalgError.invalidArgument("asked for \(wanted) eigenpairs of a grid with \(count) nodes")
        }
        let useDense: Bool
        switch solver {
        case .automatic: useDense = count <= 2500 || wanted >= count - 1
        case .dense: useDense = true
        case .shiftInvert: useDense = false
        }
        let decomposition: SymmetricEigenDecomposition
        if useDense {
            decomposition = try matrix.dense.symmetricEigen(.smallest(wanted))
        } else {
            // σ = 10⁻³·median(A_ii): small against the typical exit rate of a node, so the slow
            // eigenvalues dominate (A + σI)⁻¹, yet large enough to keep the banded solves accurate.
            let exitRates = matrix.diagonal.sorted()
            let shift = 1e-3 * exitRates[exitRates.count / 2]
            let factor = try factor(on: Array(0..<count), shift: shift)
            decomposition = try LanczosEigensolver.solve(
                dimension: count, count: wanted,
                target: .nearest(sigma: -shift, solve: { b, x in try factor.solve(b, into: x) }),
                options: LanczosEigensolver.Options(tolerance: 1e-10, maxIterations: 1000), monitor: monitor) { x, y in matrix.multiply(x, into: y) }
        }
        let pi = stationary
        let z = partitionFunction.squareRoot()
        var functions = Matrix(rows: count, cols: decomposition.values.count)
        for j in 0..<functions.cols {
            var column = (0..<count).map { decomposition.vectors[$0, j] / sqrtWeight[$0] * z }
            let norm = zip(column, pi).reduce(0) { $0 + $1.1 * $1.0 * $1.0 }.squareRoot()
            let peak = column.max { abs($0) < abs($1) } ?? 1
            let sign: Double = peak < 0 ? -1 : 1
            column = column.map { sign * $0 / norm }
            for i in 0..<count { functions[i, j] = column[i] }
        }
        return GridSpectrum(eigenvalues: decomposition.values, eigenfunctions: functions)
    }

    /// The forward committor q⁺ between disjoint node sets A and B: L q = 0 outside A ∪ B, q = 0 on
    /// A, q = 1 on B. Solved as the SPD system A_II u_I = −A_IB μ_B^{1/2}, q = μ^{−1/2} u, by banded
    /// Cholesky.
    func committor(from a: [Int], to b: [Int]) throws -> [Double] {
        let role = try roles(a: a, b: b)
        var q = role.map { $0 == 2 ? 1.0 : 0.0 }
        let interior = (0..<count).filter { role[$0] == 0 }
        var rhs = interior.map { s -> Double in
            var v = 0.0
            for e in matrix.rowStart[s]..<matrix.rowStart[s + 1] where role[Int(matrix.columnIndices[e])] == 2 {
                v -= matrix.values[e] * sqrtWeight[Int(matrix.columnIndices[e])]
            }
            return v
        }
        try factorInterior(interior).solve(&rhs)
        for (k, s) in interior.enumerated() { q[s] = rhs[k] / sqrtWeight[s] }
        return q
    }

    /// Committor, reactive flux and rates between A and B (see `TransitionPathResult`).
    func transitionPaths(from a: [Int], to b: [Int]) throws -> TransitionPathResult {
        guard !a.isEmpty else { throw LinalgError.invalidArgument("the source set A is empty") }
        let q = try committor(from: a, to: b)
        let u = zip(q, sqrtWeight).map { $0 * $1 }
        let flux = u.dot(matrix.multiplied(by: u)) / partitionFunction
        let lastInA = zip(stationary, q).reduce(0) { $0 + $1.0 * (1 - $1.1) }
        return TransitionPathResult(committor: q, flux: flux, rateAB: flux / lastInA,
                                    rateBA: flux / (1 - lastInA), probabilityLastInA: lastInA)
    }

    /// Mean first passage time τ to the node set B from every node: L τ = −1 outside B, τ = 0 on
    /// B (units of time).
    func meanFirstPassageTime(to b: [Int]) throws -> [Double] {
        let role = try roles(a: [], b: b)
        let interior = (0..<count).filter { role[$0] == 0 }
        var rhs = interior.map { sqrtWeight[$0] }
        try factorInterior(interior).solve(&rhs)
        var tau = [Double](repeating: 0, count: count)
        for (k, s) in interior.enumerated() { tau[s] = rhs[k] / sqrtWeight[s] }
        return tau
    }

    /// A on the free nodes; singular exactly when some free nodes are cut off from A ∪ B.
    private func factorInterior(_ interior: [Int]) throws -> BandedCholesky {
        do {
            return try factor(on: interior, shift: 0)
        } catch LinalgError.lapack(routine: "dpbtrf", _, _) {
            throw LinalgError.invalidArgument("some retained nodes outside A ∪ B are not connected to A or B (the boundary-value problem is singular); check that the states lie in the retained region")
        }
    }

    /// 0 for free nodes, 1 for A, 2 for B; checks that the sets are valid.
    private func roles(a: [Int], b: [Int]) throws -> [Int] {
        guard !b.isEmpty else { throw LinalgError.invalidArgument("the target set B is empty") }
        var role = [Int](repeating: 0, count: count)
        for s in a {
            guard s >= 0 && s < count else { throw LinalgError.invalidArgument("node \(s) outside 0..<\(count)") }
            role[s] = 1
        }
        for s in b {
            guard s >= 0 && s < count else { throw LinalgError.invalidArgument("node \(s) outside 0..<\(count)") }
            guard role[s] != 1 else { throw LinalgError.invalidArgument("node \(s) is in both A and B") }
            role[s] = 2
        }
        return role
    }
}
