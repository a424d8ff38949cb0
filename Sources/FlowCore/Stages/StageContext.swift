import Foundation
import FlowHDF5
import FlowLinalg

/// Everything a running stage may use (DESIGN §2): its inputs, its one output file,
/// a seeded random source, the system definition, progress/log/cancellation, checkpoints, and a
/// place to publish side files (figures, reports) that end up in `results/<workflow>/`.
public final class StageContext {
    public let stageName: String
    public let kindName: String
    public let workflow: Workflow
    /// The stage's seed (DESIGN §9): every random number of the stage derives from it.
    public let seed: UInt64
    /// The output file being written (in the store's temp area until the stage succeeds).
    public let output: HDF5File
    public let system: SystemDefinition?
    public let monitor: WorkMonitor
    public let checkpoints: Checkpointing
    /// Cores this stage may use (its `resources.cpus` or the kind's default).
    public let cpus: Int
    /// Absolute workspace root.
    public let workspace: String
    /// The store's temp area (`.flow/tmp`), which the next run cleans of a killed process's files.
    let temporaryArea: String
    let resolvedInputs: [String: ResolvedInput]
    /// Set when the stage runs as one of `resources.shards` parts or gathers them; nil otherwise.
    public internal(set) var shard: StageShard?
    /// The job's tag (`flow exec-stage`), put into scratch names so that the head process removes
    /// what a job killed by its batch system left (`Store.removeTemporaries(tagged:)`).
    var temporaryTag: String?
    private(set) var publishedFiles: [String: String] = [:]
    private var warnings: [String] = []

    /// What an input resolved to when the stage started.
    struct ResolvedInput {
        var source: InputSource
        /// Absolute path of the object (stage input) or the file (file input).
        var path: String
        var digest: String
        var info: UpstreamInfo?
    }

    init(stageName: String, kindName: String, workflow: Workflow, seed: UInt64, output: HDF5File,
         system: SystemDefinition?, monitor: WorkMonitor, checkpoints: Checkpointing, cpus: Int,
         workspace: String, temporaryArea: String, inputs: [String: ResolvedInput]) {
        self.stageName = stageName
        self.kindName = kindName
        self.workflow = workflow
        self.seed = seed
        self.output = output
        self.system = system
        self.monitor = monitor
        self.checkpoints = checkpoints
        self.cpus = cpus
        self.workspace = workspace
        self.temporaryArea = temporaryArea
        self.resolvedInputs = inputs
    }

    /// Names of the inputs given in the workflow, in file order.
    public var inputNames: [String] {
        workflow.stage(stageName)?.inputs.map(\.name) ?? resolvedInputs.keys.sorted()
    }

    public func hasInput(_ name: String) -> Bool { resolvedInputs[name] != nil }

    /// Opens input `name` (a stage output, or a file input that is HDF5) read-only.
    public func input(_ name: String) throws -> HDF5File {
        guard let r = resolvedInputs[name] else {
            throw FlowError.stageFailed(stage: stageName, message: "input '\(name)' is not connected; add inputs: {\(name): <stage>}")
        }
        do {
            return try HDF5File.open(r.path, mode: .readOnly)
        } catch {
            if case .file(let p) = r.source {
                throw FlowError.stageFailed(stage: stageName, message: "input '\(name)' (\(p)) is not a readable HDF5 file: \(error)")
            }
            throw FlowError.stageFailed(stage: stageName, message: "cannot open input '\(name)': \(error)")
        }
    }

    /// Absolute path of input `name` (for file inputs in other formats, such as `.npy`).
    public func inputPath(_ name: String) -> String? { resolvedInputs[name]?.path }

    /// The file-input path as written in the workflow, or nil for stage inputs.
    public func inputFileName(_ name: String) -> String? {
        if case .file(let p)? = resolvedInputs[name]?.source { return p }
        return nil
    }

    /// The upstream stage an input comes from, with the record of the run that produced it.
    public func upstream(_ name: String) -> UpstreamInfo? { resolvedInputs[name]?.info }

    /// A generator for the named stream of this stage's seed.
    public func random(_ stream: String = "main") -> RandomSource {
        RandomSource(seed: seed, stream: stream)
    }

    /// Absolute path of the results directory of this workflow instance.
    public var resultsDirectory: String {
        (workspace as NSString).appendingPathComponent(workflow.resultsPath)
    }

    /// Publishes a side file (a figure, `report.md`): stored in the output under `/files/<name>`
    /// (so it is cached and digested with the output) and written to `results/<workflow>/<name>`.
    public func publish(file name: String, contents: Data) throws {
        if let problem = InputLimits.pathComponentProblem(name) {
            throw FlowError.stageFailed(stage: stageName, message: "the file name '\(InputLimits.printable(name))' \(problem); published files are plain file names")
        }
        let group = output.root.contains("files") ? try output.root.group("files") : try output.root.createGroup("files")
        try group.write(name, [UInt8](contents), shape: [contents.count])
        let hasher = SHA256Hasher()
        hasher.update(contents)
        publishedFiles[name] = hasher.finalizeHex()
    }

    /// A new empty directory for the stage's scratch files (gnuplot scripts and data, exported
    /// files before they are published), inside the workspace's temp area. Its name starts with
    /// the pid, so a run after a kill -9 removes it (`Store.cleanStaleTemporaries`); the caller
    /// removes it when done; a cluster job's carry its tag instead. The path is absolute.
    public func makeTemporaryDirectory(_ purpose: String) throws -> String {
        // Absolute, because tools such as gnuplot run with the directory as their working directory.
        let tag = temporaryTag.map { "\($0)-" } ?? ""
        let path = URL(fileURLWithPath: temporaryArea + "/\(getpid())-\(tag)\(stageName)-\(purpose)-\(UUID().uuidString.prefix(8))").standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    public func log(_ message: String) { monitor.log(message) }

    /// Warns about a result that is valid but suspect (a sampler that barely moved): printed on
    /// the console and in the stage's log, and kept in the output's `warnings` attribute, so that
    /// the cached output carries it to later runs and reports.
    public func warn(_ message: String) throws {
        if let m = monitor as? StageMonitor { m.warn(message) } else { monitor.log("warning: \(message)") }
        warnings.append(message)
        try output.root.setAttribute("warnings", .strings(warnings))
    }
    public func progress(done: Int, total: Int, note: String = "") { monitor.progress(done: done, total: total, note: note) }
    public func checkCancellation() throws { try monitor.checkCancellation() }
}

/// What a stage (e.g. `report`) may know about an upstream stage: its identity, nothing about
/// the run that produced it (when, how long, whether cached), so that every output stays a
/// function of its key.
public struct UpstreamInfo: Sendable, Codable {
    public var stage: String
    public var kind: String
    public var key: String
    public var digest: String
}
