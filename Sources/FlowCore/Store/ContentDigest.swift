import Foundation
import FlowHDF5

/// The content digest of a stage output (DESIGN §4): SHA-256 over the file's logical content
/// (names, types, shapes, bytes, attributes) in a canonical order, independent of HDF5's byte
/// layout. The provenance attributes the engine writes on the root (which name the key and the
/// parameters) are left out, so that a rerun with different parameters but identical results
/// has the same digest and leaves downstream stages cached (early cut-off).
public enum ContentDigest {
    public static let provenanceAttributes: Set<String> = [
        "kind", "kind_version", "key", "parameters", "system", "seed", "stage", "workflow", "flow_version",
    ]

    public static func of(hdf5 path: String) throws -> String {
        let file = try HDF5File.open(path, mode: .readOnly)
        defer { try? file.close() }
        let hasher = SHA256Hasher()
        try file.feedContent(excludingRootAttributes: provenanceAttributes) { hasher.update($0) }
        return hasher.finalizeHex()
    }
}

/// SHA-256 of input files, remembered by stat identity in `.flow/cache/files.json` so that an
/// unchanged large file is not re-read on every run.
final class FileDigestCache {
    struct Entry: Codable {
        var identity: FileSystem.Identity
        var digest: String
    }

    let path: String
    private var entries: [String: Entry]
    private var dirty = false

    init(store: Store) {
        path = store.path("cache/files.json")
        if let data = FileManager.default.contents(atPath: path),
           let e = try? JSONDecoder().decode([String: Entry].self, from: data) {
            entries = e
        } else {
            entries = [:]
        }
    }

    func digest(of file: String) throws -> String {
        guard let id = FileSystem.identity(file) else {
            throw FlowError.io("input file '\(file)' not found or not readable")
        }
        if let e = entries[file], e.identity == id { return e.digest }
        let d = try SHA256Hasher.hex(fileAt: file)
        entries[file] = Entry(identity: id, digest: d)
        dirty = true
        return d
    }

    func save() {
        guard dirty, let data = try? JSONEncoder().encode(entries) else { return }
        try? FileSystem.writeAtomically(data, to: path)
        dirty = false
    }
}
