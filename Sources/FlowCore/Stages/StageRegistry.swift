import Foundation

/// A stage kind with its generic parts erased, as the engine stores it.
public struct StageKindDescriptor {
    public let name: String
    public let version: Int
    public let summary: String
    public let inputs: [InputSpec]
    public let acceptsAnyInputs: Bool
    public let system: SystemRequirement
    public let outputs: [OutputDataset]
    public let cpus: Int
    /// Decodes a `params:` block; nil (with diagnostics in the session) when invalid. `resolved`
    /// is the session's record of every parameter read, defaults included.
    public let decode: (ConfigNode?, ParameterSession) -> (value: Any, resolved: JSONValue)?
    /// Decodes resolved parameters from their JSON form (a stage spec serialized to run
    /// elsewhere) through the same decoder as a workflow, and records them again: decoding the
    /// record gives the same record (tested for every kind's defaults).
    public let decodeResolved: (JSONValue, ParameterSession) throws -> (value: Any, resolved: JSONValue)
    let runner: (Any, StageContext) throws -> Void
    let outputsOf: (Any) -> [OutputDataset]
    /// `StageKind.shardProblem` of decoded parameters.
    public let shardProblem: (Any, Int) -> String?
    /// `StageKind.shardedItems`.
    public let shardedItems: String?
    /// The documentation of every parameter (decoding an empty block in documenting mode).
    public let parameterDocs: () -> [ParameterDoc]

    init<K: StageKind>(_ kind: K.Type) {
        name = K.name
        version = K.version
        summary = K.summary
        inputs = K.inputs
        acceptsAnyInputs = K.acceptsAnyInputs
        system = K.system
        outputs = K.outputs
        cpus = K.cpus
        decode = { node, session in session.decodeRecorded(K.Parameters.self, from: node) }
        decodeResolved = { json, session in try session.decodeResolved(K.Parameters.self, from: json) }
        runner = { value, context in
            guard let p = value as? K.Parameters else {
                throw FlowError.stageFailed(stage: context.stageName, message: "internal error: parameters of the wrong type")
            }
            try K.run(p, in: context)
        }
        parameterDocs = { ParameterSession.documentation(of: K.Parameters.self) }
        outputsOf = { value in (value as? K.Parameters).map(K.outputs(of:)) ?? K.outputs }
        shardedItems = K.shardedItems
        shardProblem = { value, shards in (value as? K.Parameters).flatMap { K.shardProblem($0, shards: shards) } }
    }

    /// The outputs a stage with these (decoded) parameters declares: what its commit is checked against.
    public func outputs(for parameters: Any) -> [OutputDataset] { outputsOf(parameters) }

    public func run(_ parameters: Any, in context: StageContext) throws {
        try runner(parameters, context)
    }
}

/// A system kind with its generic parts erased.
public struct SystemKindDescriptor {
    public let name: String
    public let summary: String
    public let decode: (ConfigNode?, ParameterSession) -> (value: Any, resolved: JSONValue)?
    public let decodeResolved: (JSONValue, ParameterSession) throws -> (value: Any, resolved: JSONValue)
    public let parameterDocs: () -> [ParameterDoc]

    init<S: SystemKind>(_ kind: S.Type) {
        name = S.name
        summary = S.summary
        decode = { node, session in session.decodeRecorded(S.Parameters.self, from: node) }
        decodeResolved = { json, session in try session.decodeResolved(S.Parameters.self, from: json) }
        parameterDocs = { ParameterSession.documentation(of: S.Parameters.self) }
    }
}

/// Maps `kind:` names to stage and system kinds. FlowStages builds the standard registry; tests
/// build their own with test-only kinds.
public final class StageRegistry {
    public private(set) var stageKinds: [String: StageKindDescriptor] = [:]
    public private(set) var systemKinds: [String: SystemKindDescriptor] = [:]

    public init() {}

    public func register<K: StageKind>(_ kind: K.Type) {
        precondition(stageKinds[K.name] == nil, "stage kind '\(K.name)' registered twice")
        stageKinds[K.name] = StageKindDescriptor(kind)
    }

    public func register<S: SystemKind>(system kind: S.Type) {
        precondition(systemKinds[S.name] == nil, "system kind '\(S.name)' registered twice")
        systemKinds[S.name] = SystemKindDescriptor(kind)
    }

    public var stageKindNames: [String] { stageKinds.keys.sorted() }
    public var systemKindNames: [String] { systemKinds.keys.sorted() }
}

