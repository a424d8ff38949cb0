/// One fully resolved workflow instance: profile, overrides, matrix combination and `${vars}`
/// applied, every stage's parameters decoded with defaults. What the planner, the cache and the
/// scheduler work from.
public struct Workflow {
    /// `name:` of the file (results go to `results/<name>/`).
    public var name: String
    /// The matrix combination, e.g. `beta=5.0`, or nil without a matrix.
    public var instance: String?
    /// The workflow file as given on the command line.
    public var file: String
    public var description: String?
    public var seed: UInt64
    public var systems: [String: SystemDefinition]
    /// Stages in file order.
    public var stages: [StageSpec]
    /// The `executor:` block: how cluster jobs are submitted (never in a key).
    public var executor: ExecutorSettings? = nil

    /// `results/<name>` or `results/<name>/<instance>`, relative to the workspace.
    public var resultsPath: String {
        instance.map { "results/\(name)/\($0)" } ?? "results/\(name)"
    }

    /// `name` or `name/instance`: how stages of this instance are named in messages and state.
    public var qualifiedName: String {
        instance.map { "\(name)/\($0)" } ?? name
    }

    public func stage(_ name: String) -> StageSpec? {
        stages.first { $0.name == name }
    }
}

/// One stage of a resolved workflow.
public struct StageSpec {
    /// The stage's key under `stages:` (a display name: not part of the cache key, but the
    /// default seed derives from it).
    public var name: String
    public var kind: StageKindDescriptor
    public var location: SourceLocation
    public var description: String?
    /// Decoded parameters (the kind's `Parameters` value).
    public var parameters: Any
    /// Resolved parameters with defaults filled in (enters the cache key).
    public var resolvedParameters: JSONValue
    /// Inputs in file order.
    public var inputs: [(name: String, source: InputSource)]
    /// Name of the system under `systems:`, if any.
    public var systemName: String?
    /// The stage's seed: `seed:` when given, else derived from the workflow seed and the name.
    public var seed: UInt64
    public var resources: Resources

    /// Names of upstream stages this stage reads.
    public var upstreamStages: [String] {
        inputs.compactMap { if case .stage(let s) = $0.source { return s } else { return nil } }
    }
}

/// Where a stage input comes from.
public enum InputSource: Hashable {
    /// The output of another stage.
    case stage(String)
    /// A file, hashed by content; path relative to the workspace.
    case file(String)
}

/// A system under `systems:`, resolved.
public struct SystemDefinition {
    public var name: String
    public var kind: String
    public var location: SourceLocation
    /// Decoded parameters (the system kind's `Parameters` value).
    public var parameters: Any
    /// `{kind, params...}` with defaults filled in (enters the keys of stages that use it).
    public var resolved: JSONValue
}

/// `resources:` of a stage: what a cluster executor asks for. Never part of the cache key.
public struct Resources: Codable, Hashable {
    public var cpus: Int?
    public var memory: String?
    public var time: String?
    public var partition: String?
    public var account: String?
    public var gres: String?
    /// Independent parts the stage's work runs as (DESIGN §5 "shards"): processes locally, one
    /// Slurm job array on a cluster; a gather step writes the one output. Never in the key.
    public var shards: Int?

    enum CodingKeys: String, CodingKey { case cpus, memory, time, partition, account, gres, shards }

    public init() {}

    public init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        cpus = try p.optional(.cpus, in: .atLeast(1), help: "cores the stage uses (also sets how many run at once locally)")
        memory = try p.optional(.memory, help: "memory for a cluster job, e.g. 4G")
        time = try p.optional(.time, help: "wall-time limit for a cluster job, e.g. 2h or 30m")
        partition = try p.optional(.partition, help: "Slurm partition")
        account = try p.optional(.account, help: "Slurm account")
        gres = try p.optional(.gres, help: "Slurm generic resources, e.g. gpu:1")
        shards = try p.optional(.shards, in: .atLeast(1), help: "run the stage's independent walkers, replicas or windows as this many parallel parts (processes locally, a Slurm job array) and gather them into one output, identical to the unsharded one; which kinds shard: flow stages KIND")
    }
}
