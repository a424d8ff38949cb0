import Foundation
import XCTest
import FlowCore
import FlowHDF5
import FlowStages

/// A throw-away workspace where molecular workflows run in-process through the engine.
struct MolecularWorkspace {
    let root: String

    init() {
        root = NSTemporaryDirectory() + "flow-molecular-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = root + "/" + name
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func load(_ file: String, set: [String] = []) throws -> [Workflow] {
        try WorkflowLoader(registry: StandardRegistry.shared, overrides: set, workspace: root).load(root + "/" + file)
    }

    /// Diagnostics of a workflow that must not load.
    func diagnostics(_ file: String) -> [String] {
        do {
            _ = try load(file)
            return []
        } catch FlowError.invalidWorkflow(let diags) {
            return diags.map { d in (d.key.map { "\($0): " } ?? "") + d.message }
        } catch {
            return ["\(error)"]
        }
    }

    @discardableResult
    func run(_ file: String, set: [String] = []) throws -> RunSummary {
        try Engine(workspace: root, console: Console(mode: .quiet)).run(try load(file, set: set), options: RunOptions())
    }

    /// The failure message of `stage` in a run that must fail.
    func failure(_ file: String, stage: String, set: [String] = []) throws -> String {
        let summary = try run(file, set: set)
        guard let outcome = summary.outcomes.first(where: { $0.stage == stage }), case .failed(let message) = outcome.status else {
            XCTFail("stage \(stage) did not fail: \(summary.outcomes.map { "\($0.stage) \($0.status)" })")
            return ""
        }
        return message
    }

    func open(_ path: String) throws -> HDF5File { try HDF5File.open(root + "/" + path) }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// `../shared/data/decaalanine` next to the package, or `$FLOW_SHARED_DATA/decaalanine`; skips
/// the test with a clear message when absent.
func sharedDecaAlanineDirectory() throws -> String {
    let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    var candidates: [String] = []
    if let env = ProcessInfo.processInfo.environment["FLOW_SHARED_DATA"] { candidates += [env + "/decaalanine", env] }
    candidates.append(package + "/../shared/data/decaalanine")
    for c in candidates where FileManager.default.fileExists(atPath: c + "/da.psf") { return c }
    throw XCTSkip("reference deca-alanine data not found (looked in \(candidates.joined(separator: ", "))); set FLOW_SHARED_DATA to the shared data folder")
}

/// The repository root (for workflows/ and Data/).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
