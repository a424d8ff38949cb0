/// `flow stages [KIND]`: the stage and system kinds with their parameters, defaults, units and
/// ranges, printed from the kinds' own declarations (so the docs cannot drift from the code).
public struct Catalogue {
    public let registry: StageRegistry

    public init(registry: StageRegistry) {
        self.registry = registry
    }

    /// One line per kind.
    public func summary() -> String {
        var out = "Stage kinds (flow stages KIND for parameters):\n"
        let width = (registry.stageKindNames + registry.systemKindNames).map(\.count).max() ?? 10
        for name in registry.stageKindNames {
            out += "  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(registry.stageKinds[name]!.summary)\n"
        }
        out += "\nSystem kinds (for systems:; flow stages KIND for parameters):\n"
        for name in registry.systemKindNames {
            out += "  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(registry.systemKinds[name]!.summary)\n"
        }
        return out
    }

    /// The full description of one stage or system kind; nil when unknown.
    public func describe(_ name: String) -> String? {
        if let k = registry.stageKinds[name] {
            var out = "\(k.name) (version \(k.version)) — \(k.summary)\n"
            if k.acceptsAnyInputs {
                out += "\nInputs: any number, any names (each a stage or {file: path})\n"
            } else if !k.inputs.isEmpty {
                out += "\nInputs:\n"
                for i in k.inputs { out += "  \(i.name)\(i.required ? "" : " (optional)")  \(i.help)\n" }
            }
            switch k.system {
            case .required: out += "\nSystem: required (system: NAME from systems:)\n"
            case .optional: out += "\nSystem: optional\n"
            case .none: break
            }
            out += "\nParameters (params:):\n" + Self.render(k.parameterDocs())
            if !k.outputs.isEmpty {
                out += "\nOutput datasets:\n"
                let w = k.outputs.map(\.path.count).max() ?? 0
                for o in k.outputs {
                    var kind = o.element == .group ? "group" : "\(o.element.rawValue), \(o.shape)"
                    if let u = o.units { kind += ", \(u)" }
                    if let c = o.condition { kind += "; when \(c)" }
                    out += "  \(o.path.padding(toLength: w, withPad: " ", startingAt: 0))  (\(kind)) \(o.help)\n"
                }
            }
            out += "\nDefault cpus: \(k.cpus)\n"
            if let items = k.shardedItems {
                out += "Shards (resources.shards: N): \(items)\n"
                out += "    N parts compute contiguous ranges of them, each on the random stream of its global index; a gather step writes the one output, byte-identical to the unsharded run's\n"
            } else {
                out += "Shards: none (resources.shards is refused)\n"
            }
            return out
        }
        if let s = registry.systemKinds[name] {
            return "\(s.name) (system kind) — \(s.summary)\n\nKeys (besides kind:):\n" + Self.render(s.parameterDocs())
        }
        return nil
    }

    static func render(_ docs: [ParameterDoc]) -> String {
        if docs.isEmpty { return "  (none)\n" }
        var out = ""
        for d in docs {
            let indent = String(repeating: "  ", count: d.path.filter { $0 == "." }.count)
            var line = "  \(indent)\(d.path.split(separator: ".").last ?? "")  (\(d.type)"
            if let def = d.defaultValue { line += ", default \(def.brief)" }
            if let u = d.unit { line += ", unit \(u)" }
            if let b = d.bounds { line += ", \(b)" }
            line += ")"
            out += line + "\n"
            out += "  \(indent)    \(d.help)\n"
        }
        return out
    }
}
