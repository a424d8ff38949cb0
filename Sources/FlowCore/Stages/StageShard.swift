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

    /// For logs: "5 walkers" for the whole set, "walkers 2..<5 of 5" for a part's share.
    public static func describe(_ share: Range<Int>, of total: Int, _ items: String) -> String {
        share.count == total ? "\(total) \(items)" : "\(items) \(share.lowerBound)..<\(share.upperBound) of \(total)"
    }
}

public extension StageShard {
    /// Why `count` parts cannot share `total` items (one would get none), or nil.
    static func tooManyParts(_ count: Int, for total: Int, items: String) -> String? {
        count > total ? "\(count) shards for \(total) \(items) would leave parts without \(items); use at most \(total)" : nil
    }
}

public extension StageContext {
    /// The global indices of the `total` independent items (walkers, replicas, windows) this run
    /// computes: its part's contiguous share, or all of them. Throws, naming `items`, when a
    /// sharded stage has more parts than items (known only at run time, e.g. windows on
    /// occupied grid cells).
    func partItems(of total: Int, items: String) throws -> Range<Int> {
        switch shard {
        case .part(let i, let n)?:
            if let problem = StageShard.tooManyParts(n, for: total, items: items) { throw FlowError.stageFailed(stage: stageName, message: problem) }
            return StageShard.range(of: total, part: i, count: n)
        case .gather(let files)?:
            if let problem = StageShard.tooManyParts(files.count, for: total, items: items) { throw FlowError.stageFailed(stage: stageName, message: problem) }
            return 0..<total
        case nil:
            return 0..<total
        }
    }

    /// Whether this run computes one part into a shard file (it writes no stage output).
    var isPart: Bool {
        if case .part? = shard { return true }
        return false
    }

    /// The parts' shard files, in part order, when this run gathers them.
    var gatheredParts: [String]? {
        if case .gather(let files)? = shard { return files }
        return nil
    }
}
