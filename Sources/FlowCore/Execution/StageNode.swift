/// A stage of one workflow instance as the scheduler tracks it.
final class StageNode {
    enum Phase { case pending, ready, running, finished }

    let workflow: Workflow
    let spec: StageSpec
    /// Upstream nodes, by input name.
    var upstream: [(input: String, node: StageNode)] = []
    /// False for stages only needed as cached inputs of selected stages (`--only`, `--from`).
    var selected = true
    var forced = false
    var phase = Phase.pending
    var status: StageStatus?
    var manifest: JSONValue?
    var key: String?
    var digest: String?
    var record: StageRecord?
    var durationSeconds = 0.0
    var peakMemoryBytes: Int64?
    var logPath: String?
    /// What a detached executor says about the stage it started (`Slurm job 123`).
    var submission: String?

    init(workflow: Workflow, spec: StageSpec) {
        self.workflow = workflow
        self.spec = spec
    }

    var id: String { "\(workflow.qualifiedName)/\(spec.name)" }

    /// How it is named in output: `dmap`, or `dmap [beta=5.0]` for matrix instances.
    var displayName: String {
        workflow.instance.map { "\(spec.name) [\($0)]" } ?? spec.name
    }

    var succeeded: Bool { status == .cached || status == .ran }

    var cpus: Int { spec.resources.cpus ?? spec.kind.cpus }

    /// How many parts the stage runs as (`resources.shards`, 1 when absent).
    var shards: Int { spec.resources.shards ?? 1 }

    var outcome: StageOutcome {
        StageOutcome(workflow: workflow.qualifiedName, stage: spec.name, kind: spec.kind.name,
                     status: status ?? .skipped("not reached"), key: key, digest: digest,
                     durationSeconds: durationSeconds, peakMemoryBytes: peakMemoryBytes, log: logPath)
    }
}

/// Builds the nodes of every workflow instance and marks which are selected.
enum StagePlan {
    static func nodes(for workflows: [Workflow], options: RunOptions) throws -> [StageNode] {
        var all: [StageNode] = []
        for wf in workflows {
            let graph = StageGraph(stages: wf.stages)
            guard let order = graph.topologicalOrder() else {
                throw FlowError.usage("the stages of \(wf.file) form a cycle")
            }
            for name in [options.from, options.until].compactMap({ $0 }) + options.only + Array(options.force)
                where wf.stage(name) == nil {
                throw FlowError.usage("no stage '\(name)' in \(wf.file)\(DidYouMean.hint(for: name, among: wf.stages.map(\.name))); stages: \(wf.stages.map(\.name).joined(separator: ", "))")
            }
            var selected = Set(wf.stages.map(\.name))
            if let from = options.from { selected.formIntersection(graph.descendants(of: from)) }
            if let until = options.until { selected.formIntersection(graph.ancestors(of: until)) }
            if !options.only.isEmpty { selected.formIntersection(options.only) }
            var needed = selected
            for s in selected { needed.formUnion(graph.ancestors(of: s)) }
            var byName: [String: StageNode] = [:]
            for name in order where needed.contains(name) {
                let node = StageNode(workflow: wf, spec: wf.stage(name)!)
                node.selected = selected.contains(name)
                node.forced = node.selected && (options.forceAll || options.force.contains(name))
                node.upstream = node.spec.inputs.compactMap { input in
                    if case .stage(let s) = input.source { return (input.name, byName[s]!) }
                    return nil
                }
                byName[name] = node
                all.append(node)
            }
        }
        return all
    }
}
