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
        inputs are those of the spec. Exit codes: 0 ran or cached, 1 failed, 130 interrupted.
        """)

    @Argument(help: "The stage spec (.flow/runs/<run>/<stage>.spec.json).")
    var spec: String

    func run() throws {
        let code = try StageJobRunner(registry: StandardRegistry.shared).run(specPath: spec)
        if code != 0 { throw ExitCode(code) }
    }
}
