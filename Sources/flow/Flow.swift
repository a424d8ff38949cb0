import ArgumentParser
import CFlowStartup
import FlowCore
import FlowStages
import Foundation

/// The `flow` command line: argument parsing and printing only; the work is in FlowCore and
/// FlowStages (DESIGN §2).
struct Flow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Run workflows that learn collective variables and reduced dynamics from molecular simulations.",
        discussion: """
        Exit codes: 0 ok, 1 a stage failed, 2 bad usage or invalid workflow, 130 interrupted.
        Documentation: README.md; stage kinds and parameters: flow stages [KIND].
        """,
        version: FlowVersion.current,
        subcommands: [Run.self, Status.self, DAG.self, Show.self, Validate.self, Stages.self, GC.self, Runs.self, Energy.self, Export.self, ExecStage.self]
    )
}

/// Options shared by every command that reads a workflow, so that `status`, `dag`, `show` and
/// `validate` describe exactly the keys `run` would use.
struct WorkflowOptions: ParsableArguments {
    @Argument(help: "The workflow file (e.g. workflows/mueller-brown.yaml).")
    var workflow: String

    @Option(name: .long, help: "Apply the named profile of the workflow (e.g. smoke).")
    var profile: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a value: a variable (beta=7), a stage key (sample.params.steps=1000) or a section path (seed=3). Repeatable.", valueName: "key.path=value"))
    var overrides: [String] = []

    @Option(name: .long, help: "Workspace root holding .flow/ and results/ (default: the current directory).")
    var workspace: String = "."

    func load() throws -> [Workflow] {
        let loader = WorkflowLoader(registry: StandardRegistry.shared, profile: profile, overrides: overrides,
                                    workspace: workspace)
        return try loader.load(workflow)
    }

    func engine(console: Console = Console()) -> Engine {
        Engine(workspace: workspace, console: console)
    }
}

/// Prints an error the way every command does and returns the exit code.
func report(_ error: Error) -> Int32 {
    let stderr = FileHandle.standardError
    switch error {
    case FlowError.invalidWorkflow(let diags):
        for d in diags { stderr.write(Data("\(d)\n".utf8)) }
        stderr.write(Data("flow: the workflow is invalid (\(diags.count) error\(diags.count == 1 ? "" : "s")); nothing was run\n".utf8))
        return 2
    case FlowError.usage(let m):
        stderr.write(Data("flow: error: \(m)\n".utf8))
        return 2
    case FlowError.locked(let m):
        stderr.write(Data("flow: error: \(m)\n".utf8))
        return 2
    case FlowError.interrupted:
        return 130
    default:
        stderr.write(Data("flow: error: \(error)\n".utf8))
        return 1
    }
}

/// Entry point: parse, run, map errors to exit codes (ArgumentParser's usage errors → 2).
@main
enum Main {
    static func main() {
        _ = flow_startup_linked()
        SignalTrap.installEarly()
        setvbuf(stdout, nil, _IOLBF, 0)
        do {
            var command = try Flow.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch let error as FlowError {
            exit(report(error))
        } catch {
            let code = Flow.exitCode(for: error)
            if code == .success {
                print(Flow.fullMessage(for: error))
                exit(0)
            }
            FileHandle.standardError.write(Data((Flow.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}
