import XCTest
@testable import FlowMD

/// Analytic gradients of every model potential against central finite differences, including the
/// LJ7 restraint (with the centre-of-mass term) and the batched path against the single one.
final class PotentialGradientTests: XCTestCase {
    func check(_ p: any Potential, at x: [Double], tolerance: Double = 1e-6, _ what: String) {
        let analytic = p.gradient(x)
        let numeric = FiniteDifference.gradient({ p.energy($0) }, at: x)
        FiniteDifference.assertMatches(analytic, numeric, tolerance: tolerance, what)
    }

    func testMuellerBrown() {
        let mb = MuellerBrown(scale: 0.05)
        for x in [[-0.5, 1.4], [0.6, 0.1], [-0.8, 0.6], [0.2, 0.3], [-1.3, 1.9]] { check(mb, at: x, "Müller–Brown at \(x)") }
        XCTAssertEqual(mb.energy(MuellerBrown.minima["A"]!) / 0.05, -146.70, accuracy: 0.01)
        XCTAssertEqual(MuellerBrown(scale: 1).energy([0.212, 0.293]), -72.25, accuracy: 0.02)
    }

    func testLennardJonesWithRestraint() {
        let lj = LennardJonesCluster2D()
        let x = jiggledCluster()
        let layout = lj.layout
        let positions = layout.positions(x)
        let centre = [positions.map { $0[0] }.reduce(0, +) / 7, positions.map { $0[1] }.reduce(0, +) / 7]
        let beyond = positions.filter { ($0[0] - centre[0]) * ($0[0] - centre[0]) + ($0[1] - centre[1]) * ($0[1] - centre[1]) > 4 }
        XCTAssertEqual(beyond.count, 1, "the fixture has one particle in the restraint")
        check(lj, at: x, tolerance: 1e-5, "LJ7 with restraint")
        check(lj, at: jiggledCluster(seed: 9, pullOut: false), tolerance: 1e-5, "LJ7 without restraint")
    }

    func testRestraintSignPushesInwards() {
        // The particle beyond radius 2 must be pulled back: its gradient points away from the centre.
        let lj = LennardJonesCluster2D()
        var x = [Double](repeating: 0, count: 14)
        for k in 0..<6 { x[k] = Double(k) * 0.01; x[7 + k] = 0 }
        x[6] = 30
        let g = lj.gradient(x)
        XCTAssertGreaterThan(g[6], 0)
    }

    func testModelWells() {
        check(HarmonicWell(stiffness: [1, 4, 9], center: [0.5, -1, 2]), at: [0.1, 0.2, 0.3], "harmonic")
        check(DoubleWell(dimension: 3, barrier: 2, stiffness: 3), at: [0.3, -0.4, 0.7], "double well")
    }

    func testBatchedPathMatchesSingle() {
        let lj = LennardJonesCluster2D()
        let configs = [jiggledCluster(seed: 1), jiggledCluster(seed: 2, pullOut: false), jiggledCluster(seed: 5)]
        var e = [Double](repeating: 0, count: 3), g = [Double](repeating: 0, count: 42)
        configs.flatMap { $0 }.withUnsafeBufferPointer { xb in
            lj.energies(xb.baseAddress!, count: 3, energies: &e, gradients: &g)
        }
        for (k, c) in configs.enumerated() {
            var gk = [Double](repeating: 0, count: 14)
            XCTAssertEqual(e[k], lj.energy(c, gradient: &gk))
            XCTAssertEqual(Array(g[(14 * k)..<(14 * k + 14)]), gk)
        }
    }
}
