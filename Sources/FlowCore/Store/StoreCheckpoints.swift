import Foundation
import FlowHDF5

/// Intra-stage checkpoints kept in `.flow/checkpoints/<key>/checkpoint.h5` (DESIGN §4), written
/// atomically by `HDF5CheckpointFile`. Keyed by the stage's cache key, so only a rerun of exactly
/// the same computation resumes from them; removed when the stage commits. A checkpoint is due
/// every `interval` seconds, and at once when the run is being cancelled, so Ctrl-C loses no more
/// than the current unit of work.
///
/// Each save is sealed by `checkpoint.seal`: lines of the stage's key and the SHA-256 of a
/// checkpoint's bytes. A checkpoint no line of the seal vouches for (seal missing, truncated or
/// edited file, copied from another key) is discarded with a warning and the stage starts over,
/// because resuming from it would commit a wrong output under the right key. The seal is written
/// before the new file replaces the old one and names both, so a kill at any moment of a save
/// leaves a checkpoint its seal vouches for.
final class StoreCheckpoints: Checkpointing {
    let directory: String
    let key: String
    let cancellation: CancellationFlag
    /// Told where a resumed stage continues from, so that the console and the log say it resumed.
    let onResume: (String) -> Void
    /// Told why a checkpoint was discarded.
    let onDiscard: (String) -> Void
    private let file: HDF5CheckpointFile
    var checkpointPath: String { directory + "/checkpoint.h5" }
    var sealPath: String { directory + "/checkpoint.seal" }

    init(directory: String, key: String, interval: TimeInterval, cancellation: CancellationFlag,
         onResume: @escaping (String) -> Void = { _ in }, onDiscard: @escaping (String) -> Void = { _ in }) {
        self.directory = directory
        self.key = key
        self.cancellation = cancellation
        self.onResume = onResume
        self.onDiscard = onDiscard
        file = HDF5CheckpointFile(path: directory + "/checkpoint.h5", interval: interval)
    }

    /// The seal line of the checkpoint file at `path`.
    func sealLine(of path: String) throws -> String {
        "\(key) \(try SHA256Hasher.hex(fileAt: path))"
    }

    func isDue() -> Bool {
        cancellation.isCancelled || file.isDue()
    }

    func save(_ write: (HDF5Group) throws -> Void) throws {
        try FileSystem.createDirectory(directory)
        try file.save(write, beforeReplacing: { partial in
            let previous = sealLines().last.map { [$0] } ?? []
            let lines = previous + [try sealLine(of: partial)]
            try FileSystem.writeAtomically(Data((lines.joined(separator: "\n") + "\n").utf8), to: sealPath)
        })
    }

    func sealLines() -> [String] {
        guard let data = FileManager.default.contents(atPath: sealPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func restore(_ read: (HDF5Group) throws -> Void) throws -> Bool {
        let path = checkpointPath
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let recorded = sealLines()
        let actual = try? sealLine(of: path)
        guard let actual, recorded.contains(actual) else {
            let why = recorded.isEmpty ? "it has no seal"
                : !recorded.contains(where: { $0.hasPrefix(key + " ") }) ? "it was written for another key"
                : "its bytes changed since it was written (truncated or edited)"
            onDiscard("discarded the checkpoint \(path): \(why); the stage starts over")
            discard()
            return false
        }
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
