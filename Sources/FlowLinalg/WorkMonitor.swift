/// What long computations (eigensolves, simulations, training) report to, and ask of, whoever runs
/// them. The workflow engine passes a monitor that drives the progress line and turns Ctrl-C into
/// `WorkCancelled`; library callers and tests can use `WorkMonitor.silent`.
public protocol WorkMonitor: Sendable {
    /// Reports that `done` of `total` units of work are finished; `note` is a short status such as
    /// "epoch 12 loss 3.1e-2". Cheap to call often: implementations rate-limit their output.
    func progress(done: Int, total: Int, note: String)
    /// A line for the stage's log (kept in the run record, not shown on the live progress line).
    func log(_ message: String)
    /// Throws `WorkCancelled` when the run is being cancelled; call it between units of work.
    func checkCancellation() throws
}

/// Thrown by `WorkMonitor.checkCancellation()` when the user interrupted the run.
public struct WorkCancelled: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "cancelled" }
}

/// A monitor that shows nothing and never cancels.
public struct SilentMonitor: WorkMonitor {
    public init() {}
    public func progress(done: Int, total: Int, note: String) {}
    public func log(_ message: String) {}
    public func checkCancellation() throws {}
}

public extension WorkMonitor where Self == SilentMonitor {
    static var silent: SilentMonitor { SilentMonitor() }
}
