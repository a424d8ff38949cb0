import ArgumentParser
import FlowCore
import FlowStages
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct ExecStage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec-stage",
        abstract: "Run one resolved stage from its spec and commit it into the workspace's store (what child processes and cluster jobs run).",
        discussion: """
        SPEC is the .spec.json that flow run writes under .flow/runs/<run>/ for each stage it \
        runs with --executor process (the default) or slurm. Nothing is planned: the stage, its \
        parameters and its inputs are those of the spec. A stage with resources.shards runs as \
        parts: `--part I` computes part I (0-based) into a shard file, and the run without --part \
        gathers every part's shard file into the one output and commits it. \
        Exit codes: 0 ran or cached, 1 failed, 130 interrupted.
        """)

    @Flag(name: .long, help: .hidden)
    var relay = false

    @Option(name: .long, help: .hidden)
    var parent: Int32?

    @Argument(help: "The stage spec (.flow/runs/<run>/<stage>.spec.json).")
    var spec: String

    @Option(name: .long, help: "Run only this part (0-based) of a stage with resources.shards; a Slurm job array passes $SLURM_ARRAY_TASK_ID.")
    var part: Int?

    @Option(name: .long, help: "Cores the stage may use, instead of the spec's (parts sharing one machine).")
    var cpus: Int?

    func run() throws {
        if let cpus, cpus < 1 { throw ValidationError("--cpus must be at least 1") }
        let console = relay ? Console(mode: .relay, output: .standardOutput) : Console()
        if let parent { Self.exitWhenOrphaned(parent: parent) }
        let code = try StageJobRunner(registry: StandardRegistry.shared, console: console).run(specPath: spec, part: part, cpus: cpus)
        if code != 0 { throw ExitCode(code) }
    }

    /// A stage started by `flow run` ends with it: if the head process dies (kill -9), the stage's
    /// process follows within a twentieth of a second; the next run waits for it before it
    /// cleans the temp area (`Store.cleanStaleTemporaries`), so it never writes beside that run.
    static func exitWhenOrphaned(parent: Int32) {
        let watch = Thread {
            while getppid() == parent { usleep(50_000) }
            _exit(137)
        }
        watch.name = "parent watch"
        watch.start()
    }
}
