import XCTest
import FlowCore

/// The executor seam (DESIGN §5): a workflow run with every stage in a child `flow exec-stage`
/// process gives the same outputs, bytes for bytes, as the in-process run, and the store it
/// leaves is the same store: a local run afterwards is fully cached, and early cut-off works
/// across executors.
final class ExecutorTests: XCTestCase {
    /// Five stages, a fan-out and a fan-in, a few seconds in all.
    static let dag = """
    name: dag
    seed: 7
    systems: {mb: {kind: mueller-brown, params: {scale: 0.05}}}
    stages:
      sample: {kind: simulate, system: mb, params: {integrator: euler-maruyama, dt: 1.0e-4, steps: 2000, stride: 10, walkers: 10, initial: boltzmann}}
      path: {kind: string, system: mb, params: {from: A, to: C}}
      dmap: {kind: diffusion-map, system: mb, inputs: {data: sample}, params: {method: tmd, target: system, components: 1}}
      ae: {kind: autoencoder, system: mb, inputs: {data: sample, mep1: path}, params: {training: {epochs: 3}}}
      report: {kind: report, inputs: {dmap: dmap, ae: ae}}
    """

    /// Every stage: each output, the report included, is a pure function of its key.
    static let deterministic = ["sample", "path", "dmap", "ae", "report"]

    func testChildProcessesGiveTheInProcessOutputsAndTheSameStore() throws {
        let local = FlowCLI(), child = FlowCLI()
        defer { local.remove(); child.remove() }
        for cli in [local, child] { cli.write("dag.yaml", Self.dag) }
        let a = try local.run(["run", "dag.yaml"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let b = try child.run(["run", "dag.yaml", "--executor", "process"])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertTrue(b.stderr.contains("5 ran, 0 cached"), b.stderr)
        try Self.assertSameOutputs(local.workspace, child.workspace, workflow: "dag", stages: Self.deterministic)
        let specs = child.files(under: ".flow/runs").filter { $0.hasSuffix(".spec.json") }
        XCTAssertEqual(specs.count, 5, "one serialized spec per stage: \(specs)")

        let cached = try child.run(["run", "dag.yaml"])
        XCTAssertTrue(cached.stderr.contains("0 ran, 5 cached"), "a local run reuses what the child processes committed: \(cached.stderr)")
        let cutOff = try child.run(["run", "dag.yaml", "--executor", "process", "--force", "sample"])
        XCTAssertEqual(cutOff.status, 0, cutOff.stderr)
        XCTAssertTrue(cutOff.stderr.contains("1 ran, 4 cached"), "the rerun reproduces its output, so its dependants stay cached: \(cutOff.stderr)")
    }

    /// A failing stage in a child process fails with its own message; its dependants are skipped.
    func testAFailureInAChildProcessIsReportedWithItsMessage() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("dag.yaml", Self.dag)
        let r = try cli.run(["run", "dag.yaml", "--executor", "process", "--set", "path.params.from=Z"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("✗ path  failed:") && r.stderr.contains("'Z'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("- ae  skipped: input 'mep1' (stage path) is not available"), r.stderr)
    }

    func testExecStageRejectsWhatIsNotASpec() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("bad.json", "{}")
        let r = try cli.run(["exec-stage", "bad.json"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("'bad.json' is not a stage spec written by flow run"), r.stderr)
        let missing = try cli.run(["exec-stage", "nowhere.json"])
        XCTAssertTrue(missing.stderr.contains("stage spec 'nowhere.json' not found"), missing.stderr)
    }

    /// The published outputs of `stages` are the same bytes in both workspaces.
    static func assertSameOutputs(_ a: String, _ b: String, workflow: String, stages: [String],
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        for stage in stages {
            let path = "/results/\(workflow)/\(stage).h5"
            let x = try XCTUnwrap(FileManager.default.contents(atPath: a + path), "\(stage) in \(a)", file: file, line: line)
            let y = try XCTUnwrap(FileManager.default.contents(atPath: b + path), "\(stage) in \(b)", file: file, line: line)
            XCTAssertEqual(x, y, "\(stage).h5 differs", file: file, line: line)
        }
    }
}
