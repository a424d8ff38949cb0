import ArgumentParser
import FlowCore
import Foundation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the stages of a workflow that are not cached, in parallel where possible.")

    @OptionGroup var workflow: WorkflowOptions

    @Flag(name: .long, help: "Show what would run and why; run nothing.")
    var dryRun = false

    @Option(name: .long, help: "Rerun this stage even if cached (repeatable). Descendants rerun only if its output changes.")
    var force: [String] = []

    @Flag(name: .long, help: "Rerun every selected stage.")
    var forceAll = false

    @Option(name: .long, help: "Only this stage and its descendants (its inputs must be cached).")
    var from: String?

    @Option(name: .long, help: "Only this stage and its ancestors.")
    var until: String?

    @Option(name: .long, help: "Only this stage (repeatable; inputs must be cached).")
    var only: [String] = []

    @Option(name: .shortAndLong, help: "Stages to run at once (default: cores ÷ each stage's cpus).")
    var jobs: Int?

    @Flag(name: .long, help: "After a failure, keep running stages that do not depend on it.")
    var keepGoing = false

    @Flag(name: .long, help: "Recompute the content digest of every cached output used.")
    var verify = false

    @Option(name: .long, help: "Seconds to wait when another flow run holds the workspace (default: fail at once).")
    var wait: Double?

    @Option(name: .long, help: "Where stages run: process (the default: a flow exec-stage child process per stage, so a crash stays the stage's failure), local (threads of this process), slurm (one sbatch job per stage).")
    var executor: ExecutorChoice = .process

    @Flag(name: .long, help: "With --executor slurm: return once the jobs are submitted; flow status shows them and the next flow run re-adopts them.")
    var detach = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let workflows = try workflow.load()
        var options = RunOptions()
        options.dryRun = dryRun
        options.force = Set(force)
        options.forceAll = forceAll
        options.from = from
        options.until = until
        options.only = only
        options.jobs = jobs
        options.keepGoing = keepGoing
        options.verify = verify
        options.lockWait = wait
        options.executor = executor
        options.detach = detach
        let console = Console()
        let summary = try workflow.engine(console: console).run(workflows, options: options)
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }
}

extension ExecutorChoice: ExpressibleByArgument {}
