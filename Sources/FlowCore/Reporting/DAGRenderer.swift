/// `flow dag`: the stage graph as text, Graphviz dot or Mermaid.
public enum DAGFormat: String, CaseIterable, Sendable {
    case text, dot, mermaid
}

public enum DAGRenderer {
    public static func render(_ workflow: Workflow, format: DAGFormat) -> String {
        let order = StageGraph(stages: workflow.stages).topologicalOrder() ?? workflow.stages.map(\.name)
        switch format {
        case .text:
            var out = "\(workflow.qualifiedName) (\(workflow.stages.count) stages)\n"
            for name in order {
                let s = workflow.stage(name)!
                let ins = s.inputs.map { i -> String in
                    switch i.source {
                    case .stage(let up): return "\(i.name) ← \(up)"
                    case .file(let p): return "\(i.name) ← file \(p)"
                    }
                }
                out += "  \(name) [\(s.kind.name)]" + (ins.isEmpty ? "" : "  (\(ins.joined(separator: ", ")))") + "\n"
            }
            return out
        case .dot:
            var out = "digraph \"\(workflow.qualifiedName)\" {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
            for name in order {
                let s = workflow.stage(name)!
                out += "  \"\(name)\" [label=\"\(name)\\n\(s.kind.name)\"];\n"
                for i in s.inputs {
                    switch i.source {
                    case .stage(let up): out += "  \"\(up)\" -> \"\(name)\" [label=\"\(i.name)\"];\n"
                    case .file(let p):
                        out += "  \"file:\(p)\" [shape=note, label=\"\(p)\"];\n  \"file:\(p)\" -> \"\(name)\" [label=\"\(i.name)\"];\n"
                    }
                }
            }
            return out + "}\n"
        case .mermaid:
            var out = "flowchart LR\n"
            func id(_ s: String) -> String { s.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined() }
            for name in order {
                let s = workflow.stage(name)!
                out += "  \(id(name))[\"\(name)<br/><i>\(s.kind.name)</i>\"]\n"
            }
            for name in order {
                for i in workflow.stage(name)!.inputs {
                    switch i.source {
                    case .stage(let up): out += "  \(id(up)) -->|\(i.name)| \(id(name))\n"
                    case .file(let p): out += "  file_\(id(p))[(\"\(p)\")] -->|\(i.name)| \(id(name))\n"
                    }
                }
            }
            return out
        }
    }
}
