import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns SIGINT/SIGTERM into cancellation (DESIGN §5): the first signal stops launching stages
/// and asks running ones to stop at their next cancellation check; a second one exits at once
/// (temp files are cleaned by the next run). Exit code 130 either way.
///
/// The handlers are installed once per process, first thing in `main` (`installEarly()`), so
/// that no signal is lost or kills the process in the default way while the workflow is loaded
/// and the lock taken: before a run attaches, a signal exits with 130 at once, which is safe
/// because nothing has been computed yet. The C handler only writes the signal number to a pipe
/// (async-signal-safe); a thread reads the pipe and does the rest. A libdispatch signal source
/// is not used: it only sees signals delivered after its registration, which happens some time
/// after `resume()`, and a Ctrl-C in that window was lost.
public final class SignalTrap {
    enum Phase { case starting, running(SignalTrap), finished }

    private static let lock = NSLock()
    private static var phase = Phase.starting
    private static var installed = false

    let cancellation: CancellationFlag
    let console: Console
    var onSignal: (() -> Void)?

    /// Installs the process's SIGINT and SIGTERM handlers (once; later calls do nothing).
    public static func installEarly() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        installed = true
        signalPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { deliver() } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
        reader.name = "flow-signals"
        reader.start()
        signal(SIGINT, forwardSignal)
        signal(SIGTERM, forwardSignal)
    }

    /// Attaches a run: from now on a signal cancels `cancellation`.
    init(cancellation: CancellationFlag, console: Console) {
        self.cancellation = cancellation
        self.console = console
        Self.installEarly()
        Self.lock.lock()
        Self.phase = .running(self)
        Self.lock.unlock()
    }

    /// Detaches the run; a later signal exits at once.
    func restore() {
        Self.lock.lock()
        Self.phase = .finished
        Self.lock.unlock()
    }

    private static func deliver() {
        lock.lock()
        let current = phase
        lock.unlock()
        guard case .running(let trap) = current else {
            FileHandle.standardError.write(Data("flow: interrupted\n".utf8))
            _exit(130)
        }
        if trap.cancellation.isCancelled { _exit(130) }
        trap.cancellation.cancel()
        trap.console.line("flow: interrupted; stopping running stages (press Ctrl-C again to quit at once)")
        trap.onSignal?()
    }
}

/// The pipe's write end, for the C handler (which cannot capture context).
private var signalPipeWriteEnd: Int32 = -1

/// The signal handler: one byte into the pipe, nothing else (async-signal-safe).
private func forwardSignal(_ signal: Int32) {
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalPipeWriteEnd, &byte, 1)
}
