import ArgumentParser
import FlowCore
import Foundation

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per stage: cached, stale (and why), missing or failed.")

    @OptionGroup var workflow: WorkflowOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @Flag(name: .long, help: "Recompute digests of cached outputs instead of trusting file stats.")
    var verify = false

    func run() throws {
        let workflows = try workflow.load()
        let engine = workflow.engine(console: Console(mode: .quiet))
        let outcomes = try engine.status(workflows, verify: verify)
        if json {
            print(StatusFormatter.json(outcomes).pretty)
        } else {
            print(StatusFormatter.text(outcomes), terminator: "")
        }
    }
}
