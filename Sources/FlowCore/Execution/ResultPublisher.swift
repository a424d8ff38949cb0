import Foundation
import FlowHDF5

/// Makes `results/<workflow>/` reflect the store after each stage: `<stage>.h5` hard-linked to
/// the object (a copy across file systems), published side files (figures, `report.md`) written
/// from the object's `/files` group, and the stage's state (for `flow status`). Two stages that
/// publish the same file name into one results directory are reported (the later one wins).
final class ResultPublisher {
    let store: Store
    let files: FileDigestCache
    let console: Console
    private var claimed: [String: String] = [:]

    init(store: Store, files: FileDigestCache, console: Console) {
        self.store = store
        self.files = files
        self.console = console
    }

    func publish(_ node: StageNode, record: StageRecord, fresh: Bool) throws {
        let dir = (store.workspace as NSString).appendingPathComponent(node.workflow.resultsPath)
        let object = store.path(record.object)
        try FileSystem.linkOrCopy(object, to: dir + "/\(node.spec.name).h5")
        if !record.files.isEmpty {
            var file: HDF5File?
            defer { try? file?.close() }
            for (name, sha) in record.files.sorted(by: { $0.key < $1.key }) {
                let target = dir + "/" + name
                if let other = claimed[target], other != node.spec.name {
                    console.line("flow: warning: stages '\(other)' and '\(node.spec.name)' both publish \(node.workflow.resultsPath)/\(name); give their files distinct names")
                }
                claimed[target] = node.spec.name
                if !fresh, FileSystem.exists(target), (try? files.digest(of: target)) == sha { continue }
                if file == nil { file = try HDF5File.open(object, mode: .readOnly) }
                let (bytes, _) = try file!.root.group("files").read(name, as: UInt8.self)
                try FileSystem.writeAtomically(Data(bytes), to: target)
            }
        }
        let previous = store.state(workflow: node.workflow.qualifiedName, stage: node.spec.name)
        if fresh || previous?.key != record.key || previous?.succeeded != true {
            try store.write(StageState(key: record.key, manifest: record.manifest, succeeded: true, error: nil,
                                       finishedAt: Timestamp.now()), workflow: node.workflow.qualifiedName, stage: node.spec.name)
        }
    }
}
