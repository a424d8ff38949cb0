import Foundation
import FlowHDF5

/// Intra-stage checkpoints kept in `.flow/checkpoints/<key>/checkpoint.h5` (DESIGN §4), written
/// atomically by `HDF5CheckpointFile`. Keyed by the stage's cache key, so only a rerun of exactly
/// the same computation resumes from them; removed when the stage commits. A checkpoint is due
/// every `interval` seconds, and at once when the run is being cancelled, so Ctrl-C loses no more
/// than the current unit of work.
///
/// Each save is sealed by `checkpoint.seal`: the stage's key and the SHA-256 of the checkpoint's
/// bytes. A checkpoint whose seal is missing or does not match (truncated, edited, copied from
/// another key) is discarded with a warning and the stage starts over, because resuming from it
/// would commit a wrong output under the right key.
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

    func seal() throws -> String {
        "\(key) \(try SHA256Hasher.hex(fileAt: checkpointPath))\n"
    }

    func isDue() -> Bool {
        cancellation.isCancelled || file.isDue()
    }

    func save(_ write: (HDF5Group) throws -> Void) throws {
        try FileSystem.createDirectory(directory)
        // A crash between the two writes leaves a checkpoint whose seal does not match: discarded.
        try file.save(write)
        try FileSystem.writeAtomically(Data(try seal().utf8), to: sealPath)
    }

    func restore(_ read: (HDF5Group) throws -> Void) throws -> Bool {
        let path = checkpointPath
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let recorded = FileManager.default.contents(atPath: sealPath).map { String(decoding: $0, as: UTF8.self) }
        let actual = try? seal()
        guard let recorded, recorded == actual else {
            let why = recorded == nil ? "it has no seal"
                : recorded?.split(separator: " ").first.map(String.init) != key ? "it was written for another key"
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
