import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD

/// What one part of a sharded `simulate` stage on a model system hands to the gather step
/// (`ShardFile`): the frames of its walkers, with their global indices, and MALA's per-walker
/// acceptance.
struct SimulationPart {
    var trajectory: EnsembleTrajectory
    var acceptance: [Double]?

    func write(to group: HDF5Group) throws {
        let t = trajectory
        try group.write("x", t.x.storage, shape: [t.x.rows, t.x.cols])
        try group.write("walker", t.walker.map(Int64.init), shape: [t.walker.count])
        for (name, values) in [("time", t.time), ("energy", t.energy), ("bias", t.bias), ("offset", t.offset), ("work", t.work)] {
            try group.write(name, values, shape: [values.count])
        }
        if let acceptance { try group.write("acceptance", acceptance, shape: [acceptance.count]) }
    }

    static func read(_ paths: [String], stage: String) throws -> [SimulationPart] {
        try ShardFile.read(paths, stage: stage) { g -> SimulationPart in
            let x = try g.read("x", as: Double.self)
            func vector(_ name: String) throws -> [Double] { try g.read(name, as: Double.self).values }
            let trajectory = EnsembleTrajectory(x: Matrix(rows: x.shape[0], cols: x.shape.count > 1 ? x.shape[1] : 0, storage: x.values),
                                                walker: try g.read("walker", as: Int64.self).values.map { Int($0) },
                                                time: try vector("time"), energy: try vector("energy"), bias: try vector("bias"),
                                                offset: try vector("offset"), work: try vector("work"))
            return SimulationPart(trajectory: trajectory, acceptance: g.contains("acceptance") ? try vector("acceptance") : nil)
        }
    }

    /// The parts' frames in part order: walker-major over the whole set, as one ensemble writes them.
    static func concatenated(_ parts: [SimulationPart]) -> EnsembleTrajectory {
        let cols = parts.first?.trajectory.x.cols ?? 0
        let rows = parts.reduce(0) { $0 + $1.trajectory.x.rows }
        return EnsembleTrajectory(x: Matrix(rows: rows, cols: cols, storage: parts.flatMap(\.trajectory.x.storage)),
                                  walker: parts.flatMap(\.trajectory.walker), time: parts.flatMap(\.trajectory.time),
                                  energy: parts.flatMap(\.trajectory.energy), bias: parts.flatMap(\.trajectory.bias),
                                  offset: parts.flatMap(\.trajectory.offset), work: parts.flatMap(\.trajectory.work))
    }
}
