import FlowAnalysis
import FlowLinalg
import Foundation

/// A `WorkMonitor` that timestamps the phases of `DiffusionMap.fit` from its log and progress
/// messages: the fit logs when the neighbour search is done and when ARPACK has finished, and
/// reports the start of the eigensolve as progress. Everything between the neighbour search and
/// the eigensolve (dimension, bandwidth function, ε, kernel matrix, normalization) is the
/// "ε + kernel" phase; the eigensolve ends with the ARPACK log line, and the rest of the fit
/// (eigenvector normalization and checks) is reported separately.
final class PhaseClock: WorkMonitor, @unchecked Sendable {
    private let lock = NSLock()
    private var start = Date()
    private(set) var neighborsDone: Double?
    private(set) var eigensolveStart: Double?
    private(set) var eigensolveDone: Double?
    /// What the fit logged: its automatic ε, the manifold dimension used, ARPACK's statistics and
    /// the leading non-trivial eigenvalues (logged before the fit checks them).
    private(set) var automaticEpsilon: Double?
    private(set) var dimension: String?
    private(set) var arpack: String?
    private(set) var leadingEigenvalues: [Double] = []
    private(set) var messages: [String] = []
    let verbose: Bool

    init(verbose: Bool) { self.verbose = verbose }

    func reset() {
        lock.lock(); defer { lock.unlock() }
        start = Date()
        (neighborsDone, eigensolveStart, eigensolveDone, messages) = (nil, nil, nil, [])
        (automaticEpsilon, dimension, arpack, leadingEigenvalues) = (nil, nil, nil, [])
    }

    var elapsed: Double { Date().timeIntervalSince(start) }

    func progress(done: Int, total: Int, note: String) {
        lock.lock(); defer { lock.unlock() }
        if note == "diffusion map: eigensolve" { eigensolveStart = elapsed }
    }

    func log(_ message: String) {
        lock.lock(); defer { lock.unlock() }
        let t = elapsed
        if message.hasPrefix("diffusion map: neighbour search done") { neighborsDone = t }
        if message.hasPrefix("ARPACK") {
            eigensolveDone = t
            arpack = message.replacingOccurrences(of: "ARPACK: ", with: "")
        }
        if let range = message.range(of: ", d = ") { dimension = String(message[range.upperBound...].prefix { !$0.isWhitespace }) }
        if let range = message.range(of: "leading non-trivial ") {
            leadingEigenvalues = message[range.upperBound...].components(separatedBy: ", ").compactMap { Double($0) }
        }
        if let range = message.range(of: "automatic ε = ") {
            automaticEpsilon = Double(message[range.upperBound...].prefix { !$0.isWhitespace })
        }
        messages.append(message)
        if verbose { FileHandle.standardError.write(String(format: "  [%7.2f s] %@\n", t, message).data(using: .utf8)!) }
    }

    func checkCancellation() throws {}
}

/// Peak resident set size of this process so far, in MB (Linux reports ru_maxrss in kB).
func peakMemoryMB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)  // glibc imports RUSAGE_SELF as an enum case
    return Double(usage.ru_maxrss) / 1024
}

/// Process CPU time (all threads) in seconds.
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
