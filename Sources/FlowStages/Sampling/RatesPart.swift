import FlowCore
import FlowHDF5
import FlowMD

/// What one part of a sharded `transition-rates` stage hands to the gather step (`ShardFile`):
/// the state of every last-visit tracker of its walkers (replicas), one per core-size variant,
/// in walker order. The gather restores them into fresh trackers and computes the estimate from
/// all walkers, so the rates and their bootstrap intervals are those of the unsharded run.
enum RatesPart {
    /// `trackers[w][v]`: walker w's tracker of variant v.
    static func write(_ trackers: [[LastVisitTracker]], to group: HDF5Group) throws {
        let length = trackers.first?.first?.state.count ?? 0
        let variants = trackers.first?.count ?? 0
        try group.write("trackers", trackers.flatMap { $0.flatMap(\.state) }, shape: [trackers.count, variants, length])
    }

    /// Every part's trackers in part order, restored into trackers that `make` builds, one set
    /// per walker.
    static func gathered(_ paths: [String], stage: String, make: () -> [LastVisitTracker]) throws -> [[LastVisitTracker]] {
        try ShardFile.read(paths, stage: stage) { g -> [[LastVisitTracker]] in
            let t = try g.read("trackers", as: Double.self)
            let template = make()
            guard t.shape.count == 3, t.shape[1] == template.count, t.shape[2] == template.first?.state.count else {
                throw FlowError.stageFailed(stage: stage, message: "trackers of shape \(t.shape) do not match this stage's states")
            }
            let length = t.shape[2]
            var sets: [[LastVisitTracker]] = []
            for w in 0..<t.shape[0] {
                let set = make()
                for (v, tracker) in set.enumerated() {
                    let at = (w * set.count + v) * length
                    tracker.state = Array(t.values[at..<(at + length)])
                }
                sets.append(set)
            }
            return sets
        }.flatMap { $0 }
    }
}
