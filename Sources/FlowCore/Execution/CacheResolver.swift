import Foundation

/// Computes cache keys and finds verified cached outputs (DESIGN §4). Shared by `flow run`,
/// `--dry-run` and `flow status`, so all three describe the same keys.
final class CacheResolver {
    let store: Store
    let files: FileDigestCache
    let verifyAll: Bool
    /// `flow status`: report problems but change nothing in the store.
    var readOnly = false
    /// Messages about corrupted objects (printed by the caller).
    var warnings: [String] = []
    /// Keys whose cached object failed its digest check in this run.
    var corruptKeys = Set<String>()

    init(store: Store, verifyAll: Bool) {
        self.store = store
        self.files = FileDigestCache(store: store)
        self.verifyAll = verifyAll
    }

    /// Digests of the node's inputs, or nil when an upstream output is not known yet.
    func inputDigests(_ node: StageNode) throws -> [String: String]? {
        var out: [String: String] = [:]
        for input in node.spec.inputs {
            switch input.source {
            case .stage:
                guard let up = node.upstream.first(where: { $0.input == input.name })?.node, up.succeeded,
                      let d = up.digest else { return nil }
                out[input.name] = "sha256:" + d
            case .file(let p):
                out[input.name] = "sha256:" + (try files.digest(of: absolute(p)))
            }
        }
        return out
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (store.workspace as NSString).appendingPathComponent(path)
    }

    /// Sets the node's manifest and key when all its inputs are known; returns false otherwise.
    func computeKey(_ node: StageNode) throws -> Bool {
        guard let digests = try inputDigests(node) else { return false }
        let system = node.spec.systemName.flatMap { node.workflow.systems[$0] }
        let m = Manifest.build(stage: node.spec, system: system, inputDigests: digests)
        node.manifest = m
        node.key = Manifest.key(of: m)
        return true
    }

    /// The record for `key` if its object exists and is intact. A changed stat identity (or
    /// `verifyAll`) triggers a full digest check; a mismatch removes the record and the object
    /// and is reported, never used.
    func verifiedRecord(key: String, stage: String) -> StageRecord? {
        guard var record = store.record(key: key) else { return nil }
        let object = store.path(record.object)
        guard let id = FileSystem.identity(object) else {
            warnings.append("the cached output of '\(stage)' is missing from the store (\(record.object)); it will be recomputed")
            if !readOnly { store.removeRecord(key: key) }
            return nil
        }
        if !verifyAll, id == record.objectIdentity { return record }
        let actual = try? ContentDigest.of(hdf5: object)
        guard actual == record.digest else {
            warnings.append("the cached output of '\(stage)' (\(record.object)) no longer matches its digest (corrupted or edited); it will be recomputed")
            corruptKeys.insert(key)
            if !readOnly {
                store.removeRecord(key: key)
                FileSystem.remove(object)
            }
            return nil
        }
        record.objectIdentity = id
        if !readOnly { try? store.write(record) }
        return record
    }
}
