import ArgumentParser
import FlowCore
import FlowStages
import Foundation

struct ExecStage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-stage",
        abstract: "Run one resolved stage from its spec and commit it into the workspace's store (what cluster jobs run).",
        discussion: """
        SPEC is the .spec.json that flow run writes under .flow/runs/<run>/ for a stage it runs \
        with --executor process or slurm. Nothing is planned: the stage, its parameters and its \
        inputs are those of the spec. A stage with resources.shards runs as parts: \
        `--part I` computes part I (0-based) into a shard file, and the run without --part \
        gathers every part's shard file into the one output and commits it. \
        Exit codes: 0 ran or cached, 1 failed, 130 interrupted.
        """)

    @Argument(help: "The stage spec (.flow/runs/<run>/<stage>.spec.json).")
    var spec: String

    @Option(name: .long, help: "Run only this part (0-based) of a stage with resources.shards; a Slurm job array passes $SLURM_ARRAY_TASK_ID.")
    var part: Int?

    @Option(name: .long, help: "Cores the stage may use, instead of the spec's (parts sharing one machine).")
    var cpus: Int?

    func run() throws {
        if let cpus, cpus < 1 { throw ValidationError("--cpus must be at least 1") }
        let code = try StageJobRunner(registry: StandardRegistry.shared).run(specPath: spec, part: part, cpus: cpus)
        if code != 0 { throw ExitCode(code) }
    }
}
