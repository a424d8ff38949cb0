import FlowHDF5

/// What a `WellTemperedMetadynamics` bias has learned — grid values and slopes, the hills and
/// the c(t) running sums — so that a run resumed from a checkpoint continues with exactly the
/// same bias (DESIGN.md §4). Used by the molecular `Simulation` (through `Bias`) and by the
/// walker ensemble's checkpoint.
extension WellTemperedMetadynamics {
    public func saveState(to group: HDF5Group) throws {
        try group.write("values", grid.values, shape: [grid.values.count])
        for (k, d) in grid.derivatives.enumerated() { try group.write("derivative\(k)", d, shape: [d.count]) }
        try group.write("hills", hills.flatMap { [$0.time, $0.height] + $0.center }, shape: [hills.count, 2 + grid.rank])
        try group.write("sums", [offsetSums.0, offsetSums.1], shape: [2])
    }

    public func restoreState(from group: HDF5Group) throws {
        let values = try group.read("values", as: Double.self).values
        guard values.count == grid.values.count else {
            throw CheckpointMismatch(description: "the checkpoint's metadynamics grid has \(values.count) nodes, this bias \(grid.values.count)")
        }
        grid.values = values
        for k in grid.derivatives.indices {
            grid.derivatives[k] = try group.read("derivative\(k)", as: Double.self).values
        }
        let (h, shape) = try group.read("hills", as: Double.self)
        let width = shape.count == 2 ? shape[1] : 2 + grid.rank
        hills = stride(from: 0, to: h.count, by: width).map {
            Hill(time: h[$0], center: Array(h[($0 + 2)..<($0 + width)]), height: h[$0 + 1])
        }
        let sums = try group.read("sums", as: Double.self).values
        offsetSums = (sums[0], sums[1])
    }
}
