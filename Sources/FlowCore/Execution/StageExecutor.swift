import Foundation
import FlowLinalg
import FlowHDF5
#if canImport(Glibc)
import Glibc
#endif

/// Runs one stage into the temp area and commits it (DESIGN §4 "commit point"): the stage
/// writes `.flow/tmp/<pid>-…h5`; on success the output is digested, fsynced, made read-only and
/// renamed into `objects/`, and the record is written last. Any failure before the record
/// leaves the store as it was; a crash at any moment leaves at worst an unreferenced object or
/// temp file, which the next run ignores or cleans.
struct StageExecutor {
    let store: Store
    let console: Console
    let cancellation: CancellationFlag
    let options: RunOptions
    let runID: String
    /// Put into temp file names by `flow exec-stage`, so that the head process can remove what a
    /// job killed by its batch system left behind.
    var temporaryTag: String? = nil
    /// When the stage runs as one part of a sharded stage, or gathers the parts (`flow exec-stage`).
    var shard: StageShard? = nil
    /// Where a part's shard file goes once the part succeeded (`shard` is `.part`).
    var shardFile: String? = nil

    struct Result {
        var status: StageStatus
        var record: StageRecord?
        var duration: Double
        var peakMemory: Int64?
        /// The stage's log, when the stage ran in another process (this process sets the node's).
        var logPath: String?
        /// The input whose object failed re-digesting (and was removed) before the stage read it:
        /// the scheduler recomputes that input and runs the stage again in the same run.
        var corruptInput: String?
    }

    /// Re-digests every stage input before the stage reads it: an object edited in place with its
    /// size and mtime restored passes the stat check of the cache, and a stage computing from it
    /// would commit a wrong output under a key built from the input's recorded digest. A corrupt
    /// object is removed, so that it is recomputed (by the scheduler in the same run, or by the
    /// next run) instead of reused. Returns the input's name and the failure to report.
    func verifyInputs(_ inputs: [String: StageContext.ResolvedInput]) -> (input: String, problem: String)? {
        for (name, input) in inputs.sorted(by: { $0.key < $1.key }) {
            guard case .stage(let upstream) = input.source else { continue }
            let actual = try? ContentDigest.of(hdf5: input.path)
            if actual == input.digest { continue }
            FileSystem.remove(input.path)
            return (name, "input '\(name)': the output of stage '\(upstream)' no longer matches its recorded digest (corrupted or edited in place); it was removed, run flow run again to recompute it and then this stage")
        }
        return nil
    }

    func run(_ node: StageNode, inputs: [String: StageContext.ResolvedInput]) -> Result {
        let key = node.key!
        let started = Date()
        let tmp = store.tmpDirectory + "/\(getpid())-" + (temporaryTag.map { "\($0)-" } ?? "") + "\(key.prefix(16))-\(node.spec.name).h5"
        let logDir = store.runsDirectory + "/\(runID)"
        try? FileSystem.createDirectory(logDir)
        var logName = node.workflow.instance.map { "\(node.spec.name)@\($0)" } ?? node.spec.name
        if case .part(let i, _)? = shard { logName += ".part-\(i)" }
        node.logPath = logDir + "/\(logName).log"
        let monitor = StageMonitor(name: node.displayName, console: console, cancellation: cancellation, logPath: node.logPath)
        var checkpointDirectory = store.checkpointDirectory(key: key)
        if case .part(let i, let n)? = shard { checkpointDirectory += "/part-\(i)-of-\(n)" }
        let checkpoints = StoreCheckpoints(directory: checkpointDirectory, key: key, interval: options.checkpointInterval,
                                           cancellation: cancellation, onResume: { monitor.note($0) }, onDiscard: { monitor.warn($0) })
        MemoryUsage.resetPeak()
        func finish(_ status: StageStatus, _ record: StageRecord? = nil) -> Result {
            Result(status: status, record: record, duration: Date().timeIntervalSince(started), peakMemory: MemoryUsage.peak())
        }
        if let corrupt = verifyInputs(inputs) {
            var result = finish(.failed(corrupt.problem))
            result.corruptInput = corrupt.input
            return result
        }
        let output: HDF5File
        do {
            FileSystem.remove(tmp)
            output = try HDF5File.create(tmp)
        } catch {
            return finish(.failed("cannot create the output file in \(store.tmpDirectory): \(error)"))
        }
        let system = node.spec.systemName.flatMap { node.workflow.systems[$0] }
        let context = StageContext(stageName: node.spec.name, kindName: node.spec.kind.name, workflow: node.workflow,
                                   seed: node.spec.seed, output: output, system: system, monitor: monitor,
                                   checkpoints: checkpoints, cpus: min(node.cpus, ProcessInfo.processInfo.activeProcessorCount),
                                   workspace: store.workspace, temporaryArea: store.tmpDirectory, inputs: inputs)
        context.shard = shard
        context.temporaryTag = temporaryTag
        monitor.log("stage \(node.spec.name) (\(node.spec.kind.name) v\(node.spec.kind.version)) key \(key)")
        console.begin(node.displayName)
        defer { console.end(node.displayName) }
        do {
            try node.spec.kind.run(node.spec.parameters, in: context)
            if case .part(let i, let n)? = shard, let shardFile {
                try output.close()
                try FileSystem.fsyncFile(tmp)
                try FileSystem.rename(tmp, to: shardFile)
                monitor.log("part \(i + 1) of \(n) written to \(shardFile)")
                return finish(.ran)
            }
            let problems = try OutputContract.violations(of: output.root, declared: node.spec.kind.outputs(for: node.spec.parameters))
            if !problems.isEmpty {
                throw FlowError.stageFailed(stage: node.spec.name, message: "internal error: the output breaks the declared contract of '\(node.spec.kind.name)' (\(problems.joined(separator: "; "))); please report this")
            }
            try writeProvenance(node, system: system, to: output)
            try output.close()
        } catch {
            try? output.close()
            FileSystem.remove(tmp)
            if error is WorkCancelled || cancellation.isCancelled {
                monitor.log("cancelled")
                return finish(.cancelled)
            }
            let message = Self.describe(error)
            monitor.log("failed: \(message)")
            try? store.write(StageState(key: key, manifest: node.manifest!, succeeded: false, error: message,
                                        finishedAt: Timestamp.now()), workflow: node.workflow.qualifiedName, stage: node.spec.name)
            return finish(.failed(message))
        }
        do {
            let digest = try ContentDigest.of(hdf5: tmp)
            let objectRel = store.objectRelativePath(digest: digest)
            let object = store.path(objectRel)
            try FileSystem.fsyncFile(tmp)
            chmod(tmp, 0o444)
            if FileSystem.exists(object) {
                FileSystem.remove(tmp)
            } else {
                try FileSystem.createDirectory((object as NSString).deletingLastPathComponent)
                try FileSystem.rename(tmp, to: object)
                FileSystem.syncDirectory((object as NSString).deletingLastPathComponent)
            }
            let duration = Date().timeIntervalSince(started)
            let record = StageRecord(schema: StageRecord.schema, key: key, manifest: node.manifest!, digest: digest,
                                     object: objectRel, objectIdentity: FileSystem.identity(object),
                                     files: context.publishedFiles, stage: node.spec.name, workflow: node.workflow.qualifiedName,
                                     kind: node.spec.kind.name, kindVersion: node.spec.kind.version,
                                     startedAt: Timestamp.string(started), durationSeconds: duration,
                                     peakMemoryBytes: MemoryUsage.peak(), host: FileSystem.hostName, flowVersion: FlowVersion.current)
            try store.write(record)
            checkpoints.discard()
            monitor.log("committed \(objectRel) in \(String(format: "%.3f", duration)) s")
            return finish(.ran, record)
        } catch {
            FileSystem.remove(tmp)
            return finish(.failed("cannot commit the output: \(Self.describe(error))"))
        }
    }

    /// Root attributes recording where the output came from (DESIGN §6). They are excluded from
    /// the content digest (see `ContentDigest`).
    func writeProvenance(_ node: StageNode, system: SystemDefinition?, to file: HDF5File) throws {
        let root = file.root
        try root.setAttribute("kind", .string(node.spec.kind.name))
        try root.setAttribute("kind_version", .int(Int64(node.spec.kind.version)))
        try root.setAttribute("key", .string(node.key!))
        try root.setAttribute("parameters", .string(node.spec.resolvedParameters.canonical))
        if let system { try root.setAttribute("system", .string(system.resolved.canonical)) }
        try root.setAttribute("seed", .int(Int64(bitPattern: node.spec.seed)))
        try root.setAttribute("stage", .string(node.spec.name))
        try root.setAttribute("workflow", .string(node.workflow.qualifiedName))
        try root.setAttribute("flow_version", .string(FlowVersion.current))
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? FlowError, case .stageFailed(_, let m) = e { return m }
        return String(describing: error)
    }
}

/// Peak resident memory of the process, from /proc (Linux).
enum MemoryUsage {
    /// Resets the high-water mark so the next reading covers the stage that starts now.
    static func resetPeak() {
        if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            h.write(Data("5".utf8))
            try? h.close()
        }
    }

    static func peak() -> Int64? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Int64($0) }.first
            return kb.map { $0 * 1024 }
        }
        return nil
    }
}

public enum FlowVersion {
    public static let current = "0.1.0"
}
