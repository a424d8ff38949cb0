import XCTest
import FlowCore
import FlowHDF5
import FlowStages

/// Every shipped workflow validates, and runs end to end with `--profile smoke` through the
/// `flow` binary, then reruns fully cached (DESIGN §8: CI runs every smoke profile). Each stage's
/// output holds exactly its kind's declared datasets, with the declared types, finite values
/// (except where the declaration says NaN marks a gap) and consistent row counts.
final class WorkflowSmokeTests: XCTestCase {
    static let workflows = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("workflows").path

    func testEveryWorkflowRunsItsSmokeProfile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.workflows).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(files.contains("mueller-brown.yaml"), "the default workflow is shipped")
        var checked = 0
        for file in files {
            let cli = FlowCLI()
            defer { cli.remove() }
            try FileManager.default.copyItem(atPath: Self.workflows, toPath: cli.workspace + "/workflows")
            let path = "workflows/" + file
            let validate = try cli.run(["validate", path, "--profile", "smoke"])
            XCTAssertEqual(validate.status, 0, "\(file): \(validate.stderr)")
            let run = try cli.run(["run", path, "--profile", "smoke"])
            XCTAssertEqual(run.status, 0, "\(file): \(run.stderr)")
            let again = try cli.run(["run", path, "--profile", "smoke"])
            XCTAssertEqual(again.status, 0, "\(file): \(again.stderr)")
            XCTAssertTrue(again.stderr.contains(" 0 ran,"), "\(file): a second run is fully cached: \(again.stderr)")
            let loader = WorkflowLoader(registry: StandardRegistry.shared, profile: "smoke", workspace: cli.workspace)
            for instance in try loader.load(cli.workspace + "/" + path) {
                for stage in instance.stages {
                    checked += try checkOutput(cli.workspace + "/" + instance.resultsPath + "/" + stage.name + ".h5",
                                    declared: stage.kind.outputs, label: "\(file) \(stage.name)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 100, "datasets checked over all smoke runs")
    }

    /// Checks one stage's output; returns how many datasets it checked.
    func checkOutput(_ path: String, declared: [OutputDataset], label: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { XCTFail("\(label): no output at \(path)"); return 0 }
        var checked = 0
        let file = try HDF5File.open(path, mode: .readOnly)
        defer { try? file.close() }
        XCTAssertEqual(try OutputContract.violations(of: file.root, declared: declared), [], label)
        var rows: [String: (count: Int, path: String)] = [:]
        for d in declared where d.element != .group && file.root.contains(d.name) {
            let dataset = try file.root.dataset(d.name)
            checked += 1
            let shape = dataset.shape
            XCTAssertFalse(shape.contains(0) && !d.shape.contains("hills"), "\(label): \(d.path) is empty \(shape)")
            if d.element == .float64, !d.help.contains("NaN") {
                let values = try dataset.read(as: Double.self)
                XCTAssertTrue(values.allSatisfy(\.isFinite), "\(label): \(d.path) has non-finite values")
            }
            // Datasets whose declared shapes start with the same symbol (frames, rows, n, …)
            // have the same number of rows.
            let symbol = d.shape.components(separatedBy: " ×").first ?? d.shape
            guard symbol.allSatisfy(\.isLetter), let first = shape.first else { continue }
            if let seen = rows[symbol] {
                XCTAssertEqual(first, seen.count, "\(label): \(d.path) has \(first) \(symbol); \(seen.path) has \(seen.count)")
            } else {
                rows[symbol] = (first, d.path)
            }
        }
        return checked
    }
}
