/// A kind of stage (`kind: diffusion-map`): the engine treats it as an opaque unit with typed
/// parameters, named inputs and one HDF5 output (DESIGN §2). Conforming types live in FlowStages.
///
/// `version` must be bumped whenever the numerical output for the same parameters changes, so
/// that cached results computed by older code are not reused (it is part of the cache key).
public protocol StageKind {
    /// Parameters decoded from the stage's `params:` block. `init(from:)` reads every key through
    /// `ParameterContainer` (default, unit, range, help); what it reads is recorded as the
    /// resolved parameters that enter the cache key, so the type needs no `encode(to:)`.
    associatedtype Parameters: Decodable

    static var name: String { get }
    static var version: Int { get }
    /// One line for `flow stages`.
    static var summary: String { get }
    /// Named inputs the stage reads.
    static var inputs: [InputSpec] { get }
    /// True when the stage takes any number of inputs of any name (e.g. `report`).
    static var acceptsAnyInputs: Bool { get }
    /// Whether the stage needs a `system:`.
    static var system: SystemRequirement { get }
    /// Every dataset and group the output may contain: the contract later stages rely on,
    /// printed by `flow stages` and enforced when the stage commits (`OutputContract`).
    static var outputs: [OutputDataset] { get }
    /// Cores one instance uses by default; the local scheduler runs ⌊cores / cpus⌋ at once.
    static var cpus: Int { get }
    /// The outputs of one stage of this kind: `outputs`, unless its parameters declare more
    /// (`command`, whose outputs are named in the workflow).
    static func outputs(of parameters: Parameters) -> [OutputDataset]

    /// Why a stage with these parameters cannot run as `shards` parts (DESIGN §5), or nil when
    /// it can: its `run` then honours `context.shard`, computing one part's independent walkers
    /// into a shard file or gathering every part into the one output, bit-identical to the
    /// unsharded run. Kinds without independent work keep the default refusal.
    static func shardProblem(_ parameters: Parameters, shards: Int) -> String?
    /// What the parts of a sharded stage of this kind split, for `flow stages KIND` (e.g.
    /// "walkers"); nil when the kind does not shard.
    static var shardedItems: String? { get }

    /// Reads inputs from `context`, computes, and writes the output file `context.output`.
    static func run(_ parameters: Parameters, in context: StageContext) throws
}

public extension StageKind {
    static var acceptsAnyInputs: Bool { false }
    static var system: SystemRequirement { .none }
    static var outputs: [OutputDataset] { [] }
    static var cpus: Int { 1 }
    static func outputs(of parameters: Parameters) -> [OutputDataset] { outputs }
    static var shardedItems: String? { nil }
    static func shardProblem(_ parameters: Parameters, shards: Int) -> String? {
        "stage kind '\(name)' does not run in shards (its work is not independent walkers, replicas or windows); remove resources.shards"
    }
}

/// A named input of a stage kind.
public struct InputSpec: Sendable, Hashable {
    public var name: String
    public var required: Bool
    public var help: String

    public init(_ name: String, required: Bool = true, help: String) {
        self.name = name
        self.required = required
        self.help = help
    }
}

public enum SystemRequirement: String, Sendable {
    case none, optional, required
}

/// A kind of physical system (`kind: mueller-brown` under `systems:`). Its parameters are every
/// key of the system block except `kind` and `description` (e.g. `beta`, `params`).
public protocol SystemKind {
    associatedtype Parameters: Decodable
    static var name: String { get }
    static var summary: String { get }
}
