import Foundation

/// Where a stage runs (DESIGN §5 "executor seam"). The `Scheduler` owns the graph logic —
/// readiness, cache reuse, failure propagation, `--keep-going`, cancellation — and hands each
/// stage it decides to run to an executor, which starts it and reports its outcome once.
/// Executors differ only in where the stage's process is: this process's threads
/// (`LocalExecutor`), child processes running `flow exec-stage` (`ProcessExecutor`), or Slurm
/// jobs (`SlurmExecutor`). Every one commits through `StageExecutor`'s commit point, so the store,
/// the records and early cut-off are the same whichever ran a stage.
protocol Executor: AnyObject {
    /// Whether the executor can start a stage whose upstream stages are still running (a batch
    /// system that orders jobs itself with dependencies). Such a stage's key is computed where it
    /// runs, from the committed outputs of its upstream stages.
    var startsBeforeInputs: Bool { get }

    /// Whether `node` may start now, given how many stages run and the cores they hold.
    func admits(_ node: StageNode, running: Int, usedCpus: Int, options: RunOptions) -> Bool

    /// Starts one stage. `done` is called exactly once, from any thread, with its outcome.
    func start(_ launch: StageLaunch, done: @escaping (StageExecutor.Result) -> Void)

    /// Cancellation was requested (Ctrl-C): stop every started stage. Each still reports through
    /// its `done`.
    func cancelAll()

    /// Whether the run should return without waiting for started stages (`--detach`).
    var detached: Bool { get }
}

extension Executor {
    var startsBeforeInputs: Bool { false }
    var detached: Bool { false }
    func cancelAll() {}

    /// The local budget: at most `--jobs` stages, or as many as the cores hold.
    func admitsLocally(_ node: StageNode, running: Int, usedCpus: Int, options: RunOptions) -> Bool {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let jobs = options.jobs { return running < jobs }
        return running == 0 || usedCpus + min(node.cpus, cores) <= cores
    }
}

/// A stage the scheduler decided to run, with what its inputs resolved to.
struct StageLaunch {
    let node: StageNode
    /// Inputs whose content is known: stage outputs in the store and files.
    let inputs: [String: StageContext.ResolvedInput]
    /// Inputs produced by upstream stages that are still running (`startsBeforeInputs` only).
    let pending: [String: StageNode]
}

/// Today's behaviour: each stage on its own thread of this process, up to the cpu budget. A
/// stage with `resources.shards` goes to `parts` (its parts as concurrent `flow exec-stage`
/// processes); without one (an engine embedded in another program) it runs unsharded here,
/// with the same output.
final class LocalExecutor: Executor {
    let runner: StageExecutor
    let parts: ProcessExecutor?

    init(runner: StageExecutor, parts: ProcessExecutor? = nil) {
        self.runner = runner
        self.parts = parts
    }

    func admits(_ node: StageNode, running: Int, usedCpus: Int, options: RunOptions) -> Bool {
        admitsLocally(node, running: running, usedCpus: usedCpus, options: options)
    }

    func cancelAll() { parts?.cancelAll() }

    func start(_ launch: StageLaunch, done: @escaping (StageExecutor.Result) -> Void) {
        if launch.node.shards > 1, let parts { return parts.start(launch, done: done) }
        let runner = self.runner
        let thread = Thread { done(runner.run(launch.node, inputs: launch.inputs)) }
        thread.stackSize = 64 << 20
        thread.name = "stage \(launch.node.spec.name)"
        thread.start()
    }
}
