import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Each stage in a child `flow exec-stage` process on this machine, under the local cpu budget:
/// the default of `flow run` (DESIGN §5). The same path as a cluster job without the batch
/// system: the spec is serialized, the child commits into the store, the head verifies the
/// commit. A stage that crashes or exhausts memory takes only its own process down: it fails
/// with the signal that ended it, and the stages beside it go on.
///
/// The child relays its console (`ConsoleRelay`) over its standard output, so progress and event
/// lines look as they do for a stage on a thread; its standard error (a crash report, a library's
/// warning) goes to the stage's `.out` file in the run record. The child watches its parent and
/// exits when the head process is gone (kill -9), so no stage outlives the run that started it.
final class ProcessExecutor: Executor {
    let jobs: StageJobs
    let flowBinary: String
    let console: Console
    private let lock = NSLock()
    private var children: [Process] = []

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
            let outPath = jobs.outputPath(node)
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            let relay = Pipe()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: flowBinary)
            p.arguments = ["exec-stage", "--relay", "--parent", String(getpid()), spec]
            p.standardOutput = relay
            p.standardError = out
            p.standardInput = FileHandle.nullDevice
            // The outcome is read once the child has exited and its relay is drained.
            let finished = DispatchGroup()
            finished.enter()
            finished.enter()
            p.terminationHandler = { _ in finished.leave() }
            lock.lock()
            defer { lock.unlock() }
            try p.run()
            children.append(p)
            let reader = Thread { [console] in
                Self.replay(relay.fileHandleForReading, on: console, other: out)
                finished.leave()
            }
            reader.name = "relay \(node.spec.name)"
            reader.start()
            finished.notify(queue: DispatchQueue.global()) { [jobs] in
                try? out.close()
                var missing: String?
                if p.terminationReason == .uncaughtSignal {
                    missing = "the stage's process was killed by \(Self.signalName(p.terminationStatus)); see \(jobs.relative(outPath))"
                }
                done(jobs.result(node, missing: missing))
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

    /// Passes the interrupt on: each child stops at its next cancellation check and reports
    /// `cancelled` in its exit record.
    func cancelAll() {
        lock.lock()
        defer { lock.unlock() }
        for p in children where p.isRunning { kill(p.processIdentifier, SIGTERM) }
    }
}
