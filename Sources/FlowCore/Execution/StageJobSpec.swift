import Foundation

/// One stage resolved by the head process and serialized for `flow exec-stage` (DESIGN §5): the
/// kind and its version, the resolved parameters and system, the seed, and where every input is.
/// The process that runs it decodes the parameters through the kind's own decoder
/// (`StageKindDescriptor.decodeResolved`, round-trip tested for every kind), so it runs exactly
/// the stage the head planned, without reading the workflow file again.
///
/// An input produced by an upstream stage still running elsewhere (a Slurm job ordered by
/// `afterok`) is named by that stage's exit record; its digest, and so this stage's key, is
/// known only when the job starts. The key is then computed where the job runs, with the same
/// `Manifest`, and the head process checks it against its own computation when the job ends.
public struct StageJobSpec: Codable {
    public static let schema = 1

    public struct Input: Codable {
        public var name: String
        /// The upstream stage, or nil for a file input.
        public var stage: String?
        /// The file as written in the workflow (file inputs).
        public var file: String?
        /// Absolute path of the upstream object or of the file; nil while the upstream runs.
        public var path: String?
        /// Content digest: bare hex for a stage output, `sha256:<hex>` for a file (as in the manifest).
        public var digest: String?
        /// The upstream stage's exit record, read when `digest` is nil.
        public var exitRecord: String?
        public var upstream: UpstreamInfo?
    }

    public struct System: Codable {
        var name: String
        var kind: String
        /// `SystemDefinition.resolved`: `{kind, params…}` with defaults filled in.
        @CanonicalJSON var resolved: JSONValue
    }

    public var schema: Int
    /// Absolute workspace root.
    public var workspace: String
    public var runID: String
    public var workflowName: String
    public var instance: String?
    public var workflowFile: String
    public var workflowDescription: String?
    public var stage: String
    public var kind: String
    public var kindVersion: Int
    @CanonicalJSON public var parameters: JSONValue
    public var system: System?
    /// Decimal text: JSON numbers lose 64-bit seeds.
    public var seed: String
    public var cpus: Int
    public var forced: Bool
    public var checkpointInterval: Double
    /// The key when every input was known at planning time.
    public var key: String?
    /// In file order.
    public var inputs: [Input]
    /// Where the process running the stage writes its `StageExit`.
    public var exitRecord: String
    /// Marks the stage's temp files (`<pid>-<tag>…`), so that the head removes them when a batch
    /// system kills the job.
    public var temporaryTag: String
    /// `resources.shards` when above 1: `flow exec-stage SPEC --part I` computes part I, and
    /// `flow exec-stage SPEC` gathers the parts (DESIGN §5).
    public var shards: Int?

    /// Part `index`'s shard file, in the temp area under the job's tag, so that the head removes
    /// it with the job's other temp files once the stage ended.
    func shardFile(_ index: Int, store: Store) -> String {
        store.tmpDirectory + "/shard-\(temporaryTag)-\(index)-of-\(shards ?? 1).h5"
    }

    /// Where part `index` writes its `StageExit`, beside the stage's own.
    func partExitRecord(_ index: Int) -> String {
        Self.partExitRecord(exitRecord, index)
    }

    static func partExitRecord(_ exitRecord: String, _ index: Int) -> String {
        (exitRecord.hasSuffix(".exit.json") ? String(exitRecord.dropLast(".exit.json".count)) : exitRecord) + ".part-\(index).exit.json"
    }
}

/// How a stage ended in the process that ran it: read by the head process (and by downstream
/// jobs for their inputs) from the shared file system.
public struct StageExit: Codable {
    /// ran | cached | failed | cancelled
    public var status: String
    public var message: String?
    public var key: String?
    public var digest: String?
    public var durationSeconds: Double
    public var peakMemoryBytes: Int64?
    public var host: String
    public var log: String?
    /// The input whose object failed re-digesting when the stage started (it was removed): the
    /// head recomputes that input and starts the stage again, as for a stage run on a thread.
    public var corruptInput: String?

    static func read(_ path: String) -> StageExit? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(StageExit.self, from: $0) }
    }
}
