/// A failed HDF5 operation, said in one line: what was attempted, on which object of which file, and
/// why (the innermost message of libhdf5's error stack, which names the actual cause rather than the
/// API function that gave up), e.g. `cannot open dataset '/x' in results/a.h5: object 'x' doesn't exist`.
public struct HDF5Error: Error, CustomStringConvertible {
    /// What was attempted, e.g. "open dataset".
    public let operation: String
    /// The file's path as the caller gave it.
    public let file: String
    /// The object's absolute path inside the file, or nil for operations on the file itself.
    public let object: String?
    /// Why it failed.
    public let reason: String

    public init(operation: String, file: String, object: String?, reason: String) {
        self.operation = operation
        self.file = file
        self.object = object
        self.reason = reason
    }

    public var description: String {
        let line: String
        if let object = object {
            line = "cannot \(operation) '\(object)' in \(file): \(reason)"
        } else {
            line = "cannot \(operation) \(file): \(reason)"
        }
        return line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
