import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN

/// A regular grid over a 2-D box, for contour figures of learned functions:
/// `/grid/x` (nx), `/grid/y` (ny) and `/grid/values` (ny × nx × k) with values[j, i, ·] = f(xᵢ, yⱼ)
/// (y slowest, as numpy's `meshgrid` with indexing="xy" and gnuplot's matrix format).
struct PlaneGrid {
    let x: [Double]
    let y: [Double]

    /// `points` nodes per axis over `box`.
    init(box: [ClosedRange<Double>], points: Int) {
        precondition(box.count == 2 && points >= 2, "a plane grid needs a 2-D box and ≥ 2 points per axis")
        func axis(_ r: ClosedRange<Double>) -> [Double] {
            (0..<points).map { r.lowerBound + (r.upperBound - r.lowerBound) * Double($0) / Double(points - 1) }
        }
        x = axis(box[0])
        y = axis(box[1])
    }

    /// The system's box (`domain`) when it has one, else the bounding box of the samples.
    static func box(system: SimulationSystem?, samples: Matrix) -> [ClosedRange<Double>] {
        if let domain = system?.domain, domain.count == 2 { return domain }
        return (0..<2).map { j in
            let c = samples.column(j)
            return c.min()!...Swift.max(c.max()!, c.min()! + 1e-12)
        }
    }

    /// The nodes as rows (x, y), y slowest: (nx·ny) × 2.
    var nodes: Matrix {
        Matrix(rows: x.count * y.count, cols: 2, storage: y.flatMap { yj in x.flatMap { [$0, yj] } })
    }

    /// Writes the axes and `values` (one row per node of `nodes`, k columns) under `grid/`.
    func write(_ values: Matrix, to group: HDF5Group, description: String) throws {
        precondition(values.rows == x.count * y.count, "one row of values per grid node")
        try group.write("grid/x", vector: x)
        try group.write("grid/y", vector: y)
        try group.write("grid/values", values.storage, shape: [y.count, x.count, values.cols])
        try group.annotate("grid/values", units: nil, description: description + "; values[j, i, k] at (x[i], y[j])")
    }

    /// For two-dimensional samples, `network` on a grid of `points` × `points` nodes over the
    /// system's box (or the samples' bounding box), written under `grid/` for contour figures;
    /// nothing for other dimensions.
    static func writeIfPlanar(_ network: MLP, samples: Matrix, system: SimulationSystem?, points: Int,
                              to group: HDF5Group, description: String) throws {
        guard samples.cols == 2 else { return }
        let grid = PlaneGrid(box: box(system: system, samples: samples), points: points)
        try grid.write(network.values(grid.nodes), to: group, description: description)
    }
}
