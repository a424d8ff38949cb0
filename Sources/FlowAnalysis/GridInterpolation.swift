import FlowLinalg

public extension GridGenerator {
    /// Per-state values (e.g. an eigenfunction column) at arbitrary points, one per row: linear
    /// (1D) or bilinear (2D) between cell centres (see `GridNodes.interpolate`).
    func interpolate(_ values: [Double], at points: Matrix) -> [Double] {
        nodes.interpolate(values, at: points)
    }
}
