import Foundation
import FlowLinalg

/// The operator A = I + εL_ε = R⁻²P + I − R⁻² of a diffusion map on given points (the matrix
/// whose eigenpairs `DiffusionMap.fit` computes: A φ = λ φ with λ the map's `eigenvalues`),
/// built by the same code as the fit: kernel k_ε = exp(−d²/(4ερ_iρ_j)), k nearest neighbours
/// union-symmetrized, no diagonal, the floored density and the right weights of `method`.
/// Users of a fitted map's operator (the eigen-constraint of diffusion nets, Mishne et al. 2019,
/// §3.2) rebuild it from the map's points, ε, ρ and k, so their operator is the map's.
/// A is row-stochastic (rows sum to 1) and self-adjoint in the measure `measure`.
public struct DiffusionOperator: Sendable {
    /// A in CSR form (the diagonal 1 − 1/ρ_i² stored, zero for ρ ≡ 1).
    public let matrix: SparseMatrix
    /// m_i ∝ ρ_i² w_i (K w)_i, summing to 1.
    public let measure: [Double]

    /// `bandwidth`: ρ at each point (nil for ρ ≡ 1); `neighbors`: k of the sparse kernel (nil:
    /// every pair, the dense kernel); `dimension`: the manifold dimension d of the map's weights
    /// (TMDmap and α-maps with a variable bandwidth use it; `.reweighted` does not).
    public init(points: Matrix, epsilon: Double, bandwidth: [Double]?, neighbors: Int?, method: DiffusionMap.Method,
                dimension: Int, monitor: WorkMonitor = SilentMonitor()) throws {
        let n = points.rows
        let rho = bandwidth ?? [Double](repeating: 1, count: n)
        guard rho.count == n, rho.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw LinalgError.invalidArgument("the bandwidth needs one positive value per point (\(rho.count) for \(n) points)")
        }
        guard epsilon > 0 && epsilon.isFinite else { throw LinalgError.invalidArgument("ε must be positive, got \(epsilon)") }
        let graph: KernelGraph
        if let k = neighbors, k < n - 1 {
            graph = KernelGraph(n: n, neighbors: try NearestNeighbors.search(points, k: k, monitor: monitor))
        } else {
            graph = KernelGraph(denseDistancesOf: points)
        }
        let normalized = try NormalizedKernel(graph: graph, epsilon: epsilon, bandwidth: rho, method: method,
                                              dimension: Double(dimension), variableBandwidth: bandwidth != nil,
                                              neighbors: neighbors ?? n - 1)
        matrix = normalized.generatorStep
        measure = normalized.stationary
    }

    /// A v.
    public func apply(_ v: [Double]) -> [Double] { matrix.multiplied(by: v) }

    /// The Rayleigh quotient λ = ⟨v, Av⟩_m / ⟨v, v⟩_m and the relative residual ‖Av − λv‖_m / ‖v‖_m
    /// (0 exactly when v is an eigenvector of A).
    public func eigenvalueEstimate(_ v: [Double]) -> (eigenvalue: Double, residual: Double) {
        let av = apply(v)
        var vav = 0.0, vv = 0.0
        for i in 0..<v.count {
            vav += measure[i] * v[i] * av[i]
            vv += measure[i] * v[i] * v[i]
        }
        let lambda = vav / vv
        var r = 0.0
        for i in 0..<v.count { r += measure[i] * (av[i] - lambda * v[i]) * (av[i] - lambda * v[i]) }
        return (lambda, (r / vv).squareRoot())
    }
}
