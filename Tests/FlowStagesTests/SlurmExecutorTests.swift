import XCTest
@testable import FlowCore

/// `--executor slurm` against a real single-node slurmctld + slurmd (Tests/Slurm/
/// start-local-slurm.sh; `make test` starts it and sets FLOW_TEST_SLURM=1, and the suite skips
/// itself otherwise). Accounting is off on that cluster, so outcomes come from squeue and the
/// jobs' own exit records, as on a cluster without slurmdbd.
final class SlurmExecutorTests: XCTestCase {
    var cli: FlowCLI!
    var environment: [String: String] = [:]

    static let chain = """
    name: chain
    systems: {mb: {kind: mueller-brown}}
    stages:
      sample: {kind: simulate, system: mb, params: {steps: 200, stride: 10, walkers: 2, initial: A}}
      other: {kind: simulate, system: mb, seed: 9, params: {steps: 200, stride: 10, walkers: 2, initial: A}}
      report: {kind: report, inputs: {s: sample}}
    """

    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["FLOW_TEST_SLURM"] == "1" else {
            throw XCTSkip("no local Slurm cluster: make test starts one with Tests/Slurm/start-local-slurm.sh")
        }
        cli = FlowCLI()
        cli.write("flow-config.yaml", "executor: {poll: 0.5}\n")
        environment = ["FLOW_CONFIG": cli.workspace + "/flow-config.yaml"]
        cli.write("slow.yaml", CLITests.slowWorkflow)
        cli.write("chain.yaml", Self.chain)
    }

    override func tearDown() {
        if let cli { Slurm.cancelAll(listedIn: cli.workspace) }
        cli?.remove()
    }

    func slurm(_ args: [String]) throws -> FlowCLI.Result {
        try cli.run(args + ["--executor", "slurm"], environment: environment)
    }

    /// The whole smoke profile of the default workflow, one job per stage, gives the local run's
    /// bytes; a stage's job starts only after its upstream stages' jobs committed.
    func testSmokeWorkflowThroughSlurmIsByteIdenticalToLocalAndOrdered() throws {
        let local = FlowCLI()
        defer { local.remove() }
        let workflows = WorkflowSmokeTests.workflows
        for w in [local, cli!] { try FileManager.default.copyItem(atPath: workflows, toPath: w.workspace + "/workflows") }
        let args = ["run", "workflows/mueller-brown.yaml", "--profile", "smoke"]
        XCTAssertEqual(try local.run(args).status, 0)
        let r = try slurm(args)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("10 ran, 0 cached"), r.stderr)
        let stages = ["sample", "mep_upper", "mep_lower", "eigenfunctions", "tmdmap", "grid", "ae_plain", "ae_eigen", "ae_mixed", "report"]
        try ExecutorTests.assertSameOutputs(local.workspace, cli.workspace, workflow: "mueller-brown", stages: stages)

        // Jobs submitted while their upstream jobs ran carry afterok on exactly those jobs.
        let submissions = Self.submissions(r.stderr)
        XCTAssertEqual(submissions.count, 10, r.stderr)
        let ids = Dictionary(uniqueKeysWithValues: submissions.map { ($0.stage, $0.job) })
        let upstream = ["eigenfunctions": ["sample"], "tmdmap": ["sample"], "grid": ["sample", "tmdmap", "eigenfunctions"],
                        "ae_plain": ["sample", "mep_upper", "mep_lower"], "ae_eigen": ["sample", "mep_upper", "mep_lower"],
                        "ae_mixed": ["sample", "mep_upper", "mep_lower"],
                        "report": ["sample", "mep_upper", "mep_lower", "eigenfunctions", "tmdmap", "grid", "ae_plain", "ae_eigen", "ae_mixed"]]
        XCTAssertTrue(submissions.contains { !$0.after.isEmpty }, "some job waited on another: \(r.stderr)")
        for s in submissions {
            XCTAssertTrue(Set(s.after).isSubset(of: Set((upstream[s.stage] ?? []).compactMap { ids[$0] })),
                          "\(s.stage) waits only on its own upstream jobs: \(s.after)")
        }
        // And the records show each stage starting after its inputs were committed.
        let records = try Self.records(cli.workspace)
        for (stage, ups) in upstream {
            let start = try XCTUnwrap(records[stage]).start
            for u in ups {
                let up = try XCTUnwrap(records[u])
                XCTAssertGreaterThanOrEqual(start, up.start + up.duration - 0.001, "\(stage) started before \(u) ended")
            }
        }
    }

    func testAFailingStageStopsItsDependantsAndNotTheOthers() throws {
        let r = try slurm(["run", "chain.yaml", "--set", "sample.params.initial=Z"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("✗ sample  failed: ") && r.stderr.contains("the system has no state 'Z'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("- report  skipped: input 's' (stage sample) is not available"), r.stderr)
        XCTAssertTrue(r.stderr.contains("✓ other  ran"), r.stderr)
        XCTAssertFalse(cli.files(under: ".flow/runs").contains { $0.hasSuffix("/report.exit.json") }, "the dependant's job never ran")
    }

    func testAJobCancelledWithScancelIsReportedAndLeavesNoPartialObject() throws {
        let (p, _, err) = try cli.start(["run", "slow.yaml", "--executor", "slurm", "--set", "sample.params.steps=2000000000"],
                                        environment: environment)
        guard cli.waitFor("the sample job to write its output", { jobIsWriting("sample") }) else { return }
        let job = try XCTUnwrap(Self.jobs(cli.workspace)["sample"])
        XCTAssertEqual(Slurm.run("scancel", [job])?.status, 0)
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("✗ sample  failed: Slurm job \(job) was cancelled outside flow (scancel"), stderr)
        XCTAssertTrue(stderr.contains("- after  skipped"), stderr)
        XCTAssertEqual(cli.files(under: ".flow/tmp").filter { $0.contains("-job-") }, [], "no partial output is left")
        XCTAssertEqual(cli.files(under: ".flow/records").filter { $0.hasSuffix(".json") }, [])
    }

    func testInterruptCancelsEveryJob() throws {
        let (p, _, err) = try cli.start(["run", "slow.yaml", "--executor", "slurm", "--set", "sample.params.steps=2000000000"],
                                        environment: environment)
        guard cli.waitFor("the sample job to write its output", { jobIsWriting("sample") }) else { return }
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 130, stderr)
        let jobs = Self.jobs(cli.workspace)
        XCTAssertEqual(jobs.count, 2, "sample and its dependant were submitted: \(stderr)")
        XCTAssertTrue(stderr.contains("flow: cancelling Slurm jobs \(jobs.values.sorted { Int($0)! < Int($1)! }.joined(separator: ","))"), stderr)
        let states = try XCTUnwrap(Slurm.states(Array(jobs.values)))
        XCTAssertFalse(states.values.contains(where: \.isActive), "no job is left queued or running: \(states)")
        XCTAssertEqual(cli.files(under: ".flow/tmp").filter { $0.contains("-job-") }, [])
    }

    func testDetachReturnsAtOnceAndTheNextRunReadoptsTheJobs() throws {
        let start = Date()
        let d = try slurm(["run", "slow.yaml", "--detach", "--set", "sample.params.steps=8000000"])
        XCTAssertEqual(d.status, 0, d.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
        XCTAssertTrue(d.stderr.contains("↗ sample  submitted as Slurm job"), d.stderr)
        XCTAssertTrue(d.stderr.contains("flow: detached; 2 Slurm jobs run on"), d.stderr)
        let status = try cli.run(["status", "slow.yaml", "--set", "sample.params.steps=8000000"], environment: environment)
        XCTAssertTrue(status.stdout.contains("sample  submitted  in Slurm job"), status.stdout)
        let again = try cli.run(["run", "slow.yaml", "--set", "sample.params.steps=8000000"], environment: environment)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("flow: re-adopting 2 Slurm jobs of run"), again.stderr)
        XCTAssertTrue(again.stderr.contains("✓ sample  ran in Slurm job"), again.stderr)
        XCTAssertTrue(again.stderr.contains("0 ran, 2 cached"), "the adopted jobs' outputs are reused: \(again.stderr)")
    }

    // MARK: Helpers

    func jobIsWriting(_ stage: String) -> Bool {
        cli.files(under: ".flow/tmp").contains { $0.contains("-job-") && $0.hasSuffix("-\(stage).h5") }
    }

    /// `(stage, job, afterok jobs)` from the run's console lines.
    static func submissions(_ text: String) -> [(stage: String, job: String, after: [String])] {
        var out: [(String, String, [String])] = []
        var stage: String?
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("  ▶ ") { stage = line.dropFirst(4).split(separator: " ").first.map(String.init) }
            if line.hasPrefix("    Slurm job "), let s = stage {
                let words = line.split(separator: " ").map(String.init)
                out.append((s, words[2], words.count > 4 ? words[4].split(separator: ",").map(String.init) : []))
            }
        }
        return out
    }

    /// Stage → job of the run that submitted them, from its job list.
    static func jobs(_ workspace: String) -> [String: String] {
        var out: [String: String] = [:]
        let runs = workspace + "/.flow/runs"
        for run in (try? FileManager.default.contentsOfDirectory(atPath: runs)) ?? [] {
            for name in ["jobs.json", "jobs.settled.json"] {
                guard let data = FileManager.default.contents(atPath: "\(runs)/\(run)/\(name)"),
                      let list = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      let jobs = list["jobs"] as? [[String: Any]] else { continue }
                for j in jobs { out[j["stage"] as! String] = (j["job"] as! String) }
            }
        }
        return out
    }

    /// Stage → (start, duration) from the store's records.
    static func records(_ workspace: String) throws -> [String: (start: Double, duration: Double)] {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var out: [String: (Double, Double)] = [:]
        for r in Store(workspace: workspace).allRecords() {
            out[r.stage] = (try XCTUnwrap(f.date(from: r.startedAt)).timeIntervalSince1970, r.durationSeconds)
        }
        return out
    }
}

extension Slurm {
    /// Cancels whatever a test's runs left queued (a failed assertion must not leave jobs behind).
    static func cancelAll(listedIn workspace: String) {
        let jobs = Array(SlurmExecutorTests.jobs(workspace).values)
        if !jobs.isEmpty { _ = run("scancel", jobs) }
    }
}
