import Foundation
import FlowHDF5

/// Intra-stage checkpoints kept in `.flow/checkpoints/<key>/checkpoint.h5` (DESIGN §4), written
/// atomically by `HDF5CheckpointFile`. Keyed by the stage's cache key, so only a rerun of exactly
/// the same computation resumes from them; removed when the stage commits. A checkpoint is due
/// every `interval` seconds, and at once when the run is being cancelled, so Ctrl-C loses no more
/// than the current unit of work.
final class StoreCheckpoints: Checkpointing {
    let directory: String
    let cancellation: CancellationFlag
    /// Told where a resumed stage continues from, so that the console and the log say it resumed.
    let onResume: (String) -> Void
    private let file: HDF5CheckpointFile

    init(directory: String, interval: TimeInterval, cancellation: CancellationFlag, onResume: @escaping (String) -> Void = { _ in }) {
        self.directory = directory
        self.cancellation = cancellation
        self.onResume = onResume
        file = HDF5CheckpointFile(path: directory + "/checkpoint.h5", interval: interval)
    }

    func isDue() -> Bool {
        cancellation.isCancelled || file.isDue()
    }

    func save(_ write: (HDF5Group) throws -> Void) throws {
        try FileSystem.createDirectory(directory)
        try file.save(write)
    }

    func restore(_ read: (HDF5Group) throws -> Void) throws -> Bool {
        let path = directory + "/checkpoint.h5"
        let saved = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        guard try file.restore(read) else { return false }
        onResume("resumed from the checkpoint saved \(saved.map(Timestamp.string) ?? "by an earlier run") (\(path))")
        return true
    }

    func discard() {
        FileSystem.remove(directory)
    }
}

/// Set once when the user interrupts the run; read by every stage's monitor.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    public init() {}

    public var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }
}
