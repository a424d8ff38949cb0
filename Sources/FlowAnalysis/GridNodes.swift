import Foundation
import FlowLinalg

/// The retained nodes of a 1D or 2D grid: one node per grid cell centre, a subset of the cells
/// kept (the rest are a reflecting wall), numbered for banded factorizations. Shared by every grid
/// discretization of a generator (`GridGenerator`, `FiniteElementGenerator`) and by the grid
/// estimators (free energy, states), so that a node means the same cell everywhere.
///
/// Cells are indexed row-major in the axes (cell = i₀·n₁ + i₁, the first axis slowest), as in
/// `Histogram2D`. Retained nodes are numbered row by row, except that a periodic first axis is
/// folded (0, n₀−1, 1, n₀−2, …) so that its wrap-around neighbours stay within two rows: any
/// coupling between cells at most one step apart along each axis then has a half-bandwidth of at
/// most 2·n₁ + 1.
public struct GridNodes: Sendable, Equatable {
    public let axes: [GridAxis]
    /// Grid cell of each node.
    public let cells: [Int]
    /// Node of each grid cell, or −1 for a removed cell.
    public let nodeOfCell: [Int]

    public var count: Int { cells.count }
    public var cellCount: Int { axes.reduce(1) { $0 * $1.count } }
    public var dimension: Int { axes.count }

    /// - Parameter keep: per grid cell (row-major), whether it is a node; nil keeps every cell.
    public init(axes: [GridAxis], keep: [Bool]? = nil) throws {
        try Self.validate(axes)
        let total = axes.reduce(1) { $0 * $1.count }
        if let k = keep, k.count != total {
            throw LinalgError.dimensionMismatch("node mask has \(k.count) values for \(total) grid cells")
        }
        self.axes = axes
        let n0 = axes[0].count, n1 = axes.count == 2 ? axes[1].count : 1
        let fold: [Int] = axes[0].periodic
            ? (0..<n0).map { $0 % 2 == 0 ? $0 / 2 : n0 - 1 - $0 / 2 } : Array(0..<n0)
        var cells = [Int]()
        var nodeOfCell = [Int](repeating: -1, count: total)
        for i0 in fold { for i1 in 0..<n1 where keep?[i0 * n1 + i1] ?? true {
            nodeOfCell[i0 * n1 + i1] = cells.count
            cells.append(i0 * n1 + i1)
        } }
        self.cells = cells
        self.nodeOfCell = nodeOfCell
    }

    /// One or two axes, each with ≥ 2 cells and upper > lower.
    public static func validate(_ axes: [GridAxis]) throws {
        guard axes.count == 1 || axes.count == 2 else {
            throw LinalgError.invalidArgument("grids have 1 or 2 axes, got \(axes.count)")
        }
        for a in axes where a.count < 2 || !(a.upper > a.lower) || !a.lower.isFinite || !a.upper.isFinite {
            throw LinalgError.invalidArgument("grid axis needs ≥ 2 cells and finite upper > lower (got \(a.count) cells on [\(a.lower), \(a.upper)))")
        }
    }

    /// Index of `cell` along each axis.
    public func gridIndex(ofCell cell: Int) -> [Int] {
        axes.count == 2 ? [cell / axes[1].count, cell % axes[1].count] : [cell]
    }

    /// The cell at an index along each axis; periodic axes wrap, other axes return nil outside.
    public func cell(at index: [Int]) -> Int? {
        var c = 0
        for (a, axis) in axes.enumerated() {
            var i = index[a]
            if i < 0 || i >= axis.count {
                guard axis.periodic else { return nil }
                i = ((i % axis.count) + axis.count) % axis.count
            }
            c = c * axis.count + i
        }
        return c
    }

    /// The cells one step away along one axis (periodic axes wrap), retained or not, without
    /// repeats and without the cell itself (a periodic axis of two cells has one neighbour).
    public func axisNeighbours(ofCell cell: Int) -> [Int] {
        let index = gridIndex(ofCell: cell)
        var out = [Int]()
        for a in 0..<axes.count {
            for step in [-1, 1] {
                var other = index
                other[a] += step
                if let c = self.cell(at: other), c != cell, !out.contains(c) { out.append(c) }
            }
        }
        return out
    }

    /// Cell-centre coordinates of each node (one row per node, one column per axis).
    public var coordinates: Matrix {
        var m = Matrix(rows: count, cols: axes.count)
        for (s, c) in cells.enumerated() {
            for (a, i) in gridIndex(ofCell: c).enumerated() { m[s, a] = axes[a].center(i) }
        }
        return m
    }

    /// Spreads per-node values onto the full grid (row-major), with `fill` in removed cells.
    public func onGrid(_ values: [Double], fill: Double = .nan) -> [Double] {
        precondition(values.count == count, "\(values.count) values for \(count) nodes")
        var out = [Double](repeating: fill, count: cellCount)
        for (s, c) in cells.enumerated() { out[c] = values[s] }
        return out
    }

    /// The nodes of the given grid cells (removed cells are skipped).
    public func nodes(ofCells list: [Int]) -> [Int] { list.compactMap { nodeOfCell[$0] >= 0 ? nodeOfCell[$0] : nil } }

    /// b − a along `axis`, taken as the nearest periodic image on a periodic axis.
    public func displacement(_ a: Double, _ b: Double, axis: Int) -> Double {
        let d = b - a
        guard axes[axis].periodic else { return d }
        let period = axes[axis].upper - axes[axis].lower
        return d - period * (d / period).rounded()
    }

    /// The node nearest to `point` (periodic axes by their nearest image).
    public func nearestNode(to point: [Double]) -> Int {
        precondition(point.count == axes.count, "a point of dimension \(point.count) on a \(axes.count)-D grid")
        var best = 0, bestDistance = Double.infinity
        for (s, c) in cells.enumerated() {
            var d = 0.0
            for (a, i) in gridIndex(ofCell: c).enumerated() {
                let e = displacement(point[a], axes[a].center(i), axis: a)
                d += e * e
            }
            if d < bestDistance { (best, bestDistance) = (s, d) }
        }
        return best
    }

    /// Linear (1D) or bilinear (2D) interpolation between cell centres of per-node values at
    /// arbitrary points (one per row). On a periodic axis a point is first wrapped into
    /// [lower, upper) and interpolated across the seam between the last and the first cell; on other
    /// axes a point beyond the outermost cell centres takes the boundary value along that axis.
    /// Removed cells carry no value: the weights of the retained corners are renormalized, and a
    /// point whose corners are all removed takes the value of the nearest node.
    public func interpolate(_ values: [Double], at points: Matrix) -> [Double] {
        precondition(values.count == count, "\(values.count) values for \(count) nodes")
        precondition(points.cols == axes.count, "points of dimension \(points.cols) on a \(axes.count)-D grid")
        /// Lower cell index and the weight of the upper one along an axis.
        func bracket(_ x: Double, _ axis: GridAxis) -> (Int, Double) {
            if axis.periodic {
                let n = Double(axis.count)
                var u = (x - axis.lower) / axis.spacing - 0.5
                u -= n * (u / n).rounded(.down)
                let i = Swift.min(Int(u), axis.count - 1)
                return (i, u - Double(i))
            }
            let u = (x - axis.lower) / axis.spacing - 0.5
            if u <= 0 { return (0, 0) }
            if u >= Double(axis.count - 1) { return (axis.count - 2, 1) }
            let i = Int(u)
            return (i, u - Double(i))
        }
        return (0..<points.rows).map { p in
            let (i0, t0) = bracket(points[p, 0], axes[0])
            let (i1, t1) = axes.count == 2 ? bracket(points[p, 1], axes[1]) : (0, 0)
            var total = 0.0, weight = 0.0
            for a in 0...1 {
                for b in 0...(axes.count == 2 ? 1 : 0) {
                    let w = (a == 0 ? 1 - t0 : t0) * (axes.count == 2 ? (b == 0 ? 1 - t1 : t1) : 1)
                    guard w > 0, let c = cell(at: axes.count == 2 ? [i0 + a, i1 + b] : [i0 + a]) else { continue }
                    let node = nodeOfCell[c]
                    if node >= 0 {
                        total += w * values[node]
                        weight += w
                    }
                }
            }
            if weight > 0 { return total / weight }
            return values[nearestNode(to: points.row(p))]
        }
    }
}

/// Which grid cells become nodes, from the free energy: cells with a non-finite F or a false
/// `mask` entry are always removed (a reflecting wall), and the optional cut-offs remove cells
/// high in F, where e^{−βF} is negligible but the generator's rates are largest (errors of every
/// eigensolver scale with the largest rate).
public struct NodeSelection: Sendable, Equatable {
    /// Per grid cell, whether it may be kept.
    public var mask: [Bool]?
    /// Keep β(F − F_min) ≤ this (e.g. 30 for steep potentials).
    public var maxReducedFreeEnergy: Double?
    /// Keep F − F_min ≤ fraction·(F_max − F_min) over the finite values: the published LJ7
    /// effective-dynamics TPT keeps F < 0.75·F_max with F shifted to min 0.
    public var maxFreeEnergyFraction: Double?
    /// Where the kept cells split into several connected regions: fail (the default; each region
    /// would add its own zero eigenvalue), or keep only the region that holds the minimum of F.
    public var keepComponentOfMinimum: Bool

    public init(mask: [Bool]? = nil, maxReducedFreeEnergy: Double? = nil, maxFreeEnergyFraction: Double? = nil,
                keepComponentOfMinimum: Bool = false) {
        self.mask = mask
        self.maxReducedFreeEnergy = maxReducedFreeEnergy
        self.maxFreeEnergyFraction = maxFreeEnergyFraction
        self.keepComponentOfMinimum = keepComponentOfMinimum
    }

    /// Per cell, whether it passes the mask and the cut-offs (connectivity is the caller's).
    public func keep(freeEnergy: [Double], beta: Double) throws -> [Bool] {
        if let m = mask, m.count != freeEnergy.count {
            throw LinalgError.dimensionMismatch("mask has \(m.count) values for \(freeEnergy.count) grid cells")
        }
        if let f = maxFreeEnergyFraction, !(f > 0 && f <= 1) {
            throw LinalgError.invalidArgument("the free-energy cut-off fraction must lie in (0, 1], got \(f)")
        }
        if let r = maxReducedFreeEnergy, !(r > 0) {
            throw LinalgError.invalidArgument("the reduced free-energy cut-off must be positive, got \(r)")
        }
        let finite = freeEnergy.filter { $0.isFinite }
        guard let fMin = finite.min(), let fMax = finite.max() else {
            throw LinalgError.invalidArgument("no grid cell has a finite free energy")
        }
        return freeEnergy.indices.map { c in
            let f = freeEnergy[c]
            guard f.isFinite, mask?[c] ?? true else { return false }
            if let r = maxReducedFreeEnergy, beta * (f - fMin) > r { return false }
            if let fraction = maxFreeEnergyFraction, fMax > fMin, f - fMin > fraction * (fMax - fMin) { return false }
            return true
        }
    }
}
