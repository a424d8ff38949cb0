import ArgumentParser
import FlowCore
import FlowStages

struct Stages: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List stage and system kinds, or describe one with its parameters, defaults and units.")

    @Argument(help: "A stage or system kind.")
    var kind: String?

    func run() throws {
        let catalogue = Catalogue(registry: StandardRegistry.shared)
        guard let kind else { print(catalogue.summary(), terminator: ""); return }
        guard let text = catalogue.describe(kind) else {
            let all = StandardRegistry.shared.stageKindNames + StandardRegistry.shared.systemKindNames
            throw FlowError.usage("unknown kind '\(kind)'\(DidYouMean.hint(for: kind, among: all)); run `flow stages` for the list")
        }
        print(text, terminator: "")
    }
}
