import XCTest
import FlowHDF5

/// The sharded kinds besides `simulate` on model systems (DESIGN §5): `transition-rates` walkers
/// (model systems, with core-size variants, and charmm replicas), `simulate` replicas of a
/// charmm system, and the restrained windows of `effective-dynamics` (both free-energy routes,
/// a model system and a molecule). Each gathered output is the unsharded run's, byte for byte:
/// every walker, replica and window draws from the stream of its global index.
final class ShardKindsTests: XCTestCase {
    /// Uneven splits everywhere (5 walkers in 3 parts, 3 in 2, 12 windows in 5).
    static let modelStages = """
      rates: {kind: transition-rates, system: dw, resources: {shards: 3},
              params: {integrator: mala, dt: 1.0e-3, steps: 20000, walkers: 5, initial: left, resamples: 200,
                       states: [{name: left, cvs: [x1], lower: [-2.0], upper: [-0.7]}, {name: right, cvs: [x1], center: [1.0], radii: [0.3]}]}}
      cores: {kind: transition-rates, system: mb, resources: {shards: 2},
              params: {dt: 1.0e-4, steps: 200000, walkers: 3, initial: random, interval: 40, resamples: 200,
                       states: [{name: A, core: A}, {name: B, core: B}], quench: {core_fraction: 0.5, sensitivity: [0.4]}}}
      sample: {kind: simulate, system: dw2, params: {integrator: mala, dt: 1.0e-3, steps: 2000, stride: 100, walkers: 200, initial: boltzmann}}
      windows: {kind: effective-dynamics, system: dw2, inputs: {data: sample}, resources: {shards: 5},
                params: {cvs: [x1], grid: {lower: [-1.8], upper: [1.8], bins: [12]}, cutoff: 0.99, eigenvalues: 2,
                         diffusion: {kappa: 200.0, steps: 400, dt: 1.0e-4, equilibration: 100, walkers: 2}}}
      restrained: {kind: effective-dynamics, system: dw2, inputs: {data: sample}, resources: {shards: 2},
                   params: {cvs: [x1], grid: {lower: [-1.8], upper: [1.8], bins: [12]}, free_energy: restrained, cutoff: 0.99, eigenvalues: 2,
                            diffusion: {kappa: 200.0, steps: 400, dt: 1.0e-4, equilibration: 100, walkers: 3}}}
    """

    static let moleculeStages = """
      md: {kind: simulate, system: butane, resources: {shards: 2},
           params: {integrator: langevin-baoab, dt: 0.0005, steps: 400, stride: 4, replicas: 3, minimization: {tolerance: 0.1, max_steps: 50}}}
      torsion: {kind: transition-rates, system: butane, resources: {shards: 2},
                params: {integrator: langevin-baoab, dt: 0.001, steps: 600, walkers: 3, interval: 10, resamples: 200,
                         states: [{name: anti, cvs: [{dihedral: [0, 4, 7, 10]}], lower: [2.6], upper: [3.7]},
                                  {name: gauche, cvs: [{dihedral: [0, 4, 7, 10]}], lower: [0.6], upper: [1.5]}]}}
      bond: {kind: effective-dynamics, system: butane, inputs: {data: md}, resources: {shards: 2, cpus: 1},
             params: {cvs: [{distance: [0, 4]}], grid: {bins: [4]}, cutoff: 0.99, eigenvalues: 1,
                      diffusion: {kappa: 50.0, steps: 60, equilibration: 20, interval: 5, dt: 0.0005, friction: 2.0}}}
    """

    /// The workflow `kinds` with these stages.
    static func kinds(_ stages: String...) -> String {
        """
        name: kinds
        seed: 5
        systems:
          dw: {kind: double-well, beta: 3.0}
          dw2: {kind: double-well, beta: 3.0, params: {dimension: 2, barrier: 1.0, stiffness: 1.0}}
          mb: {kind: mueller-brown, params: {scale: 0.05}}
          butane: {kind: charmm, temperature: 300, params: {molecule: butane}}
        stages:

        """ + stages.joined(separator: "\n")
    }

    static let workflow = kinds(modelStages, moleculeStages)

    static let modelStageNames = ["rates", "cores", "windows", "restrained"]
    static let stages = modelStageNames + ["md", "torsion", "bond"]

    static func unsharded(_ text: String) -> String {
        text.replacingOccurrences(of: #", resources: \{shards: \d+\}"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: "shards: 2, cpus: 1", with: "cpus: 1")
    }

    func testShardedRatesReplicasAndWindowsGiveTheUnshardedBytes() throws {
        let whole = FlowCLI(), sharded = FlowCLI()
        defer { whole.remove(); sharded.remove() }
        XCTAssertFalse(Self.unsharded(Self.workflow).contains("shards"))
        whole.write("w.yaml", Self.unsharded(Self.workflow))
        sharded.write("w.yaml", Self.workflow)
        let a = try whole.run(["run", "w.yaml"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let b = try sharded.run(["run", "w.yaml"])
        XCTAssertEqual(b.status, 0, b.stderr)
        try ExecutorTests.assertSameOutputs(whole.workspace, sharded.workspace, workflow: "kinds", stages: Self.stages)
        let parts = sharded.files(under: ".flow/runs").filter { $0.contains(".part-") && $0.hasSuffix(".exit.json") }
        XCTAssertEqual(parts.count, 3 + 2 + 5 + 2 + 2 + 2 + 2, "every part ran: \(parts)")
        XCTAssertEqual(sharded.files(under: ".flow/tmp"), [], "the gather steps removed the shard files")
        XCTAssertEqual(sharded.files(under: ".flow/checkpoints").filter { $0.hasSuffix(".h5") }, [], "the commits removed the parts' checkpoints")
        // The key does not hold shards: the unsharded workflow is cached in the sharded workspace.
        sharded.write("w.yaml", Self.unsharded(Self.workflow))
        let cached = try sharded.run(["run", "w.yaml"])
        XCTAssertTrue(cached.stderr.contains("0 ran, 8 cached"), cached.stderr)
    }

    /// Walker 2 starts at a non-finite coordinate: part 2 of 2 fails at its first step, and
    /// part 1, which would run for about 6 s of CPU, is cancelled instead of run to its end (without
    /// the cancellation its exit record would say "ran", and the failure would wait for it).
    func testAFailingPartCancelsItsSiblingsAndTheStageFailsWithItsMessage() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        let start = try HDF5File.create(cli.workspace + "/start.h5")
        try start.root.write("x", [-0.56, 1.44, -0.55, 1.45, .nan, 0.0], shape: [3, 2])
        try start.close()
        cli.write("w.yaml", """
        name: cancel
        systems: {mb: {kind: mueller-brown}}
        stages:
          long: {kind: transition-rates, system: mb, resources: {shards: 2}, inputs: {initial: {file: start.h5}},
                 params: {dt: 1.0e-5, steps: 20000000, walkers: 3, initial: input}}
        """)
        let r = try cli.run(["run", "w.yaml"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("✗ long  failed: part 2 of 2: ") && r.stderr.contains("of walker 2 is not finite"), r.stderr)
        // Part 1 records its cancellation, or none when the SIGTERM reached it before it set its
        // signal trap (a loaded machine); either way it did not run to its end.
        let exits = cli.files(under: ".flow/runs").filter { $0.hasSuffix(".exit.json") && $0.contains(".part-0") }
        XCTAssertLessThanOrEqual(exits.count, 1, "\(exits)")
        if let exit = exits.first {
            let record = try String(contentsOfFile: cli.workspace + "/.flow/runs/" + exit, encoding: .utf8)
            XCTAssertTrue(record.contains("\"cancelled\""), "part 1 was cancelled by its failing sibling: \(record)")
        }
        XCTAssertEqual(cli.files(under: ".flow/tmp"), [])
        XCTAssertEqual(cli.files(under: ".flow/records").filter { $0.hasSuffix(".json") }, [])
    }

    /// Kill -9 while the parts run, rerun: each part resumes from its own checkpoint and the
    /// gathered output is the uninterrupted unsharded run's.
    func testKilledShardedRatesResumeEachPartFromItsCheckpoint() throws {
        let workflow = """
        name: resume
        seed: 8
        systems: {dw: {kind: double-well, beta: 3.0}}
        stages:
          rates: {kind: transition-rates, system: dw, resources: {shards: 2},
                  params: {integrator: mala, dt: 1.0e-3, steps: 4000000, walkers: 4, initial: left, resamples: 200,
                           states: [{name: left, cvs: [x1], lower: [-2.0], upper: [-0.7]}, {name: right, cvs: [x1], lower: [0.7], upper: [2.0]}]}}
        """
        let reference = FlowCLI(), cli = FlowCLI()
        defer { reference.remove(); cli.remove() }
        reference.write("w.yaml", Self.unsharded(workflow))
        XCTAssertEqual(try reference.run(["run", "w.yaml"]).status, 0)
        cli.write("w.yaml", workflow)
        let (p, _, _) = try cli.start(["run", "w.yaml"], environment: ["FLOW_CHECKPOINT_INTERVAL": "0.2"])
        let checkpoints = { cli.files(under: ".flow/checkpoints").filter { $0.hasSuffix("checkpoint.h5") } }
        guard cli.waitFor("both parts' checkpoints", { checkpoints().count == 2 }) else { return }
        XCTAssertTrue(checkpoints().allSatisfy { $0.contains("/part-") }, "\(checkpoints())")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.workspace + "/results/resume/rates.h5"), "killed before the end")
        let resumed = try cli.run(["run", "w.yaml"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let logs = cli.files(under: ".flow/runs").filter { $0.hasSuffix(".log") && $0.contains(".part-") }
        let resumedParts = logs.filter {
            (try? String(contentsOfFile: cli.workspace + "/.flow/runs/" + $0, encoding: .utf8))?.contains("resumed from the checkpoint") ?? false
        }
        XCTAssertEqual(resumedParts.count, 2, "both parts resumed: \(logs)")
        try ExecutorTests.assertSameOutputs(reference.workspace, cli.workspace, workflow: "resume", stages: ["rates"])
    }

    func testMoreShardsThanWalkersOrWindowsAreRefused() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        cli.write("load.yaml", """
        name: load
        systems: {dw: {kind: double-well}}
        stages:
          rates: {kind: transition-rates, system: dw, resources: {shards: 5}, params: {steps: 100, walkers: 4, initial: left}}
        """)
        let r = try cli.run(["validate", "load.yaml"])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("load.yaml:4:") && r.stderr.contains("5 shards for 4 walkers"), r.stderr)
        // How many windows there are (the occupied cells) is known only at run time.
        cli.write("run.yaml", """
        name: run
        systems: {dw: {kind: double-well, beta: 3.0}}
        stages:
          sample: {kind: simulate, system: dw, params: {steps: 200, stride: 100, walkers: 50, initial: boltzmann}}
          ed: {kind: effective-dynamics, system: dw, inputs: {data: sample}, resources: {shards: 4},
               params: {cvs: [x1], grid: {lower: [-1.5], upper: [1.5], bins: [3]}, cutoff: 0.99, eigenvalues: 1,
                        diffusion: {kappa: 100.0, steps: 100, dt: 1.0e-4, equilibration: 10}}}
        """)
        let ed = try cli.run(["run", "run.yaml"])
        XCTAssertEqual(ed.status, 1, ed.stderr)
        // Every part fails; the first to fail cancels the others, so which one reports varies.
        XCTAssertTrue(ed.stderr.contains("✗ ed  failed: part ") && ed.stderr.contains(" of 4: 4 shards for 2 windows would leave parts without windows; use at most 2"),
                      ed.stderr)
    }
}
