import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--executor process`: each stage in a child `flow exec-stage` process on this machine, under
/// the local cpu budget. The same path as a cluster job without the batch system: the spec is
/// serialized, the child commits into the store, the head verifies the commit. A stage that
/// crashes or exhausts memory takes only its own process down.
final class ProcessExecutor: Executor {
    let jobs: StageJobs
    let flowBinary: String
    private let lock = NSLock()
    private var children: [Process] = []

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
            let outPath = jobs.outputPath(node)
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: flowBinary)
            p.arguments = ["exec-stage", spec]
            p.standardOutput = out
            p.standardError = out
            p.standardInput = FileHandle.nullDevice
            p.terminationHandler = { [jobs] child in
                try? out.close()
                let crashed = child.terminationReason == .uncaughtSignal
                done(jobs.result(node, missing: crashed ? "the stage's process was killed by signal \(child.terminationStatus); see \(jobs.relative(outPath))" : nil))
            }
            lock.lock()
            defer { lock.unlock() }
            try p.run()
            children.append(p)
        } catch {
            done(.init(status: .failed("cannot start \(flowBinary) exec-stage: \(error)"), record: nil, duration: 0, peakMemory: nil))
        }
    }

    /// Passes the interrupt on: each child stops at its next cancellation check and reports
    /// `cancelled` in its exit record.
    func cancelAll() {
        lock.lock()
        defer { lock.unlock() }
        for p in children where p.isRunning { kill(p.processIdentifier, SIGTERM) }
    }
}
