import XCTest
import FlowHDF5
import FlowMD
@testable import FlowStages

/// The restrained windows of a molecule: on a bond length r = |x_a − x_b| the mass-weighted
/// tensor is analytic at every configuration, ∇r diag(m)⁻¹ ∇rᵀ = 1/m_a + 1/m_b, so
/// M = (418.4/γ)(1/m_a + 1/m_b) in Å²/(ps·kcal/mol) in every window, whatever was sampled.
final class MolecularWindowsTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() { ws = LearningWorkspace() }
    override func tearDown() { ws.remove() }

    func testBondLengthWindowsGiveTheAnalyticMassWeightedTensor() throws {
        let butane = try BuiltInMolecules.butane()
        let masses = butane.topology.masses
        // The first carbon and a hydrogen bonded to it (the lightest partner: the largest M).
        let carbon = masses.firstIndex { $0 > 12 }!
        let bond = butane.topology.bonds.first { (b: Bond) -> Bool in
            b.i == carbon ? masses[b.j] < 2 : (b.j == carbon && masses[b.i] < 2)
        }!
        let hydrogen = bond.i == carbon ? bond.j : bond.i
        ws.write("w.yaml", """
        name: w
        systems: {butane: {kind: charmm, temperature: 300, params: {molecule: butane}}}
        stages:
          md: {kind: simulate, system: butane, params: {integrator: langevin-baoab, dt: 0.0005, steps: 400, stride: 4, replicas: 2}}
          ed:
            kind: effective-dynamics
            system: butane
            resources: {cpus: 1}
            inputs: {data: md}
            params:
              cvs: [{distance: [\(carbon), \(hydrogen)]}]
              grid: {bins: [4]}
              cutoff: 0.99
              eigenvalues: 1
              diffusion: {kappa: 50.0, steps: 60, equilibration: 20, interval: 5, dt: 0.0005, friction: 2.0}
        """)
        let summary = try ws.run("w.yaml")
        XCTAssertEqual(summary.exitCode, 0, ws.failure(of: "ed", in: summary) ?? "")
        let out = try ws.open("w", "ed")
        defer { try? out.close() }
        let m = try out.root.read("diffusion", as: Double.self).values
        let samples = try out.root.read("window_samples", as: Int64.self).values
        let expected = MDUnits.accelerationFactor / 2.0 * (1 / masses[carbon] + 1 / masses[hydrogen])
        XCTAssertGreaterThan(samples.filter { $0 > 0 }.count, 1)
        for (c, n) in samples.enumerated() where n > 0 {
            XCTAssertEqual(n, 8, "(60 − 20)/5 frames per window")
            XCTAssertEqual(m[c], expected, accuracy: 1e-9 * expected, "cell \(c)")
        }
        guard case .string(let convention)? = try out.root.attribute("diffusion_convention") else { return XCTFail("no convention") }
        XCTAssertTrue(convention.contains("418.4/gamma"), convention)
    }
}
