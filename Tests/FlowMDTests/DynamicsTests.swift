import Foundation
import XCTest
import FlowLinalg
import FlowHDF5
@testable import FlowMD

/// Integrators, constraints and minimization on deca-alanine, checked against statistical
/// mechanics (equipartition, energy conservation) and exact geometric conditions.
final class DynamicsTests: XCTestCase {
    /// Built deca-alanine relaxed to RMS gradient 0.5 kcal/mol/Å (removes the helix strain).
    static let relaxed: (MolecularSystem, ForceField) = {
        var system = try! BuiltInMolecules.decaAlanine()
        let ff = try! system.forceField()
        system.positions = try! LBFGSMinimizer(tolerance: 0.5).minimize(ff, from: system.positions).positions
        return (system, ff)
    }()

    func testMinimizationReachesTheGradientTolerance() throws {
        let system = try BuiltInMolecules.decaAlanine()
        let ff = try system.forceField()
        let start = ff.energy(system.positions)
        let result = try LBFGSMinimizer(tolerance: 0.01).minimize(ff, from: system.positions)
        XCTAssertTrue(result.converged)
        XCTAssertLessThanOrEqual(result.gradientRMS, 0.01)
        let g = ff.gradient(result.positions)
        let rms = (g.reduce(0) { $0 + $1 * $1 } / Double(g.count)).squareRoot()
        XCTAssertLessThanOrEqual(rms, 0.01)
        XCTAssertEqual(result.energy, ff.energy(result.positions), accuracy: 1e-9)
        XCTAssertLessThan(result.energy, start - 50)
    }

    func testVelocityVerletConservesEnergy() throws {
        let (system, ff) = Self.relaxed
        var random = RandomSource(seed: 11)
        let masses = system.coordinateMasses
        let thermal = LangevinIntegrator(timeStep: 0.0005, temperature: 300, friction: 1, masses: masses)
        var state = DynamicsState(positions: system.positions)
        thermal.maxwellBoltzmannVelocities(for: &state, &random)
        let simulation = Simulation(potential: ff, masses: masses, integrator: VelocityVerletIntegrator(timeStep: 0.0005, masses: masses),
                                    positions: system.positions, velocities: state.velocities, random: random)
        var energies: [Double] = []
        try simulation.run(steps: 20_000, stride: 10) { s in
            energies.append(s.potentialEnergy + s.kineticEnergy)
        }
        // 10 ps at 0.5 fs: the drift between the first and last picosecond stays below
        // 0.02 kcal/mol (≈ 0.01% of the kinetic energy), the fluctuation below 0.1 kcal/mol.
        let first = energies.prefix(200).reduce(0, +) / 200, last = energies.suffix(200).reduce(0, +) / 200
        XCTAssertLessThan(abs(last - first), 0.02, "energy drift \(last - first) kcal/mol over 9 ps")
        let mean = energies.reduce(0, +) / Double(energies.count)
        let sd = (energies.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(energies.count)).squareRoot()
        XCTAssertLessThan(sd, 0.1)
    }

    func testLangevinWithConstraintsThermalizesAt300K() throws {
        let (system, ff) = Self.relaxed
        let masses = system.coordinateMasses
        let constraints = try system.hydrogenBondConstraints()
        XCTAssertEqual(constraints.count, 53)
        var random = RandomSource(seed: 2024)
        let integrator = LangevinIntegrator(timeStep: 0.002, temperature: 300, friction: 5, masses: masses, constraints: constraints)
        var state = DynamicsState(positions: system.positions)
        integrator.maxwellBoltzmannVelocities(for: &state, &random)
        let simulation = Simulation(potential: ff, masses: masses, integrator: integrator, positions: system.positions,
                                    velocities: state.velocities, random: random)
        XCTAssertEqual(simulation.degreesOfFreedom, 312 - 53)
        try simulation.run(steps: 5_000)
        var sum = 0.0, count = 0.0, worstConstraint = 0.0
        var worstVelocity = 0.0
        try simulation.run(steps: 60_000, stride: 10) { s in
            sum += MDUnits.temperature(kineticEnergy: s.kineticEnergy, degreesOfFreedom: 312 - 53)
            count += 1
            worstConstraint = max(worstConstraint, constraints.maximumDeviation(s.positions))
            for c in 0..<constraints.count {
                let a = 3 * Int(constraints.atomI[c]), b = 3 * Int(constraints.atomJ[c])
                var dot = 0.0
                for k in 0..<3 { dot += (s.positions[a + k] - s.positions[b + k]) * (s.velocities[a + k] - s.velocities[b + k]) }
                worstVelocity = max(worstVelocity, abs(dot))
            }
        }
        let mean = sum / count
        XCTAssertEqual(mean, 300, accuracy: 3, "mean kinetic temperature \(mean) K over 120 ps")
        XCTAssertLessThan(worstConstraint, 1e-8, "constraint deviation \(worstConstraint) Å")
        XCTAssertLessThan(worstVelocity, 1e-8, "velocity along constrained bonds")
    }

    func testLangevinWithoutConstraintsThermalizesAt300K() throws {
        let (system, ff) = Self.relaxed
        let masses = system.coordinateMasses
        let integrator = LangevinIntegrator(timeStep: 0.001, temperature: 300, friction: 5, masses: masses)
        let simulation = Simulation(potential: ff, masses: masses, integrator: integrator, positions: system.positions,
                                    random: RandomSource(seed: 5))
        try simulation.run(steps: 5_000)
        var sum = 0.0, count = 0.0
        try simulation.run(steps: 60_000, stride: 10) { _ in sum += simulation.temperature; count += 1 }
        XCTAssertEqual(sum / count, 300, accuracy: 3, "mean kinetic temperature \(sum / count) K")
    }

    func testBrownianDynamicsSamplesTheHarmonicWell() throws {
        // V = ½ κ |x|² for one particle of 12 amu: ⟨x_i²⟩ = k_B T / κ.
        struct Well: Potential {
            let kappa: Double
            var dimension: Int { 3 }
            func energy(_ x: [Double], gradient: inout [Double]) -> Double {
                for i in 0..<3 { gradient[i] = kappa * x[i] }
                return 0.5 * kappa * x.reduce(0) { $0 + $1 * $1 }
            }
        }
        let kappa = 5.0
        let integrator = BrownianIntegrator(timeStep: 2e-4, temperature: 300, friction: 10, masses: [12, 12, 12])
        let simulation = Simulation(potential: Well(kappa: kappa), masses: [12, 12, 12], integrator: integrator,
                                    positions: [0, 0, 0], random: RandomSource(seed: 9))
        var sum = 0.0, count = 0.0
        try simulation.run(steps: 400_000, stride: 20) { s in
            sum += s.positions.reduce(0) { $0 + $1 * $1 } / 3
            count += 1
        }
        let expected = MDUnits.boltzmann * 300 / kappa
        XCTAssertEqual(sum / count, expected, accuracy: 0.03 * expected)
    }

    func testZigguratMoments() {
        var random = RandomSource(seed: 3)
        var m1 = 0.0, m2 = 0.0, m4 = 0.0, tail = 0.0
        let n = 2_000_000
        for _ in 0..<n {
            let z = ZigguratNormal.sample(&random)
            m1 += z; m2 += z * z; m4 += z * z * z * z
            if abs(z) > 3 { tail += 1 }
        }
        XCTAssertEqual(m1 / Double(n), 0, accuracy: 0.003)
        XCTAssertEqual(m2 / Double(n), 1, accuracy: 0.004)
        XCTAssertEqual(m4 / Double(n), 3, accuracy: 0.03)
        XCTAssertEqual(tail / Double(n), 0.0026998, accuracy: 0.0002)
    }

    func testResultsDependOnlyOnTheSeed() throws {
        let (system, ff) = Self.relaxed
        func run() throws -> [Double] {
            let integrator = LangevinIntegrator(timeStep: 0.001, temperature: 300, friction: 1, masses: system.coordinateMasses)
            let simulation = Simulation(potential: ff, masses: system.coordinateMasses, integrator: integrator,
                                        positions: system.positions, random: RandomSource(seed: 77))
            try simulation.run(steps: 200)
            return simulation.state.positions
        }
        XCTAssertEqual(try run(), try run())
    }

    func testDivergenceIsReported() throws {
        struct Blowup: Potential {
            var dimension: Int { 1 }
            func energy(_ x: [Double], gradient: inout [Double]) -> Double {
                gradient[0] = -1e300 * x[0]
                return x[0] > 1e100 ? .nan : -1e300 * x[0] * x[0]
            }
        }
        let simulation = Simulation(potential: Blowup(), masses: [1], integrator: VelocityVerletIntegrator(timeStep: 1, masses: [1]),
                                    positions: [1], random: RandomSource(seed: 1))
        XCTAssertThrowsError(try simulation.run(steps: 10)) { error in
            XCTAssertTrue(String(describing: error).contains("potential energy"), String(describing: error))
        }
    }
}

/// A run interrupted by a checkpoint and resumed in a new simulation ends where an
/// uninterrupted run ends, bit for bit (DESIGN.md §4).
final class CheckpointTests: XCTestCase {
    func testResumedRunIsIdentical() throws {
        let (system, ff) = DynamicsTests.relaxed
        func make() throws -> Simulation {
            let ca1 = BuiltInMolecules.alphaCarbon(system.topology, residue: 1)!
            let ca10 = BuiltInMolecules.alphaCarbon(system.topology, residue: 10)!
            let distance = DistanceCV(ca1, ca10, atomCount: 104)
            let restraint = MovingHarmonicRestraint(cv: distance, forceConstant: 1, initialCenter: 14, velocity: 0.5)
            let integrator = LangevinIntegrator(timeStep: 0.002, temperature: 300, friction: 1, masses: system.coordinateMasses,
                                                constraints: try system.hydrogenBondConstraints())
            return Simulation(potential: ff, masses: system.coordinateMasses, integrator: integrator,
                              positions: system.positions, biases: [restraint], random: RandomSource(seed: 99))
        }
        let straight = try make()
        try straight.run(steps: 400)
        let first = try make()
        try first.run(steps: 150)
        let checkpoint = HDF5CheckpointFile(path: TestData.temporaryPath("md-checkpoint.h5"), interval: 0)
        try checkpoint.save { try first.save(to: $0) }
        let resumed = try make()
        XCTAssertTrue(try checkpoint.restore { try resumed.restore(from: $0) })
        try resumed.run(steps: 250)
        XCTAssertEqual(resumed.state.step, 400)
        XCTAssertEqual(resumed.state.positions, straight.state.positions)
        XCTAssertEqual(resumed.state.velocities, straight.state.velocities)
        XCTAssertEqual(resumed.state.work, straight.state.work)
    }
}
