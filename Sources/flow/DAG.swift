import ArgumentParser
import FlowCore

extension DAGFormat: ExpressibleByArgument {}

struct DAG: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage graph.")

    @OptionGroup var workflow: WorkflowOptions

    @Option(name: .long, help: "text, dot or mermaid.")
    var format: DAGFormat = .text

    func run() throws {
        for wf in try workflow.load() { print(DAGRenderer.render(wf, format: format), terminator: "") }
    }
}
