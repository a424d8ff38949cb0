import ArgumentParser
import FlowCore

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolved parameters, cache key, status and output datasets of one stage.")

    @OptionGroup var workflow: WorkflowOptions

    @Argument(help: "The stage name.")
    var stage: String

    func run() throws {
        let inspector = StageInspector(engine: workflow.engine(console: Console(mode: .quiet)))
        for wf in try workflow.load() { print(try inspector.describe(wf, stage: stage)) }
    }
}
