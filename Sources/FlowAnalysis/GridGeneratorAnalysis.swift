import Foundation
import FlowLinalg

/// Eigenvalues of −L in ascending order (the first is 0 up to rounding) and the matching
/// eigenfunctions of L, one column per eigenvalue, normalized to Σ_i π_i φ(i)² = 1 with the
/// largest-magnitude entry positive (the first eigenfunction is the constant 1).
public struct GridSpectrum: Sendable {
    public var eigenvalues: [Double]
    public var eigenfunctions: Matrix
}

/// Transition path theory for the grid jump process (Vanden-Eijnden & E 2006; Metzner, Schütte &
/// Vanden-Eijnden 2009 for Markov jump processes), reversible case where q⁻ = 1 − q⁺.
public struct TransitionPathResult: Sendable {
    /// Forward committor q⁺ per state: 0 on A, 1 on B.
    public var committor: [Double]
    /// Reactive flux ν_AB = Σ_{i∈A, j∉A} π_i Q_ij q⁺_j: the number of A→B transitions per unit time
    /// (equal to the B→A frequency), with π normalized over the retained states.
    public var flux: Double
    /// Rate k_AB = ν_AB / Σ_i π_i q⁻_i: transitions per unit time spent last in A.
    public var rateAB: Double
    /// Rate k_BA = ν_AB / Σ_i π_i q⁺_i.
    public var rateBA: Double
    /// Σ_i π_i q⁻_i: the probability that the process came last from A.
    public var probabilityLastInA: Double
}

public extension GridGenerator {
    enum EigenSolver: Sendable {
        /// Dense LAPACK up to 2500 states, ARPACK shift-invert above.
        case automatic
        case dense
        /// ARPACK in shift-invert mode around a small negative shift, with a banded Cholesky solve.
        case shiftInvert
    }

    /// The `count` smallest eigenvalues of −L and their eigenfunctions, through the symmetric
    /// form S = Π^{1/2} Q Π^{−1/2}.
    func spectrum(count: Int, solver: EigenSolver = .automatic, monitor: WorkMonitor = SilentMonitor()) throws -> GridSpectrum {
        guard count >= 1 && count <= stateCount else {
            throw LinalgError.invalidArgument("asked for \(count) eigenpairs of a grid with \(stateCount) states")
        }
        let useDense: Bool
        switch solver {
        case .automatic: useDense = stateCount <= 2500 || count >= stateCount - 1
        case .dense: useDense = true
        case .shiftInvert: useDense = false
        }
        var decomposition: SymmetricEigenDecomposition
        if useDense {
            decomposition = try (-symmetrized.dense).symmetricEigen(.smallest(count))
        } else {
            // σ = −10⁻³·median(−S_ii): small against the typical exit rate of a cell, so the slow
            // eigenvalues dominate (A − σI)⁻¹, yet large enough to keep the banded solves accurate.
            let exitRates = symmetrized.diagonal.map { -$0 }.sorted()
            let shift = 1e-3 * exitRates[exitRates.count / 2]
            let factor = try factorNegatedSymmetrized(on: Array(0..<stateCount), shift: shift)
            let negated = symmetrized.scaled(left: [Double](repeating: -1, count: stateCount))
            decomposition = try LanczosEigensolver.solve(
                dimension: stateCount, count: count,
                target: .nearest(sigma: -shift, solve: { b, x in try factor.solve(b, into: x) }),
                options: LanczosEigensolver.Options(tolerance: 1e-10, maxIterations: 1000), monitor: monitor) { x, y in negated.multiply(x, into: y) }
        }
        var functions = Matrix(rows: stateCount, cols: decomposition.values.count)
        let z = sqrtWeight.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for j in 0..<functions.cols {
            var column = (0..<stateCount).map { decomposition.vectors[$0, j] / sqrtWeight[$0] * z }
            let norm = zip(column, stationary).reduce(0) { $0 + $1.1 * $1.0 * $1.0 }.squareRoot()
            let peak = column.max { abs($0) < abs($1) } ?? 1
            let sign: Double = peak < 0 ? -1 : 1
            column = column.map { sign * $0 / norm }
            for i in 0..<stateCount { functions[i, j] = column[i] }
        }
        return GridSpectrum(eigenvalues: decomposition.values, eigenfunctions: functions)
    }

    /// The forward committor q⁺ between disjoint state sets A and B: L q = 0 outside A ∪ B,
    /// q = 0 on A, q = 1 on B. Solved as the SPD system (−S_II) u_I = S_IB π_B^{1/2}, q = u/π^{1/2},
    /// by banded Cholesky.
    func committor(from a: [Int], to b: [Int]) throws -> [Double] {
        let role = try roles(a: a, b: b)
        var q = role.map { $0 == 2 ? 1.0 : 0.0 }
        let interior = (0..<stateCount).filter { role[$0] == 0 }
        var rhs = interior.map { s -> Double in
            var v = 0.0
            for e in symmetrized.rowStart[s]..<symmetrized.rowStart[s + 1] where role[Int(symmetrized.columnIndices[e])] == 2 {
                v += symmetrized.values[e] * sqrtWeight[Int(symmetrized.columnIndices[e])]
            }
            return v
        }
        try factorNegatedSymmetrized(on: interior, shift: 0).solve(&rhs)
        for (k, s) in interior.enumerated() { q[s] = rhs[k] / sqrtWeight[s] }
        return q
    }

    /// Reactive flux, committor and rates between A and B (see `TransitionPathResult`).
    func transitionPaths(from a: [Int], to b: [Int]) throws -> TransitionPathResult {
        let q = try committor(from: a, to: b)
        var flux = 0.0
        for i in Set(a) {
            for e in rates.rowStart[i]..<rates.rowStart[i + 1] {
                let j = Int(rates.columnIndices[e])
                if j != i { flux += stationary[i] * rates.values[e] * q[j] }
            }
        }
        let lastInA = zip(stationary, q).reduce(0) { $0 + $1.0 * (1 - $1.1) }
        return TransitionPathResult(committor: q, flux: flux, rateAB: flux / lastInA,
                                    rateBA: flux / (1 - lastInA), probabilityLastInA: lastInA)
    }

    /// Mean first passage time τ to the state set B from every state: L τ = −1 outside B, τ = 0
    /// on B (units of time).
    func meanFirstPassageTime(to b: [Int]) throws -> [Double] {
        let role = try roles(a: [], b: b)
        let interior = (0..<stateCount).filter { role[$0] == 0 }
        var rhs = interior.map { sqrtWeight[$0] }
        try factorNegatedSymmetrized(on: interior, shift: 0).solve(&rhs)
        var tau = [Double](repeating: 0, count: stateCount)
        for (k, s) in interior.enumerated() { tau[s] = rhs[k] / sqrtWeight[s] }
        return tau
    }

    /// 0 for free states, 1 for A, 2 for B; checks that the sets are valid.
    private func roles(a: [Int], b: [Int]) throws -> [Int] {
        guard !b.isEmpty else { throw LinalgError.invalidArgument("the target set B is empty") }
        var role = [Int](repeating: 0, count: stateCount)
        for s in a {
            guard s >= 0 && s < stateCount else { throw LinalgError.invalidArgument("state \(s) outside 0..<\(stateCount)") }
            role[s] = 1
        }
        for s in b {
            guard s >= 0 && s < stateCount else { throw LinalgError.invalidArgument("state \(s) outside 0..<\(stateCount)") }
            guard role[s] != 1 else { throw LinalgError.invalidArgument("state \(s) is in both A and B") }
            role[s] = 2
        }
        return role
    }
}
