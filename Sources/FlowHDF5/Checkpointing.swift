/// Intra-stage checkpoints (DESIGN §4): long stages save their state (parameters, optimizer
/// moments, RNG state, step) every few minutes, and an interrupted stage resumes from the last
/// checkpoint and ends with the same result as an uninterrupted run. The workflow engine decides
/// where checkpoints live and how often they are due; FlowNN and FlowMD only call these methods.
public protocol Checkpointing: AnyObject {
    /// True when a checkpoint should be written now (enough wall time since the last one).
    func isDue() -> Bool
    /// Atomically replaces the stage's checkpoint with what `write` puts into the given root group.
    func save(_ write: (HDF5Group) throws -> Void) throws
    /// Calls `read` with the last checkpoint's root group and returns true; false when there is none.
    func restore(_ read: (HDF5Group) throws -> Void) throws -> Bool
}
