import Foundation
import FlowLinalg

/// `flow exec-stage SPEC`: runs the one stage a `StageJobSpec` describes, in whatever process or
/// host reads it, and commits through `StageExecutor`'s commit point into the workspace's store.
/// No workflow is read and nothing is planned: inputs still being computed when the spec was
/// written are read from their stages' exit records, the key is computed with the same
/// `Manifest` as the head's, and a verified cached output with that key is reused (early cut-off
/// when an upstream stage reproduced its old output). The outcome is written as a `StageExit`.
public struct StageJobRunner {
    public let registry: StageRegistry
    public let console: Console
    /// How long to wait for an upstream exit record to become visible (NFS attribute caches).
    public var visibilityWait: Double = 30

    public init(registry: StageRegistry, console: Console = Console()) {
        self.registry = registry
        self.console = console
    }

    /// Runs the stage; returns the exit code (0 ran or cached, 1 failed, 130 cancelled). With
    /// `part`, runs that part of a sharded stage into its shard file (no commit); without it, a
    /// sharded stage gathers the shard files its parts left and commits the one output. `cpus`
    /// overrides the spec's (parts sharing one machine).
    public func run(specPath: String, part: Int? = nil, cpus: Int? = nil) throws -> Int32 {
        guard let data = FileManager.default.contents(atPath: specPath) else {
            throw FlowError.usage("stage spec '\(specPath)' not found; exec-stage takes the .spec.json that flow run writes under .flow/runs/")
        }
        let spec: StageJobSpec
        do {
            spec = try JSONDecoder().decode(StageJobSpec.self, from: data)
        } catch {
            throw FlowError.usage("'\(specPath)' is not a stage spec written by flow run: \(error)")
        }
        guard spec.schema == StageJobSpec.schema else {
            throw FlowError.usage("'\(specPath)' has spec schema \(spec.schema); this flow reads schema \(StageJobSpec.schema): run the jobs with the flow binary of the head process")
        }
        if let part {
            guard let n = spec.shards, (0..<n).contains(part) else {
                throw FlowError.usage("--part \(part): the stage '\(spec.stage)' of '\(specPath)' runs as \(spec.shards ?? 1) part(s), numbered from 0")
            }
        }
        let store = Store(workspace: spec.workspace)
        let started = Date()
        // Relayed to a head process, which prints the outcome itself from the exit record.
        let relayed = console.mode == .relay
        let exitRecord = part.map(spec.partExitRecord) ?? spec.exitRecord
        let label = part.map { "stage \(spec.stage) part \($0 + 1) of \(spec.shards!)" } ?? "stage \(spec.stage)"
        func exit(_ status: String, _ message: String? = nil, key: String? = nil, digest: String? = nil,
                  duration: Double? = nil, peak: Int64? = nil, log: String? = nil, corruptInput: String? = nil) throws -> Int32 {
            let e = StageExit(status: status, message: message, key: key, digest: digest,
                              durationSeconds: duration ?? Date().timeIntervalSince(started), peakMemoryBytes: peak,
                              host: FileSystem.hostName, log: log, corruptInput: corruptInput)
            try FileSystem.writeAtomically(try Store.encoder.encode(e), to: exitRecord)
            switch status {
            case "ran", "cached": return 0
            case "cancelled": return 130
            default:
                if !relayed { console.line("flow: \(label) failed: \(message ?? "")") }
                return 1
            }
        }
        let node: StageNode
        let inputs: [String: StageContext.ResolvedInput]
        do {
            node = try buildNode(spec, location: SourceLocation(file: specPath, line: 1, column: 1), cpus: cpus)
            inputs = try resolveInputs(spec, store: store)
        } catch {
            return try exit("failed", StageExecutor.describe(error))
        }
        var digests: [String: String] = [:]
        for input in spec.inputs {
            let r = inputs[input.name]!
            digests[input.name] = input.stage == nil ? r.digest : "sha256:" + r.digest
        }
        let system = node.spec.systemName.flatMap { node.workflow.systems[$0] }
        let manifest = Manifest.build(stage: node.spec, system: system, inputDigests: digests)
        let key = Manifest.key(of: manifest)
        if let expected = spec.key, expected != key {
            return try exit("failed", "the spec does not reproduce its key (\(expected.prefix(12)) planned, \(key.prefix(12)) here): the job's flow binary differs from the head's")
        }
        node.manifest = manifest
        node.key = key
        if !spec.forced, let record = CacheResolver(store: store, verifyAll: false).verifiedRecord(key: key, stage: spec.stage) {
            if !relayed { console.line("  ✓ \(node.displayName)  cached") }
            return try exit("cached", key: key, digest: record.digest, duration: 0)
        }
        var shard: StageShard?
        var shardFiles: [String] = []
        if let n = spec.shards {
            shardFiles = (0..<n).map { spec.shardFile($0, store: store) }
            if let part {
                shard = .part(index: part, count: n)
            } else {
                if let problem = partsProblem(spec, key: key, files: shardFiles) {
                    shardFiles.forEach(FileSystem.remove)
                    return try exit(problem.status, problem.message, key: key)
                }
                shard = .gather(files: shardFiles)
            }
        }
        // The gather step consumes the shard files whatever its outcome; a part keeps its own.
        defer { if case .gather? = shard { shardFiles.forEach(FileSystem.remove) } }
        BLASThreads.count = 1
        let cancellation = CancellationFlag()
        let signals = SignalTrap(cancellation: cancellation, console: console)
        defer { signals.restore() }
        var options = RunOptions()
        options.checkpointInterval = spec.checkpointInterval
        var runner = StageExecutor(store: store, console: console, cancellation: cancellation, options: options, runID: spec.runID)
        runner.temporaryTag = spec.temporaryTag
        runner.shard = shard
        runner.shardFile = part.map { shardFiles[$0] }
        try FileSystem.createDirectory(store.tmpDirectory)
        let result = runner.run(node, inputs: inputs)
        let log = node.logPath
        switch result.status {
        case .ran:
            return try exit("ran", key: key, digest: result.record?.digest, duration: result.duration, peak: result.peakMemory, log: log)
        case .cancelled:
            return try exit("cancelled", "cancelled", key: key, duration: result.duration, log: log)
        case .failed(let m):
            return try exit("failed", m, key: key, duration: result.duration, peak: result.peakMemory, log: log,
                            corruptInput: result.corruptInput)
        default:
            return try exit("failed", "unexpected outcome \(result.status.word)", key: key, log: log)
        }
    }

    /// Why the parts of a sharded stage cannot be gathered (a part failed, was cancelled, or left
    /// no shard file for this key), or nil when every part ran. A failure is reported before a
    /// cancellation or a missing exit record: a failing part cancels its siblings, and one
    /// stopped before its signal trap was set writes no record. Records not yet visible (a shared
    /// filesystem's latency) are waited for only when no part has reported a failure.
    func partsProblem(_ spec: StageJobSpec, key: String, files: [String]) -> (status: String, message: String)? {
        let n = files.count
        var exits = (0..<n).map { StageExit.read(spec.partExitRecord($0)) }
        for i in 0..<n {
            if let e = exits[i], let failure = partFailure(e, part: i, of: n, key: key, file: files[i]) { return failure }
        }
        for i in 0..<n where exits[i] == nil {
            let record = spec.partExitRecord(i)
            let deadline = Date().addingTimeInterval(visibilityWait)
            while exits[i] == nil, Date() < deadline {
                usleep(200_000)
                exits[i] = StageExit.read(record)
            }
            guard let e = exits[i] else { return ("failed", "part \(i + 1) of \(n) left no exit record (\(record)); was its job killed?") }
            if let failure = partFailure(e, part: i, of: n, key: key, file: files[i]) { return failure }
        }
        return exits.indices.first { exits[$0]?.status == "cancelled" }.map { ("cancelled", "part \($0 + 1) of \(n) was cancelled") }
    }

    /// The failure a part's exit record reports, or nil when it ran (or was cancelled).
    func partFailure(_ e: StageExit, part i: Int, of n: Int, key: String, file: String) -> (status: String, message: String)? {
        switch e.status {
        case "ran" where e.key == key && FileSystem.exists(file), "cancelled": return nil
        case "ran", "cached": return ("failed", "part \(i + 1) of \(n) computed key \(e.key?.prefix(12) ?? "none"), not \(key.prefix(12)), or left no shard file; run flow run again")
        default: return ("failed", "part \(i + 1) of \(n): \(e.message ?? "failed")")
        }
    }

    /// The stage as the head resolved it, decoded through the kind's own parameter decoder.
    func buildNode(_ spec: StageJobSpec, location: SourceLocation, cpus: Int? = nil) throws -> StageNode {
        guard let kind = registry.stageKinds[spec.kind] else {
            throw FlowError.usage("stage kind '\(spec.kind)' is unknown to this flow binary; run the jobs with the head's flow")
        }
        guard kind.version == spec.kindVersion else {
            throw FlowError.usage("stage kind '\(spec.kind)' is version \(kind.version) in this flow binary, \(spec.kindVersion) in the spec; run the jobs with the head's flow")
        }
        let session = ParameterSession(stage: spec.stage, keyPrefix: "params", at: location, workspace: spec.workspace)
        let (parameters, resolved) = try kind.decodeResolved(spec.parameters, session)
        var systems: [String: SystemDefinition] = [:]
        if let s = spec.system {
            guard let systemKind = registry.systemKinds[s.kind] else {
                throw FlowError.usage("system kind '\(s.kind)' is unknown to this flow binary")
            }
            var params = s.resolved.objectValue ?? [:]
            params.removeValue(forKey: "kind")
            let systemSession = ParameterSession(stage: spec.stage, keyPrefix: "systems.\(s.name)", at: location, workspace: spec.workspace)
            let (value, _) = try systemKind.decodeResolved(.object(params), systemSession)
            systems[s.name] = SystemDefinition(name: s.name, kind: s.kind, location: location, parameters: value, resolved: s.resolved)
        }
        guard let seed = UInt64(spec.seed) else { throw FlowError.usage("the spec's seed '\(spec.seed)' is not a 64-bit integer") }
        var resources = Resources()
        resources.cpus = cpus ?? spec.cpus
        resources.shards = spec.shards
        let inputs: [(name: String, source: InputSource)] = spec.inputs.map { i in
            (i.name, i.stage.map { InputSource.stage($0) } ?? .file(i.file ?? ""))
        }
        let stage = StageSpec(name: spec.stage, kind: kind, location: location, description: nil, parameters: parameters,
                              resolvedParameters: resolved, inputs: inputs, systemName: spec.system?.name, seed: seed,
                              resources: resources)
        let workflow = Workflow(name: spec.workflowName, instance: spec.instance, file: spec.workflowFile,
                                description: spec.workflowDescription, seed: 0, systems: systems, stages: [stage])
        return StageNode(workflow: workflow, spec: stage)
    }

    /// Every input's path and digest: from the spec, or from the exit record of an upstream job.
    func resolveInputs(_ spec: StageJobSpec, store: Store) throws -> [String: StageContext.ResolvedInput] {
        var out: [String: StageContext.ResolvedInput] = [:]
        for i in spec.inputs {
            let source = i.stage.map { InputSource.stage($0) } ?? .file(i.file ?? "")
            if let path = i.path, let digest = i.digest {
                out[i.name] = .init(source: source, path: path, digest: digest, info: i.upstream)
                continue
            }
            guard let exitPath = i.exitRecord, let upstream = i.stage else {
                throw FlowError.usage("input '\(i.name)' of the spec has neither a path nor an upstream exit record")
            }
            let deadline = Date().addingTimeInterval(visibilityWait)
            var exit = StageExit.read(exitPath)
            while exit == nil, Date() < deadline {
                usleep(200_000)
                exit = StageExit.read(exitPath)
            }
            guard let e = exit, e.status == "ran" || e.status == "cached", let key = e.key, let record = store.record(key: key) else {
                throw FlowError.stageFailed(stage: spec.stage, message: "input '\(i.name)': stage '\(upstream)' left no committed output (\(exitPath))")
            }
            out[i.name] = .init(source: source, path: store.path(record.object), digest: record.digest,
                                info: UpstreamInfo(stage: upstream, kind: record.kind, key: key, digest: record.digest))
        }
        return out
    }
}
