import Foundation
import FlowHDF5

/// The head process's side of stages run in other processes: writes each stage's
/// `StageJobSpec` into the run record (`.flow/runs/<run>/<stage>.spec.json`) and turns the
/// `StageExit` the job leaves next to it into the scheduler's result, after verifying the commit:
/// the record exists for the reported key, the object's content digest is the recorded one, and
/// the output keeps the kind's declared contract. (The scheduler then checks the key against its
/// own manifest.) Nothing a job reports is taken on trust.
final class StageJobs {
    let store: Store
    let runID: String
    let options: RunOptions
    let directory: String

    init(store: Store, runID: String, options: RunOptions) {
        self.store = store
        self.runID = runID
        self.options = options
        self.directory = store.runsDirectory + "/\(runID)"
    }

    func logName(_ node: StageNode) -> String {
        node.workflow.instance.map { "\(node.spec.name)@\($0)" } ?? node.spec.name
    }

    func path(_ node: StageNode, _ suffix: String) -> String {
        directory + "/\(logName(node)).\(suffix)"
    }

    func specPath(_ node: StageNode) -> String { path(node, "spec.json") }
    func exitPath(_ node: StageNode) -> String { path(node, "exit.json") }
    func partExitPath(_ node: StageNode, _ index: Int) -> String { StageJobSpec.partExitRecord(exitPath(node), index) }
    func outputPath(_ node: StageNode) -> String { path(node, "out") }
    func logPath(_ node: StageNode) -> String { path(node, "log") }
    /// Temp files of a stage run elsewhere carry this tag, so that the head can remove what a
    /// killed job left. Cluster jobs' names say `job` (their pid is another host's, so the
    /// start-up clean-up leaves them to the head that tracks the job); a child process on this
    /// host says `child`, and the clean-up of dead pids covers it when the head itself died.
    var temporaryKind = "job"

    func temporaryTag(_ node: StageNode) -> String { "\(temporaryKind)-\(runID)-\(logName(node))" }

    func spec(for launch: StageLaunch) -> StageJobSpec {
        let node = launch.node
        let inputs: [StageJobSpec.Input] = node.spec.inputs.map { input in
            var i = StageJobSpec.Input(name: input.name)
            switch input.source {
            case .stage(let s): i.stage = s
            case .file(let f): i.file = f
            }
            if let known = launch.inputs[input.name] {
                i.path = URL(fileURLWithPath: known.path).standardizedFileURL.path
                i.digest = known.digest
                i.upstream = known.info
            } else if let up = launch.pending[input.name] {
                i.exitRecord = exitPath(up)
            }
            return i
        }
        let system = node.spec.systemName.flatMap { node.workflow.systems[$0] }
        return StageJobSpec(schema: StageJobSpec.schema, workspace: store.workspace, runID: runID,
                            workflowName: node.workflow.name, instance: node.workflow.instance,
                            workflowFile: node.workflow.file, workflowDescription: node.workflow.description,
                            stage: node.spec.name, kind: node.spec.kind.name, kindVersion: node.spec.kind.version,
                            parameters: node.spec.resolvedParameters,
                            system: system.map { .init(name: $0.name, kind: $0.kind, resolved: $0.resolved) },
                            seed: String(node.spec.seed), cpus: node.cpus, forced: node.forced,
                            checkpointInterval: options.checkpointInterval, key: node.key, inputs: inputs,
                            exitRecord: exitPath(node), temporaryTag: temporaryTag(node), shards: node.shards > 1 ? node.shards : nil)
    }

    /// Writes the spec of a stage about to start elsewhere; returns its path.
    func write(_ launch: StageLaunch) throws -> String {
        try FileSystem.createDirectory(directory)
        let target = specPath(launch.node)
        FileSystem.remove(exitPath(launch.node))
        for i in 0..<launch.node.shards { FileSystem.remove(partExitPath(launch.node, i)) }
        try FileSystem.writeAtomically(try Store.encoder.encode(spec(for: launch)), to: target)
        return target
    }

    /// The result of a job that ended, from its exit record. `killed` is the batch system's word
    /// when it ended the job itself (time limit, memory, node failure): that outcome wins over
    /// whatever the job managed to write, and its temp files are removed.
    func result(_ node: StageNode, killed: String? = nil, missing: String? = nil) -> StageExecutor.Result {
        let log = logPath(node)
        func failed(_ message: String) -> StageExecutor.Result {
            .init(status: .failed(message), record: nil, duration: 0, peakMemory: nil, logPath: log)
        }
        /// A job that died could not record its failure for `flow status`; the head does.
        func died(_ message: String) -> StageExecutor.Result {
            removeTemporaries(node)
            if let key = node.key, let manifest = node.manifest {
                try? store.write(StageState(key: key, manifest: manifest, succeeded: false, error: message, finishedAt: Timestamp.now()),
                                 workflow: node.workflow.qualifiedName, stage: node.spec.name)
            }
            return failed(message)
        }
        if let killed { return died(killed) }
        guard let exit = StageExit.read(exitPath(node)) else {
            return died(missing ?? "the stage's process ended without an exit record; see \(relative(outputPath(node)))")
        }
        var result = StageExecutor.Result(status: .failed(exit.message ?? "failed"), record: nil, duration: exit.durationSeconds,
                                          peakMemory: exit.peakMemoryBytes, logPath: log)
        switch exit.status {
        case "ran", "cached":
            if let problem = verifyCommit(node, exit) { return failed(problem) }
            result.record = store.record(key: exit.key!)
            result.status = exit.status == "ran" ? .ran : .cached
        case "cancelled":
            result.status = .cancelled
        default:
            result.corruptInput = exit.corruptInput
        }
        return result
    }

    /// Why the commit a job reports cannot be used, or nil when it holds.
    func verifyCommit(_ node: StageNode, _ exit: StageExit) -> String? {
        guard let key = exit.key, let digest = exit.digest, let record = store.record(key: key) else {
            return "the job reported a commit but the store has no record for it (shared file system not shared?)"
        }
        guard record.digest == digest else { return "the job's record for key \(key.prefix(12)) has another digest than it reported" }
        let object = store.path(record.object)
        guard (try? ContentDigest.of(hdf5: object)) == digest else {
            return "the object the job committed (\(record.object)) does not match its digest"
        }
        do {
            let file = try HDF5File.open(object, mode: .readOnly)
            defer { try? file.close() }
            let problems = try OutputContract.violations(of: file.root, declared: node.spec.kind.outputs(for: node.spec.parameters))
            if !problems.isEmpty { return "the job's output breaks the contract of '\(node.spec.kind.name)': \(problems.joined(separator: "; "))" }
        } catch {
            return "cannot read the job's output \(record.object): \(error)"
        }
        return nil
    }

    /// Removes what a killed job left in the temp area (its commit never happened, so the store
    /// holds no partial object).
    func removeTemporaries(_ node: StageNode) {
        store.removeTemporaries(tagged: temporaryTag(node))
    }

    func relative(_ path: String) -> String {
        path.hasPrefix(store.workspace + "/") ? String(path.dropFirst(store.workspace.count + 1)) : path
    }
}
