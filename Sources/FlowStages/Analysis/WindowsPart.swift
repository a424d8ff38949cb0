import FlowCore
import FlowHDF5

/// What one part of a sharded `effective-dynamics` stage hands to the gather step
/// (`ShardFile`): the estimates of its restrained windows, in window order. The gather joins
/// the parts' windows and goes on as the unsharded stage does after its windows.
extension RestrainedWindows.Estimate {
    func write(to group: HDF5Group) throws {
        let windows = samples.count
        try group.write("mean_value", meanValue.flatMap { $0 }, shape: [windows, meanValue.first?.count ?? 0])
        try group.write("diffusion", diffusion.flatMap { $0 }, shape: [windows, diffusion.first?.count ?? 0])
        try group.write("samples", samples.map(Int64.init), shape: [windows])
    }

    /// Every part's windows in part order; fails unless they are the stage's `windows`.
    static func gathered(_ paths: [String], windows: Int, stage: String) throws -> Self {
        let parts = try ShardFile.read(paths, stage: stage) { g -> Self in
            func rows(_ name: String) throws -> [[Double]] {
                let a = try g.read(name, as: Double.self)
                let width = a.shape.count == 2 ? a.shape[1] : 0
                return (0..<a.shape[0]).map { Array(a.values[($0 * width)..<(($0 + 1) * width)]) }
            }
            return Self(meanValue: try rows("mean_value"), diffusion: try rows("diffusion"),
                        samples: try g.read("samples", as: Int64.self).values.map { Int($0) })
        }
        let joined = Self(meanValue: parts.flatMap(\.meanValue), diffusion: parts.flatMap(\.diffusion), samples: parts.flatMap(\.samples))
        guard joined.samples.count == windows else {
            throw FlowError.stageFailed(stage: stage, message: "the parts ran \(joined.samples.count) windows, the stage has \(windows); run flow run again")
        }
        return joined
    }
}
