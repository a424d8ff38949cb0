import XCTest
@testable import FlowCore

/// What the Slurm executor reads from and writes to Slurm's tools, without a cluster (the
/// executor itself is tested against a real one in SlurmExecutorTests).
final class SlurmToolTests: XCTestCase {
    func testSqueueAndSacctLinesParse() {
        let states = Slurm.parse("12|RUNNING|None\n13|PENDING|DependencyNeverSatisfied\n14|CANCELLED by 0|None\n")
        XCTAssertEqual(states["12"], .init(state: "RUNNING", reason: "None"))
        XCTAssertEqual(states["13"]?.reason, "DependencyNeverSatisfied")
        XCTAssertEqual(states["14"]?.state, "CANCELLED", "sacct's 'CANCELLED by uid' is a cancellation")
        XCTAssertTrue(states["12"]!.isActive)
        XCTAssertFalse(states["14"]!.isActive)
    }

    func testKillsBySlurmNameTheResourceToRaise() {
        XCTAssertEqual(Slurm.JobState(state: "TIMEOUT", reason: "TimeLimit").killDescription,
                       "reached its time limit (Slurm state TIMEOUT); raise resources.time")
        XCTAssertEqual(Slurm.JobState(state: "OUT_OF_MEMORY", reason: "OutOfMemory").killDescription,
                       "ran out of memory (Slurm state OUT_OF_MEMORY); raise resources.memory")
        XCTAssertEqual(Slurm.JobState(state: "NODE_FAIL", reason: "NodeDown").killDescription,
                       "lost its node (Slurm state NODE_FAIL, NodeDown); run flow run again")
        XCTAssertNil(Slurm.JobState(state: "COMPLETED", reason: "None").killDescription)
        XCTAssertNil(Slurm.JobState(state: "FAILED", reason: "NonZeroExitCode").killDescription, "a failing program reports itself")
    }

    func testResourceTimesBecomeSlurmTimes() {
        XCTAssertEqual(Slurm.time("90s"), "00:01:30")
        XCTAssertEqual(Slurm.time("30m"), "00:30:00")
        XCTAssertEqual(Slurm.time("2h"), "02:00:00")
        XCTAssertEqual(Slurm.time("1.5d"), "1-12:00:00")
        XCTAssertEqual(Slurm.time("1-00:00:00"), "1-00:00:00", "Slurm's own forms pass through")
        XCTAssertEqual(Slurm.time("120"), "120")
    }

    func testExecutorSettingsFromTheWorkflowWinOverTheUserDefaults() throws {
        var base = ExecutorSettings()
        base.partition = "cpu"
        base.account = "chem"
        base.sbatch = ["--constraint=skylake"]
        var workflow = ExecutorSettings()
        workflow.partition = "gpu"
        let merged = workflow.over(base)
        XCTAssertEqual(merged.partition, "gpu")
        XCTAssertEqual(merged.account, "chem")
        XCTAssertEqual(merged.sbatch, ["--constraint=skylake"])
    }
}

extension SlurmToolTests {
    /// `resources:` and the `executor:` block map onto sbatch's options; a stage's resources win.
    func testResourcesBecomeSbatchOptions() throws {
        let ws = Workspace()
        _ = ws.write("wf.yaml", """
        name: wf
        executor: {partition: cpu, account: chem, time: 1h, qos: short, sbatch: [--constraint=skylake]}
        stages:
          x: {kind: counter, params: {value: 1.0}, resources: {cpus: 4, memory: 8G, time: 90m, partition: gpu, gres: "gpu:1"}}
          y: {kind: counter, inputs: {a: x}, params: {value: 0.5}}
        """)
        let wf = try ws.load("wf.yaml")
        let nodes = try StagePlan.nodes(for: wf, options: RunOptions())
        let store = Store(workspace: ws.root)
        let slurm = SlurmExecutor(jobs: StageJobs(store: store, runID: "r", options: RunOptions()), settings: try XCTUnwrap(wf[0].executor),
                                  flowBinary: "/opt/flow", console: Console(mode: .quiet), detached: false)
        let x = slurm.sbatchArguments(nodes[0], dependencies: [])
        for option in ["--cpus-per-task=4", "--mem=8G", "--time=01:30:00", "--partition=gpu", "--account=chem", "--qos=short",
                       "--gres=gpu:1", "--constraint=skylake"] {
            XCTAssertTrue(x.contains(option), "\(option) in \(x)")
        }
        let y = slurm.sbatchArguments(nodes[1], dependencies: ["12", "9"])
        XCTAssertTrue(y.contains("--dependency=afterok:12:9"), "\(y)")
        XCTAssertTrue(y.contains("--time=01:00:00") && y.contains("--partition=cpu"), "the executor block's defaults: \(y)")
        XCTAssertFalse(y.contains { $0.hasPrefix("--gres") || $0.hasPrefix("--mem=") }, "\(y)")
    }
}
