import XCTest
import FlowHDF5
import FlowNN

/// A learned CV inside `simulate`: a restraint on `{model: cv}` is the chain rule through the
/// network. A network computing ξ(x) = x2 exactly (weights 0 and 1, bias 0: every product and sum
/// exact) must give trajectories bit-identical to the same restraint on the built-in CV x2.
final class LearnedCVBiasTests: XCTestCase {
    func testARestraintOnALearnedCVEqualsTheSameRestraintOnTheBuiltInCV() throws {
        let cli = FlowCLI()
        defer { cli.remove() }
        let net = MLP(sizes: [2, 1], activations: [.identity], weights: [[0, 1]], biases: [[0]],
                      inputNormalization: .identity(2), outputNormalization: .identity(1))
        let f = try HDF5File.create(cli.workspace + "/x2.h5")
        try net.save(to: f.root.createGroup("network"))
        try f.close()
        cli.write("cv.yaml", """
        name: cv
        seed: 5
        systems:
          dw: {kind: double-well, beta: 3.0, params: {dimension: 2, barrier: 1.0, stiffness: 1.0}}
        stages:
          builtin:
            kind: simulate
            system: dw
            seed: 7
            params: {steps: 20000, stride: 10, walkers: 4, initial: left, dt: 1.0e-3,
                     bias: {restraints: [{cvs: [x2], center: [0.5], k: [50.0]}]}}
          learned:
            kind: simulate
            system: dw
            inputs: {cv: {file: x2.h5}}
            seed: 7
            params: {steps: 20000, stride: 10, walkers: 4, initial: left, dt: 1.0e-3,
                     bias: {restraints: [{cvs: [{model: cv}], center: [0.5], k: [50.0]}]}}
        """)
        let run = try cli.run(["run", "cv.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        func x(_ stage: String) throws -> [Double] {
            let f = try HDF5File.open(cli.workspace + "/results/cv/\(stage).h5")
            defer { try? f.close() }
            return try f.root.read("x", as: Double.self).values
        }
        let builtin = try x("builtin"), learned = try x("learned")
        XCTAssertEqual(builtin, learned, "the same forces give the same trajectories")
        // ⟨x2⟩ under ½k x2² + ½κ(x2 − z)² is κz/(k + κ) = 0.490 (k = 1, κ = 50, z = 0.5).
        let x2 = stride(from: 1, to: learned.count, by: 2).map { learned[$0] }
        XCTAssertEqual(x2.reduce(0, +) / Double(x2.count), 50 * 0.5 / 51, accuracy: 0.02)
    }
}
