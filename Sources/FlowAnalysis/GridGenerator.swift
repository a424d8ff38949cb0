import Foundation
import FlowLinalg

/// The generator L f = β⁻¹ e^{βF} ∇·(e^{−βF} M ∇f) of the reversible overdamped diffusion
/// dX = (−M∇F + β⁻¹∇·M) dt + √(2β⁻¹M) dW, discretized on a 1D or 2D grid as a Markov jump process
/// between neighbouring cells with the square-root approximation (SqRA; Lie, Fackeldey & Weber
/// 2013; Donati et al. 2018), generalized to a position-dependent diagonal mobility M:
///
///     Q_ij = β⁻¹ M_face / h² · exp(−β(F_j − F_i)/2),   M_face = (M_i + M_j)/2 along the face's axis,
///
/// for cells i, j sharing a face normal to an axis of spacing h. Then π_i Q_ij = π_j Q_ji with
/// π ∝ e^{−βF} (detailed balance holds exactly), and Σ_j Q_ij (f_j − f_i) = Lf + O(h²). The
/// 5-point scheme sees only the diagonal of M: the off-diagonal terms ∂_x(M_xy ∂_y f) need
/// couplings between diagonal neighbours, which SqRA has no rule for. Effective dynamics on
/// learned CVs has a full, position-dependent M; `FiniteElementGenerator` discretizes that case.
///
/// Cells are removed (a reflecting wall) where F is not finite, where `mask` is false, or where
/// β(F − F_min) exceeds `maxReducedFreeEnergy`. Use the cutoff (e.g. 30) on potentials that grow
/// steeply: rates grow like e^{βΔF/2} between neighbours, and a few huge rates in cells of
/// negligible weight spoil the accuracy of every eigensolver (errors scale with the largest rate); the domain boundary is reflecting unless the axis
/// is periodic. Cells are indexed row-major in the axes (cell = i₀·n₁ + i₁); the retained cells
/// ("states") are the nodes of `GridNodes`, numbered in its band-friendly order.
///
/// Units: F in energy, β in 1/energy, M in length²/(energy·time), so β⁻¹M is a diffusion
/// coefficient and all eigenvalues and rates are in 1/time.
public struct GridGenerator: Sendable {
    /// The retained cells ("states").
    public let nodes: GridNodes
    public let beta: Double
    /// Free energy per grid cell (all cells, including removed ones).
    public let freeEnergy: [Double]
    /// The rate matrix Q (off-diagonal rates, diagonal −Σ_j Q_ij) over the states.
    public let rates: SparseMatrix
    /// −Π^{1/2} Q Π^{−1/2} and Π^{1/2}: spectrum, committor and TPT live there.
    let form: SymmetricGeneratorForm

    public typealias EigenSolver = GridEigenSolver

    public var axes: [GridAxis] { nodes.axes }
    /// Grid cell of each state.
    public var cells: [Int] { nodes.cells }
    /// State of each grid cell, or -1 for a removed cell.
    public var stateOfCell: [Int] { nodes.nodeOfCell }
    public var stateCount: Int { nodes.count }
    public var cellCount: Int { nodes.cellCount }
    /// Stationary distribution over the states, π ∝ e^{−βF}, summing to 1.
    public var stationary: [Double] { form.stationary }
    /// S = Π^{1/2} Q Π^{-1/2}: symmetric, with the same spectrum as Q.
    public var symmetrized: SparseMatrix {
        var s = form.matrix
        s.values = s.values.map { -$0 }
        return s
    }

    /// - Parameters:
    ///   - freeEnergy: F per cell, row-major over the axes (count₀ × count₁).
    ///   - mobility: per axis, the diagonal mobility M_aa per cell; nil means M = I.
    public init(axes: [GridAxis], freeEnergy: [Double], mobility: [[Double]]? = nil, beta: Double,
                mask: [Bool]? = nil, maxReducedFreeEnergy: Double? = nil) throws {
        try GridNodes.validate(axes)
        guard beta > 0 && beta.isFinite else { throw LinalgError.invalidArgument("β must be positive, got \(beta)") }
        let total = axes.reduce(1) { $0 * $1.count }
        guard freeEnergy.count == total else {
            throw LinalgError.dimensionMismatch("free energy has \(freeEnergy.count) values for \(total) grid cells")
        }
        if let m = mobility {
            guard m.count == axes.count, m.allSatisfy({ $0.count == total }) else {
                throw LinalgError.dimensionMismatch("mobility needs one array of \(total) values per axis")
            }
            for row in m { for v in row where !(v >= 0 && v.isFinite) {
                throw LinalgError.invalidArgument("mobility must be finite and non-negative, found \(v)")
            } }
        }
        self.beta = beta
        self.freeEnergy = freeEnergy
        let keep = try NodeSelection(mask: mask, maxReducedFreeEnergy: maxReducedFreeEnergy).keep(freeEnergy: freeEnergy, beta: beta)
        let nodes = try GridNodes(axes: axes, keep: keep)
        self.nodes = nodes
        let n = nodes.count
        let fMin = freeEnergy.filter { $0.isFinite }.min()!
        let sqrtWeight = nodes.cells.map { exp(-beta * (freeEnergy[$0] - fMin) / 2) }

        var rows = [Int](), cols = [Int](), q = [Double](), s = [Double]()
        var diagonal = [Double](repeating: 0, count: n)
        for (state, cell) in nodes.cells.enumerated() {
            let index = nodes.gridIndex(ofCell: cell)
            for (a, axis) in axes.enumerated() {
                for step in [-1, 1] {
                    var other = index
                    other[a] += step
                    guard let neighbourCell = nodes.cell(at: other) else { continue }
                    let neighbour = nodes.nodeOfCell[neighbourCell]
                    if neighbour < 0 || neighbour == state { continue }
                    let mFace = mobility.map { ($0[a][cell] + $0[a][neighbourCell]) / 2 } ?? 1
                    let conductance = mFace / (beta * axis.spacing * axis.spacing)
                    let rate = conductance * exp(-beta * (freeEnergy[neighbourCell] - freeEnergy[cell]) / 2)
                    rows.append(state); cols.append(neighbour)
                    q.append(rate); s.append(-conductance)
                    diagonal[state] -= rate
                }
            }
        }
        for i in 0..<n { rows.append(i); cols.append(i); q.append(diagonal[i]); s.append(-diagonal[i]) }
        rates = try SparseMatrix(rows: n, cols: n, rowIndices: rows, columnIndices: cols, values: q)
        let symmetric = try SparseMatrix(rows: n, cols: n, rowIndices: rows, columnIndices: cols, values: s)
        form = SymmetricGeneratorForm(matrix: symmetric, sqrtWeight: sqrtWeight)
        let components = ConnectedComponents(symmetric)
        if components.count > 1 {
            throw LinalgError.disconnectedGraph(components: components.count, largest: components.largestSize,
                                                advice: "the retained grid cells do not form one connected region; widen the mask or the free-energy cutoff")
        }
    }

    /// Cell-centre coordinates of each state (one row per state, one column per axis).
    public var stateCoordinates: Matrix { nodes.coordinates }

    /// Spreads per-state values onto the full grid (row-major), with `fill` in removed cells.
    public func onGrid(_ values: [Double], fill: Double = .nan) -> [Double] { nodes.onGrid(values, fill: fill) }

    /// The states of the given grid cells (removed cells are skipped).
    public func states(ofCells list: [Int]) -> [Int] { nodes.nodes(ofCells: list) }
}
