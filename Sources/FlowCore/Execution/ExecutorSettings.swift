import Foundation

/// Where `flow run` runs stages (`--executor`).
public enum ExecutorChoice: String, CaseIterable, Sendable {
    /// Threads of the `flow run` process (the library's default).
    case local
    /// A child `flow exec-stage` process per stage, on this machine (`flow run`'s default).
    case process
    /// One Slurm job per stage.
    case slurm
}

/// The `executor:` block of a workflow or of `~/.config/flow/config.yaml`: how cluster jobs are
/// submitted. Never part of a cache key. Per-stage `resources:` take precedence over the
/// defaults here.
public struct ExecutorSettings: Decodable, Equatable {
    public var partition: String?
    public var account: String?
    public var time: String?
    public var qos: String?
    /// Extra `sbatch` arguments, appended to every submission.
    public var sbatch: [String] = []
    /// The `flow` binary the jobs run (default: the one running `flow run`).
    public var flow: String?
    /// Seconds between two `squeue` polls.
    public var poll: Double?

    enum CodingKeys: String, CodingKey { case partition, account, time, qos, sbatch, flow, poll }

    public init() {}

    public init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        partition = try p.optional(.partition, help: "Slurm partition of every job (a stage's resources.partition wins)")
        account = try p.optional(.account, help: "Slurm account charged (a stage's resources.account wins)")
        time = try p.optional(.time, help: "default wall-time limit of a job, e.g. 2h, 30m or 1-00:00:00 (a stage's resources.time wins)")
        qos = try p.optional(.qos, help: "Slurm quality of service")
        sbatch = try p(.sbatch, default: [String](), help: "extra sbatch arguments for every job, e.g. [--constraint=skylake]")
        flow = try p.optional(.flow, help: "path of the flow binary the jobs run, as seen from the compute nodes (default: this flow)")
        poll = try p.optional(.poll, unit: "s", in: .atLeast(0.1), help: "seconds between two squeue polls (default 5)")
    }

    /// These settings, with `base`'s values where these leave a key unset.
    public func over(_ base: ExecutorSettings) -> ExecutorSettings {
        var s = self
        s.partition = partition ?? base.partition
        s.account = account ?? base.account
        s.time = time ?? base.time
        s.qos = qos ?? base.qos
        s.sbatch = sbatch.isEmpty ? base.sbatch : sbatch
        s.flow = flow ?? base.flow
        s.poll = poll ?? base.poll
        return s
    }

    /// The user's defaults: the `executor:` block of `$FLOW_CONFIG`, else of
    /// `~/.config/flow/config.yaml`; empty when there is no such file.
    public static func userDefaults() throws -> ExecutorSettings {
        let env = ProcessInfo.processInfo.environment
        let path = env["FLOW_CONFIG"]
            ?? ((env["XDG_CONFIG_HOME"] ?? (NSHomeDirectory() + "/.config")) + "/flow/config.yaml")
        guard let data = FileManager.default.contents(atPath: path) else { return ExecutorSettings() }
        let root = try ConfigNode.parse(yaml: String(decoding: data, as: UTF8.self), file: path)
        for e in root.entries ?? [] where e.key != "executor" {
            throw FlowError.invalidWorkflow([Diagnostic("unknown key '\(e.key)' in the flow configuration; it holds an executor: block", at: e.keyLocation)])
        }
        return try decode(root["executor"], at: root.location)
    }

    static func decode(_ node: ConfigNode?, at location: SourceLocation) throws -> ExecutorSettings {
        let session = ParameterSession(stage: nil, keyPrefix: "executor", at: node?.location ?? location)
        guard let s = session.decode(ExecutorSettings.self, from: node) else { throw FlowError.invalidWorkflow(session.diagnostics) }
        return s
    }
}
