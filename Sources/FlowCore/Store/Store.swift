import Foundation

/// The `.flow/` directory at the workspace root (DESIGN §4):
///
/// ```
/// .flow/objects/ab/<digest>.h5      content-addressed outputs (read-only)
/// .flow/records/ab/<key>.json       one record per cache key (the commit point)
/// .flow/state/<workflow>/<stage>.json   last outcome per named stage (for `flow status`)
/// .flow/checkpoints/<key>/          intra-stage checkpoints of unfinished stages
/// .flow/runs/<run>.json, <run>/     run records and stage logs
/// .flow/tmp/                        outputs being written (same file system → atomic rename)
/// .flow/lock                        held by the running `flow run`
/// ```
public final class Store {
    public let workspace: String
    public let root: String

    public init(workspace: String) {
        let ws = (workspace as NSString).standardizingPath
        self.workspace = ws
        self.root = (ws as NSString).appendingPathComponent(".flow")
    }

    public func path(_ relative: String) -> String { root + "/" + relative }

    public func objectRelativePath(digest: String) -> String {
        "objects/\(digest.prefix(2))/\(digest).h5"
    }

    func recordPath(key: String) -> String { path("records/\(key.prefix(2))/\(key).json") }

    func statePath(workflow: String, stage: String) -> String { path("state/\(workflow)/\(stage).json") }

    public var tmpDirectory: String { path("tmp") }
    public var runsDirectory: String { path("runs") }

    public func checkpointDirectory(key: String) -> String { path("checkpoints/\(key)") }

    public func prepare() throws {
        for d in ["objects", "records", "state", "checkpoints", "runs", "tmp"] {
            try FileSystem.createDirectory(path(d))
        }
    }

    // MARK: Records

    public func record(key: String) -> StageRecord? {
        guard let data = FileManager.default.contents(atPath: recordPath(key: key)) else { return nil }
        return try? JSONDecoder().decode(StageRecord.self, from: data)
    }

    func write(_ record: StageRecord) throws {
        try FileSystem.writeAtomically(try Self.encoder.encode(record), to: recordPath(key: record.key))
    }

    func removeRecord(key: String) {
        FileSystem.remove(recordPath(key: key))
    }

    public func allRecords() -> [StageRecord] {
        let base = path("records")
        guard let shards = try? FileManager.default.contentsOfDirectory(atPath: base) else { return [] }
        var out: [StageRecord] = []
        for shard in shards.sorted() {
            let dir = base + "/" + shard
            for f in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where f.hasSuffix(".json") && !f.hasPrefix(".") {
                if let data = FileManager.default.contents(atPath: dir + "/" + f),
                   let r = try? JSONDecoder().decode(StageRecord.self, from: data) { out.append(r) }
            }
        }
        return out
    }

    // MARK: State

    public func state(workflow: String, stage: String) -> StageState? {
        guard let data = FileManager.default.contents(atPath: statePath(workflow: workflow, stage: stage)) else { return nil }
        return try? JSONDecoder().decode(StageState.self, from: data)
    }

    func write(_ state: StageState, workflow: String, stage: String) throws {
        try FileSystem.writeAtomically(try Self.encoder.encode(state), to: statePath(workflow: workflow, stage: stage))
    }

    // MARK: Runs

    func write(_ run: RunRecord) throws {
        try FileSystem.writeAtomically(try Self.encoder.encode(run), to: runsDirectory + "/\(run.id).json")
    }

    public func runs() -> [RunRecord] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: runsDirectory)) ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        return files.compactMap { f in
            FileManager.default.contents(atPath: runsDirectory + "/" + f).flatMap { try? JSONDecoder().decode(RunRecord.self, from: $0) }
        }
    }

    // MARK: Temp area

    /// Removes temp files left by flow processes that no longer exist (a crash or kill -9).
    /// Temp names start with the writer's pid. Files of cluster jobs (`<pid>-job-…`) are left to
    /// the head process that tracks the job: their pid is another host's. Called with the
    /// workspace lock held, before any stage starts: a stage process of this host (`-child-`)
    /// that is still alive belongs to a head that died, and follows it within 0.1 s, so it is
    /// waited for (up to a second) instead of being left to write beside this run.
    public func cleanStaleTemporaries() {
        let dir = tmpDirectory
        for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !f.contains("-job-") {
            // Shard files of parts that ran on this host, for a head that is gone.
            if f.hasPrefix("shard-child-") {
                FileSystem.remove(dir + "/" + f)
                continue
            }
            guard let pid = Int32(f.split(separator: "-").first ?? "") else { continue }
            if f.contains("-child-"), pid != getpid() {
                var waited = 0
                while FileSystem.isProcessAlive(pid), waited < 50 {
                    usleep(20_000)
                    waited += 1
                }
            }
            if !FileSystem.isProcessAlive(pid) || pid == getpid() { FileSystem.remove(dir + "/" + f) }
        }
    }

    /// Removes the temp files of a cluster job, whose names carry its tag (`<pid>-job-…`): what
    /// a job killed by its batch system left before its commit point.
    func removeTemporaries(tagged tag: String) {
        for f in (try? FileManager.default.contentsOfDirectory(atPath: tmpDirectory)) ?? [] where f.contains(tag) {
            FileSystem.remove(tmpDirectory + "/" + f)
        }
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return e
    }()
}
