import XCTest
import FlowCore
#if canImport(Glibc)
import Glibc
#endif

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
        let a = try local.run(["run", "dag.yaml", "--executor", "local"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let b = try child.run(["run", "dag.yaml"])
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertTrue(b.stderr.contains("5 ran, 0 cached"), b.stderr)
        XCTAssertTrue(b.stderr.contains("▶ dmap  running (diffusion-map)") && b.stderr.contains("✓ dmap  ran in"),
                      "the children's console lines reach the head's console: \(b.stderr)")
        try Self.assertSameOutputs(local.workspace, child.workspace, workflow: "dag", stages: Self.deterministic)
        let specs = child.files(under: ".flow/runs").filter { $0.hasSuffix(".spec.json") }
        XCTAssertEqual(specs.count, 5, "one serialized spec per stage: \(specs)")

        let cached = try child.run(["run", "dag.yaml", "--executor", "local"])
        XCTAssertTrue(cached.stderr.contains("0 ran, 5 cached"), "a local run reuses what the child processes committed: \(cached.stderr)")
        let cutOff = try child.run(["run", "dag.yaml", "--force", "sample"])
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

    /// Two long stages side by side; `crash` is ended by a signal as a runtime trap or the
    /// out-of-memory killer would end it.
    static let pair = """
    name: pair
    seed: 3
    systems: {mb: {kind: mueller-brown, params: {scale: 0.05}}}
    stages:
      crash: {kind: simulate, system: mb, params: {integrator: euler-maruyama, dt: 1.0e-5, steps: 100000000, stride: 1000000, walkers: 4}}
      beside: {kind: simulate, system: mb, params: {integrator: euler-maruyama, dt: 1.0e-5, steps: 200000, stride: 1000, walkers: 4}}
    """

    /// A stage whose process dies of a signal fails alone, as a crash in one stage must never take
    /// down the run: the stage beside it commits, the failure names the signal and is
    /// recorded for `flow status`, and nothing of the dead stage is left in the temp area.
    func testACrashingStageFailsAloneAndItsFailureIsRecorded() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        guard let (p, err, child) = try Self.startPair(cli) else { return }
        // SIGKILL, as the out-of-memory killer sends it: a SIGSEGV sent from outside may be taken
        // by the Swift runtime's crash handler, which does not end the process for a signal it
        // did not raise itself.
        kill(child, SIGKILL)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "the head process survives the stage's crash")
        XCTAssertEqual(p.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("✗ crash  failed: the stage's process was killed by SIGKILL (killed, e.g. by the out-of-memory killer); see .flow/runs/"), stderr)
        XCTAssertTrue(stderr.contains("✓ beside  ran in"), "the stage beside the crash finishes: \(stderr)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cli.workspace + "/results/pair/beside.h5"))
        XCTAssertEqual(cli.files(under: ".flow/tmp").filter { $0.hasSuffix(".h5") }, [], "no partial object left")
        let status = try cli.run(["status", "pair.yaml"])
        XCTAssertTrue(status.stdout.contains("killed by SIGKILL"), "flow status shows the recorded failure: \(status.stdout)")
    }

    /// kill -9 of the head process: its stage processes follow it (they watch their parent), so
    /// none of them writes into a store that the next run owns.
    func testNoStageOutlivesAKilledHeadProcess() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        guard let (p, _, child) = try Self.startPair(cli) else { return }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertTrue(cli.waitFor("the stage process to end with its head", timeout: 10) { kill(child, 0) != 0 })
    }

    /// Starts `flow run` on `pair` and waits for the `crash` stage's process: the head, its
    /// standard error, and that process's pid (nil, with the run stopped, if it never appears).
    static func startPair(_ cli: FlowCLI) throws -> (Process, Pipe, Int32)? {
        cli.write("pair.yaml", pair)
        let (p, _, err) = try cli.start(["run", "pair.yaml", "--jobs", "2"])
        var child: Int32?
        guard cli.waitFor("the crash stage's process", { child = stageProcess("crash.spec.json", in: cli.workspace); return child != nil }) else {
            p.terminate()
            return nil
        }
        return (p, err, child!)
    }

    /// An input corrupted behind the cache, found by a stage running in a child process: the
    /// head recomputes the input in the same run and starts the stage again on the good object.
    func testACorruptInputFoundInAChildProcessIsRecomputedInTheSameRun() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("dag.yaml", Self.dag)
        XCTAssertEqual(try cli.run(["run", "dag.yaml", "--until", "dmap"]).status, 0)
        let good = FileManager.default.contents(atPath: cli.workspace + "/results/dag/dmap.h5")
        try Self.corruptKeepingStats(cli.workspace + "/results/dag/sample.h5")
        let r = try cli.run(["run", "dag.yaml", "--until", "dmap", "--force", "dmap"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("the cached output of sample was corrupt (found by dmap); recomputing it in this run"), r.stderr)
        XCTAssertTrue(r.stderr.contains("2 ran"), r.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: cli.workspace + "/results/dag/dmap.h5"), good,
                       "dmap ran on the recomputed sample")
    }

    /// The pid of the `flow exec-stage` process running the spec named `spec` of the workspace
    /// (tests run side by side, each in its own workspace).
    static func stageProcess(_ spec: String, in workspace: String) -> Int32? {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let args = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if args.contains("exec-stage"), let last = args.last, last.hasSuffix("/" + spec),
               last.hasPrefix(URL(fileURLWithPath: workspace).standardizedFileURL.path) || last.hasPrefix(workspace) { return pid }
        }
        return nil
    }

    /// Flips bytes in the middle of a stored object (hard-linked from `results/`) and restores
    /// its size and times, so that only its content digest can tell.
    static func corruptKeepingStats(_ path: String) throws {
        var st = stat()
        stat(path, &st)
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        for i in (bytes.count / 2)..<(bytes.count / 2 + 64) { bytes[i] ^= 0x5A }
        chmod(path, 0o644)
        let h = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        h.write(Data(bytes))
        try h.close()
        var times = [st.st_atim, st.st_mtim]
        utimensat(AT_FDCWD, path, &times, 0)
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
