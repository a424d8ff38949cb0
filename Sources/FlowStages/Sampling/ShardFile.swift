import FlowCore
import FlowHDF5

/// The file one part of a sharded stage hands to the gather step (DESIGN §5): private to one
/// run (temp area, removed after the gather), so it has no declared contract. Each kind writes
/// what its gather needs (`SimulationPart`, `ReplicaFrames`, `RatesPart`, `WindowsPart`).
enum ShardFile {
    /// Reads every part's file in part order; a file that cannot be read fails the stage.
    static func read<T>(_ paths: [String], stage: String, _ body: (HDF5Group) throws -> T) throws -> [T] {
        try paths.map { path -> T in
            do {
                let file = try HDF5File.open(path, mode: .readOnly)
                defer { try? file.close() }
                return try body(file.root)
            } catch {
                throw FlowError.stageFailed(stage: stage, message: "cannot read the shard file \(path) of a part: \(error); run flow run again")
            }
        }
    }
}
