/// An HDF5 group that cannot be read back as what was asked for (a network, a training
/// checkpoint): missing or inconsistent attributes or datasets.
public struct StoredFormatError: Error, CustomStringConvertible {
    /// "network" or "training checkpoint".
    public let what: String
    public let group: String
    public let reason: String

    public var description: String { "cannot load \(what) from '\(group)': \(reason)" }
}
