import ArgumentParser
import FlowCore

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Past runs: when, what ran, durations.")

    @Option(name: .long, help: "How many runs to show.")
    var limit = 10

    @Option(name: .long, help: "Workspace root.")
    var workspace: String = "."

    func run() throws {
        print(RunHistory.render(Store(workspace: workspace).runs(), limit: limit), terminator: "")
    }
}
