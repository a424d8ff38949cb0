/// A stage run in parts (DESIGN §5, `resources: {shards: N}`): N parts compute disjoint
/// contiguous ranges of the stage's independent walkers, each into a shard file, and one gather
/// step reads the shard files in part order and writes the stage's one output. Every walker
/// draws from the random stream of its own global index, never of its part, so the gathered
/// output is bit-identical to the unsharded run's, and `shards` stays out of the key.
public enum StageShard: Sendable, Equatable {
    /// Part `index` of `count`: its walkers' results go to `context.output`, a shard file that
    /// only the gather step reads (no commit, no contract check).
    case part(index: Int, count: Int)
    /// Every part's shard file, in part order: the stage writes its output from them.
    case gather(files: [String])

    /// The contiguous share of `total` items that part `index` of `count` computes: sizes differ
    /// by at most one, in order, and together they cover `0..<total`.
    public static func range(of total: Int, part index: Int, count: Int) -> Range<Int> {
        (index * total / count)..<((index + 1) * total / count)
    }
}
