import Foundation
import FlowLinalg
#if canImport(Glibc)
import Glibc
#endif

/// Where a run's messages and progress go (DESIGN §5). On a terminal: one live line per running
/// stage (bar, rate, ETA) redrawn in place below the event lines. Otherwise: plain periodic lines
/// (`[  30s] sample 45% (45000/100000) 1.5e3/s ETA 37s`), so logs of batch jobs stay readable.
/// A stage run in a child process (`flow exec-stage --relay`) writes its events as `ConsoleRelay`
/// records instead, which the head process draws on its own console.
public final class Console: @unchecked Sendable {
    public enum Mode { case live, plain, quiet, relay }

    struct Progress {
        var done = 0
        var total = 0
        var note = ""
        let started = Date()
        var lastPrinted = Date.distantPast
        var lastPrintedDone = -1
    }

    let mode: Mode
    let plainInterval: TimeInterval
    private let lock = NSLock()
    private var live: [(name: String, progress: Progress)] = []
    private var drawnLines = 0
    private var timer: DispatchSourceTimer?
    private let out: FileHandle
    public private(set) var printed: [String] = []

    public init(mode: Mode? = nil, plainInterval: TimeInterval? = nil, output: FileHandle = .standardError) {
        self.out = output
        self.mode = mode ?? (isatty(output.fileDescriptor) != 0 ? .live : .plain)
        let env = ProcessInfo.processInfo.environment["FLOW_PROGRESS_INTERVAL"].flatMap(Double.init)
        self.plainInterval = plainInterval ?? env ?? 30
        if self.mode == .live {
            let t = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
            t.schedule(deadline: .now() + 0.25, repeating: 0.25)
            t.setEventHandler { [weak self] in self?.redraw() }
            t.resume()
            timer = t
        }
    }

    deinit { timer?.cancel() }

    /// Prints an event line (stage started/finished, warnings) above the live lines.
    public func line(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        printed.append(text)
        guard mode != .quiet else { return }
        if mode == .relay { return write(ConsoleRelay.line(text)) }
        clearLive()
        write(text + "\n")
        drawLive()
    }

    func begin(_ name: String) {
        lock.lock()
        defer { lock.unlock() }
        live.append((name, Progress()))
        if mode == .relay { write(ConsoleRelay.begin(name)) }
    }

    func end(_ name: String) {
        lock.lock()
        defer { lock.unlock() }
        if mode == .relay { write(ConsoleRelay.end(name)) }
        clearLive()
        live.removeAll { $0.name == name }
        drawLive()
    }

    func update(_ name: String, done: Int, total: Int, note: String) {
        lock.lock()
        defer { lock.unlock() }
        guard let i = live.firstIndex(where: { $0.name == name }) else { return }
        live[i].progress.done = done
        live[i].progress.total = total
        live[i].progress.note = note
        if mode == .relay {
            // At most five records a second per stage, and always the last one.
            let now = Date()
            if now.timeIntervalSince(live[i].progress.lastPrinted) >= 0.2 || done == total {
                live[i].progress.lastPrinted = now
                write(ConsoleRelay.progress(name, done: done, total: total, note: note))
            }
        } else if mode == .plain {
            let p = live[i].progress
            let now = Date()
            if now.timeIntervalSince(p.lastPrinted) >= plainInterval, p.done != p.lastPrintedDone,
               now.timeIntervalSince(p.started) >= min(plainInterval, 5) {
                live[i].progress.lastPrinted = now
                live[i].progress.lastPrintedDone = p.done
                write(Self.describe(name, p, width: nil) + "\n")
            }
        }
    }

    func redraw() {
        lock.lock()
        defer { lock.unlock() }
        clearLive()
        drawLive()
    }

    private func clearLive() {
        guard mode == .live, drawnLines > 0 else { return }
        write(String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawnLines) + "\r")
        drawnLines = 0
    }

    private func drawLive() {
        guard mode == .live, !live.isEmpty else { return }
        var ws = winsize()
        let width = ioctl(out.fileDescriptor, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 20 ? Int(ws.ws_col) : 100
        var text = ""
        for (name, p) in live { text += Self.describe(name, p, width: width) + "\n" }
        write(text)
        drawnLines = live.count
    }

    static func describe(_ name: String, _ p: Progress, width: Int?) -> String {
        let elapsed = Date().timeIntervalSince(p.started)
        var s = width == nil ? "[\(Self.duration(elapsed))] \(name)" : "  \(name)"
        if p.total > 0 {
            let frac = min(1, Double(p.done) / Double(p.total))
            if width != nil {
                let bar = 20
                let filled = Int(frac * Double(bar))
                s += " [" + String(repeating: "█", count: filled) + String(repeating: "·", count: bar - filled) + "]"
            }
            s += String(format: " %3.0f%%", frac * 100)
            if width == nil { s += " (\(p.done)/\(p.total))" }
            if elapsed > 0.5, p.done > 0 {
                let rate = Double(p.done) / elapsed
                s += " " + Self.rate(rate) + "/s"
                if frac < 1 { s += " ETA " + Self.duration(Double(p.total - p.done) / rate) }
            }
        } else {
            s += " " + Self.duration(elapsed)
        }
        if !p.note.isEmpty { s += "  " + p.note }
        if let width, s.count > width - 1 { s = String(s.prefix(width - 2)) + "…" }
        return s
    }

    static func rate(_ r: Double) -> String {
        r >= 1000 ? String(format: "%.3g", r) : String(format: "%.1f", r)
    }

    /// `42s`, `3m05s`, `1h02m`.
    public static func duration(_ t: Double) -> String {
        if !t.isFinite { return "?" }
        if t < 10 { return String(format: "%.1fs", t) }
        if t < 60 { return String(format: "%.0fs", t) }
        if t < 3600 { return String(format: "%dm%02ds", Int(t) / 60, Int(t) % 60) }
        return String(format: "%dh%02dm", Int(t) / 3600, (Int(t) % 3600) / 60)
    }

    private func write(_ s: String) {
        out.write(Data(s.utf8))
    }
}

/// The `WorkMonitor` a running stage gets: progress to the console, log lines to the stage's log
/// file in the run record, cancellation from the run's flag.
final class StageMonitor: WorkMonitor, @unchecked Sendable {
    let name: String
    let console: Console
    let cancellation: CancellationFlag
    private let logHandle: FileHandle?
    private let lock = NSLock()
    private(set) var lastLines: [String] = []

    init(name: String, console: Console, cancellation: CancellationFlag, logPath: String?) {
        self.name = name
        self.console = console
        self.cancellation = cancellation
        if let logPath {
            // A log file that cannot be created is skipped; the stage still runs and reports.
            logHandle = FileManager.default.createFile(atPath: logPath, contents: nil)
                ? FileHandle(forWritingAtPath: logPath) : nil
        } else {
            logHandle = nil
        }
    }

    deinit { try? logHandle?.close() }

    func progress(done: Int, total: Int, note: String) {
        console.update(name, done: done, total: total, note: note)
    }

    func log(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        lastLines.append(message)
        if lastLines.count > 20 { lastLines.removeFirst() }
        logHandle?.write(Data("\(Timestamp.now()) \(message)\n".utf8))
    }

    /// An event of the stage worth a console line (it resumed from a checkpoint), also logged.
    func note(_ message: String) {
        log(message)
        console.line("  ↻ \(name)  \(message)")
    }

    /// A result the stage produced but the user should look at: on the console and in the log.
    func warn(_ message: String) {
        log("warning: \(message)")
        console.line("  ! \(name)  warning: \(message)")
    }

    func checkCancellation() throws {
        if cancellation.isCancelled { throw WorkCancelled() }
    }
}
