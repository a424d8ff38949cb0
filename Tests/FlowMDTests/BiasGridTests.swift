import XCTest
@testable import FlowMD

/// The metadynamics bias: grid interpolation against the exact sum of Gaussians, its gradient
/// (through the CV chain rule) against finite differences, periodic wrapping, well-tempered
/// heights, and the restraint of the molecular side on model-system CVs.
final class BiasGridTests: XCTestCase {
    func testInterpolationMatchesExactHills() {
        var grid = BiasGrid(lower: [0, -1], upper: [1, 1], points: [101, 201], periodic: [false, false])
        let hills: [([Double], Double)] = [([0.3, 0.2], 0.5), ([0.35, 0.1], 0.3), ([0.8, -0.5], 0.2)]
        for (c, h) in hills { grid.addGaussian(center: c, widths: [0.02, 0.03], height: h) }
        for s in [[0.31, 0.17], [0.333, 0.123], [0.79, -0.51], [0.5, 0.5]] {
            let exact = hills.reduce(0.0) { acc, hill in
                let u = (s[0] - hill.0[0]) / 0.02, v = (s[1] - hill.0[1]) / 0.03
                return acc + hill.1 * exp(-0.5 * (u * u + v * v))
            }
            XCTAssertEqual(grid.evaluate(s).value, exact, accuracy: 1e-3 * 0.5, "spacing σ/2: error below 1e-3 of a hill")
            let g = grid.evaluate(s).gradient
            let fd = FiniteDifference.gradient({ grid.evaluate($0).value }, at: s, step: 1e-7)
            FiniteDifference.assertMatches(g, fd, tolerance: 1e-5, "grid gradient at \(s)")
        }
    }

    func testPeriodicAxisWraps() {
        var grid = BiasGrid(lower: [-Double.pi], upper: [Double.pi], points: [200], periodic: [true])
        grid.addGaussian(center: [3.1], widths: [0.2], height: 1)
        XCTAssertEqual(grid.evaluate([-3.1]).value, exp(-0.5 * pow((2 * Double.pi - 6.2) / 0.2, 2)), accuracy: 2e-3)
    }

    func testMetadynamicsBiasGradientAndTempering() {
        let layout = ParticleLayout.planar(particles: 7)
        let mu = CoordinationMoments(layout: layout)
        let grid = BiasGrid(lower: [0, -1.5], upper: [2, 2.5], points: [201, 401], periodic: [false, false])
        let metad = WellTemperedMetadynamics(cv: mu, height: 0.01, widths: [0.02, 0.02], biasTemperature: 1, beta: 5, pace: 1, grid: grid)
        let x = jiggledCluster(pullOut: false)
        let s = mu.value(x)
        metad.deposit(at: [s, [s[0] + 0.01, s[1] - 0.015]], time: 0)
        XCTAssertEqual(metad.hills[0].height, 0.01, "first hills see no bias")
        metad.deposit(at: [s], time: 1)
        let before = metad.hills[0].height + metad.hills[1].height * exp(-0.5 * (0.25 + 0.5625))
        XCTAssertEqual(metad.hills[2].height, 0.01 * exp(-before / 1), accuracy: 1e-6, "height h·exp(−B/k_BΔT)")
        var g = [Double](repeating: 0, count: 14)
        _ = metad.energy(x, time: 0, addingGradientTo: &g)
        FiniteDifference.assertMatches(g, FiniteDifference.gradient({ metad.energy($0, time: 0) }, at: x), tolerance: 1e-6, "∇B(ξ(x))")
        XCTAssertEqual(metad.biasFactor, 6)
    }

    func testRestraintOnModelCV() {
        let layout = ParticleLayout.planar(particles: 7)
        let restraint = MovingHarmonicRestraint(cv: ParticleDistance(0, 3, layout: layout), forceConstant: 50, initialCenter: 1.2, velocity: 0.5)
        let x = jiggledCluster(pullOut: false)
        var g = [Double](repeating: 0, count: 14)
        _ = restraint.energy(x, time: 0.3, addingGradientTo: &g)
        FiniteDifference.assertMatches(g, FiniteDifference.gradient({ restraint.energy($0, time: 0.3) }, at: x), tolerance: 1e-6, "restraint")
        let d = ParticleDistance(0, 3, layout: layout).value(x)[0]
        XCTAssertEqual(restraint.energy(x, time: 0.3), 25 * pow(d - 1.35, 2), accuracy: 1e-12)
    }
}
