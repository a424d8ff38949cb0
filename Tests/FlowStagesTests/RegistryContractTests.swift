import XCTest
import FlowCore
@testable import FlowStages

/// Tests that run over every registered stage and system kind, so a kind added later is covered
/// without writing anything: each documented parameter reaches the cache key (or is rejected),
/// resolved parameters decode back to themselves, and outputs keep their declarations.
final class RegistryContractTests: XCTestCase {
    let registry = StandardRegistry.shared

    /// Valid parameter blocks of kinds whose empty block is invalid or leaves keys unreachable
    /// (required keys, optional groups, list elements whose keys should be exercised too). A
    /// parameter is changed in the first block that holds it, else in the first block.
    static let bases: [String: [JSONValue]] = [
        "features": [.object(["map": "sorted-coordination-numbers"])],
        "transition-rates": [
            .object(["states": .array([.object(["name": "A", "minimum": "A"]), .object(["name": "B", "minimum": "B"])])]),
            .object(["states": .array([.object(["name": "A", "cvs": ["x"], "lower": [0.0], "upper": [1.0]]),
                                       .object(["name": "B", "basin": "B"])])]),
        ],
        "histogram": [.object(["column": 0])],
        "command": [.object(["run": "true", "outputs": .object(["x": "x.npy"])])],
        "state-separation": [.object(["sets": .array([.object(["label": "xi", "input": "cvs", "dataset": "/cv", "columns": [0, 1]])])])],
        "simulate": [
            .object(["bias": .object(["restraints": .array([.object(["cvs": ["x"], "center": [0.5], "k": [10.0]])])])]),
            .object(["bias": .object(["metadynamics": .object(["cvs": ["x"], "sigma": [0.1], "lower": [-1.0], "upper": [1.0],
                                                               "bins": [101], "bias_factor": 10.0, "deposit_steps": 100])])]),
            .object(["bias": .object(["steered": .object(["atoms": [0, 3], "k": 1.0, "from": 3.0, "to": 5.0])])]),
            .object(["bias": .object(["tethered": .object(["fixed": 0, "pulled": 3, "direction": [1.0, 0.0, 0.0]])])]),
        ],
        "charmm": [
            .object(["params": .object(["molecule": "deca-alanine", "builder": .object(["phi": -60.0, "psi": -45.0])])]),
            .object(["params": .object(["molecule": "butane", "cutoff": 12.0, "switch": 10.0])]),
        ],
    ]

    /// Parameters documented as not affecting results: changing them must leave the key as it
    /// is. (Thread counts and shards live under `resources:`, outside `params:`.)
    static let notInKey: Set<String> = []

    struct Kind {
        let name: String
        let docs: [ParameterDoc]
        let decode: (ConfigNode?, ParameterSession) -> (value: Any, resolved: JSONValue)?
        let decodeResolved: (JSONValue, ParameterSession) throws -> (value: Any, resolved: JSONValue)
    }

    var kinds: [Kind] {
        registry.stageKindNames.map { n in
            let k = registry.stageKinds[n]!
            return Kind(name: n, docs: k.parameterDocs(), decode: k.decode, decodeResolved: k.decodeResolved)
        } + registry.systemKindNames.map { n in
            let k = registry.systemKinds[n]!
            return Kind(name: n, docs: k.parameterDocs(), decode: k.decode, decodeResolved: k.decodeResolved)
        }
    }

    func session() -> ParameterSession {
        ParameterSession(stage: "s", keyPrefix: "params", at: SourceLocation(file: "<test>", line: 1, column: 1),
                         workspace: FileManager.default.temporaryDirectory.path)
    }

    /// Decodes `json` as a kind's parameter block: the resolved record, or nil with the messages.
    func resolve(_ kind: Kind, _ json: JSONValue) -> (JSONValue?, [String]) {
        let s = session()
        let node = ConfigNode(json: json, at: SourceLocation(file: "<test>", line: 1, column: 1))
        guard let decoded = kind.decode(node, s) else { return (nil, s.diagnostics.map(\.message)) }
        return (decoded.resolved, [])
    }

    func bases(_ kind: Kind) -> [JSONValue] { Self.bases[kind.name] ?? [.object([:])] }

    func testEveryKindsBaseBlocksAreValid() {
        for kind in kinds {
            for base in bases(kind) {
                let (resolved, errors) = resolve(kind, base)
                XCTAssertNotNil(resolved, "\(kind.name) \(base.canonical): \(errors)")
            }
        }
    }

    /// Every documented scalar or list parameter: a changed value changes the resolved
    /// parameters (so the key), or validation rejects it.
    func testEveryDocumentedParameterReachesTheKeyOrIsRejected() throws {
        var accepted = 0, total = 0
        var rejected: [String] = []
        for kind in kinds {
            let written = bases(kind)
            let resolved = written.map { resolve(kind, $0).0 }
            for doc in kind.docs where !doc.type.hasPrefix("mapping") && doc.type != "list of mappings" {
                // The first base that sets the parameter (or has the list element it belongs to).
                func sets(_ i: Int) -> Bool {
                    guard let p = Self.path(doc.path, in: written[i]) else { return false }
                    return Self.value(at: p, in: written[i]) != nil
                }
                /// How much of the parameter's path a base already writes (its enclosing block).
                func depth(_ i: Int) -> Int {
                    guard let p = Self.path(doc.path, in: written[i]) else { return -1 }
                    return (0...p.count).last { Self.value(at: Array(p.prefix($0)), in: written[i]) != nil } ?? 0
                }
                let holder = written.indices.first(where: sets) ?? written.indices.max { depth($0) < depth($1) || (depth($0) == depth($1) && $0 > $1) }
                guard let i = holder, let base = resolved[i], let path = Self.path(doc.path, in: written[i]) else { continue }
                total += 1
                var someAccepted = false
                let current = Self.value(at: path, in: base)
                for candidate in Self.candidates(for: doc, current: current) {
                    let (changed, _) = resolve(kind, Self.setting(path, to: candidate, in: written[i]))
                    // A candidate that resolves to the value already there is no change.
                    guard let changed, Self.value(at: path, in: changed) != current || current == nil else { continue }
                    someAccepted = true
                    if Self.notInKey.contains("\(kind.name).\(doc.path)") {
                        XCTAssertEqual(changed, base, "\(kind.name) \(doc.path) is documented as not in the key")
                    } else {
                        XCTAssertNotEqual(changed, base, "\(kind.name) params.\(doc.path) = \(candidate.canonical) is accepted but leaves the key unchanged")
                    }
                }
                if someAccepted { accepted += 1 } else { rejected.append("\(kind.name) \(doc.path)") }
            }
        }
        // The test means something only if most parameters took a changed value.
        XCTAssertGreaterThan(total, 200)
        XCTAssertGreaterThan(Double(accepted), 0.9 * Double(total), "\(accepted) of \(total) parameters took a changed value; every candidate was rejected for \(rejected)")
    }

    /// Decoding the resolved parameters gives the same resolved parameters: what is hashed can
    /// be run elsewhere (a stage spec) and means the same thing.
    func testResolvedParametersRoundTripForEveryKind() throws {
        for kind in kinds {
            for written in bases(kind) {
                guard let base = resolve(kind, written).0 else { continue }
                let again = try kind.decodeResolved(base, session())
                XCTAssertEqual(again.resolved, base, "\(kind.name)")
            }
        }
    }

    func testShippedWorkflowsRoundTripTheirResolvedParameters() throws {
        let dir = WorkflowSmokeTests.workflows
        for file in try FileManager.default.contentsOfDirectory(atPath: dir).filter({ $0.hasSuffix(".yaml") }).sorted() {
            for profile in [nil, "smoke"] as [String?] {
                let loader = WorkflowLoader(registry: registry, profile: profile, workspace: (dir as NSString).deletingLastPathComponent)
                for instance in try loader.load(dir + "/" + file) {
                    for stage in instance.stages {
                        let again = try stage.kind.decodeResolved(stage.resolvedParameters, session())
                        XCTAssertEqual(again.resolved, stage.resolvedParameters, "\(file) \(profile ?? "default") \(stage.name)")
                    }
                    for system in instance.systems.values {
                        var params = system.resolved.objectValue ?? [:]
                        params.removeValue(forKey: "kind")
                        let again = try registry.systemKinds[system.kind]!.decodeResolved(.object(params), session())
                        XCTAssertEqual(again.resolved, .object(params), "\(file) system \(system.name)")
                    }
                }
            }
        }
    }

    func testEveryKindDeclaresItsOutputsOnceWithDistinctPaths() {
        for name in registry.stageKindNames {
            let outputs = registry.stageKinds[name]!.outputs
            XCTAssertFalse(outputs.isEmpty, "\(name) declares no outputs")
            XCTAssertEqual(Set(outputs.map(\.path)).count, outputs.count, "\(name) declares a path twice")
            for o in outputs { XCTAssertFalse(o.help.isEmpty, "\(name) \(o.path) has no doc") }
        }
    }

    // MARK: Building changed values

    /// The documentation path as a key path into the resolved block: `a.b` → [a, b]; a list
    /// element `list[].key` → [list, 0, key] when the base block has an element, else nil.
    static func path(_ doc: String, in base: JSONValue) -> [PathStep]? {
        var steps: [PathStep] = []
        var node: JSONValue? = base
        for part in doc.split(separator: ".").map(String.init) {
            if part.hasSuffix("[]") {
                let key = String(part.dropLast(2))
                guard case .array(let items)? = node?.objectValue?[key], let first = items.first else { return nil }
                steps += [.key(key), .index(0)]
                node = first
            } else {
                steps.append(.key(part))
                node = node?.objectValue?[part]
            }
        }
        return steps
    }

    enum PathStep { case key(String), index(Int) }

    static func value(at path: [PathStep], in json: JSONValue) -> JSONValue? {
        var node: JSONValue? = json
        for step in path {
            switch step {
            case .key(let k): node = node?.objectValue?[k]
            case .index(let i):
                guard case .array(let items)? = node, i < items.count else { return nil }
                node = items[i]
            }
        }
        return node
    }

    static func setting(_ path: [PathStep], to value: JSONValue, in json: JSONValue) -> JSONValue {
        guard let step = path.first else { return value }
        switch step {
        case .key(let k):
            var object = json.objectValue ?? [:]
            object[k] = setting(Array(path.dropFirst()), to: value, in: object[k] ?? .object([:]))
            return .object(object)
        case .index(let i):
            guard case .array(var items) = json else { return json }
            items[i] = setting(Array(path.dropFirst()), to: value, in: items[i])
            return .array(items)
        }
    }

    /// Values to try, most likely valid first.
    static func candidates(for doc: ParameterDoc, current: JSONValue?) -> [JSONValue] {
        let now = current ?? doc.defaultValue
        switch doc.type {
        case "integer":
            let v: Int64 = { if case .int(let i)? = now { return i }; return 1 }()
            return [.int(v + 1), .int(v * 2), .int(max(v - 1, 0)), .int(2), .int(1), .int(0), .int(10)]
        case "number":
            let v: Double = { if case .double(let d)? = now { return d }; if case .int(let i)? = now { return Double(i) }; return 1 }()
            return [v * 1.5 + 0.01, v * 0.5, v + 0.25, 0.5, 0.05, 2.0, -0.5, 0.9].map { JSONValue.double($0) }
        case "boolean":
            let v: Bool = { if case .bool(let b)? = now { return b }; return false }()
            return [.bool(!v)]
        case "list of numbers":
            return [[0.5], [0.5, 0.25], [1.0, 0.5, 0.25], [-1.0, 1.0], [2.0, 1.0, 0.5, 0.25], [0.0, 0.0, 0.0, 0.0]]
        case "list of integers":
            return [[1], [2, 3], [1, 2, 3], [2], [0, 1], [0, 1, 2, 3], [64, 64]]
        case "list of strings":
            return [["x"], ["y"], ["A"], ["a", "b"]]
        default:
            if doc.type.hasPrefix("one of: ") {
                let names = doc.type.dropFirst("one of: ".count).components(separatedBy: ", ")
                return names.filter { JSONValue.string($0) != now }.map { .string($0) }
            }
            if doc.type.hasPrefix("list of") {
                return [["mu2"], ["x"], ["x", "y"], [0], [[0, 1]], ["BH:1:CA", "BH:10:CA"], [.object(["distance": [0, 1]])]]
            }
            return ["changed", "random", "boltzmann", "A", "B", "auto", "none", 0.5, 12.0, 2, [0.5, 0.5], "mu2", "x", "y",
                    "deca-alanine", 1, 5]
        }
    }
}
