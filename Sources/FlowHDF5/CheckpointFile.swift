#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `Checkpointing` that keeps the checkpoint in one HDF5 file. A save writes a sibling
/// `<path>.partial`, closes and fsyncs it, renames it over `path` and fsyncs the directory, so a
/// crash at any moment leaves either the previous checkpoint or the new one, never a torn file.
/// The engine can use it as is; library tests use it to exercise resume paths.
public final class HDF5CheckpointFile: Checkpointing {
    /// Where the checkpoint lives.
    public let path: String
    /// Wall-clock seconds between checkpoints.
    public let interval: Double
    private var lastSave: ContinuousClock.Instant

    /// `interval` seconds must pass (from now, then from each save) before `isDue()` is true.
    public init(path: String, interval: Double) {
        self.path = path
        self.interval = interval
        self.lastSave = ContinuousClock.now
    }

    public func isDue() -> Bool {
        ContinuousClock.now - lastSave >= .milliseconds(Int64((interval * 1000).rounded()))
    }

    public func save(_ write: (HDF5Group) throws -> Void) throws {
        try save(write, beforeReplacing: { _ in })
    }

    /// `save(_:)`, calling `beforeReplacing` with the complete, synced new file's path just before
    /// it replaces the old one (the engine seals it there, so that no moment exists at which the
    /// visible checkpoint is unsealed).
    public func save(_ write: (HDF5Group) throws -> Void, beforeReplacing: (String) throws -> Void) throws {
        let partial = path + ".partial"
        let file = try HDF5File.create(partial)
        do {
            try write(file.root)
            try file.close()
        } catch {
            try? file.close()
            unlink(partial)
            throw error
        }
        try sync(partial)
        do { try beforeReplacing(partial) } catch {
            unlink(partial)
            throw error
        }
        guard rename(partial, path) == 0 else { throw failure("replace checkpoint") }
        try sync(directory)
        lastSave = ContinuousClock.now
    }

    public func restore(_ read: (HDF5Group) throws -> Void) throws -> Bool {
        guard access(path, F_OK) == 0 else { return false }
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        try read(file.root)
        return true
    }

    /// The directory holding the checkpoint, whose entry the rename changes.
    private var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Flushes a file or directory to stable storage, so that the rename is the commit point.
    private func sync(_ target: String) throws {
        let descriptor = open(target, O_RDONLY)
        guard descriptor >= 0 else { throw failure("sync checkpoint") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("sync checkpoint") }
    }

    private func failure(_ operation: String) -> HDF5Error {
        HDF5Error(operation: operation, file: path, object: nil, reason: String(cString: strerror(errno)))
    }
}
