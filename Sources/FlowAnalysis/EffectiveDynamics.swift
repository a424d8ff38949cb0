import Foundation
import FlowLinalg

/// The effective dynamics of a collective variable ξ: ℝᴰ → ℝᵈ (d = 1, 2) on a grid in CV space
/// (Legoll & Lelièvre, Nonlinearity 23, 2131 (2010)): given the free energy F(z) and the diffusion
/// tensor M(z) = E[∇ξ ∇ξᵀ | ξ = z] at the grid's cell centres, the generator
/// L f = β⁻¹ e^{βF} ∇·(e^{−βF} M ∇f) is discretized by P1 finite elements
/// (`FiniteElementGenerator`) and its slowest eigenpairs computed. Estimator in deeptime's shape:
/// `fit` returns an `EffectiveDynamicsModel`, which evaluates committors and TPT rates between
/// states, extends its eigenfunctions to new points, and saves to and loads from HDF5.
///
/// Units: F in energy, β in 1/energy, M in length²/(energy·time) (for a CV in units of length,
/// with the full dynamics dX = −∇V dt + √(2β⁻¹) dW in the time unit of the eigenvalues).
public struct EffectiveDynamics: Sendable {
    public var beta: Double
    /// Non-trivial eigenpairs to compute.
    public var eigenpairs: Int
    public var selection: NodeSelection
    public var solver: GridEigenSolver

    public init(beta: Double, eigenpairs: Int = 3, selection: NodeSelection = NodeSelection(),
                solver: GridEigenSolver = .automatic) {
        self.beta = beta
        self.eigenpairs = eigenpairs
        self.selection = selection
        self.solver = solver
    }

    /// - Parameters:
    ///   - freeEnergy: F per grid cell (row-major over `axes`); non-finite values remove a cell.
    ///   - diffusion: M per grid cell.
    public func fit(axes: [GridAxis], freeEnergy: [Double], diffusion: DiffusionTensorField,
                    monitor: WorkMonitor = SilentMonitor()) throws -> EffectiveDynamicsModel {
        guard eigenpairs >= 1 else { throw LinalgError.invalidArgument("eigenpairs must be ≥ 1, got \(eigenpairs)") }
        let generator = try FiniteElementGenerator(axes: axes, freeEnergy: freeEnergy, diffusion: diffusion,
                                                   beta: beta, selection: selection)
        guard eigenpairs < generator.nodes.count else {
            throw LinalgError.invalidArgument("\(eigenpairs) non-trivial eigenpairs need more than \(eigenpairs) retained nodes, the grid has \(generator.nodes.count); refine the grid or raise the free-energy cut-off")
        }
        let spectrum = try generator.spectrum(count: eigenpairs + 1, solver: solver, monitor: monitor)
        return try EffectiveDynamicsModel(generator: generator, spectrum: spectrum)
    }
}

/// A fitted effective dynamics: the discretized generator, its slowest eigenpairs, and what
/// follows from them. Nodes are those of `nodes` (`GridNodes`); eigenfunctions are normalized to
/// Σ_i π_i f(i)² = 1 with the largest-magnitude entry positive.
public struct EffectiveDynamicsModel: Sendable {
    public let generator: FiniteElementGenerator
    /// λ₁ ≤ λ₂ ≤ … of −L (> 0), in 1/time; the trivial 0 is left out.
    public let eigenvalues: [Double]
    /// nodes × eigenvalues: the eigenfunction of each λ.
    public let eigenfunctions: Matrix
    /// The eigenvalue of the constant eigenfunction, 0 up to rounding: a check.
    public let trivialEigenvalue: Double

    init(generator: FiniteElementGenerator, spectrum: GridSpectrum) throws {
        guard spectrum.eigenvalues.count >= 2 else {
            throw LinalgError.notConverged("the eigensolver returned \(spectrum.eigenvalues.count) eigenpairs, at least 2 are needed")
        }
        self.generator = generator
        trivialEigenvalue = spectrum.eigenvalues[0]
        eigenvalues = Array(spectrum.eigenvalues.dropFirst())
        let k = eigenvalues.count
        var functions = Matrix(rows: spectrum.eigenfunctions.rows, cols: k)
        for i in 0..<functions.rows { for j in 0..<k { functions[i, j] = spectrum.eigenfunctions[i, j + 1] } }
        eigenfunctions = functions
    }

    init(generator: FiniteElementGenerator, eigenvalues: [Double], eigenfunctions: Matrix, trivialEigenvalue: Double) {
        self.generator = generator
        self.eigenvalues = eigenvalues
        self.eigenfunctions = eigenfunctions
        self.trivialEigenvalue = trivialEigenvalue
    }

    public var nodes: GridNodes { generator.nodes }
    public var axes: [GridAxis] { generator.axes }
    public var beta: Double { generator.beta }
    /// π per node, summing to 1.
    public var stationary: [Double] { generator.stationary }
    /// F per node, shifted so that its minimum over the nodes is 0 (energy).
    public var freeEnergy: [Double] {
        let f = generator.nodeFreeEnergy
        let lowest = f.min() ?? 0
        return f.map { $0 - lowest }
    }
    /// M per node, one row d × d row-major (length²/(energy·time)).
    public var diffusion: Matrix {
        let d = axes.count
        var m = Matrix(rows: nodes.count, cols: d * d)
        for (s, c) in nodes.cells.enumerated() { for k in 0..<(d * d) { m[s, k] = generator.diffusion.values[c, k] } }
        return m
    }

    /// The nodes of a state given as a region of CV space.
    public func nodes(in region: CVRegion) throws -> [Int] {
        try nodes.nodes(in: region, freeEnergy: freeEnergy)
    }

    /// The forward committor between disjoint node sets A and B.
    public func committor(from a: [Int], to b: [Int]) throws -> [Double] {
        try generator.committor(from: a, to: b)
    }

    /// Committor, flux ν_AB, ρ_A and rates between A and B (see `TransitionPathResult`).
    public func transitionPaths(from a: [Int], to b: [Int]) throws -> TransitionPathResult {
        try generator.transitionPaths(from: a, to: b)
    }

    /// Rates and committors between named states, in the `transition-rates` row layout.
    public func rates(between states: [NamedNodeSet]) throws -> TransitionRateTable {
        try generator.rates(between: states)
    }

    /// The eigenfunctions at new points (one per row; points × eigenvalues), interpolated between
    /// nodes as in `GridNodes.interpolate`.
    public func eigenfunctions(at points: Matrix) -> Matrix {
        let columns = (0..<eigenfunctions.cols).map { nodes.interpolate(eigenfunctions.column($0), at: points) }
        var out = Matrix(rows: points.rows, cols: columns.count)
        for i in 0..<points.rows { for j in 0..<columns.count { out[i, j] = columns[j][i] } }
        return out
    }

    /// Any per-node quantity (a committor, F) at new points.
    public func interpolate(_ values: [Double], at points: Matrix) -> [Double] {
        nodes.interpolate(values, at: points)
    }
}
