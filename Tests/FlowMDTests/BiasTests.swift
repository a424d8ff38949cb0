import Foundation
import XCTest
import FlowLinalg
@testable import FlowMD

/// Collective variables, restraints and steered MD.
final class BiasTests: XCTestCase {
    func checkJacobian(_ cv: any CollectiveVariable, _ x0: [Double], file: StaticString = #filePath, line: UInt = #line) {
        var jacobian = [Double](repeating: 0, count: cv.inputDimension)
        let value = cv.value(x0, jacobian: &jacobian)[0]
        XCTAssertEqual(value, cv.value(x0)[0], file: file, line: line)
        var x = x0
        for i in x.indices {
            let h = 1e-6
            x[i] = x0[i] + h
            let up = cv.value(x)[0]
            x[i] = x0[i] - h
            let down = cv.value(x)[0]
            x[i] = x0[i]
            XCTAssertEqual(jacobian[i], (up - down) / (2 * h), accuracy: 1e-7, "coordinate \(i)", file: file, line: line)
        }
    }

    func checkBiasGradient(_ bias: any Bias, _ x0: [Double], time: Double, coordinates: [Int],
                           file: StaticString = #filePath, line: UInt = #line) {
        var g = [Double](repeating: 0, count: x0.count)
        _ = bias.energy(x0, time: time, addingGradientTo: &g)
        var x = x0
        for i in coordinates {
            let h = 1e-6
            x[i] = x0[i] + h
            let up = bias.energy(x, time: time)
            x[i] = x0[i] - h
            let down = bias.energy(x, time: time)
            x[i] = x0[i]
            XCTAssertEqual(g[i], (up - down) / (2 * h), accuracy: 1e-6, "coordinate \(i)", file: file, line: line)
        }
    }

    func testDistanceAndDihedralJacobians() throws {
        let butane = try BuiltInMolecules.butane(dihedral: 70)
        checkJacobian(DistanceCV(0, 10, atomCount: 14), butane.positions)
        let cccc = DihedralCV(0, 4, 7, 10, atomCount: 14)
        checkJacobian(cccc, butane.positions)
        XCTAssertEqual(cccc.value(butane.positions)[0], 70 * .pi / 180, accuracy: 1e-9)
    }

    func testRestraintGradientsAndPeriodicDifference() throws {
        let butane = try BuiltInMolecules.butane(dihedral: 170)
        let cccc = DihedralCV(0, 4, 7, 10, atomCount: 14)
        // Centre at −170° (= 190°): the minimum-image deviation is 20°, not 340°.
        let restraint = MovingHarmonicRestraint(cv: cccc, forceConstant: 10, initialCenter: -170 * .pi / 180,
                                                velocity: 0.3, period: DihedralCV.period)
        let d = 20 * Double.pi / 180
        XCTAssertEqual(restraint.energy(butane.positions, time: 0), 5 * d * d, accuracy: 1e-9)
        checkBiasGradient(restraint, butane.positions, time: 0.5, coordinates: Array(0..<42))
        let pulling = TetheredPulling(springs: [.init(atom: 0, forceConstant: 7.2, anchor: .zero),
                                                .init(atom: 10, forceConstant: 7.2, anchor: SIMD3(0, 0, 4), velocity: SIMD3(0, 0, 1))])
        checkBiasGradient(pulling, butane.positions, time: 2, coordinates: [0, 1, 2, 30, 31, 32])
    }

    /// Steered MD on deca-alanine as in the cGAN paper's data (CA1–CA10 distance, harmonic
    /// restraint, Langevin 300 K, 1/ps, 2 fs with H constraints), pulled fast for a test.
    func testSteeredMDFollowsTheCenterAndWorkMatchesTheForceIntegral() throws {
        let (system, ff) = DynamicsTests.relaxed
        let t = system.topology
        let ca1 = BuiltInMolecules.alphaCarbon(t, residue: 1)!, ca10 = BuiltInMolecules.alphaCarbon(t, residue: 10)!
        let distance = DistanceCV(ca1, ca10, atomCount: t.atoms.count)
        let start = distance.value(system.positions)[0]
        let k = 10.0, speed = 0.5  // kcal/mol/Å², Å/ps
        let restraint = MovingHarmonicRestraint(cv: distance, forceConstant: k, initialCenter: start, velocity: speed)
        let dt = 0.002
        let integrator = LangevinIntegrator(timeStep: dt, temperature: 300, friction: 1, masses: system.coordinateMasses,
                                            constraints: try system.hydrogenBondConstraints())
        let simulation = Simulation(potential: ff, masses: system.coordinateMasses, integrator: integrator,
                                    positions: system.positions, biases: [restraint], random: RandomSource(seed: 42))
        var forceIntegral = 0.0, worstLag = 0.0, last = start
        try simulation.run(steps: 10_000, stride: 1) { s in
            let xi = distance.value(s.positions)[0]
            let center = restraint.center(0, time: s.time)
            // dW = ∂U/∂z dz = −k (ξ − z) v dt, with ξ after the step and z at mid-interval.
            forceIntegral += -k * (xi - (center - 0.5 * speed * dt)) * speed * dt
            worstLag = max(worstLag, abs(xi - center))
            last = xi
        }
        XCTAssertLessThan(worstLag, 2.5, "CA1–CA10 lags the centre by up to \(worstLag) Å")
        XCTAssertEqual(last, start + speed * 20, accuracy: 2.5)
        XCTAssertGreaterThan(simulation.state.work, 20, "stretching the helix costs work")
        XCTAssertEqual(simulation.state.work, forceIntegral, accuracy: 1e-6 * abs(forceIntegral) + 1e-9)
    }

    func testTwoSpringPullingWorkMatchesTheForceIntegral() throws {
        let (system, ff) = DynamicsTests.relaxed
        let t = system.topology
        let n1 = t.atomIndex(residue: "1", name: "N")!, nt = t.atomIndex(residue: "10", name: "NT")!
        let p = system.positions
        let axis = SIMD3(p[3 * nt] - p[3 * n1], p[3 * nt + 1] - p[3 * n1 + 1], p[3 * nt + 2] - p[3 * n1 + 2])
        let direction = axis / (axis * axis).sum().squareRoot()
        let speed = 1.0  // Å/ps (the tutorial: 0.002 Å per 2 fs step)
        let pulling = TetheredPulling(springs: [
            .init(atom: n1, forceConstant: 7.2, anchor: SIMD3(p[3 * n1], p[3 * n1 + 1], p[3 * n1 + 2])),
            .init(atom: nt, forceConstant: 7.2, anchor: SIMD3(p[3 * nt], p[3 * nt + 1], p[3 * nt + 2]), velocity: speed * direction),
        ])
        let dt = 0.002
        let integrator = LangevinIntegrator(timeStep: dt, temperature: 300, friction: 1, masses: system.coordinateMasses,
                                            constraints: try system.hydrogenBondConstraints())
        let simulation = Simulation(potential: ff, masses: system.coordinateMasses, integrator: integrator,
                                    positions: p, biases: [pulling], random: RandomSource(seed: 8))
        var forceIntegral = 0.0
        try simulation.run(steps: 5_000, stride: 1) { s in
            let spring = pulling.springs[1]
            let r = SIMD3(s.positions[3 * nt], s.positions[3 * nt + 1], s.positions[3 * nt + 2])
            let anchorMid = spring.anchor + (s.time - 0.5 * dt) * spring.velocity
            forceIntegral += -spring.forceConstant * ((r - anchorMid) * spring.velocity).sum() * dt
        }
        XCTAssertEqual(simulation.state.work, forceIntegral, accuracy: 1e-6 * abs(forceIntegral) + 1e-9)
        let end = SIMD3(simulation.state.positions[3 * nt], simulation.state.positions[3 * nt + 1], simulation.state.positions[3 * nt + 2])
        let start = SIMD3(p[3 * nt], p[3 * nt + 1], p[3 * nt + 2])
        XCTAssertEqual(((end - start) * direction).sum(), speed * 10, accuracy: 3)
    }
}
