import ArgumentParser
import FlowCore
import FlowStages
import Foundation

struct GC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove store objects that none of the given workflows references.")

    @Argument(help: "Workflow files whose results to keep (everything else is removed).")
    var workflows: [String]

    @Flag(name: .long, help: "Only list what would be removed.")
    var dryRun = false

    @Option(name: .long, help: "Workspace root.")
    var workspace: String = "."

    func run() throws {
        guard !workflows.isEmpty else {
            throw FlowError.usage("name the workflow files whose results to keep, e.g. flow gc workflows/*.yaml")
        }
        var all: [Workflow] = []
        for file in workflows {
            all += try WorkflowLoader(registry: StandardRegistry.shared, workspace: workspace).load(file)
        }
        let engine = Engine(workspace: workspace, console: Console(mode: .quiet))
        let lock = WorkspaceLock(store: engine.store)
        if !dryRun { try lock.acquire(command: "flow gc") }
        defer { lock.release() }
        let r = try GarbageCollector(engine: engine).collect(keeping: all, dryRun: dryRun)
        for o in r.removedObjects { print("\(dryRun ? "would remove" : "removed") \(o)") }
        print(String(format: "%@ %d objects (%.1f MB) and %d records; kept %d objects",
                     dryRun ? "would remove" : "removed", r.removedObjects.count, Double(r.freedBytes) / 1_048_576,
                     r.removedRecords, r.keptObjects))
    }
}
