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
/// 5-point scheme sees only the diagonal of M; off-diagonal mobility terms are neglected.
///
/// Cells are removed (a reflecting wall) where F is not finite, where `mask` is false, or where
/// β(F − F_min) exceeds `maxReducedFreeEnergy`. Use the cutoff (e.g. 30) on potentials that grow
/// steeply: rates grow like e^{βΔF/2} between neighbours, and a few huge rates in cells of
/// negligible weight spoil the accuracy of every eigensolver (errors scale with the largest rate); the domain boundary is reflecting unless the axis
/// is periodic. Cells are indexed row-major in the axes (cell = i₀·n₁ + i₁); the retained cells
/// ("states") are numbered in a band-friendly order listed in `cells`.
///
/// Units: F in energy, β in 1/energy, M in length²/(energy·time), so β⁻¹M is a diffusion
/// coefficient and all eigenvalues and rates are in 1/time.
public struct GridGenerator: Sendable {
    public let axes: [GridAxis]
    public let beta: Double
    /// Free energy per grid cell (all cells, including removed ones).
    public let freeEnergy: [Double]
    /// Grid cell of each state.
    public let cells: [Int]
    /// State of each grid cell, or -1 for a removed cell.
    public let stateOfCell: [Int]
    /// Stationary distribution over the states, π ∝ e^{−βF}, summing to 1.
    public let stationary: [Double]
    /// The rate matrix Q (off-diagonal rates, diagonal −Σ_j Q_ij) over the states.
    public let rates: SparseMatrix
    /// S = Π^{1/2} Q Π^{-1/2}: symmetric, with the same spectrum as Q.
    public let symmetrized: SparseMatrix
    /// e^{−β(F − F_min)/2} per state: the similarity transform between Q and S.
    let sqrtWeight: [Double]

    public var stateCount: Int { cells.count }
    public var cellCount: Int { axes.reduce(1) { $0 * $1.count } }

    /// - Parameters:
    ///   - freeEnergy: F per cell, row-major over the axes (count₀ × count₁).
    ///   - mobility: per axis, the diagonal mobility M_aa per cell; nil means M = I.
    public init(axes: [GridAxis], freeEnergy: [Double], mobility: [[Double]]? = nil, beta: Double,
                mask: [Bool]? = nil, maxReducedFreeEnergy: Double? = nil) throws {
        guard axes.count == 1 || axes.count == 2 else {
            throw LinalgError.invalidArgument("GridGenerator supports 1 or 2 axes, got \(axes.count)")
        }
        for a in axes where a.count < 2 || !(a.upper > a.lower) {
            throw LinalgError.invalidArgument("grid axis needs ≥ 2 cells and upper > lower (got \(a.count) cells on [\(a.lower), \(a.upper)))")
        }
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
        if let m = mask, m.count != total {
            throw LinalgError.dimensionMismatch("mask has \(m.count) values for \(total) grid cells")
        }
        self.axes = axes
        self.beta = beta
        self.freeEnergy = freeEnergy
        let fMin = freeEnergy.filter { $0.isFinite }.min() ?? .nan
        guard fMin.isFinite else { throw LinalgError.invalidArgument("no grid cell has a finite free energy") }
        let keep = (0..<total).map { c -> Bool in
            freeEnergy[c].isFinite && (mask?[c] ?? true)
                && (maxReducedFreeEnergy.map { beta * (freeEnergy[c] - fMin) <= $0 } ?? true)
        }
        // Band-friendly numbering: a periodic slow axis is folded (0, n−1, 1, n−2, …) so that its
        // wrap-around neighbours stay within two rows.
        let n0 = axes[0].count, n1 = axes.count == 2 ? axes[1].count : 1
        let fold: [Int] = axes[0].periodic
            ? (0..<n0).map { $0 % 2 == 0 ? $0 / 2 : n0 - 1 - $0 / 2 } : Array(0..<n0)
        var cells = [Int]()
        var stateOfCell = [Int](repeating: -1, count: total)
        for i0 in fold { for i1 in 0..<n1 where keep[i0 * n1 + i1] {
            stateOfCell[i0 * n1 + i1] = cells.count
            cells.append(i0 * n1 + i1)
        } }
        self.cells = cells
        self.stateOfCell = stateOfCell
        let n = cells.count
        let sqrtWeight = cells.map { exp(-beta * (freeEnergy[$0] - fMin) / 2) }
        self.sqrtWeight = sqrtWeight
        let z = sqrtWeight.reduce(0) { $0 + $1 * $1 }
        stationary = sqrtWeight.map { $0 * $0 / z }

        var rows = [Int](), cols = [Int](), q = [Double](), s = [Double]()
        var diagonal = [Double](repeating: 0, count: n)
        for (state, cell) in cells.enumerated() {
            let index = [cell / n1, cell % n1]
            for (a, axis) in axes.enumerated() {
                for step in [-1, 1] {
                    var j = index[a] + step
                    if j < 0 || j >= axis.count {
                        guard axis.periodic else { continue }
                        j = (j + axis.count) % axis.count
                    }
                    var other = index
                    other[a] = j
                    let neighbourCell = axes.count == 2 ? other[0] * n1 + other[1] : other[0]
                    let neighbour = stateOfCell[neighbourCell]
                    if neighbour < 0 || neighbour == state { continue }
                    let mFace = mobility.map { ($0[a][cell] + $0[a][neighbourCell]) / 2 } ?? 1
                    let conductance = mFace / (beta * axis.spacing * axis.spacing)
                    let rate = conductance * exp(-beta * (freeEnergy[neighbourCell] - freeEnergy[cell]) / 2)
                    rows.append(state); cols.append(neighbour)
                    q.append(rate); s.append(conductance)
                    diagonal[state] -= rate
                }
            }
        }
        for i in 0..<n { rows.append(i); cols.append(i); q.append(diagonal[i]); s.append(diagonal[i]) }
        rates = try SparseMatrix(rows: n, cols: n, rowIndices: rows, columnIndices: cols, values: q)
        symmetrized = try SparseMatrix(rows: n, cols: n, rowIndices: rows, columnIndices: cols, values: s)
        let components = ConnectedComponents(symmetrized)
        if components.count > 1 {
            throw LinalgError.disconnectedGraph(components: components.count, largest: components.largestSize,
                                                advice: "the retained grid cells do not form one connected region; widen the mask or the free-energy cutoff")
        }
    }

    /// Cell-centre coordinates of each state (one row per state, one column per axis).
    public var stateCoordinates: Matrix {
        let n1 = axes.count == 2 ? axes[1].count : 1
        var m = Matrix(rows: stateCount, cols: axes.count)
        for (s, c) in cells.enumerated() {
            m[s, 0] = axes[0].center(c / n1)
            if axes.count == 2 { m[s, 1] = axes[1].center(c % n1) }
        }
        return m
    }

    /// Spreads per-state values onto the full grid (row-major), with `fill` in removed cells.
    public func onGrid(_ values: [Double], fill: Double = .nan) -> [Double] {
        precondition(values.count == stateCount, "\(values.count) values for \(stateCount) states")
        var out = [Double](repeating: fill, count: cellCount)
        for (s, c) in cells.enumerated() { out[c] = values[s] }
        return out
    }

    /// The states of the given grid cells (removed cells are skipped).
    public func states(ofCells list: [Int]) -> [Int] { list.compactMap { stateOfCell[$0] >= 0 ? stateOfCell[$0] : nil } }

    /// The matrix −S restricted to `subset` (states in increasing order), shifted by `shift`·I,
    /// factored in band form.
    func factorNegatedSymmetrized(on subset: [Int], shift: Double) throws -> BandedCholesky {
        var local = [Int](repeating: -1, count: stateCount)
        for (k, s) in subset.enumerated() { local[s] = k }
        var entries = [(Int, Int, Double)]()
        entries.reserveCapacity(subset.count * 3)
        for (k, s) in subset.enumerated() {
            for e in symmetrized.rowStart[s]..<symmetrized.rowStart[s + 1] {
                let t = local[Int(symmetrized.columnIndices[e])]
                if t >= 0 && t <= k { entries.append((k, t, -symmetrized.values[e] + (t == k ? shift : 0))) }
            }
        }
        return try BandedCholesky(dimension: subset.count, lowerEntries: entries)
    }
}
