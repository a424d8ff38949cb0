import XCTest
import FlowHDF5
import FlowLinalg
@testable import FlowMD

/// Replicas of a molecular simulation: results must not depend on the thread count, and a run
/// interrupted after a checkpoint and resumed must end bit-identical to an uninterrupted one —
/// with a phase change, SHAKE constraints, a moving restraint (work), tethered anchors taken at
/// the phase start and a metadynamics bias (hills, grid, c(t)) in the state.
final class ReplicaSetTests: XCTestCase {
    typealias FileCheckpoints = EnsembleResumeTests.FileCheckpoints
    typealias CountingMonitor = EnsembleResumeTests.CountingMonitor

    static let butane = try! BuiltInMolecules.butane(dihedral: 170)

    func makeSet(replicas: Int = 3) throws -> ReplicaSet {
        let system = Self.butane
        let forceField = try system.forceField()
        let masses = system.coordinateMasses
        let constraints = try system.hydrogenBondConstraints()
        let n = system.topology.atoms.count
        let langevin = { LangevinIntegrator(timeStep: 0.002, temperature: 300, friction: 1, masses: masses, constraints: constraints.independentCopy()) }
        let grid = BiasGrid(lower: [-Double.pi], upper: [Double.pi], points: [101], periodic: [true])
        let phases = [
            DynamicsPhase(name: "equilibration", steps: 700, integrator: langevin),
            DynamicsPhase(name: "production", steps: 3000, stride: 100, integrator: langevin, biases: { _, start in
                let rf = SIMD3(start[0], start[1], start[2]), rp = SIMD3(start[30], start[31], start[32])
                return [
                    MovingHarmonicRestraint(cv: DistanceCV(0, 10, atomCount: n), forceConstant: 5, initialCenter: 3.9, velocity: 0.05),
                    TetheredPulling(springs: [.init(atom: 0, forceConstant: 2, anchor: rf), .init(atom: 10, forceConstant: 2, anchor: rp, velocity: SIMD3(0, 0, 0.1))]),
                    WellTemperedMetadynamics(cv: DihedralCV(0, 4, 7, 10, atomCount: n), height: 0.3, widths: [0.2], biasTemperature: 3,
                                             beta: 1.68, pace: 50, grid: grid),
                ]
            }),
        ]
        let set = ReplicaSet(replicas: replicas, phases: phases, masses: masses, valueNames: ["time", "energy", "work", "offset"],
                             potential: { forceField.independentCopy() }) { _, s in
            [s.state.time, s.state.potentialEnergy, s.state.work,
             (s.biases.last as? WellTemperedMetadynamics)?.offset ?? .nan]
        }
        set.segmentSteps = 250
        return set
    }

    func starts(_ replicas: Int) -> [ReplicaStart] {
        (0..<replicas).map { r in
            var random = RandomSource(seed: 5, stream: "replica-\(r)")
            let thermal = LangevinIntegrator(timeStep: 0.002, temperature: 300, friction: 1, masses: Self.butane.coordinateMasses)
            var state = DynamicsState(positions: Self.butane.positions)
            thermal.maxwellBoltzmannVelocities(for: &state, &random)
            return ReplicaStart(positions: state.positions, velocities: state.velocities, random: random)
        }
    }

    func assertIdentical(_ a: ReplicaSet, _ b: ReplicaSet, file: StaticString = #filePath, line: UInt = #line) {
        for r in 0..<a.replicaCount {
            XCTAssertEqual(a.framePositions(r), b.framePositions(r), "replica \(r) frames", file: file, line: line)
            XCTAssertEqual(a.frameValues(r), b.frameValues(r), "replica \(r) values", file: file, line: line)
            let ma = a.simulation(r).biases.last as! WellTemperedMetadynamics, mb = b.simulation(r).biases.last as! WellTemperedMetadynamics
            XCTAssertEqual(ma.hills, mb.hills, file: file, line: line)
            XCTAssertEqual(ma.grid, mb.grid, file: file, line: line)
        }
    }

    func testIndependentOfThreadCountAndReplicasDiffer() throws {
        let one = try makeSet()
        try one.run(starts: { starts(3) }, threads: 1, monitor: SilentMonitor(), checkpoints: nil)
        let three = try makeSet()
        try three.run(starts: { starts(3) }, threads: 3, monitor: SilentMonitor(), checkpoints: nil)
        assertIdentical(one, three)
        XCTAssertEqual(one.framesPerReplica, 30)
        XCTAssertNotEqual(one.framePositions(0), one.framePositions(1), "replicas have their own random streams")
        let work = one.frameValues(0)
        XCTAssertNotEqual(work[4 * 29 + 2], 0, "the moving biases did work")
        XCTAssertEqual((one.simulation(0).biases.last as! WellTemperedMetadynamics).hills.count, 60)
    }

    func testResumeFromACheckpointIsBitIdentical() throws {
        let reference = try makeSet()
        try reference.run(starts: { starts(3) }, threads: 2, monitor: SilentMonitor(), checkpoints: nil)
        // Segments: 3 of equilibration (250, 250, 200), then production; stop during production.
        for stopAfter in [2, 7] {
            let path = NSTemporaryDirectory() + "flow-replicas-\(UUID().uuidString).h5"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let monitor = CountingMonitor(cancelAfter: stopAfter)
            let interrupted = try makeSet()
            XCTAssertThrowsError(try interrupted.run(starts: { starts(3) }, threads: 2, monitor: monitor,
                                                     checkpoints: FileCheckpoints(path: path, monitor: monitor, dueAt: stopAfter)))
            XCTAssertTrue(FileManager.default.fileExists(atPath: path), "a checkpoint was written before the interruption")
            let resumedMonitor = CountingMonitor(cancelAfter: nil)
            let resumed = try makeSet()
            var asked = false
            try resumed.run(starts: { asked = true; return starts(3) }, threads: 1, monitor: resumedMonitor,
                            checkpoints: FileCheckpoints(path: path, monitor: resumedMonitor, dueAt: -1))
            XCTAssertFalse(asked, "a resumed run does not start over")
            assertIdentical(reference, resumed)
        }
    }

    func testADivergenceNamesTheReplicaStepAndQuantity() throws {
        let set = try makeSet(replicas: 2)
        var bad = starts(2)
        bad[1].positions[30] = 1e200
        XCTAssertThrowsError(try set.run(starts: { bad }, threads: 2, monitor: SilentMonitor(), checkpoints: nil)) { e in
            XCTAssertEqual("\(e)", "replica 1, equilibration step 1: potential energy is not finite (lower dt, minimize first, or check the structure)")
        }
    }
}
