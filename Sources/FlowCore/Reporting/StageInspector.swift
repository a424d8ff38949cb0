import Foundation
import FlowHDF5

/// `flow show WF STAGE`: the resolved definition of a stage (parameters with defaults, system,
/// seed, inputs), its cache key and status, and the datasets of its output with their shapes.
public struct StageInspector {
    public let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    public func describe(_ workflow: Workflow, stage name: String) throws -> String {
        guard let stage = workflow.stage(name) else {
            throw FlowError.usage("no stage '\(name)' in \(workflow.file)\(DidYouMean.hint(for: name, among: workflow.stages.map(\.name))); stages: \(workflow.stages.map(\.name).joined(separator: ", "))")
        }
        var out = "stage \(name) of \(workflow.qualifiedName) (\(workflow.file))\n"
        out += "  kind      \(stage.kind.name) (version \(stage.kind.version))\n"
        if let d = stage.description { out += "  about     \(d)\n" }
        out += "  seed      \(stage.seed)\n"
        for i in stage.inputs {
            switch i.source {
            case .stage(let s): out += "  input     \(i.name) ← stage \(s)\n"
            case .file(let p): out += "  input     \(i.name) ← file \(p)\n"
            }
        }
        if let sys = stage.systemName, let def = workflow.systems[sys] {
            out += "  system    \(sys): \(def.resolved.canonical)\n"
        }
        out += "  params    " + stage.resolvedParameters.pretty.replacingOccurrences(of: "\n", with: "\n            ") + "\n"
        let outcome = try engine.status([workflow]).first { $0.stage == name && $0.workflow == workflow.qualifiedName }
        if let o = outcome {
            out += "  key       \(o.key ?? "(not known yet: an input will be recomputed)")\n"
            out += "  status    \(StatusFormatter.word(o))" + (StatusFormatter.reason(o).map { ": \($0)" } ?? "") + "\n"
            if let digest = o.digest {
                out += "  digest    sha256:\(digest)\n"
                let path = workflow.resultsPath + "/\(name).h5"
                out += "  output    \(path)\n"
                if let rec = o.key.flatMap({ engine.store.record(key: $0) }) {
                    out += "  produced  \(rec.startedAt) on \(rec.host) in \(Console.duration(rec.durationSeconds))\n"
                    out += try datasets(engine.store.path(rec.object))
                }
            }
        }
        return out
    }

    /// The tree of groups and datasets with shapes and element types.
    func datasets(_ path: String) throws -> String {
        let file = try HDF5File.open(path, mode: .readOnly)
        defer { try? file.close() }
        var out = "  datasets\n"
        func walk(_ g: HDF5Group, _ prefix: String) throws {
            for name in try g.children() {
                let full = prefix + "/" + name
                if g.isGroup(name) {
                    out += "    \(full)/\n"
                    try walk(try g.group(name), full)
                } else {
                    let d = try g.dataset(name)
                    let shape = d.shape.isEmpty ? "scalar" : d.shape.map(String.init).joined(separator: " × ")
                    var line = "    \(full)  \(shape)  \(d.elementType.rawValue)"
                    if case .string(let u)? = try? d.attribute("units") { line += "  [\(u)]" }
                    out += line + "\n"
                }
            }
        }
        try walk(file.root, "")
        return out
    }
}
