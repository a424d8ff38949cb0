/// A place in a workflow file (1-based line and column), or a command-line origin such as
/// `--set sample.params.steps`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A location outside any file (command-line overrides): printed as the file part alone.
    public static func commandLine(_ origin: String) -> SourceLocation {
        SourceLocation(file: origin, line: 0, column: 0)
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }
}

/// One validation error: where, which stage and key, what is wrong and how to fix it. Validation
/// collects all of them before anything runs (DESIGN §3).
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    /// The stage the error belongs to, if any.
    public var stage: String?
    /// The key path inside the stage or document, e.g. `params.epsilon`.
    public var key: String?
    public var message: String

    public init(_ message: String, at location: SourceLocation, stage: String? = nil, key: String? = nil) {
        self.message = message
        self.location = location
        self.stage = stage
        self.key = key
    }

    /// `file:line:col: stage 'dmap': params.epsilon: must be positive (got -1)`.
    public var description: String {
        var s = "\(location): error: "
        if let stage { s += "stage '\(stage)': " }
        if let key, !key.isEmpty { s += "\(key): " }
        return s + message
    }
}
