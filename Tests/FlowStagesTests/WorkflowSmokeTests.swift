import XCTest

/// Every shipped workflow validates, and runs end to end with `--profile smoke` through the
/// `flow` binary, then reruns fully cached (DESIGN §8: CI runs every smoke profile).
final class WorkflowSmokeTests: XCTestCase {
    static let workflows = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("workflows").path

    func testEveryWorkflowRunsItsSmokeProfile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.workflows).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertTrue(files.contains("mueller-brown.yaml"), "the default workflow is shipped")
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
        }
    }
}
