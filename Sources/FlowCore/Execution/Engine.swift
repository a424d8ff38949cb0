import Foundation
import FlowHDF5
import FlowLinalg
#if canImport(Glibc)
import Glibc
#endif

/// Runs workflows against the store of one workspace: resolves cache keys in topological
/// order, reuses verified cached outputs, runs the rest concurrently (DESIGN §4–§5), and keeps
/// the store consistent whatever happens.
public final class Engine {
    public let store: Store
    public let console: Console

    public init(workspace: String, console: Console = Console()) {
        self.store = Store(workspace: workspace)
        self.console = console
    }

    // MARK: - run

    public func run(_ workflows: [Workflow], options: RunOptions, command: [String] = CommandLine.arguments) throws -> RunSummary {
        let nodes = try StagePlan.nodes(for: workflows, options: options)
        // One BLAS thread for the whole run: results must not depend on which stages happen to
        // run side by side (OpenBLAS bits depend on its thread count, a process-wide setting).
        BLASThreads.count = 1
        try store.prepare()
        let lock = WorkspaceLock(store: store)
        if !options.dryRun {
            if let previous = try lock.acquire(wait: options.lockWait, command: command.joined(separator: " ")) {
                console.line("flow: took over the workspace lock of pid \(previous.pid) (no longer running)")
            }
            store.cleanStaleTemporaries()
        }
        defer { lock.release() }
        let runID = Self.newRunID()
        let cancellation = CancellationFlag()
        let signals = options.dryRun ? nil : SignalTrap(cancellation: cancellation, console: console)
        defer { signals?.restore() }
        let resolver = CacheResolver(store: store, verifyAll: options.verify)
        var record = RunRecord(id: runID, command: command, workflowFile: workflows.first?.file ?? "",
                               startedAt: Timestamp.now(), finishedAt: nil, exitCode: nil, stages: [])
        let started = Date()
        if !options.dryRun { SlurmAdoption(store: store, console: console).adopt(cancellation: cancellation) }
        let executor = try makeExecutor(options, workflows: workflows, runID: runID, cancellation: cancellation)
        let scheduler = Scheduler(nodes: nodes, options: options, store: store, console: console, resolver: resolver,
                                  cancellation: cancellation, runID: runID, publisher: ResultPublisher(store: store, files: resolver.files, console: console),
                                  executor: executor)
        signals?.onSignal = { scheduler.wake() }
        scheduler.execute()
        resolver.files.save()
        if let job = executor as? SlurmExecutor, options.detach { job.reportDetached() }
        let summary = RunSummary(outcomes: nodes.map(\.outcome), runID: options.dryRun ? nil : runID,
                                 interrupted: cancellation.isCancelled)
        if !options.dryRun {
            record.finishedAt = Timestamp.now()
            record.exitCode = summary.exitCode
            record.stages = nodes.map { n in
                var error: String?
                if case .failed(let m) = n.status ?? .cached { error = m }
                if case .skipped(let m) = n.status ?? .cached { error = m }
                return RunRecord.Entry(workflow: n.workflow.qualifiedName, stage: n.spec.name, kind: n.spec.kind.name,
                                       status: n.status?.word ?? "skipped", key: n.key, digest: n.digest,
                                       durationSeconds: n.durationSeconds, peakMemoryBytes: n.peakMemoryBytes,
                                       log: n.logPath.map { String($0.dropFirst(store.workspace.count + 1)) }, error: error)
            }
            try? store.write(record)
        }
        let elapsed = Date().timeIntervalSince(started)
        printSummary(summary, workflows: workflows, elapsed: elapsed, dryRun: options.dryRun)
        return summary
    }

    /// The executor `options.executor` names; Slurm settings are the workflow's `executor:`
    /// block over the user's configuration file.
    func makeExecutor(_ options: RunOptions, workflows: [Workflow], runID: String, cancellation: CancellationFlag) throws -> Executor? {
        // Jobs run elsewhere (another working directory, another host): every path they see is absolute.
        let jobs = StageJobs(store: Store(workspace: URL(fileURLWithPath: store.workspace).standardizedFileURL.path),
                             runID: runID, options: options)
        switch options.executor {
        case .local:
            if options.detach { throw FlowError.usage("--detach needs a batch executor: add --executor slurm") }
            guard nodesShard(workflows) else { return nil }
            return LocalExecutor(runner: StageExecutor(store: store, console: console, cancellation: cancellation, options: options, runID: runID),
                                 parts: ProcessExecutor(jobs: jobs, flowBinary: ProcessExecutor.currentBinary, console: console))
        case .process:
            if options.detach { throw FlowError.usage("--detach needs a batch executor: add --executor slurm") }
            return ProcessExecutor(jobs: jobs, flowBinary: ProcessExecutor.currentBinary, console: console)
        case .slurm:
            let settings = (workflows.first?.executor ?? ExecutorSettings()).over(try ExecutorSettings.userDefaults())
            let binary = settings.flow ?? ProcessExecutor.currentBinary
            return SlurmExecutor(jobs: jobs, settings: settings, flowBinary: binary, console: console, detached: options.detach)
        }
    }

    /// Whether a stage of `workflows` runs in parts (`resources.shards` above 1).
    func nodesShard(_ workflows: [Workflow]) -> Bool {
        workflows.contains { $0.stages.contains { ($0.resources.shards ?? 1) > 1 } }
    }

    func printSummary(_ s: RunSummary, workflows: [Workflow], elapsed: Double, dryRun: Bool) {
        if dryRun {
            console.line("flow: dry run: \(s.count("stale")) would run, \(s.count("cached")) cached")
            return
        }
        var parts = ["\(s.count("ran")) ran", "\(s.count("cached")) cached"]
        for w in ["failed", "skipped", "cancelled", "submitted"] where s.count(w) > 0 { parts.append("\(s.count(w)) \(w)") }
        let dirs = Set(workflows.map { $0.instance == nil ? $0.resultsPath : "results/\($0.name)" }).sorted()
        var line = "flow: \(parts.joined(separator: ", ")) in \(Console.duration(elapsed))"
        if s.interrupted { line += " (interrupted)" }
        console.line(line + "; results in \(dirs.joined(separator: ", "))/")
    }

    static func newRunID() -> String {
        "\(Timestamp.compact(Date()))-\(getpid())"
    }

    // MARK: - status

    /// What `flow run` would do for each stage, and why, without running or changing anything.
    public func status(_ workflows: [Workflow], verify: Bool = false) throws -> [StageOutcome] {
        var options = RunOptions()
        options.dryRun = true
        options.verify = verify
        let nodes = try StagePlan.nodes(for: workflows, options: options)
        let resolver = CacheResolver(store: store, verifyAll: verify)
        resolver.readOnly = true
        let scheduler = Scheduler(nodes: nodes, options: options, store: store, console: console, resolver: resolver,
                                  cancellation: CancellationFlag(), runID: "", publisher: nil)
        scheduler.execute()
        let adopted = SlurmJobList.unsettled(store).isEmpty ? [:] : SlurmAdoption(store: store, console: console).activeJobs()
        return nodes.map { node in
            var o = node.outcome
            if let a = adopted[node.id], o.status != .cached { o.status = .submitted("in Slurm job \(a.job) of run \(a.run)") }
            if case .cached = o.status, let digest = node.digest { o.publishedProblem = publishedProblem(node, digest: digest) }
            return o
        }
    }

    /// Why `results/<workflow>/<stage>.h5` exists but is not the object with `digest`: a hard link
    /// to it is, and so is a byte-identical copy (results on another file system). A missing file
    /// is not a problem here: the next run publishes it.
    func publishedProblem(_ node: StageNode, digest: String) -> String? {
        let relative = node.workflow.resultsPath + "/\(node.spec.name).h5"
        let published = (store.workspace as NSString).appendingPathComponent(relative)
        let object = store.path(store.objectRelativePath(digest: digest))
        guard let p = FileSystem.identity(published), let o = FileSystem.identity(object), p.inode != o.inode else { return nil }
        if p.size == o.size, FileManager.default.contentsEqual(atPath: published, andPath: object) { return nil }
        return "\(relative) is not the stage's cached output (replaced or edited); flow run publishes the output again"
    }
}
