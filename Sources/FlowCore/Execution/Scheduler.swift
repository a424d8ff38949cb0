import Foundation

/// Topological execution of stage nodes (DESIGN §5): resolves keys as inputs become known,
/// reuses cached outputs, hands ready stages to its `Executor` as far as the executor admits them,
/// stops descendants of a failed stage (and everything else unless `--keep-going`), and stops
/// launching on cancellation. Where a stage runs is the executor's business only.
final class Scheduler {
    let nodes: [StageNode]
    let options: RunOptions
    let store: Store
    let console: Console
    let resolver: CacheResolver
    let cancellation: CancellationFlag
    let runID: String
    let publisher: ResultPublisher?
    let executor: Executor
    private let condition = NSCondition()
    private var completions: [(StageNode, StageExecutor.Result)] = []
    private var woken = false
    private var stopLaunching = false
    private var running = 0
    private var usedCpus = 0
    let cores = ProcessInfo.processInfo.activeProcessorCount

    init(nodes: [StageNode], options: RunOptions, store: Store, console: Console, resolver: CacheResolver,
         cancellation: CancellationFlag, runID: String, publisher: ResultPublisher?, executor: Executor? = nil) {
        self.nodes = nodes
        self.options = options
        self.store = store
        self.console = console
        self.resolver = resolver
        self.cancellation = cancellation
        self.runID = runID
        self.publisher = publisher
        self.executor = executor ?? LocalExecutor(runner: StageExecutor(store: store, console: console, cancellation: cancellation,
                                                                        options: options, runID: runID))
    }

    func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    func execute() {
        var cancelPassed = false
        while true {
            absorbCompletions()
            if cancellation.isCancelled, !cancelPassed {
                cancelPassed = true
                executor.cancelAll()
            }
            // A launch can make a dependant launchable (an executor that starts stages before
            // their inputs exist): repeat until nothing more starts.
            var launched = -1
            while launched != running {
                launched = running
                resolvePending()
                launchReady()
            }
            let canLaunch = !stopLaunching && !cancellation.isCancelled && nodes.contains { $0.phase == .ready }
            if running == 0, !canLaunch { break }
            if executor.detached, !canLaunch, !nodes.contains(where: { $0.phase == .pending && launchable($0) }) {
                absorbCompletions()  // submissions that failed at once
                break
            }
            condition.lock()
            while completions.isEmpty, !woken { condition.wait() }
            woken = false
            condition.unlock()
        }
        for node in nodes where node.phase == .running {
            node.phase = .finished
            node.status = .submitted(node.submission ?? "submitted")
            report(node)
        }
        for node in nodes where node.phase != .finished {
            node.phase = .finished
            node.status = cancellation.isCancelled ? .cancelled : .skipped("not run: an earlier stage failed (use --keep-going to run independent stages)")
            report(node)
        }
    }

    // MARK: Resolution

    func resolvePending() {
        var progress = true
        while progress {
            progress = false
            for node in nodes where node.phase == .pending {
                if resolve(node) { progress = true }
            }
        }
    }

    /// Moves a pending node on when its inputs are settled; returns true if it changed phase.
    func resolve(_ node: StageNode) -> Bool {
        let ups = node.upstream
        if let bad = ups.first(where: { $0.node.phase == .finished && !$0.node.succeeded && !isWouldRun($0.node) }) {
            finish(node, .skipped("input '\(bad.input)' (stage \(bad.node.spec.name)) is not available"))
            return true
        }
        if ups.contains(where: { $0.node.phase != .finished }) {
            guard launchable(node), !stopLaunching, !cancellation.isCancelled else { return false }
            node.phase = .ready
            return true
        }
        if let changing = ups.first(where: { isWouldRun($0.node) }) {
            finish(node, .wouldRun("input '\(changing.input)' will be recomputed (stage \(changing.node.spec.name))"))
            return true
        }
        if !options.dryRun, stopLaunching || cancellation.isCancelled { return false }
        do {
            guard try resolver.computeKey(node) else { return false }
        } catch {
            finish(node, .failed(StageExecutor.describe(error)))
            return true
        }
        let warningsBefore = resolver.warnings.count
        // --verify: a stage whose cached output was computed from an object that failed
        // verification (or from such a stage's output) runs again, whatever its record says.
        let taintedInput = options.verify ? node.upstream.first(where: { tainted.contains($0.node.id) }) : nil
        if let source = taintedInput, !options.dryRun, !node.forced {
            console.line("flow: warning: \(node.displayName) was computed from the corrupted output of \(source.node.displayName); recomputing it")
            node.forced = true
        }
        let cached = node.forced ? nil : resolver.verifiedRecord(key: node.key!, stage: node.spec.name)
        if taintedInput != nil || resolver.corruptKeys.contains(node.key!) { tainted.insert(node.id) }
        for w in resolver.warnings[warningsBefore...] { console.line("flow: warning: \(w)") }
        if let record = cached {
            node.record = record
            node.digest = record.digest
            node.durationSeconds = 0
            if let publisher {
                do {
                    try publisher.publish(node, record: record, fresh: false)
                } catch {
                    finish(node, .failed("cannot write results: \(StageExecutor.describe(error))"))
                    return true
                }
            }
            finish(node, .cached)
            return true
        }
        if !node.selected {
            finish(node, .failed("its output is not in the cache and the stage is outside the selection (--only/--from/--until); run it first"))
            return true
        }
        if options.dryRun {
            finish(node, .wouldRun(whyRun(node, corrupted: resolver.warnings.count > warningsBefore)))
            return true
        }
        node.phase = .ready
        return true
    }

    /// Whether a stage with upstream stages still running may start now: only with an executor
    /// that orders the stages itself (Slurm dependencies), for a selected stage whose every input
    /// is already available or being computed.
    func launchable(_ node: StageNode) -> Bool {
        guard executor.startsBeforeInputs, !options.dryRun, node.selected else { return false }
        return node.upstream.allSatisfy { $0.node.phase == .running || ($0.node.phase == .finished && $0.node.succeeded) }
    }

    func isWouldRun(_ node: StageNode) -> Bool {
        if case .wouldRun? = node.status { return true }
        if case .previouslyFailed? = node.status { return true }
        return false
    }

    /// Why a stage with no usable cached output would run: forced, failed before with this key,
    /// the first manifest field that differs from its last run, or never run.
    func whyRun(_ node: StageNode, corrupted: Bool) -> String {
        if node.forced { return "forced" }
        if corrupted { return "cached output corrupted or missing" }
        guard let state = store.state(workflow: node.workflow.qualifiedName, stage: node.spec.name) else {
            return "never run"
        }
        if state.key == node.key {
            return state.succeeded ? "output missing from the store" : "failed last time: \(state.error ?? "unknown error")"
        }
        return Manifest.firstDifference(old: state.manifest, new: node.manifest!) ?? "changed"
    }

    func finish(_ node: StageNode, _ status: StageStatus) {
        node.phase = .finished
        node.status = status
        if case .failed = status, !options.keepGoing { stopLaunching = true }
        report(node)
    }

    // MARK: Launching

    func launchReady() {
        for node in nodes where node.phase == .ready {
            if stopLaunching || cancellation.isCancelled { return }
            if !executor.admits(node, running: running, usedCpus: usedCpus, options: options) { return }
            launch(node)
        }
    }

    func launch(_ node: StageNode) {
        node.phase = .running
        running += 1
        usedCpus += min(node.cpus, cores)
        var resolvedInputs: [String: StageContext.ResolvedInput] = [:]
        var pending: [String: StageNode] = [:]
        for input in node.spec.inputs {
            switch input.source {
            case .stage:
                let up = node.upstream.first { $0.input == input.name }!.node
                guard let r = up.record else {
                    pending[input.name] = up
                    continue
                }
                resolvedInputs[input.name] = .init(source: input.source, path: store.path(r.object), digest: r.digest,
                                           info: UpstreamInfo(stage: up.spec.name, kind: up.spec.kind.name, key: r.key, digest: r.digest))
            case .file(let p):
                resolvedInputs[input.name] = .init(source: input.source, path: resolver.absolute(p),
                                           digest: fileDigest(node, input: input.name, path: p), info: nil)
            }
        }
        console.line("  ▶ \(node.displayName)  running (\(node.spec.kind.name))")
        executor.start(StageLaunch(node: node, inputs: resolvedInputs, pending: pending)) { [weak self] result in
            guard let self else { return }
            self.condition.lock()
            self.completions.append((node, result))
            self.condition.signal()
            self.condition.unlock()
        }
    }

    /// The digest a file input entered the key with (`sha256:` stripped for the stage context),
    /// or, for a stage started before its key was known, the file's digest now.
    func fileDigest(_ node: StageNode, input: String, path: String) -> String {
        if let d = node.manifest?["inputs"]?[input]?.stringValue { return d }
        return "sha256:" + ((try? resolver.files.digest(of: resolver.absolute(path))) ?? "")
    }

    func absorbCompletions() {
        condition.lock()
        let done = completions
        completions = []
        condition.unlock()
        for (node, result) in done {
            running -= 1
            usedCpus -= min(node.cpus, cores)
            node.durationSeconds = result.duration
            node.peakMemoryBytes = result.peakMemory
            if let log = result.logPath { node.logPath = store.runsDirectory + "/\(runID)/" + (log as NSString).lastPathComponent }
            if let input = result.corruptInput, !executor.startsBeforeInputs, recomputeCorruptInput(input, of: node) { continue }
            var status = result.status
            if let record = result.record, let problem = keyProblem(node, record) {
                status = .failed(problem)
            } else if let record = result.record {
                node.record = record
                node.digest = record.digest
                node.key = record.key
                node.manifest = record.manifest
                do {
                    try publisher?.publish(node, record: record, fresh: status != .cached)
                } catch {
                    status = .failed("cannot write results: \(StageExecutor.describe(error))")
                }
            }
            finish(node, status)
        }
    }

    /// Upstream stages whose output was found corrupt by a dependant and are being recomputed in
    /// this run; each is recomputed once, so a store that keeps corrupting objects still ends.
    /// Stages whose cached object failed verification in this run, and (with --verify) their
    /// descendants.
    private var tainted = Set<String>()
    private var recomputed = Set<String>()
    /// Stages sent back to wait for a recomputed input; each waits once.
    private var requeued = Set<String>()

    /// A stage found its input `input` corrupt (the object was removed unread): the upstream stage
    /// goes back to pending and runs again (its cached record points at the removed object), and
    /// the stage waits for it, instead of failing and leaving the recomputation to the next run.
    /// Another dependant that read the same object before the recomputation waits for it too.
    /// Returns false (the stage fails as reported) past one recomputation per upstream stage and
    /// one wait per stage, so a store that keeps corrupting objects still ends.
    func recomputeCorruptInput(_ input: String, of node: StageNode) -> Bool {
        guard let up = node.upstream.first(where: { $0.input == input })?.node, !requeued.contains(node.id) else { return false }
        if !recomputed.contains(up.id) {
            guard up.phase == .finished else { return false }
            recomputed.insert(up.id)
            console.line("flow: warning: the cached output of \(up.displayName) was corrupt (found by \(node.displayName)); recomputing it in this run")
            reset(up)
            up.forced = true
            up.selected = true
        }
        requeued.insert(node.id)
        reset(node)
        return true
    }

    private func reset(_ node: StageNode) {
        node.phase = .pending
        node.status = nil
        node.record = nil
        node.digest = nil
    }

    /// Why a committed record is not the one this run asked for: its key must be the one the
    /// scheduler computes from the stage and its inputs' digests, whichever executor ran it.
    func keyProblem(_ node: StageNode, _ record: StageRecord) -> String? {
        if node.key == nil { _ = try? resolver.computeKey(node) }
        guard let key = node.key else { return "cannot compute the key of the stage to check the job's commit" }
        return key == record.key ? nil : "the job committed key \(record.key.prefix(12)) but the stage's key is \(key.prefix(12)) (a flow binary of another version?)"
    }

    // MARK: Output

    func report(_ node: StageNode) {
        let name = node.displayName
        switch node.status! {
        case .cached:
            console.line("  ✓ \(name)  cached")
        case .ran:
            var s = "  ✓ \(name)  ran in \(Console.duration(node.durationSeconds))"
            if let m = node.peakMemoryBytes { s += String(format: " (peak %.0f MB)", Double(m) / 1_048_576) }
            console.line(s)
        case .failed(let m):
            console.line("  ✗ \(name)  failed: \(m)")
            if let log = node.logPath { console.line("    log: \(String(log.dropFirst(store.workspace.count + 1)))") }
        case .skipped(let m):
            console.line("  - \(name)  skipped: \(m)")
        case .cancelled:
            console.line("  - \(name)  cancelled")
        case .wouldRun(let m), .previouslyFailed(let m):
            console.line("  • \(name)  would run: \(m)")
        case .submitted(let m):
            console.line("  ↗ \(name)  \(m)")
        }
    }
}
