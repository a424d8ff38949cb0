/// Errors of the engine that are not tied to a place in a workflow file (those are
/// `Diagnostic`s). Every message is one line: what happened, where, and how to fix it.
public enum FlowError: Error, CustomStringConvertible, Equatable {
    /// File-system and store problems.
    case io(String)
    /// The workflow is invalid; the diagnostics say where.
    case invalidWorkflow([Diagnostic])
    /// Bad command-line usage.
    case usage(String)
    /// A stage failed while running.
    case stageFailed(stage: String, message: String)
    /// The store is locked by another flow process.
    case locked(String)
    /// The run was interrupted (Ctrl-C / SIGTERM).
    case interrupted

    public var description: String {
        switch self {
        case .io(let m), .usage(let m), .locked(let m): return m
        case .invalidWorkflow(let ds): return ds.map(\.description).joined(separator: "\n")
        case .stageFailed(let s, let m): return "stage '\(s)' failed: \(m)"
        case .interrupted: return "interrupted"
        }
    }
}
