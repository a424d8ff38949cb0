import Foundation

/// Loads a workflow file into resolved instances, validating everything before anything runs
/// (DESIGN §3): YAML syntax, unknown top-level/stage keys, unknown kinds, parameters (types,
/// ranges, unknown keys — decoded by each kind's own type), inputs, systems, `${vars}`,
/// matrix, cycles. All errors are collected; `load` throws `FlowError.invalidWorkflow` with
/// every one of them.
public struct WorkflowLoader {
    public var registry: StageRegistry
    /// `--profile`.
    public var profile: String?
    /// `--set key.path=value`, in order.
    public var overrides: [String]
    /// Directory file inputs are relative to (the workspace root).
    public var workspace: String

    static let topLevelKeys = ["name", "description", "seed", "vars", "matrix", "systems", "stages", "profiles", "executor"]
    static let stageKeys = ["kind", "description", "inputs", "params", "system", "seed", "resources"]

    public init(registry: StageRegistry, profile: String? = nil, overrides: [String] = [], workspace: String = ".") {
        self.registry = registry
        self.profile = profile
        self.overrides = overrides
        self.workspace = workspace
    }

    public func load(_ path: String) throws -> [Workflow] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                throw FlowError.usage("'\(path)' is a directory; give a workflow file such as workflows/mueller-brown.yaml")
            }
            throw FlowError.usage("workflow file '\(path)' not found; check the path (workflows live in workflows/*.yaml)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FlowError.invalidWorkflow([Diagnostic("the file is not UTF-8 text", at: SourceLocation(file: path, line: 1, column: 1))])
        }
        return try load(yaml: text, file: path)
    }

    public func load(yaml text: String, file: String) throws -> [Workflow] {
        var diags: [Diagnostic] = []
        var root: ConfigNode
        do {
            root = try ConfigNode.parse(yaml: text, file: file)
        } catch let d as Diagnostic {
            throw FlowError.invalidWorkflow([d])
        }
        guard root.entries != nil else {
            throw FlowError.invalidWorkflow([Diagnostic("a workflow file is a mapping with name:, stages: and optional vars:, systems:, matrix:, profiles:; got \(root.kindDescription)", at: root.location)])
        }
        for e in root.entries! where !Self.topLevelKeys.contains(e.key) {
            diags.append(Diagnostic("unknown top-level key '\(e.key)'\(DidYouMean.hint(for: e.key, among: Self.topLevelKeys)); allowed: \(Self.topLevelKeys.joined(separator: ", "))",
                                    at: e.keyLocation))
        }
        diags += applyProfile(to: &root)
        for argument in overrides {
            switch OverrideApplier.parse(argument) {
            case .failure(let d): diags.append(d)
            case .success(let (path, value)):
                if let d = OverrideApplier.apply(path: path, value: value, to: &root, origin: value.location) { diags.append(d) }
            }
        }
        let (combos, matrixDiags) = MatrixExpansion.combinations(of: root["matrix"])
        diags += matrixDiags
        var workflows: [Workflow] = []
        for combo in combos {
            var vars = root["vars"]?.entries ?? []
            if let v = root["vars"], v.entries == nil, !v.isNull {
                diags.append(Diagnostic("vars must map names to values, got \(v.kindDescription)", at: v.location, key: "vars"))
            }
            for value in combo.values {
                if let i = vars.firstIndex(where: { $0.key == value.key }) { vars[i].value = value.value } else { vars.append(value) }
            }
            let (resolvedVars, varDiags) = Interpolator.resolve(vars)
            diags += varDiags
            var interpolator = Interpolator(variables: resolvedVars)
            var body = root
            for section in ["vars", "profiles", "matrix"] { body.remove(section) }
            body = interpolator.interpolate(body)
            diags += interpolator.diagnostics
            let (workflow, instanceDiags) = build(body, instance: combo.name, file: file)
            // A value whose ${reference} failed is reported once, not again as a type error.
            let failedReferences = Set(interpolator.diagnostics.map(\.location))
            diags += instanceDiags.filter { !failedReferences.contains($0.location) }
            if let workflow { workflows.append(workflow) }
        }
        var unique: [Diagnostic] = []
        for d in diags where !unique.contains(d) { unique.append(d) }
        if !unique.isEmpty { throw FlowError.invalidWorkflow(unique) }
        return workflows
    }

    func applyProfile(to root: inout ConfigNode) -> [Diagnostic] {
        let profiles = root["profiles"]
        if let profiles, profiles.entries == nil, !profiles.isNull {
            return [Diagnostic("profiles must map profile names to {key.path: value} overrides, got \(profiles.kindDescription)",
                               at: profiles.location, key: "profiles")]
        }
        guard let profile else { return [] }
        let names = profiles?.entries?.map(\.key) ?? []
        guard let chosen = profiles?[profile] else {
            let known = names.isEmpty ? "this workflow defines no profiles" : "available: \(names.joined(separator: ", "))"
            return [Diagnostic("unknown profile '\(profile)'\(DidYouMean.hint(for: profile, among: names)); \(known)",
                               at: profiles?.location ?? root.location, key: "profiles")]
        }
        guard let entries = chosen.entries else {
            if chosen.isNull { return [] }
            return [Diagnostic("a profile maps key paths to values, got \(chosen.kindDescription)", at: chosen.location, key: "profiles.\(profile)")]
        }
        var diags: [Diagnostic] = []
        for e in entries {
            if let d = OverrideApplier.apply(path: e.key, value: e.value, to: &root, origin: e.keyLocation) { diags.append(d) }
        }
        return diags
    }

    // MARK: - Building one instance

    func build(_ root: ConfigNode, instance: String?, file: String) -> (Workflow?, [Diagnostic]) {
        var diags: [Diagnostic] = []
        var name = ""
        if let n = root.entry("name") {
            if case .string(let s)? = n.value.scalarValue, Self.isValidName(s) {
                name = s
            } else {
                diags.append(Diagnostic("must be a word of ASCII letters, digits, '.', '_' or '-', not starting with '.' (it names results/<name>/), got \(n.value.kindDescription)",
                                        at: n.value.location, key: "name"))
            }
        } else {
            diags.append(Diagnostic("missing 'name:' (it names the results directory results/<name>/)", at: root.location, key: "name"))
        }
        var description: String?
        if let d = root["description"] {
            if case .string(let s)? = d.scalarValue { description = s } else if !d.isNull {
                diags.append(Diagnostic("must be text, got \(d.kindDescription)", at: d.location, key: "description"))
            }
        }
        var seed: UInt64 = 0
        if let s = root["seed"] {
            if case .int(let i)? = s.scalarValue, i >= 0 { seed = UInt64(i) } else {
                diags.append(Diagnostic("must be a non-negative integer, got \(s.kindDescription)", at: s.location, key: "seed"))
            }
        }
        var executor: ExecutorSettings?
        if let block = root["executor"] {
            let session = ParameterSession(stage: nil, keyPrefix: "executor", at: block.location)
            executor = session.decode(ExecutorSettings.self, from: block)
            diags += session.diagnostics
        }
        let (systems, systemDiags) = buildSystems(root["systems"])
        diags += systemDiags
        let invalidSystems = Set((root["systems"]?.entries ?? []).map(\.key)).subtracting(systems.keys)

        guard let stagesNode = root["stages"] else {
            diags.append(Diagnostic("missing 'stages:'; a workflow needs at least one stage", at: root.location, key: "stages"))
            return (nil, diags)
        }
        guard let stageEntries = stagesNode.entries, !stageEntries.isEmpty else {
            diags.append(Diagnostic("stages must map stage names to stage definitions and have at least one stage, got \(stagesNode.kindDescription)",
                                    at: stagesNode.location, key: "stages"))
            return (nil, diags)
        }
        let stageNames = stageEntries.map(\.key)
        var stages: [StageSpec] = []
        for entry in stageEntries {
            let (stage, d) = buildStage(entry, stageNames: stageNames, systems: systems, invalidSystems: invalidSystems,
                                        workflowSeed: seed)
            diags += d
            if let stage { stages.append(stage) }
        }
        if diags.isEmpty, let cycle = StageGraph(stages: stages).cycle() {
            let first = stages.first { $0.name == cycle[0] }!
            diags.append(Diagnostic("the inputs form a cycle: \(cycle.joined(separator: " → ")); a stage cannot depend on its own output",
                                    at: first.location, stage: cycle[0], key: "inputs"))
        }
        guard diags.isEmpty else { return (nil, diags) }
        return (Workflow(name: name, instance: instance, file: file, description: description, seed: seed,
                         systems: systems, stages: stages, executor: executor), [])
    }

    static func isValidName(_ s: String) -> Bool {
        !s.isEmpty && !s.hasPrefix(".") && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    func buildSystems(_ node: ConfigNode?) -> ([String: SystemDefinition], [Diagnostic]) {
        guard let node, !node.isNull else { return ([:], []) }
        guard let entries = node.entries else {
            return ([:], [Diagnostic("systems must map system names to {kind: ..., ...}, got \(node.kindDescription)", at: node.location, key: "systems")])
        }
        var out: [String: SystemDefinition] = [:]
        var diags: [Diagnostic] = []
        for e in entries {
            let key = "systems.\(e.key)"
            guard var body = e.value.entries.map({ ConfigNode(.mapping($0), at: e.value.location) }) else {
                diags.append(Diagnostic("a system is a mapping with kind: and its parameters, got \(e.value.kindDescription)",
                                        at: e.value.location, key: key))
                continue
            }
            guard case .string(let kind)? = body["kind"]?.scalarValue else {
                diags.append(Diagnostic("missing 'kind:'; system kinds: \(registry.systemKindNames.joined(separator: ", "))",
                                        at: e.value.location, key: key))
                continue
            }
            guard let descriptor = registry.systemKinds[kind] else {
                diags.append(Diagnostic("unknown system kind '\(kind)'\(DidYouMean.hint(for: kind, among: registry.systemKindNames)); system kinds: \(registry.systemKindNames.joined(separator: ", "))",
                                        at: body["kind"]!.location, key: key + ".kind"))
                continue
            }
            body.remove("kind")
            body.remove("description")
            let session = ParameterSession(stage: nil, keyPrefix: key, at: e.value.location, workspace: workspace)
            guard let (value, resolved) = descriptor.decode(body, session) else {
                diags += session.diagnostics
                continue
            }
            var json = resolved.objectValue ?? [:]
            json["kind"] = .string(kind)
            out[e.key] = SystemDefinition(name: e.key, kind: kind, location: e.value.location, parameters: value,
                                          resolved: .object(json))
        }
        return (out, diags)
    }

    func buildStage(_ entry: ConfigEntry, stageNames: [String], systems: [String: SystemDefinition],
                    invalidSystems: Set<String>, workflowSeed: UInt64) -> (StageSpec?, [Diagnostic]) {
        let name = entry.key
        let node = entry.value
        var diags: [Diagnostic] = []
        func fail(_ message: String, _ at: SourceLocation, key: String? = nil) {
            diags.append(Diagnostic(message, at: at, stage: name, key: key))
        }
        if !Self.isValidName(name) {
            fail("stage names must be words of ASCII letters, digits, '.', '_' or '-', not starting with '.' (they name files)", entry.keyLocation)
        }
        guard let entries = node.entries else {
            fail("a stage is a mapping with kind:, params:, inputs:, …; got \(node.kindDescription)", node.location)
            return (nil, diags)
        }
        for e in entries where !Self.stageKeys.contains(e.key) {
            fail("unknown key '\(e.key)'\(DidYouMean.hint(for: e.key, among: Self.stageKeys)); stage keys: \(Self.stageKeys.joined(separator: ", "))",
                 e.keyLocation)
        }
        guard let kindNode = node["kind"] else {
            fail("missing 'kind:'; run `flow stages` for the list of kinds", node.location)
            return (nil, diags)
        }
        guard case .string(let kindName)? = kindNode.scalarValue else {
            fail("kind must be a name, got \(kindNode.kindDescription)", kindNode.location, key: "kind")
            return (nil, diags)
        }
        guard let kind = registry.stageKinds[kindName] else {
            fail("unknown stage kind '\(kindName)'\(DidYouMean.hint(for: kindName, among: registry.stageKindNames)); run `flow stages` for the list",
                 kindNode.location, key: "kind")
            return (nil, diags)
        }

        let session = ParameterSession(stage: name, keyPrefix: "params", at: node["params"]?.location ?? node.location,
                                       workspace: workspace)
        let decoded = kind.decode(node["params"], session)
        diags += session.diagnostics

        var description: String?
        if let d = node["description"], case .string(let s)? = d.scalarValue { description = s }

        let inputs = buildInputs(node["inputs"], kind: kind, stage: name, stageNames: stageNames, at: node.location, diags: &diags)

        var systemName: String?
        if let s = node["system"] {
            if case .string(let sn)? = s.scalarValue {
                if invalidSystems.contains(sn) {
                    systemName = nil
                } else if systems[sn] == nil {
                    let known = systems.keys.sorted()
                    fail("unknown system '\(sn)'\(DidYouMean.hint(for: sn, among: known)); \(known.isEmpty ? "define it under systems:" : "systems: \(known.joined(separator: ", "))")",
                         s.location, key: "system")
                } else if kind.system == .none {
                    fail("stage kind '\(kind.name)' does not use a system; remove system:", s.location, key: "system")
                } else {
                    systemName = sn
                }
            } else {
                fail("system must name an entry of systems:, got \(s.kindDescription)", s.location, key: "system")
            }
        } else if kind.system == .required {
            fail("stage kind '\(kind.name)' needs a system: naming an entry of systems:", node.location, key: "system")
        }

        var seed = Self.derivedSeed(workflowSeed: workflowSeed, stage: name)
        if let s = node["seed"] {
            if case .int(let i)? = s.scalarValue, i >= 0 { seed = UInt64(i) } else {
                fail("must be a non-negative integer, got \(s.kindDescription)", s.location, key: "seed")
            }
        }

        let rsession = ParameterSession(stage: name, keyPrefix: "resources", at: node["resources"]?.location ?? node.location)
        let resources = rsession.decode(Resources.self, from: node["resources"]) ?? Resources()
        diags += rsession.diagnostics
        if let shards = resources.shards, shards > 1, let decoded, let problem = kind.shardProblem(decoded.value, shards) {
            fail(problem, node["resources"]?["shards"]?.location ?? node.location, key: "resources.shards")
        }

        guard diags.isEmpty, let decoded else { return (nil, diags) }
        return (StageSpec(name: name, kind: kind, location: entry.keyLocation, description: description,
                          parameters: decoded.value, resolvedParameters: decoded.resolved, inputs: inputs,
                          systemName: systemName, seed: seed, resources: resources), [])
    }

    func buildInputs(_ node: ConfigNode?, kind: StageKindDescriptor, stage: String, stageNames: [String],
                     at stageLocation: SourceLocation, diags: inout [Diagnostic]) -> [(name: String, source: InputSource)] {
        var inputs: [(name: String, source: InputSource)] = []
        let declared = kind.inputs.map(\.name)
        var explained = Set<String>()
        if let node, !node.isNull {
            guard let entries = node.entries else {
                diags.append(Diagnostic("inputs must map input names to a stage name or {file: path}, got \(node.kindDescription)",
                                        at: node.location, stage: stage, key: "inputs"))
                return []
            }
            for e in entries {
                let key = "inputs.\(e.key)"
                if kind.acceptsAnyInputs, !Self.isValidName(e.key) {
                    // Such a stage (report) names its default figure files after its inputs.
                    diags.append(Diagnostic("input names must be words of ASCII letters, digits, '.', '_' or '-', not starting with '.' (they name files), got '\(InputLimits.printable(e.key))'",
                                            at: e.keyLocation, stage: stage, key: key))
                    continue
                }
                if !kind.acceptsAnyInputs, !declared.contains(e.key) {
                    let list = declared.isEmpty ? "it takes no inputs" : "its inputs: \(declared.joined(separator: ", "))"
                    let suggestion = DidYouMean.suggestion(for: e.key, among: declared)
                    if let suggestion { explained.insert(suggestion) }
                    diags.append(Diagnostic("stage kind '\(kind.name)' has no input '\(e.key)'\(suggestion.map { " (did you mean '\($0)'?)" } ?? ""); \(list)",
                                            at: e.keyLocation, stage: stage, key: key))
                    continue
                }
                if case .string(let ref)? = e.value.scalarValue {
                    if ref == stage {
                        diags.append(Diagnostic("a stage cannot read its own output", at: e.value.location, stage: stage, key: key))
                    } else if !stageNames.contains(ref) {
                        diags.append(Diagnostic("unknown stage '\(ref)'\(DidYouMean.hint(for: ref, among: stageNames)); an input names a stage of this workflow or {file: path}",
                                                at: e.value.location, stage: stage, key: key))
                    } else {
                        inputs.append((e.key, .stage(ref)))
                    }
                } else if let fileNode = e.value["file"], e.value.entries?.count == 1 {
                    guard case .string(let path)? = fileNode.scalarValue else {
                        diags.append(Diagnostic("file must be a path, got \(fileNode.kindDescription)", at: fileNode.location, stage: stage, key: key + ".file"))
                        continue
                    }
                    let full = path.hasPrefix("/") ? path : (workspace as NSString).appendingPathComponent(path)
                    var isDir: ObjCBool = false
                    if !FileManager.default.fileExists(atPath: full, isDirectory: &isDir) || isDir.boolValue {
                        diags.append(Diagnostic("input file '\(path)' not found (paths are relative to the workspace \(workspace == "." ? "(the current directory)" : workspace))",
                                                at: fileNode.location, stage: stage, key: key + ".file"))
                    } else {
                        inputs.append((e.key, .file(path)))
                    }
                } else {
                    diags.append(Diagnostic("an input is a stage name or {file: path}, got \(e.value.kindDescription)",
                                            at: e.value.location, stage: stage, key: key))
                }
            }
        }
        for spec in kind.inputs where spec.required && !inputs.contains(where: { $0.name == spec.name }) {
            if explained.contains(spec.name) { continue }
            if diags.contains(where: { $0.stage == stage && ($0.key ?? "").hasPrefix("inputs.\(spec.name)") }) { continue }
            diags.append(Diagnostic("missing input '\(spec.name)' (\(spec.help)); add inputs: {\(spec.name): <stage>}",
                                    at: node?.location ?? stageLocation, stage: stage, key: "inputs"))
        }
        return inputs
    }

    /// The seed of a stage without `seed:`: the first 8 bytes of SHA-256 over the workflow seed
    /// and the stage name, so stages get independent streams and renaming a stage is a change.
    public static func derivedSeed(workflowSeed: UInt64, stage: String) -> UInt64 {
        let hex = SHA256Hasher.hex("flow-seed/1\u{0}\(workflowSeed)\u{0}\(stage)")
        return UInt64(hex.prefix(16), radix: 16)!
    }
}
