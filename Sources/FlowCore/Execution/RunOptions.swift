import Foundation

/// What `flow run` was asked to do.
public struct RunOptions {
    /// Print what would run, run nothing.
    public var dryRun = false
    /// Rerun these stages even when cached (their descendants follow the cache: an unchanged
    /// output leaves them cached).
    public var force: Set<String> = []
    public var forceAll = false
    /// Only this stage and its descendants (ancestors must be cached).
    public var from: String?
    /// Only this stage and its ancestors.
    public var until: String?
    /// Only these stages (their inputs must be cached).
    public var only: [String] = []
    /// At most this many stages at once; nil = cores ÷ each stage's cpus.
    public var jobs: Int?
    /// After a failure, keep running stages that do not depend on it.
    public var keepGoing = false
    /// Recompute the content digest of every cached object used (not only when stat changed).
    public var verify = false
    /// Seconds to wait for another run's workspace lock (nil = fail at once).
    public var lockWait: Double?
    /// Where stages run. The library's default is this process's threads, since a program that
    /// embeds the engine has no `flow` binary to start; `flow run` defaults to `.process`.
    public var executor = ExecutorChoice.local
    /// `--executor slurm`: return once the jobs are submitted; a later run or status re-adopts them.
    public var detach = false
    /// Seconds between intra-stage checkpoints.
    public var checkpointInterval: TimeInterval = ProcessInfo.processInfo.environment["FLOW_CHECKPOINT_INTERVAL"].flatMap(Double.init) ?? 120

    public init() {}
}

/// What happened to (or would happen to) one stage.
public enum StageStatus: Equatable {
    /// The cached output was used.
    case cached
    /// The stage ran and its output was committed.
    case ran
    case failed(String)
    /// Not run because an input failed or was unavailable.
    case skipped(String)
    case cancelled
    /// `--dry-run`/`status`: would run, and why.
    case wouldRun(String)
    /// `status`: previously failed with the same key.
    case previouslyFailed(String)
    /// `--detach`: started by a batch system and still running when the run returned.
    case submitted(String)

    public var word: String {
        switch self {
        case .cached: return "cached"
        case .ran: return "ran"
        case .failed: return "failed"
        case .skipped: return "skipped"
        case .cancelled: return "cancelled"
        case .wouldRun: return "stale"
        case .previouslyFailed: return "failed"
        case .submitted: return "submitted"
        }
    }
}

/// The outcome of one stage in a run, dry run or status query.
public struct StageOutcome {
    public var workflow: String
    public var stage: String
    public var kind: String
    public var status: StageStatus
    /// nil when it cannot be known yet (an input has not been computed).
    public var key: String?
    public var digest: String?
    public var durationSeconds: Double = 0
    public var peakMemoryBytes: Int64?
    public var log: String?
    /// `status`: why the published `results/<workflow>/<stage>.h5` is not the cached output
    /// (replaced or edited by hand), or nil when it is.
    public var publishedProblem: String?
}

/// The result of `flow run`.
public struct RunSummary {
    public var outcomes: [StageOutcome]
    public var runID: String?
    public var interrupted: Bool

    /// 0 ok, 1 a stage failed, 130 interrupted.
    public var exitCode: Int32 {
        if interrupted { return 130 }
        return outcomes.contains { if case .failed = $0.status { return true } else { return false } } ? 1 : 0
    }

    public func count(_ word: String) -> Int { outcomes.filter { $0.status.word == word }.count }
}
