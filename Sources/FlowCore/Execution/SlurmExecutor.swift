import Foundation

/// `--executor slurm` (DESIGN §5): each stage the scheduler decides to run becomes one `sbatch`
/// job running `flow exec-stage <spec>`, submitted as soon as its upstream stages are running or
/// done, with `--dependency=afterok:` on the jobs of those still running, so Slurm orders the
/// DAG and the head can `--detach`. `resources:` map to `--cpus-per-task`, `--mem`, `--time`,
/// `--partition`, `--account`, `--gres`. One tracking thread polls every job with one batched
/// `squeue` and takes each outcome from the exit record the job writes on the shared file system
/// (accounting may be off), waiting for it to become visible. A job Slurm killed (time limit,
/// memory, node failure) fails with Slurm's reason, and what it left in the temp area is removed.
final class SlurmExecutor: Executor {
    let jobs: StageJobs
    let settings: ExecutorSettings
    let flowBinary: String
    let console: Console
    let detached: Bool
    /// How long a finished job's exit record may take to appear (NFS attribute caching).
    var visibilityWait: Double = 60
    private let lock = NSLock()
    private var active: [String: Tracked] = [:]
    private var list: SlurmJobList
    private var cancelled = false
    /// Jobs that ended without a committed output: their dependants are skipped, not failed.
    private var unsuccessful: Set<String> = []
    private var tracker: Thread?

    struct Tracked {
        let node: StageNode
        let done: (StageExecutor.Result) -> Void
        /// Jobs of upstream stages that were running at submission (the `afterok` list).
        let upstreamJobs: [String]
        /// The job array of a sharded stage's parts; the tracked job gathers them.
        var parts: String? = nil
        /// When the job was first seen ended (or gone) without a visible exit record.
        var waitingSince: Date?
    }

    var startsBeforeInputs: Bool { true }

    init(jobs: StageJobs, settings: ExecutorSettings, flowBinary: String, console: Console, detached: Bool) {
        self.jobs = jobs
        self.settings = settings
        self.flowBinary = flowBinary
        self.console = console
        self.detached = detached
        self.list = SlurmJobList(run: jobs.runID, jobs: [])
    }

    /// Slurm queues what it cannot run yet: every ready stage is submitted.
    func admits(_ node: StageNode, running: Int, usedCpus: Int, options: RunOptions) -> Bool { true }

    func start(_ launch: StageLaunch, done: @escaping (StageExecutor.Result) -> Void) {
        let node = launch.node
        func fail(_ m: String) { done(.init(status: .failed(m), record: nil, duration: 0, peakMemory: nil)) }
        let spec: String
        do { spec = try jobs.write(launch) } catch { return fail("cannot write the stage spec: \(error)") }
        let script = jobs.path(node, "sbatch")
        let body = "#!/bin/sh\n# flow stage \(node.displayName) of run \(jobs.runID)\nexec \(Self.quote(flowBinary)) exec-stage \(Self.quote(spec))\n"
        do { try FileSystem.writeAtomically(Data(body.utf8), to: script) } catch { return fail("cannot write \(script): \(error)") }
        let upstreamJobs = launch.pending.values.compactMap { $0.submission.flatMap(Self.jobID) }
        var parts: String?
        if node.shards > 1 {
            // The parts are one job array after the upstream jobs; the gather job runs after the array.
            let partScript = jobs.path(node, "parts.sbatch")
            let partBody = "#!/bin/sh\n# flow stage \(node.displayName) of run \(jobs.runID), part $SLURM_ARRAY_TASK_ID\nexec \(Self.quote(flowBinary)) exec-stage \(Self.quote(spec)) --part \"$SLURM_ARRAY_TASK_ID\"\n"
            do { try FileSystem.writeAtomically(Data(partBody.utf8), to: partScript) } catch { return fail("cannot write \(partScript): \(error)") }
            let arguments = sbatchArguments(node, dependencies: upstreamJobs, output: jobs.path(node, "part-%a.out"))
                + ["--array=0-\(node.shards - 1)", partScript]
            switch submit(arguments) {
            case .failure(let e): return fail(e.description)
            case .success(let id): parts = id
            }
            console.line("    Slurm job array \(parts!)_[0-\(node.shards - 1)]\(upstreamJobs.isEmpty ? "" : " after \(upstreamJobs.sorted().joined(separator: ","))")")
        }
        let arguments = sbatchArguments(node, dependencies: parts.map { [$0] } ?? upstreamJobs,
                                        output: jobs.outputPath(node), cpus: parts == nil ? nil : 1) + [script]
        let id: String
        switch submit(arguments) {
        case .failure(let e):
            if let parts { Slurm.cancel([parts]) }
            return fail(e.description)
        case .success(let s): id = s
        }
        node.submission = "submitted as Slurm job \(id)"
        let after = parts.map { [$0] } ?? upstreamJobs
        console.line("    Slurm job \(id)\(after.isEmpty ? "" : " after \(after.sorted().joined(separator: ","))")\(parts == nil ? "" : " (gathers the parts)")")
        lock.lock()
        active[id] = Tracked(node: node, done: done, upstreamJobs: upstreamJobs, parts: parts)
        list.jobs.append(.init(workflow: node.workflow.qualifiedName, stage: node.spec.name, job: id,
                               exitRecord: jobs.exitPath(node), temporaryTag: jobs.temporaryTag(node), parts: parts))
        try? list.write(jobs.store)
        if tracker == nil, !detached {
            let t = Thread { [weak self] in self?.track() }
            t.name = "slurm tracker"
            tracker = t
            t.start()
        }
        lock.unlock()
    }

    /// `sbatch ARGUMENTS`: the job id, or why there is none.
    func submit(_ arguments: [String]) -> Result<String, SubmitError> {
        guard let out = Slurm.run("sbatch", arguments) else {
            return .failure(SubmitError("sbatch is not on PATH; install Slurm's client commands or run without --executor slurm"))
        }
        let id = out.stdout.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        guard out.status == 0, Int(id) != nil else {
            return .failure(SubmitError("sbatch refused the job: \(out.stderr.isEmpty ? out.stdout : out.stderr)"))
        }
        return .success(id)
    }

    struct SubmitError: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    func sbatchArguments(_ node: StageNode, dependencies: [String], output: String? = nil, cpus: Int? = nil) -> [String] {
        let r = node.spec.resources
        var a = ["--parsable", "--job-name=flow-\(node.spec.name)", "--output=\(output ?? jobs.outputPath(node))",
                 "--chdir=\(jobs.store.workspace)", "--cpus-per-task=\(cpus ?? node.cpus)", "--kill-on-invalid-dep=yes"]
        if let m = r.memory { a.append("--mem=\(m)") }
        if let t = r.time ?? settings.time { a.append("--time=\(Slurm.time(t))") }
        if let p = r.partition ?? settings.partition { a.append("--partition=\(p)") }
        if let x = r.account ?? settings.account { a.append("--account=\(x)") }
        if let q = settings.qos { a.append("--qos=\(q)") }
        if let g = r.gres { a.append("--gres=\(g)") }
        if !dependencies.isEmpty { a.append("--dependency=afterok:" + dependencies.sorted().joined(separator: ":")) }
        return a + settings.sbatch
    }

    static func jobID(_ submission: String) -> String? {
        submission.split(separator: " ").last.map(String.init).flatMap { Int($0) != nil ? $0 : nil }
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// `--detach`: what was left running and how to pick it up again.
    func reportDetached() {
        lock.lock()
        let n = active.count
        lock.unlock()
        guard n > 0 else { return }
        console.line("flow: detached; \(n) Slurm job\(n == 1 ? "" : "s") run on (listed in \(jobs.relative(SlurmJobList.path(jobs.store, run: jobs.runID)))); flow status shows them, the next flow run re-adopts them")
    }

    func cancelAll() {
        lock.lock()
        cancelled = true
        let ids = Array(active.keys) + active.values.compactMap(\.parts)
        lock.unlock()
        if !ids.isEmpty {
            console.line("flow: cancelling Slurm jobs \(ids.sorted().joined(separator: ","))")
            Slurm.cancel(ids)
        }
    }

    // MARK: Tracking

    func track() {
        let interval = settings.poll ?? 5
        while true {
            lock.lock()
            let ids = active.keys.sorted { Int($0) ?? 0 < Int($1) ?? 0 }
            lock.unlock()
            if ids.isEmpty {
                list.settle(jobs.store)
                lock.lock()
                tracker = nil
                lock.unlock()
                return
            }
            Thread.sleep(forTimeInterval: interval)
            guard let states = Slurm.states(ids) else { continue }
            for id in ids { poll(id, state: states[id]) }
        }
    }

    func poll(_ id: String, state reported: Slurm.JobState?) {
        lock.lock()
        guard var t = active[id] else { lock.unlock(); return }
        let wasCancelled = cancelled
        let upstreamFailed = t.upstreamJobs.contains { unsuccessful.contains($0) }
        lock.unlock()
        let node = t.node
        var state = reported
        if state == nil { state = Slurm.accountedState(id) }
        var result: StageExecutor.Result?
        if let s = state {
            if s.isActive {
                if s.state == "PENDING", !upstreamFailed, s.reason == "DependencyNeverSatisfied", let parts = t.parts {
                    Slurm.cancel([id])
                    result = partsFailure(node, array: parts)
                } else if s.state == "PENDING", upstreamFailed || s.reason == "DependencyNeverSatisfied" {
                    Slurm.cancel([id])
                    result = skipped(node)
                }
            } else if let kill = s.killDescription ?? (s.state == "COMPLETED" ? nil : Slurm.memoryKill(inOutput: jobs.outputPath(node))) {
                result = jobs.result(node, killed: "Slurm job \(id) \(kill)")
            } else if s.state == "CANCELLED" {
                if wasCancelled {
                    jobs.removeTemporaries(node)
                    result = .init(status: .cancelled, record: nil, duration: 0, peakMemory: nil, logPath: jobs.logPath(node))
                } else if !upstreamFailed, s.reason == "DependencyNeverSatisfied", let parts = t.parts {
                    result = partsFailure(node, array: parts)
                } else if upstreamFailed || s.reason == "DependencyNeverSatisfied" {
                    result = skipped(node)
                } else {
                    result = jobs.result(node, killed: "Slurm job \(id) was cancelled outside flow (scancel\(s.reason.isEmpty || s.reason == "None" ? "" : ", \(s.reason)")); run flow run again to resubmit")
                }
            } else {
                result = fromExitRecord(node, waitingSince: &t.waitingSince,
                                        otherwise: "Slurm job \(id) ended (\(s.state)) without an exit record")
            }
        } else {
            result = fromExitRecord(node, waitingSince: &t.waitingSince,
                                    otherwise: "Slurm job \(id) is no longer known to Slurm and left no exit record")
        }
        lock.lock()
        if let result {
            active[id] = nil
            if result.record == nil { unsuccessful.insert(id) }
            lock.unlock()
            t.done(result)
        } else {
            active[id] = t
            lock.unlock()
        }
    }

    /// The outcome from the job's exit record once it is visible; a failure when it stays
    /// invisible for `visibilityWait` seconds after the job ended.
    func fromExitRecord(_ node: StageNode, waitingSince: inout Date?, otherwise message: String) -> StageExecutor.Result? {
        if StageExit.read(jobs.exitPath(node)) != nil { return jobs.result(node) }
        waitingSince = waitingSince ?? Date()
        guard Date().timeIntervalSince(waitingSince!) > visibilityWait else { return nil }
        return jobs.result(node, missing: message + "; see \(jobs.relative(jobs.outputPath(node)))")
    }

    /// Why the gather job of a sharded stage never ran: the first part that failed, with its own
    /// message, or with Slurm's word when Slurm ended its array task (time limit, memory).
    func partsFailure(_ node: StageNode, array: String) -> StageExecutor.Result {
        let n = node.shards
        let tasks = (0..<n).map { "\(array)_\($0)" }
        let states = Slurm.states(tasks) ?? [:]
        // The stage failed: parts still queued or running are of no use.
        defer { Slurm.cancel([array]) }
        for i in 0..<n {
            // Slurm's word first: a part it ended on time or memory may have written "cancelled".
            if let kill = (states[tasks[i]] ?? Slurm.accountedState(tasks[i]))?.killDescription
                ?? Slurm.memoryKill(inOutput: jobs.path(node, "part-\(i).out")) {
                return jobs.result(node, killed: "part \(i + 1) of \(n): Slurm job \(tasks[i]) \(kill)")
            }
            if let e = StageExit.read(jobs.partExitPath(node, i)), e.status != "ran", e.status != "cached" {
                return jobs.result(node, killed: "part \(i + 1) of \(n) (Slurm job \(tasks[i])): \(e.message ?? e.status)")
            }
        }
        let missing = (0..<n).first { StageExit.read(jobs.partExitPath(node, $0)) == nil }
        return jobs.result(node, killed: "the parts of Slurm job array \(array) did not all succeed"
            + (missing.map { "; part \($0 + 1) of \(n) left no exit record (see \(jobs.relative(jobs.path(node, "part-\($0).out"))))" } ?? ""))
    }

    func skipped(_ node: StageNode) -> StageExecutor.Result {
        let bad = node.upstream.first { $0.node.phase == .running || !$0.node.succeeded }
        let why = bad.map { "input '\($0.input)' (stage \($0.node.spec.name)) is not available" } ?? "an input's job did not succeed"
        return .init(status: .skipped(why), record: nil, duration: 0, peakMemory: nil)
    }
}
