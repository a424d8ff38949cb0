import Foundation
import FlowHDF5

/// Intra-stage checkpoints kept in `.flow/checkpoints/<key>/checkpoint.h5` (DESIGN §4). Keyed
/// by the stage's cache key, so only a rerun of exactly the same computation resumes from them;
/// removed when the stage commits. A checkpoint is due every `interval` seconds, and at once
/// when the run is being cancelled, so Ctrl-C loses no more than the current unit of work.
final class StoreCheckpoints: Checkpointing {
    let directory: String
    let interval: TimeInterval
    let cancellation: CancellationFlag
    private var lastSave = Date()

    init(directory: String, interval: TimeInterval, cancellation: CancellationFlag) {
        self.directory = directory
        self.interval = interval
        self.cancellation = cancellation
    }

    var file: String { directory + "/checkpoint.h5" }

    func isDue() -> Bool {
        cancellation.isCancelled || Date().timeIntervalSince(lastSave) >= interval
    }

    func save(_ write: (HDF5Group) throws -> Void) throws {
        try FileSystem.createDirectory(directory)
        let tmp = directory + "/.tmp-\(getpid())-checkpoint.h5"
        let f = try HDF5File.create(tmp)
        do {
            try write(f.root)
            try f.close()
        } catch {
            try? f.close()
            FileSystem.remove(tmp)
            throw error
        }
        try FileSystem.fsyncFile(tmp)
        try FileSystem.rename(tmp, to: file)
        FileSystem.syncDirectory(directory)
        lastSave = Date()
    }

    func restore(_ read: (HDF5Group) throws -> Void) throws -> Bool {
        guard FileSystem.exists(file) else { return false }
        let f = try HDF5File.open(file, mode: .readOnly)
        defer { try? f.close() }
        try read(f.root)
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
