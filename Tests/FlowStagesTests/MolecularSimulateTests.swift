import XCTest
import FlowCore
import FlowHDF5
import FlowMD
import FlowStages

/// `simulate` on a `charmm` system, through the engine: steered MD on deca-alanine, replicas,
/// the output contract, and the errors that stop a run before or during dynamics.
final class MolecularSimulateTests: XCTestCase {
    var ws: MolecularWorkspace!

    override func setUp() { ws = MolecularWorkspace() }
    override func tearDown() { ws.remove() }

    /// Deca-alanine, 2 fs with SHAKE, equilibrated for 4 ps (friction 1/ps re-thermalizes the
    /// minimized structure in a few ps), then pulled by a stiff spring (k = 50 kcal/mol/Å²) 1 Å
    /// farther than where CA1–CA10 is, over 1 ps; every step saved.
    func smdWorkflow(replicas: Int = 2, cpus: Int = 2, stride: Int = 1, from: Double = 14.35, steps: Int = 500,
                     equilibration: Int = 2000) -> String {
        """
        name: smd
        seed: 5
        systems:
          deca: {kind: charmm, temperature: 300, params: {molecule: deca-alanine, constraints: h-bonds}}
        stages:
          smd:
            kind: simulate
            system: deca
            resources: {cpus: \(cpus)}
            params:
              integrator: langevin-baoab
              dt: 0.002
              friction: 1.0
              steps: \(steps)
              stride: \(stride)
              replicas: \(replicas)
              minimization: {tolerance: 0.1, max_steps: 2000}
              equilibration_steps: \(equilibration)
              bias: {steered: {atoms: [BH:1:CA, BH:10:CA], k: 50.0, from: \(from), to: \(from + 1)}}
        """
    }

    func read(_ f: HDF5File, _ name: String) throws -> [Double] { try f.root.read(name, as: Double.self).values }

    func testSteeredDistanceFollowsTheCentreAndWorkIsTheForceIntegral() throws {
        ws.write("smd.yaml", smdWorkflow())
        XCTAssertEqual(try ws.run("smd.yaml").exitCode, 0)
        let f = try ws.open("results/smd/smd.h5")
        defer { try? f.close() }
        let time = try read(f, "time"), cv = try read(f, "cv"), work = try read(f, "work"), replica = try f.root.read("replica", as: Int64.self).values
        let frames = 500, k = 50.0, v = 1.0 / 1.0, dt = 0.002
        XCTAssertEqual(time.count, 2 * frames)
        XCTAssertEqual(Array(replica.prefix(frames)), [Int64](repeating: 0, count: frames))
        XCTAssertEqual(try f.root.dataset("cv").attribute("names"), .strings(["steered:distance"]))
        for r in 0..<2 {
            let d = Array(cv[(r * frames)..<((r + 1) * frames)])
            let t = Array(time[(r * frames)..<((r + 1) * frames)])
            let w = Array(work[(r * frames)..<((r + 1) * frames)])
            // The distance tracks the moving centre z(t) = 14.35 + t; the lag is a few tenths of an Å.
            let lag = zip(d, t).map { abs($0 - (14.35 + v * $1)) }
            XCTAssertLessThan(lag.suffix(250).reduce(0, +) / 250, 0.3, "replica \(r): mean |d − z| over the second half")
            // …and moves with it: least-squares slope of d(t) over the second half ≈ v = 1 Å/ps.
            let (ts, ds) = (Array(t.suffix(250)), Array(d.suffix(250)))
            let tm = ts.reduce(0, +) / 250, dm = ds.reduce(0, +) / 250
            let slope = zip(ts, ds).reduce(0) { $0 + ($1.0 - tm) * ($1.1 - dm) } / ts.reduce(0) { $0 + ($1 - tm) * ($1 - tm) }
            XCTAssertEqual(slope, v, accuracy: 0.5, "replica \(r): d(t) follows z(t) = 14.35 + v t")
            // W(t) = ∫ ∂U/∂t dt = −∫ k v (d − z) dt: with every step saved, the midpoint sum over the
            // saved distances is the exact work of the discrete protocol.
            var integral = 0.0
            for n in 0..<frames {
                integral += -k * v * dt * (d[n] - (14.35 + v * (t[n] - dt / 2)))
                XCTAssertEqual(w[n], integral, accuracy: 1e-9 * max(1, abs(integral)), "replica \(r) frame \(n)")
            }
            XCTAssertGreaterThan(abs(integral), 0.5, "the spring did measurable work")
        }
        let temperature = try read(f, "temperature")
        let mean = temperature.reduce(0, +) / Double(temperature.count)
        XCTAssertEqual(mean, 300, accuracy: 20, "kinetic temperature over \(temperature.count) frames")
        let energy = try read(f, "energy"), terms = try f.root.read("energy_terms", as: Double.self)
        XCTAssertEqual(terms.shape, [2 * frames, 10])
        let names = try f.root.dataset("energy_terms").attribute("names")
        guard case .strings(let columns)? = names else { return XCTFail("energy_terms has no names") }
        let summed = ["bond", "angle", "urey_bradley", "dihedral", "improper", "cmap", "lennard_jones", "coulomb"].map { columns.firstIndex(of: $0)! }
        for row in [0, 499, 999] {
            XCTAssertEqual(summed.reduce(0) { $0 + terms.values[row * 10 + $1] }, energy[row], accuracy: 1e-9 * abs(energy[row]))
        }
        let summary = try read(f, "summary/distance_mean"), center = try read(f, "summary/center")
        XCTAssertEqual(summary.count, frames)
        XCTAssertEqual(center.last!, 15.35, accuracy: 1e-9)
    }

    func testReplicasDoNotDependOnTheThreadCount() throws {
        ws.write("one.yaml", smdWorkflow(replicas: 3, cpus: 1, stride: 50, steps: 300, equilibration: 200))
        XCTAssertEqual(try ws.run("one.yaml").exitCode, 0)
        let other = MolecularWorkspace()
        defer { other.remove() }
        other.write("two.yaml", smdWorkflow(replicas: 3, cpus: 2, stride: 50, steps: 300, equilibration: 200))
        XCTAssertEqual(try other.run("two.yaml").exitCode, 0)
        let a = try ws.open("results/smd/smd.h5"), b = try other.open("results/smd/smd.h5")
        defer { try? a.close(); try? b.close() }
        for name in ["x", "work", "energy", "temperature"] {
            XCTAssertEqual(try read(a, name), try read(b, name), name)
        }
        let x = try read(a, "x")
        XCTAssertNotEqual(Array(x.prefix(312)), Array(x[(6 * 312)..<(7 * 312)]), "replicas 0 and 1 differ")
    }

    func testTopologyGroupRebuildsTheSimulatedMolecule() throws {
        ws.write("smd.yaml", smdWorkflow(replicas: 1, stride: 100, steps: 100, equilibration: 0))
        XCTAssertEqual(try ws.run("smd.yaml").exitCode, 0)
        let f = try ws.open("results/smd/smd.h5")
        defer { try? f.close() }
        XCTAssertEqual(try Topology(hdf5: try f.root.group("topology")), try BuiltInMolecules.decaAlanine().topology)
        XCTAssertEqual(try f.root.read("x", as: Double.self).shape, [1, 312])
    }

    func testMetadynamicsOnTheButaneDihedralWritesHillsWeightsAndTheCV() throws {
        ws.write("metad.yaml", """
        name: metad
        systems:
          butane: {kind: charmm, params: {molecule: butane, constraints: h-bonds}}
        stages:
          sample:
            kind: simulate
            system: butane
            params:
              integrator: langevin-baoab
              dt: 0.002
              steps: 2000
              stride: 20
              replicas: 2
              bias:
                metadynamics: {cvs: [{dihedral: [0, 4, 7, 10]}], height: 0.2, sigma: [0.2], pace: 100, bias_factor: 6,
                               lower: [-3.141592653589793], upper: [3.141592653589793], bins: [73]}
        """)
        XCTAssertEqual(try ws.run("metad.yaml").exitCode, 0)
        let f = try ws.open("results/metad/sample.h5")
        defer { try? f.close() }
        XCTAssertEqual(try f.root.read("hills", as: Double.self).shape, [40, 3])
        XCTAssertEqual(try f.root.read("bias_grid/values", as: Double.self).shape, [2, 73])
        let weights = try read(f, "weights"), bias = try read(f, "bias"), cv = try read(f, "cv")
        XCTAssertEqual(weights.reduce(0, +) / Double(weights.count), 1, accuracy: 1e-9)
        XCTAssertGreaterThan(bias.max()!, 0)
        XCTAssertEqual(try f.root.dataset("cv").attribute("names"), .strings(["metadynamics:phi1_5_8_11"]))
        XCTAssertTrue(cv.allSatisfy { abs($0) <= .pi + 1e-12 })
        XCTAssertFalse(f.root.contains("work"), "a static or history-dependent bias does no work")
    }

    func testTooLargeTimeStepWithoutConstraintsIsRefused() throws {
        ws.write("dt.yaml", """
        name: dt
        systems:
          deca: {kind: charmm, params: {molecule: deca-alanine}}
        stages:
          md: {kind: simulate, system: deca, params: {integrator: langevin-baoab, dt: 0.002, steps: 10, stride: 10}}
        """)
        let message = try ws.failure("dt.yaml", stage: "md")
        XCTAssertTrue(message.contains("params.dt = 2 fs is too large without constraints"), message)
        XCTAssertTrue(message.contains("set constraints: h-bonds in the system (then dt ≤"), message)
        XCTAssertEqual(try ws.run("dt.yaml", set: ["md.params.dt=0.001"]).exitCode, 0, "1 fs is fine without constraints")
        let brownian = try ws.failure("dt.yaml", stage: "md", set: ["md.params.integrator=brownian", "md.params.dt=0.0001"])
        XCTAssertTrue(brownian.contains("is too large for Brownian dynamics without constraints"), brownian)
    }

    func testNonFiniteEnergyStopsTheStageNamingStepAndQuantity() throws {
        var x = try BuiltInMolecules.butane().positions
        x[30] = 1e200
        ws.write("nan.yaml", """
        name: nan
        systems:
          butane: {kind: charmm, params: {molecule: butane}}
        stages:
          md: {kind: simulate, system: butane, params: {integrator: velocity-verlet, dt: 0.0005, steps: 10, stride: 5, initial: \(x)}}
        """)
        let message = try ws.failure("nan.yaml", stage: "md")
        XCTAssertTrue(message.contains("replica 0, production step 1: potential energy is not finite"), message)
    }

    func testMolecularParametersOnAModelSystemAndMALAOnAMoleculeAreRefused() throws {
        ws.write("model.yaml", """
        name: model
        systems: {mb: {kind: mueller-brown}}
        stages:
          a: {kind: simulate, system: mb, params: {steps: 10, stride: 10, walkers: 1, initial: A, replicas: 2}}
        """)
        ws.write("mala.yaml", """
        name: mala
        systems: {butane: {kind: charmm, params: {molecule: butane}}}
        stages:
          b: {kind: simulate, system: butane, params: {integrator: mala, dt: 0.0005, steps: 10, stride: 10}}
        """)
        XCTAssertTrue(try ws.failure("model.yaml", stage: "a").contains("params.replicas applies to charmm systems"))
        XCTAssertTrue(try ws.failure("mala.yaml", stage: "b").contains("params.integrator: mala samples model systems"))
    }
}
