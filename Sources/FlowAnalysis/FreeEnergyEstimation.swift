import Foundation
import FlowLinalg

/// The free energy F(z) = −β⁻¹ ln ∫ e^{−βV(x)} δ(ξ(x) − z) dx of a CV on the cells of a grid, from
/// data, by two routes:
/// - from samples ξ(x_k) with weights w_k that make them Boltzmann-distributed (metadynamics
///   reweighting, or 1 for unbiased samples): a weighted histogram or a Gaussian kernel density;
/// - from the mean force ∇F(z_i) at the cell centres (restrained windows:
///   ∇F(z) ≈ κ(z − ⟨ξ⟩_z) for the restraint ½κ|ξ(x) − z|²), integrated by least squares.
/// Every route returns F per cell (row-major over the axes, as `GridNodes` numbers cells) in
/// energy, shifted so that its minimum is 0, and NaN where the data say nothing; generators remove
/// those cells.
public enum FreeEnergyEstimation {
    /// F = −β⁻¹ ln p with p = Σ_{k in cell} w_k / Σ_k w_k per cell volume (`Statistics.freeEnergy`).
    /// On a periodic axis samples are wrapped into [lower, upper); on other axes samples outside the
    /// range count in the total only. Each axis's last bin is closed, as in `Histogram2D`.
    ///
    /// - Parameter samples: one sample per row, one column per axis.
    public static func histogram(samples: Matrix, weights: [Double]? = nil, axes: [GridAxis], beta: Double) throws -> [Double] {
        try check(samples: samples, weights: weights, axes: axes, beta: beta)
        let columns = (0..<axes.count).map { wrapped(samples.column($0), on: axes[$0]) }
        let counts: [Double]
        if axes.count == 1 {
            counts = Histogram1D(columns[0], bins: axes[0].count, lower: axes[0].lower, upper: axes[0].upper, weights: weights).counts
        } else {
            counts = Histogram2D(x: columns[0], y: columns[1], xAxis: axes[0], yAxis: axes[1], weights: weights).counts
        }
        return Statistics.freeEnergy(density: counts, beta: beta)
    }

    /// F = −β⁻¹ ln p̂ with the weighted Gaussian kernel density
    /// p̂(z) ∝ Σ_k w_k Π_a exp(−(z_a − ξ_a(x_k))²/(2σ_a²)) at the cell centres, the kernel cut at
    /// 5σ_a (and at half a period on periodic axes, where the nearest image is used). The estimate
    /// is the true density convolved with the kernel: it smooths F by O(σ²) and is biased low within
    /// a few σ of a non-periodic edge (the kernel mass outside the grid is lost).
    ///
    /// - Parameter bandwidth: σ_a per axis, in the axis's units.
    public static func kernelDensity(samples: Matrix, weights: [Double]? = nil, axes: [GridAxis],
                                     bandwidth: [Double], beta: Double) throws -> [Double] {
        try check(samples: samples, weights: weights, axes: axes, beta: beta)
        guard bandwidth.count == axes.count, bandwidth.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw LinalgError.invalidArgument("kernel density needs one positive bandwidth per axis, got \(bandwidth)")
        }
        let nodes = try GridNodes(axes: axes)
        let reach = zip(axes, bandwidth).map { axis, s in
            Swift.min(Int((5 * s / axis.spacing).rounded(.up)), axis.periodic ? (axis.count - 1) / 2 : axis.count)
        }
        var density = [Double](repeating: 0, count: nodes.cellCount)
        let d = axes.count
        for k in 0..<samples.rows {
            let w = weights?[k] ?? 1
            guard w > 0 else { continue }
            // Kernel factors along each axis over the cells within reach of the sample.
            var factors = [[(cell: Int, value: Double)]]()
            for a in 0..<d {
                let axis = axes[a], x = samples[k, a]
                let nearest = Int(((x - axis.lower) / axis.spacing - 0.5).rounded())
                var list = [(cell: Int, value: Double)]()
                for i in (nearest - reach[a])...(nearest + reach[a]) {
                    var index = i
                    if axis.periodic {
                        index = ((i % axis.count) + axis.count) % axis.count
                    } else if i < 0 || i >= axis.count { continue }
                    let u = (x - (axis.lower + (Double(i) + 0.5) * axis.spacing)) / bandwidth[a]
                    list.append((index, exp(-u * u / 2)))
                }
                factors.append(list)
            }
            if d == 1 {
                for (c, v) in factors[0] { density[c] += w * v }
            } else {
                let n1 = axes[1].count
                for (i, u) in factors[0] { for (j, v) in factors[1] { density[i * n1 + j] += w * u * v } }
            }
        }
        return Statistics.freeEnergy(density: density, beta: beta)
    }

    /// F from its gradient g = ∇F at the cell centres (cells × d, energy/length; a row with a
    /// non-finite entry marks a cell without a window), as the least-squares solution of
    ///
    ///     min_F Σ_edges ((F_j − F_i)/h_a − (g_a(z_i) + g_a(z_j))/2)²
    ///
    /// over the edges between cells that are neighbours along an axis a (periodic axes wrap) and
    /// both have a gradient: the trapezoidal rule along every edge, O(h²) accurate for a smooth F.
    /// In 1D without wrap this is the trapezoidal integral exactly; on a periodic axis or in 2D the
    /// equations are overdetermined, and least squares spreads the non-integrable part of noisy
    /// mean forces (their curl, or a net drift around a period) over the edges. The additive
    /// constant is fixed by min F = 0. Solved through the normal equations (a weighted graph
    /// Laplacian) by banded Cholesky.
    public static func integrateMeanForce(_ gradient: Matrix, axes: [GridAxis]) throws -> [Double] {
        try GridNodes.validate(axes)
        let total = axes.reduce(1) { $0 * $1.count }
        guard gradient.rows == total, gradient.cols == axes.count else {
            throw LinalgError.dimensionMismatch("mean forces of shape \(gradient.rows)×\(gradient.cols) on a \(axes.count)-D grid of \(total) cells")
        }
        let valid = (0..<total).map { c in gradient.row(c).allSatisfy { $0.isFinite } }
        let nodes = try GridNodes(axes: axes, keep: valid)
        guard nodes.count >= 2 else { throw LinalgError.invalidArgument("mean-force integration needs at least 2 cells with a gradient, got \(nodes.count)") }
        var normal = [(Int, Int, Double)](), rhs = [Double](repeating: 0, count: nodes.count)
        var rows = [Int](), cols = [Int]()
        for (i, cell) in nodes.cells.enumerated() {
            let index = nodes.gridIndex(ofCell: cell)
            for (a, axis) in axes.enumerated() {
                // Each edge once: from a cell to its upper neighbour along a.
                var up = index
                up[a] += 1
                guard let other = nodes.cell(at: up), other != cell else { continue }
                let j = nodes.nodeOfCell[other]
                guard j >= 0 else { continue }
                if axis.periodic && axis.count == 2 && index[a] == 1 { continue }
                let h = axis.spacing
                let target = (gradient[cell, a] + gradient[other, a]) / 2
                // Residual (F_j − F_i)/h − target: row of D is (−1/h at i, +1/h at j).
                let w = 1 / (h * h)
                normal.append((i, i, w)); normal.append((j, j, w))
                normal.append((Swift.max(i, j), Swift.min(i, j), -w))
                rhs[i] -= target / h
                rhs[j] += target / h
                rows.append(i); cols.append(j)
            }
        }
        let graph = try SparseMatrix(rows: nodes.count, cols: nodes.count, rowIndices: rows + cols + Array(0..<nodes.count),
                                     columnIndices: cols + rows + Array(0..<nodes.count),
                                     values: [Double](repeating: 1, count: 2 * rows.count + nodes.count))
        let components = ConnectedComponents(graph)
        guard components.count == 1 else {
            throw LinalgError.disconnectedGraph(components: components.count, largest: components.largestSize,
                                                advice: "the cells with a mean force do not form one connected region along the grid axes, so their free energies have no common constant; add windows between the regions")
        }
        // Fix the constant with the penalty (F₀)²/h²: it changes no residual, only picks F₀ = 0.
        normal.append((0, 0, 1 / (axes[0].spacing * axes[0].spacing)))
        try BandedCholesky(dimension: nodes.count, lowerEntries: normal).solve(&rhs)
        let lowest = rhs.min()!
        return nodes.onGrid(rhs.map { $0 - lowest })
    }

    private static func check(samples: Matrix, weights: [Double]?, axes: [GridAxis], beta: Double) throws {
        try GridNodes.validate(axes)
        guard samples.cols == axes.count else {
            throw LinalgError.dimensionMismatch("samples of dimension \(samples.cols) on a \(axes.count)-D grid")
        }
        guard samples.rows > 0 else { throw LinalgError.invalidArgument("no samples") }
        if let w = weights {
            guard w.count == samples.rows else {
                throw LinalgError.dimensionMismatch("\(w.count) weights for \(samples.rows) samples")
            }
            guard w.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw LinalgError.invalidArgument("sample weights must be finite and non-negative")
            }
        }
        guard beta > 0 && beta.isFinite else { throw LinalgError.invalidArgument("β must be positive, got \(beta)") }
    }

    /// Values of a periodic axis mapped into [lower, upper); others unchanged.
    private static func wrapped(_ x: [Double], on axis: GridAxis) -> [Double] {
        guard axis.periodic else { return x }
        let period = axis.upper - axis.lower
        return x.map { v in
            var t = (v - axis.lower).truncatingRemainder(dividingBy: period)
            if t < 0 { t += period }
            return axis.lower + t
        }
    }
}
