/// A problem with a molecular input file or with the parameters a topology needs.
///
/// Every message is one line that names where the problem is (`file:line` for file input) and,
/// for missing force-field parameters, the atom types that were looked up, so that a user can
/// fix the input without reading code (DESIGN.md §9).
public struct MolecularInputError: Error, CustomStringConvertible, Equatable {
    /// File name (as given by the caller) or a short description of the source, e.g. "da.psf".
    public let source: String
    /// 1-based line number, or nil when the problem is not tied to one line.
    public let line: Int?
    public let message: String

    public init(source: String, line: Int?, _ message: String) {
        self.source = source
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(source):\(line): \(message)" }
        return "\(source): \(message)"
    }
}
