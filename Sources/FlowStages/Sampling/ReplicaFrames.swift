import FlowHDF5
import FlowMD

/// Every replica's recorded frames, replica-major (rows r·F … r·F + F − 1 are replica r's):
/// positions (D per frame) and the values `measure` kept with each frame. From one `ReplicaSet`,
/// or gathered in part order from the shard files of a sharded charmm `simulate` (`ShardFile`),
/// whose parts run contiguous ranges of replicas: the same rows either way.
struct ReplicaFrames {
    var replicas: Int
    var framesPerReplica: Int
    var dimension: Int
    var positions: [Double]
    var values: [Double]

    init(replicas: Int, framesPerReplica: Int, dimension: Int, positions: [Double], values: [Double]) {
        self.replicas = replicas
        self.framesPerReplica = framesPerReplica
        self.dimension = dimension
        self.positions = positions
        self.values = values
    }

    init(_ set: ReplicaSet) {
        self.init(replicas: set.replicaCount, framesPerReplica: set.framesPerReplica, dimension: set.masses.count,
                  positions: (0..<set.replicaCount).flatMap { set.framePositions($0) },
                  values: (0..<set.replicaCount).flatMap { set.frameValues($0) })
    }

    func write(to group: HDF5Group) throws {
        try group.write("positions", positions, shape: [positions.count])
        try group.write("values", values, shape: [values.count])
        try group.write("counts", [replicas, framesPerReplica, dimension].map(Int64.init), shape: [3])
    }

    /// The parts' frames in part order.
    static func gathered(_ paths: [String], stage: String) throws -> ReplicaFrames {
        let parts = try ShardFile.read(paths, stage: stage) { g -> ReplicaFrames in
            let counts = try g.read("counts", as: Int64.self).values.map { Int($0) }
            return ReplicaFrames(replicas: counts[0], framesPerReplica: counts[1], dimension: counts[2],
                                 positions: try g.read("positions", as: Double.self).values, values: try g.read("values", as: Double.self).values)
        }
        return ReplicaFrames(replicas: parts.reduce(0) { $0 + $1.replicas }, framesPerReplica: parts.first?.framesPerReplica ?? 0,
                             dimension: parts.first?.dimension ?? 0, positions: parts.flatMap(\.positions), values: parts.flatMap(\.values))
    }
}
