import ArgumentParser
import FlowCore

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a workflow without running anything.")

    @OptionGroup var workflow: WorkflowOptions

    func run() throws {
        let workflows = try workflow.load()
        let stages = workflows.first?.stages.count ?? 0
        let instances = workflows.count == 1 ? "" : " in \(workflows.count) matrix instances"
        print("\(workflow.workflow): valid (\(stages) stages\(instances))")
    }
}
