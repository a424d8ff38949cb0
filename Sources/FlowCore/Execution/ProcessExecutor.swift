import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--executor process`: each stage in a child `flow exec-stage` process on this machine, under
/// the local cpu budget. The same path as a cluster job without the batch system: the spec is
/// serialized, the child commits into the store, the head verifies the commit. A stage that
/// crashes or exhausts memory takes only its own process down. A stage with `resources.shards`
/// runs its parts as concurrent children (`--part I`, the stage's cores split among them), then
/// one child gathers them; the local executor hands its sharded stages here too.
final class ProcessExecutor: Executor {
    let jobs: StageJobs
    let flowBinary: String
    private let lock = NSLock()
    private var children: [Process] = []
    private var cancelled = false

    init(jobs: StageJobs, flowBinary: String) {
        self.jobs = jobs
        self.flowBinary = flowBinary
    }

    /// This process's own executable: what child processes and jobs run unless configured.
    static var currentBinary: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    func admits(_ node: StageNode, running: Int, usedCpus: Int, options: RunOptions) -> Bool {
        admitsLocally(node, running: running, usedCpus: usedCpus, options: options)
    }

    func start(_ launch: StageLaunch, done: @escaping (StageExecutor.Result) -> Void) {
        let node = launch.node
        do {
            let spec = try jobs.write(launch)
            if node.shards > 1 { return try startParts(node, spec: spec, done: done) }
            let outPath = jobs.outputPath(node)
            try spawn(["exec-stage", spec], output: outPath) { [jobs] signal in
                done(jobs.result(node, missing: signal.map { "the stage's process was killed by signal \($0); see \(jobs.relative(outPath))" }))
            }
        } catch {
            done(.init(status: .failed("cannot start \(flowBinary) exec-stage: \(error)"), record: nil, duration: 0, peakMemory: nil))
        }
    }

    /// Every part at once, each on its share of the stage's cores; when the last ended, the
    /// gather child, unless a part was killed (it left no exit record to report) or the run was
    /// cancelled. The gather child reports a part's own failure from its exit record.
    func startParts(_ node: StageNode, spec: String, done: @escaping (StageExecutor.Result) -> Void) throws {
        let n = node.shards
        let cpus = max(1, min(node.cpus, ProcessInfo.processInfo.activeProcessorCount) / n)
        let group = DispatchGroup()
        let killed = PartKills()
        for i in 0..<n {
            group.enter()
            let out = jobs.path(node, "part-\(i).out")
            try spawn(["exec-stage", spec, "--part", "\(i)", "--cpus", "\(cpus)"], output: out) { [jobs] signal in
                if let signal { killed.add("part \(i + 1) of \(n) was killed by signal \(signal); see \(jobs.relative(out))") }
                group.leave()
            }
        }
        group.notify(queue: .global()) { [self] in
            lock.lock()
            let stop = cancelled
            lock.unlock()
            if stop {
                jobs.removeTemporaries(node)
                return done(.init(status: .cancelled, record: nil, duration: 0, peakMemory: nil, logPath: jobs.logPath(node)))
            }
            if let first = killed.first { return done(jobs.result(node, killed: first)) }
            let outPath = jobs.outputPath(node)
            do {
                try spawn(["exec-stage", spec], output: outPath) { [jobs] signal in
                    done(jobs.result(node, missing: signal.map { "the gather process was killed by signal \($0); see \(jobs.relative(outPath))" }))
                }
            } catch {
                done(.init(status: .failed("cannot start \(flowBinary) exec-stage: \(error)"), record: nil, duration: 0, peakMemory: nil))
            }
        }
    }

    /// Starts `flow ARGUMENTS` with its output in `output`; `ended` gets the signal that killed
    /// it, or nil when it exited.
    func spawn(_ arguments: [String], output: String, ended: @escaping (Int32?) -> Void) throws {
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: flowBinary)
        p.arguments = arguments
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        p.terminationHandler = { child in
            try? out.close()
            ended(child.terminationReason == .uncaughtSignal ? child.terminationStatus : nil)
        }
        lock.lock()
        defer { lock.unlock() }
        try p.run()
        children.append(p)
    }

    /// Passes the interrupt on: each child stops at its next cancellation check and reports
    /// `cancelled` in its exit record.
    func cancelAll() {
        lock.lock()
        defer { lock.unlock() }
        cancelled = true
        for p in children where p.isRunning { kill(p.processIdentifier, SIGTERM) }
    }
}

/// The parts of one stage that a signal killed, as their processes end on several threads.
private final class PartKills: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    var first: String? {
        lock.lock()
        defer { lock.unlock() }
        return messages.first
    }
}
