/// Failures of the numerical routines in this module, each with a one-line message that says what
/// went wrong and, where there is one, what to change.
public enum LinalgError: Error, CustomStringConvertible, Equatable {
    /// A LAPACK routine returned a non-zero `info`; `meaning` is the routine-specific reading of it.
    case lapack(routine: String, info: Int, meaning: String)
    /// ARPACK returned an error or did not converge; `meaning` explains `info` and suggests a fix.
    case arpack(routine: String, info: Int, meaning: String)
    /// Operands whose shapes do not fit together.
    case dimensionMismatch(String)
    /// An argument outside its valid range (negative counts, k larger than n, ...).
    case invalidArgument(String)
    /// An iterative method stopped before reaching its tolerance.
    case notConverged(String)
    /// A graph (kNN kernel, grid) splits into several connected components where one is required.
    case disconnectedGraph(components: Int, largest: Int, advice: String)

    public var description: String {
        switch self {
        case let .lapack(routine, info, meaning):
            return "LAPACK \(routine) failed (info = \(info)): \(meaning)"
        case let .arpack(routine, info, meaning):
            return "ARPACK \(routine) failed (info = \(info)): \(meaning)"
        case let .dimensionMismatch(message):
            return "dimension mismatch: \(message)"
        case let .invalidArgument(message):
            return "invalid argument: \(message)"
        case let .notConverged(message):
            return "not converged: \(message)"
        case let .disconnectedGraph(components, largest, advice):
            return "the graph has \(components) connected components (largest has \(largest) nodes): \(advice)"
        }
    }
}

/// Turns a LAPACK `info` into a thrown error. Negative values are argument errors (a bug in the
/// caller of LAPACK); positive values are numerical failures explained by `positive`.
func checkLapack(_ routine: String, _ info: Int32, positive: (Int) -> String) throws {
    if info == 0 { return }
    let i = Int(info)
    if i < 0 {
        throw LinalgError.lapack(routine: routine, info: i, meaning: "argument \(-i) had an illegal value")
    }
    throw LinalgError.lapack(routine: routine, info: i, meaning: positive(i))
}
