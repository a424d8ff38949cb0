import XCTest
import FlowHDF5

/// The `flow` command as a user runs it: exit codes, crash safety, interruption, locking.
final class CLITests: XCTestCase {
    var cli: FlowCLI!

    /// A Müller–Brown simulation long enough to interrupt (a few seconds in a release build);
    /// `--set sample.params.steps=…` makes it endless or short.
    static let slowWorkflow = """
    name: slow
    seed: 11
    systems:
      mb: {kind: mueller-brown}
    stages:
      sample: {kind: simulate, system: mb, params: {steps: 20000000, stride: 200000, walkers: 4, dt: 1.0e-4, initial: A}}
      after: {kind: report, inputs: {s: sample}}
    """

    /// True once the `sample` stage is writing its output in the temp area.
    func sampleIsRunning() -> Bool {
        cli.files(under: ".flow/tmp").contains { $0.hasSuffix("-sample.h5") }
    }

    override func setUp() {
        cli = FlowCLI()
        cli.write("slow.yaml", Self.slowWorkflow)
        cli.write("ok.yaml", """
        name: ok
        systems: {mb: {kind: mueller-brown}}
        stages:
          sample: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: A}}
          report: {kind: report, system: mb, inputs: {sample: sample}}
        """)
    }

    override func tearDown() { cli.remove() }

    func testExitCodes() throws {
        XCTAssertEqual(try cli.run(["run", "ok.yaml"]).status, 0)
        let invalid = try cli.run(["run", "ok.yaml", "--set", "sample.params.steps=0"])
        XCTAssertEqual(invalid.status, 2)
        XCTAssertTrue(invalid.stderr.contains("--set sample.params.steps: error: stage 'sample': params.steps: must be ≥ 1 (got 0)"),
                      "an error in an override names the override: \(invalid.stderr)")
        XCTAssertEqual(try cli.run(["run", "missing.yaml"]).status, 2)
        XCTAssertEqual(try cli.run(["run", "ok.yaml", "--jobs", "0"]).status, 2)
        XCTAssertEqual(try cli.run(["frobnicate"]).status, 2)
        let failing = try cli.run(["run", "ok.yaml", "--set", "sample.params.initial=Z"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stderr.contains("the system has no state 'Z'"), failing.stderr)
    }

    func testSecondRunIsCachedAndStatusExplains() throws {
        try cli.run(["run", "ok.yaml"])
        let again = try cli.run(["run", "ok.yaml"])
        XCTAssertTrue(again.stderr.contains("0 ran, 2 cached"), again.stderr)
        let st = try cli.run(["status", "ok.yaml", "--set", "sample.params.steps=400"])
        XCTAssertTrue(st.stdout.contains("params.steps: 200 → 400"), st.stdout)
        let json = try cli.run(["status", "ok.yaml", "--json"])
        XCTAssertTrue(json.stdout.contains("\"status\": \"cached\""), json.stdout)
    }

    /// A report is a function of its inputs and parameters like any output: rerunning it, and
    /// rerunning its upstream stage, give the same bytes (it held run times and "ran/cached").
    func testAReportIsTheSameBytesOnEveryRerun() throws {
        XCTAssertEqual(try cli.run(["run", "ok.yaml"]).status, 0)
        let report = cli.workspace + "/results/ok/report.md"
        let first = try XCTUnwrap(FileManager.default.contents(atPath: report))
        XCTAssertEqual(try cli.run(["run", "ok.yaml", "--force-all"]).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: report), first)
        XCTAssertTrue(String(decoding: first, as: UTF8.self).contains("| input | stage | kind | key | output digest |"))
    }

    func testAForeignFileInResultsIsReportedAsModifiedAndRepublished() throws {
        XCTAssertEqual(try cli.run(["run", "ok.yaml"]).status, 0)
        let published = cli.workspace + "/results/ok/sample.h5"
        let original = try XCTUnwrap(FileManager.default.contents(atPath: published))
        try FileManager.default.removeItem(atPath: published)
        try Data("not the output".utf8).write(to: URL(fileURLWithPath: published))
        let st = try cli.run(["status", "ok.yaml"])
        XCTAssertTrue(st.stdout.contains("sample  modified  results/ok/sample.h5 is not the stage's cached output (replaced or edited); flow run publishes the output again"), st.stdout)
        XCTAssertTrue(st.stdout.contains("report  cached"), st.stdout)
        let json = try cli.run(["status", "ok.yaml", "--json"])
        XCTAssertTrue(json.stdout.contains("\"status\": \"modified\""), json.stdout)
        XCTAssertEqual(try cli.run(["run", "ok.yaml"]).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: published), original, "the next run publishes the output again")
        XCTAssertFalse(try cli.run(["status", "ok.yaml"]).stdout.contains("modified"))
    }

    func testKillDashNineMidStageThenRunCompletesAndResumesFromTheCheckpoint() throws {
        let reference = FlowCLI()
        defer { reference.remove() }
        reference.write("slow.yaml", Self.slowWorkflow)
        XCTAssertEqual(try reference.run(["run", "slow.yaml"]).status, 0)

        let (p, _, _) = try cli.start(["run", "slow.yaml"], environment: ["FLOW_CHECKPOINT_INTERVAL": "0.2"])
        guard cli.waitFor("a checkpoint", { cli.files(under: ".flow/checkpoints").contains { $0.hasSuffix("checkpoint.h5") } }) else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.workspace + "/results/slow/sample.h5"))

        let resumed = try cli.run(["run", "slow.yaml"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        // kill -9 leaves the holder's pid in .flow/lock while the kernel drops its flock: the next
        // run takes the lock over and says whose it was.
        XCTAssertTrue(resumed.stderr.contains("took over the workspace lock of pid \(p.processIdentifier)"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("↻ sample  resumed from the checkpoint saved 20"), "the resumed stage says so: \(resumed.stderr)")
        let logs = cli.files(under: ".flow/runs").filter { $0.hasSuffix("/sample.log") }
        XCTAssertTrue(logs.contains { (try? String(contentsOfFile: cli.workspace + "/.flow/runs/" + $0, encoding: .utf8))?.contains("resumed from the checkpoint saved") ?? false },
                      "and its log too: \(logs)")
        XCTAssertEqual(cli.files(under: ".flow/tmp").filter { !$0.hasPrefix(".") }, [], "the killed run's temp file is cleaned")
        XCTAssertEqual(try digest(cli.workspace + "/results/slow/sample.h5"), try digest(reference.workspace + "/results/slow/sample.h5"),
                       "a run resumed from its checkpoint ends with the same output as an uninterrupted one")
    }

    /// A Ctrl-C during start-up (parsing, loading the workflow, taking the lock, planning) is
    /// never lost: the run stops with 130, or, before `main` is reached (the dynamic loader's first
    /// tens of milliseconds), by the signal itself. Once an endless run went on after a SIGINT at
    /// about 50 ms, because the signal arrived before the handler was registered.
    func testASignalDuringStartUpIsNeverLost() throws {
        let endless = ["--set", "sample.params.steps=2000000000"]
        for delay in [0, 5, 10, 20, 30, 40, 50, 60, 80, 100, 150, 200] as [UInt32] {
            let (p, _, err) = try cli.start(["run", "slow.yaml"] + endless)
            usleep(delay * 1000)
            kill(p.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(20)
            while p.isRunning && Date() < deadline { usleep(10_000) }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                XCTFail("SIGINT after \(delay) ms was lost: the run went on")
                continue
            }
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let bySignal = p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGINT
            XCTAssertTrue(bySignal || p.terminationStatus == 130, "SIGINT after \(delay) ms: status \(p.terminationStatus) \(stderr)")
            if !bySignal { XCTAssertTrue(stderr.contains("interrupted"), stderr) }
        }
        XCTAssertEqual(try cli.run(["run", "ok.yaml"]).status, 0, "the next run needs no cleanup step")
    }

    func testInterruptExits130AndLeavesTheStoreConsistent() throws {
        let endless = ["--set", "sample.params.steps=2000000000"]
        let (p, _, err) = try cli.start(["run", "slow.yaml"] + endless, environment: ["FLOW_CHECKPOINT_INTERVAL": "1000"])
        guard cli.waitFor("the stage to start", sampleIsRunning) else { return }
        usleep(300_000)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("interrupted"), stderr)
        XCTAssertTrue(cli.files(under: ".flow/checkpoints").contains { $0.hasSuffix("checkpoint.h5") },
                      "a checkpoint is written when the run is cancelled")
        XCTAssertEqual(cli.files(under: ".flow/records").filter { $0.hasSuffix(".json") }, [])
        XCTAssertEqual(try cli.run(["run", "slow.yaml", "--set", "sample.params.steps=400000"]).status, 0,
                       "the next run needs no cleanup step")
    }

    func testASecondRunOnTheSameWorkspaceFailsNamingTheHolder() throws {
        let (p, _, _) = try cli.start(["run", "slow.yaml", "--set", "sample.params.steps=2000000000"])
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        guard cli.waitFor("the first run to take the lock", sampleIsRunning) else { return }
        let second = try cli.run(["run", "ok.yaml"])
        XCTAssertEqual(second.status, 2)
        XCTAssertTrue(second.stderr.contains("the workspace is in use by pid \(p.processIdentifier)"), second.stderr)
        XCTAssertTrue(second.stderr.contains("--wait"), second.stderr)
        let status = try cli.run(["status", "ok.yaml"])
        XCTAssertEqual(status.status, 0, "status reads the store without the lock")
    }

    func testAStaleLockFromADeadProcessIsTakenOver() throws {
        try FileManager.default.createDirectory(atPath: cli.workspace + "/.flow", withIntermediateDirectories: true)
        cli.write(".flow/lock", #"{"pid": 999999, "host": "\#(ProcessInfo.processInfo.hostName)", "command": "flow run old.yaml", "since": "2026-01-01T00:00:00Z"}"#)
        let r = try cli.run(["run", "ok.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("took over the workspace lock of pid 999999"), r.stderr)
    }

    func testCatalogueDagShowValidateGcRuns() throws {
        let stages = try cli.run(["stages"])
        XCTAssertTrue(stages.stdout.contains("simulate") && stages.stdout.contains("mueller-brown"), stages.stdout)
        let sim = try cli.run(["stages", "simulate"])
        XCTAssertTrue(sim.stdout.contains("dt  (number, default 0.0001, unit time, > 0.0)"), sim.stdout)
        XCTAssertEqual(try cli.run(["stages", "simulat"]).status, 2)
        let mermaid = try cli.run(["dag", "ok.yaml", "--format", "mermaid"])
        XCTAssertTrue(mermaid.stdout.contains("sample -->|sample| report"), mermaid.stdout)
        XCTAssertTrue(try cli.run(["dag", "ok.yaml", "--format", "dot"]).stdout.contains("\"sample\" -> \"report\""))
        XCTAssertTrue(try cli.run(["validate", "ok.yaml"]).stdout.contains("valid (2 stages)"))
        try cli.run(["run", "ok.yaml"])
        let show = try cli.run(["show", "ok.yaml", "sample"])
        XCTAssertTrue(show.stdout.contains("/x  40 × 2  float64"), show.stdout)
        XCTAssertTrue(show.stdout.contains("status    cached"), show.stdout)
        try cli.run(["run", "ok.yaml", "--set", "sample.params.steps=100"])
        let gc = try cli.run(["gc", "ok.yaml", "--dry-run"])
        XCTAssertTrue(gc.stdout.contains("would remove 0 objects"), "the last run of each stage is kept: \(gc.stdout)")
        cli.write("other.yaml", "name: other\nstages:\n  r: {kind: report}\n")
        let gc2 = try cli.run(["gc", "other.yaml"])
        XCTAssertTrue(gc2.stdout.contains("removed 4 objects"), gc2.stdout)
        let runs = try cli.run(["runs"])
        XCTAssertTrue(runs.stdout.contains("ok.yaml  2 ran"), runs.stdout)
    }

    func digest(_ path: String) throws -> [Double] {
        let f = try HDF5File.open(path)
        defer { try? f.close() }
        return try f.root.read("x", as: Double.self).values
    }
}
