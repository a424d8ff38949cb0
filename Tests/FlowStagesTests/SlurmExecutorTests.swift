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

    /// Each sharded stage is one job array (a task per part) and a gather job after it; the
    /// dependant of a sharded stage waits on its gather job; the outputs are the unsharded bytes.
    func testShardedSimulateIsOneJobArrayAndGivesTheUnshardedOutput() throws {
        let whole = FlowCLI()
        defer { whole.remove() }
        whole.write("w.yaml", ShardTests.unsharded(ShardTests.workflow))
        cli.write("w.yaml", ShardTests.workflow)
        XCTAssertEqual(try whole.run(["run", "w.yaml"]).status, 0)
        let r = try slurm(["run", "w.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("4 ran, 0 cached"), r.stderr)
        try ExecutorTests.assertSameOutputs(whole.workspace, cli.workspace, workflow: "shards", stages: ShardTests.stages)

        let lines = r.stderr.split(separator: "\n").map(String.init)
        let arrays = lines.compactMap { line -> (id: String, last: String)? in
            guard line.hasPrefix("    Slurm job array ") else { return nil }
            let task = line.split(separator: " ")[3]
            let parts = task.split(separator: "_")
            return (String(parts[0]), String(parts[1]))
        }
        XCTAssertEqual(arrays.map(\.last).sorted(), ["[0-1]", "[0-1]", "[0-2]"], r.stderr)
        for a in arrays {
            XCTAssertTrue(lines.contains { $0.hasPrefix("    Slurm job ") && $0.hasSuffix("after \(a.id) (gathers the parts)") },
                          "a gather job waits on array \(a.id): \(r.stderr)")
        }
        let gathers = Self.jobs(cli.workspace)
        let hist = try XCTUnwrap(Self.submissions(r.stderr).first { $0.stage == "hist" })
        XCTAssertTrue(hist.after.isEmpty || hist.after == [gathers["mala"]!], "hist waits on mala's gather job: \(hist.after)")
        let partExits = cli.files(under: ".flow/runs").filter { $0.contains(".part-") && $0.hasSuffix(".exit.json") }
        XCTAssertEqual(partExits.count, 7, "every array task ran its part: \(partExits)")
        XCTAssertEqual(cli.files(under: ".flow/tmp"), [], "the gather jobs removed the shard files")
    }

    /// Sharded `transition-rates` (model system, with core-size variants) and `effective-dynamics`
    /// windows (both free-energy routes): a job array per stage, the gathered outputs the local
    /// unsharded run's.
    func testShardedRatesAndWindowsAreJobArraysAndGiveTheUnshardedOutput() throws {
        let whole = FlowCLI()
        defer { whole.remove() }
        whole.write("w.yaml", ShardKindsTests.unsharded(ShardKindsTests.kinds(ShardKindsTests.modelStages)))
        cli.write("w.yaml", ShardKindsTests.kinds(ShardKindsTests.modelStages))
        XCTAssertEqual(try whole.run(["run", "w.yaml"]).status, 0)
        let r = try slurm(["run", "w.yaml"])
        XCTAssertEqual(r.status, 0, r.stderr)
        try ExecutorTests.assertSameOutputs(whole.workspace, cli.workspace, workflow: "kinds", stages: ShardKindsTests.modelStageNames)
        let arrays = r.stderr.split(separator: "\n").filter { $0.hasPrefix("    Slurm job array ") }
        XCTAssertEqual(arrays.count, 4, r.stderr)
        let partExits = cli.files(under: ".flow/runs").filter { $0.contains(".part-") && $0.hasSuffix(".exit.json") }
        XCTAssertEqual(partExits.count, 3 + 2 + 5 + 2, "every array task ran its part: \(partExits)")
        XCTAssertEqual(cli.files(under: ".flow/tmp"), [], "the gather jobs removed the shard files")
    }

    /// A job over its time limit and jobs over their memory are ended by Slurm and reported with
    /// its word: an unsharded stage, the parts of a sharded one (each part over its limit), and a
    /// `command` stage. Nothing of them is committed or left in the temp area; an unrelated stage
    /// runs on. About 75 s: Slurm's smallest time limit is a minute.
    func testSlurmsTimeAndMemoryKillsAreReportedAndLeaveNoPartialObject() throws {
        cli.write("kills.yaml", Self.kills)
        let r = try slurm(["run", "kills.yaml", "--keep-going"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("✗ slow  failed: Slurm job ") && r.stderr.contains("reached its time limit (Slurm state TIMEOUT); raise resources.time"), r.stderr)
        // Without cgroups a memory kill is slurmstepd's (jobacct_gather sampling, once a second):
        // the job ends FAILED, and the reason comes from slurmstepd's line in the job's output.
        // Sampling may miss a part's peak; then the gather job, which holds every part's frames,
        // is the one killed. Either is the sharded stage's memory kill.
        XCTAssertTrue(r.stderr.contains("✗ parts  failed: ") && r.stderr.contains("Slurm job ")
                      && r.stderr.contains("ran out of memory (slurmstepd: exceeded memory limit ("), r.stderr)
        XCTAssertTrue(r.stderr.contains("✗ hog  failed: Slurm job ") && r.stderr.contains("raise resources.memory"), r.stderr)
        XCTAssertTrue(r.stderr.contains("✓ fine  ran"), r.stderr)
        XCTAssertEqual(cli.files(under: ".flow/tmp"), [], "no partial output is left")
        XCTAssertEqual(Store(workspace: cli.workspace).allRecords().map(\.stage), ["fine"])
    }

    /// A simulation that outlasts a one-minute limit; one in two parts whose frames (2·10⁶ per
    /// walker) exceed 100 MB; a shell holding 300 MB under 100 MB; one core each, so that all
    /// but the first fit beside the slow one.
    static let kills = """
    name: kills
    systems: {mb: {kind: mueller-brown}}
    stages:
      slow: {kind: simulate, system: mb, resources: {time: 1m, cpus: 1}, params: {steps: 2000000000, stride: 1000000, walkers: 2, initial: A}}
      parts: {kind: simulate, system: mb, seed: 5, resources: {memory: 100M, cpus: 1, shards: 2}, params: {steps: 2000000, stride: 1, walkers: 2, initial: A}}
      hog: {kind: command, resources: {memory: 100M, cpus: 1}, params: {run: "x=$(head -c 300000000 /dev/zero | tr '\\\\0' a); sleep 120"}}
      fine: {kind: simulate, system: mb, seed: 6, resources: {cpus: 1}, params: {steps: 200, stride: 10, walkers: 2, initial: A}}
    """

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
