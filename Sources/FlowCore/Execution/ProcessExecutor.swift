import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Each stage in a child `flow exec-stage` process on this machine, under the local cpu budget:
/// the default of `flow run` (DESIGN §5). The same path as a cluster job without the batch
/// system: the spec is serialized, the child commits into the store, the head verifies the
/// commit. A stage that crashes or exhausts memory takes only its own process down: it fails
/// with the signal that ended it, and the stages beside it go on. A stage with
/// `resources.shards` runs its parts as concurrent children (`--part I`, the stage's cores split
/// among them), then one child gathers them; the local executor hands its sharded stages here too.
///
/// The child relays its console (`ConsoleRelay`) over its standard output, so progress and event
/// lines look as they do for a stage on a thread; its standard error (a crash report, a library's
/// warning) goes to the stage's `.out` file in the run record. (Parts write everything to their
/// own `.out` files: the gather step shows the stage.) Every child watches its parent and exits
/// when the head process is gone (kill -9), so no stage outlives the run that started it.
final class ProcessExecutor: Executor {
    let jobs: StageJobs
    let flowBinary: String
    let console: Console
    private let lock = NSLock()
    private var children: [Process] = []
    private var cancelled = false

    init(jobs: StageJobs, flowBinary: String, console: Console) {
        self.jobs = jobs
        self.jobs.temporaryKind = "child"
        self.flowBinary = flowBinary
        self.console = console
    }

    /// This process's own executable: what child processes and jobs run unless configured.
    static var currentBinary: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
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
            try spawn(["exec-stage", spec], output: outPath, relay: true) { [jobs] signal, _ in
                done(jobs.result(node, missing: signal.map { "the stage's process was killed by \(Self.signalName($0)); see \(jobs.relative(outPath))" }))
            }
        } catch {
            done(.init(status: .failed("cannot start \(flowBinary) exec-stage: \(error)"), record: nil, duration: 0, peakMemory: nil))
        }
    }

    /// Reads the child's relay until it closes: records go to the console, other lines to `other`.
    /// A stage whose process died before it ended its progress line has it removed here.
    static func replay(_ input: FileHandle, on console: Console, other: FileHandle) {
        var pending = Data()
        var open = Set<String>()
        func handle(_ line: Substring) {
            guard let event = ConsoleRelay.parse(line) else {
                other.write(Data((line + "\n").utf8))
                return
            }
            if case .begin(let name) = event { open.insert(name) }
            if case .end(let name) = event { open.remove(name) }
            ConsoleRelay.replay(event, on: console)
        }
        while true {
            let chunk = input.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                handle(Substring(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { handle(Substring(String(decoding: pending, as: UTF8.self))) }
        for name in open { console.end(name) }
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGILL: return "SIGILL (a runtime trap: an overflow or a failed precondition)"
        case SIGTRAP: return "SIGTRAP (a runtime trap)"
        case SIGSEGV: return "SIGSEGV (invalid memory access)"
        case SIGBUS: return "SIGBUS (invalid memory access)"
        case SIGFPE: return "SIGFPE (arithmetic exception)"
        case SIGABRT: return "SIGABRT (aborted)"
        case SIGKILL: return "SIGKILL (killed, e.g. by the out-of-memory killer)"
        case SIGTERM: return "SIGTERM (terminated)"
        default: return "signal \(signal)"
        }
    }

    /// Every part at once, each on its share of the stage's cores; when the last ended, the
    /// gather child, unless a part was killed (it left no exit record to report) or the run was
    /// cancelled. The gather child reports a part's own failure from its exit record. A part
    /// that fails or is killed cancels its siblings (SIGTERM: they stop at their next
    /// cancellation check), since the stage has failed and their work would be thrown away.
    func startParts(_ node: StageNode, spec: String, done: @escaping (StageExecutor.Result) -> Void) throws {
        let n = node.shards
        let cpus = max(1, min(node.cpus, ProcessInfo.processInfo.activeProcessorCount) / n)
        let group = DispatchGroup()
        let parts = PartProcesses()
        for i in 0..<n {
            group.enter()
            let out = jobs.path(node, "part-\(i).out")
            let p = try spawn(["exec-stage", spec, "--part", "\(i)", "--cpus", "\(cpus)"], output: out, relay: false) { [jobs] signal, status in
                if let signal { parts.killed("part \(i + 1) of \(n) was killed by \(Self.signalName(signal)); see \(jobs.relative(out))", by: signal) }
                // 130: cancelled (by a failed sibling or the user), not a failure of its own.
                else if status != 0 && status != 130 { parts.fail() }
                group.leave()
            }
            parts.add(p)
        }
        group.notify(queue: .global()) { [self] in
            lock.lock()
            let stop = cancelled
            lock.unlock()
            if stop {
                jobs.removeTemporaries(node)
                return done(.init(status: .cancelled, record: nil, duration: 0, peakMemory: nil, logPath: jobs.logPath(node)))
            }
            if let first = parts.firstKill { return done(jobs.result(node, killed: first)) }
            let outPath = jobs.outputPath(node)
            do {
                try spawn(["exec-stage", spec], output: outPath, relay: true) { [jobs] signal, _ in
                    done(jobs.result(node, missing: signal.map { "the gather process was killed by \(Self.signalName($0)); see \(jobs.relative(outPath))" }))
                }
            } catch {
                done(.init(status: .failed("cannot start \(flowBinary) exec-stage: \(error)"), record: nil, duration: 0, peakMemory: nil))
            }
        }
    }

    /// Starts `flow ARGUMENTS` (watching this process) with its standard error, and with `relay`
    /// its console records replayed here, everything else in `output`; `ended` gets the signal
    /// that killed it (or nil when it exited) and its exit status, once its relay is drained.
    @discardableResult
    func spawn(_ arguments: [String], output: String, relay: Bool, ended: @escaping (_ signal: Int32?, _ status: Int32) -> Void) throws -> Process {
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        let pipe = relay ? Pipe() : nil
        let p = Process()
        p.executableURL = URL(fileURLWithPath: flowBinary)
        p.arguments = [arguments[0]] + (relay ? ["--relay"] : []) + ["--parent", String(getpid())] + arguments.dropFirst()
        p.standardOutput = pipe ?? out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        let finished = DispatchGroup()
        finished.enter()
        p.terminationHandler = { _ in finished.leave() }
        lock.lock()
        defer { lock.unlock() }
        try p.run()
        children.append(p)
        if let pipe {
            finished.enter()
            let reader = Thread { [console] in
                Self.replay(pipe.fileHandleForReading, on: console, other: out)
                finished.leave()
            }
            reader.name = "relay \(output)"
            reader.start()
        }
        finished.notify(queue: DispatchQueue.global()) {
            try? out.close()
            let signalled = p.terminationReason == .uncaughtSignal
            ended(signalled ? p.terminationStatus : nil, signalled ? 0 : p.terminationStatus)
        }
        return p
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

/// The processes of one stage's parts, as they start and end on several threads: the first
/// part that fails or is killed sends SIGTERM to the others, and to any started after it.
private final class PartProcesses: @unchecked Sendable {
    private let lock = NSLock()
    private var processes: [Process] = []
    private var kills: [String] = []
    private var failed = false

    func add(_ p: Process) {
        lock.lock()
        defer { lock.unlock() }
        processes.append(p)
        if failed, p.isRunning { kill(p.processIdentifier, SIGTERM) }
    }

    /// A part was killed by a signal (it left no exit record): the stage fails with `message`.
    /// SIGTERM after a sibling failed is the cancellation sent here, not a failure of its own: it
    /// can land before the part has set its signal trap, and the sibling's failure is the one to report.
    func killed(_ message: String, by signal: Int32) {
        lock.lock()
        if signal == SIGTERM && failed {
            lock.unlock()
            return
        }
        kills.append(message)
        lock.unlock()
        fail()
    }

    /// A part failed: its siblings are cancelled.
    func fail() {
        lock.lock()
        defer { lock.unlock() }
        guard !failed else { return }
        failed = true
        for p in processes where p.isRunning { kill(p.processIdentifier, SIGTERM) }
    }

    var firstKill: String? {
        lock.lock()
        defer { lock.unlock() }
        return kills.first
    }
}
