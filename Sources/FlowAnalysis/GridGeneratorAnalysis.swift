import Foundation
import FlowLinalg

/// Eigenvalues of −L in ascending order (the first is 0 up to rounding) and the matching
/// eigenfunctions of L, one column per eigenvalue, normalized to Σ_i π_i φ(i)² = 1 with the
/// largest-magnitude entry positive (the first eigenfunction is the constant 1).
public struct GridSpectrum: Sendable {
    public var eigenvalues: [Double]
    public var eigenfunctions: Matrix
}

/// Transition path theory for a reversible grid generator (Vanden-Eijnden & E 2006; Metzner,
/// Schütte & Vanden-Eijnden 2009 for Markov jump processes), where q⁻ = 1 − q⁺.
public struct TransitionPathResult: Sendable {
    /// Forward committor q⁺ per node: 0 on A, 1 on B.
    public var committor: [Double]
    /// Reactive flux ν_AB: the number of A→B transitions per unit time (equal to the B→A
    /// frequency), with π normalized over the retained nodes. It is the committor's Dirichlet form
    /// over Z: ½ Σ_ij π_i Q_ij (q_j − q_i)² for a jump process (= Σ_{i∈A, j∉A} π_i Q_ij q_j), and
    /// β⁻¹ ∫ e^{−βF} ∇q·M∇q / ∫ e^{−βF} = qᵀKq / Σ B_ii for the finite-element generator.
    public var flux: Double
    /// Rate k_AB = ν_AB / Σ_i π_i q⁻_i: transitions per unit time spent last in A.
    public var rateAB: Double
    /// Rate k_BA = ν_AB / Σ_i π_i q⁺_i.
    public var rateBA: Double
    /// ρ_A = Σ_i π_i q⁻_i: the probability that the process came last from A.
    public var probabilityLastInA: Double
}

public extension GridGenerator {
    /// The `count` smallest eigenvalues of −L and their eigenfunctions (see `GridSpectrum`),
    /// through the symmetric form −Π^{1/2} Q Π^{−1/2}.
    func spectrum(count: Int, solver: EigenSolver = .automatic, monitor: WorkMonitor = SilentMonitor()) throws -> GridSpectrum {
        try form.spectrum(count: count, solver: solver, monitor: monitor)
    }

    /// The forward committor q⁺ between disjoint state sets A and B: L q = 0 outside A ∪ B,
    /// q = 0 on A, q = 1 on B.
    func committor(from a: [Int], to b: [Int]) throws -> [Double] {
        try form.committor(from: a, to: b)
    }

    /// Reactive flux, committor and rates between A and B (see `TransitionPathResult`).
    func transitionPaths(from a: [Int], to b: [Int]) throws -> TransitionPathResult {
        try form.transitionPaths(from: a, to: b)
    }

    /// Mean first passage time τ to the state set B from every state: L τ = −1 outside B, τ = 0
    /// on B (units of time).
    func meanFirstPassageTime(to b: [Int]) throws -> [Double] {
        try form.meanFirstPassageTime(to: b)
    }
}
