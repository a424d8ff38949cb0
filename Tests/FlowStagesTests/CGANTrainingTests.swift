import XCTest
import FlowHDF5
import FlowLinalg
import FlowMD
import FlowNN
@testable import FlowStages

/// The cGAN training on a small molecule (butane): a run interrupted after a checkpoint resumes
/// bit-identically, a non-finite energy stops it with a message that says where, and the staged
/// term schedule switches groups on in the stated order.
final class CGANTrainingTests: XCTestCase {
    /// Cancels the training at the `cancelAt`-th cancellation check.
    final class CancellingMonitor: WorkMonitor, @unchecked Sendable {
        var checks = 0
        let cancelAt: Int?
        init(cancelAt: Int?) { self.cancelAt = cancelAt }
        func progress(done: Int, total: Int, note: String) {}
        func log(_ message: String) {}
        func checkCancellation() throws {
            checks += 1
            if checks == cancelAt { throw WorkCancelled() }
        }
    }

    func schedule(biasWeight: Double = 10) -> CGANSchedule {
        CGANSchedule(pretraining: .init(epochs: 2, learningRate: 1e-2, frames: 3, batchSize: 4, groups: [.bond, .angle, .dihedral]),
                     adversarial: .init(epochs: 3, generatorRate: 1e-3, discriminatorRate: 1e-3, batchSize: 8, potentialSteps: 2,
                                        generatorSteps: 1, discriminatorSteps: 1),
                     energyWeight: 1, groupWeights: [:], termSchedule: .none, biasWeight: biasWeight, gradientClip: 1)
    }

    /// Butane frames jittered about the built structure, 2 replicas × 12 frames, t = k/11.
    func butane() throws -> (MolecularSystem, CGANData) {
        let molecule = try MoleculeSource.builtIn(.butane).load()
        var rng = RandomSource(seed: 2)
        let rows = 24
        let x = (0..<rows).flatMap { _ in molecule.positions.map { $0 + 0.05 * rng.normal() } }
        let frame = (0..<rows).map { $0 % 12 }
        return (molecule, CGANData(x: Matrix(rows: rows, cols: molecule.positions.count, storage: x), times: frame.map { Double($0) / 11 }, frameIndex: frame))
    }

    func training(_ molecule: MolecularSystem, _ schedule: CGANSchedule, monitor: WorkMonitor) throws -> CGANTraining {
        var rng = RandomSource(seed: 5)
        let features = DiscriminatorFeatures(torsions: TorsionFeatureOp(topology: molecule.topology, encoding: .sinCos),
                                             bonds: BondLengthOp(bonds: molecule.topology.bonds))
        let gan = ConditionalGAN(generator: MLP(sizes: [4, 8, molecule.positions.count], activation: .sigmoid, rng: &rng),
                                 discriminator: MLP(sizes: [1 + features.width, 4, 1], activation: .sigmoid, rng: &rng), features: features)
        return CGANTraining(gan: gan, energy: ForceFieldEnergyOp(forceField: try molecule.forceField()),
                            bias: DistanceSpringOp(atomA: 0, atomB: 3, k: 1, from: 3, to: 4), schedule: schedule, seed: 8, monitor: monitor)
    }

    func testInterruptedTrainingResumesBitIdentically() throws {
        let (molecule, data) = try butane()
        let reference = try training(molecule, schedule(), monitor: CancellingMonitor(cancelAt: nil))
        try reference.train(data, checkpoints: nil)
        let path = NSTemporaryDirectory() + "cgan-checkpoint-\(UUID().uuidString.prefix(8)).h5"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // 2 pretraining epochs of 2 batches (6 early frames), then 3 batches per adversarial
        // epoch: check 5 is in the first adversarial epoch, check 8 in the second.
        for cancelAt in [5, 8] {
            try? FileManager.default.removeItem(atPath: path)
            let interrupted = try training(molecule, schedule(), monitor: CancellingMonitor(cancelAt: cancelAt))
            XCTAssertThrowsError(try interrupted.train(data, checkpoints: HDF5CheckpointFile(path: path, interval: 0)))
            let resumed = try training(molecule, schedule(), monitor: CancellingMonitor(cancelAt: nil))
            try resumed.train(data, checkpoints: HDF5CheckpointFile(path: path, interval: 0))
            XCTAssertEqual(resumed.gan.generator.parameters.map(\.values), reference.gan.generator.parameters.map(\.values), "cancelled at check \(cancelAt)")
            XCTAssertEqual(resumed.gan.discriminator.parameters.map(\.values), reference.gan.discriminator.parameters.map(\.values))
            XCTAssertEqual(resumed.losses, reference.losses)
        }
        XCTAssertEqual(reference.losses.count, 2 * 2 + 3 * 3, "one row per batch")
        XCTAssertTrue(reference.losses.joined().allSatisfy(\.isFinite))
    }

    /// With `mmd`, every adversarial row carries a positive MMD², the generator ends elsewhere than
    /// without it, and a run interrupted in the adversarial phase still resumes to the same bits.
    func testMMDTermEntersTheGeneratorUpdatesAndResumesBitIdentically() throws {
        let (molecule, data) = try butane()
        let plain = try training(molecule, schedule(), monitor: CancellingMonitor(cancelAt: nil))
        try plain.train(data, checkpoints: nil)
        func withMMD() -> CGANSchedule {
            var s = schedule()
            s.mmd = ConditionalMMD(timeBandwidth: 0.1, realFeatures: plain.gan.features.values(data.x))
            s.mmdWeight = 10
            return s
        }
        let reference = try training(molecule, withMMD(), monitor: CancellingMonitor(cancelAt: nil))
        try reference.train(data, checkpoints: nil)
        XCTAssertTrue(reference.losses.filter { $0[1] == 1 }.allSatisfy { $0[6] > 0 && $0[6].isFinite })
        XCTAssertTrue(reference.losses.filter { $0[1] == 0 }.allSatisfy { $0[6] == 0 })
        XCTAssertTrue(plain.losses.allSatisfy { $0[6] == 0 })
        XCTAssertNotEqual(reference.gan.generator.parameters.map(\.values), plain.gan.generator.parameters.map(\.values))
        let path = NSTemporaryDirectory() + "cgan-mmd-checkpoint-\(UUID().uuidString.prefix(8)).h5"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let interrupted = try training(molecule, withMMD(), monitor: CancellingMonitor(cancelAt: 8))
        XCTAssertThrowsError(try interrupted.train(data, checkpoints: HDF5CheckpointFile(path: path, interval: 0)))
        let resumed = try training(molecule, withMMD(), monitor: CancellingMonitor(cancelAt: nil))
        try resumed.train(data, checkpoints: HDF5CheckpointFile(path: path, interval: 0))
        XCTAssertEqual(resumed.gan.generator.parameters.map(\.values), reference.gan.generator.parameters.map(\.values))
        XCTAssertEqual(resumed.losses, reference.losses)
    }

    func testNonFiniteEnergyStopsTheTrainingAndSaysWhere() throws {
        let (molecule, data) = try butane()
        // 10³⁰⁸ × a spring energy of several kcal/mol overflows in the first potential step.
        let t = try training(molecule, schedule(biasWeight: 1e308), monitor: CancellingMonitor(cancelAt: nil))
        XCTAssertThrowsError(try t.train(data, checkpoints: nil)) { error in
            XCTAssertEqual((error as? CGANDiverged)?.description, "adversarial epoch 1, batch 1: the potential step's loss (inf) is not finite")
        }
    }

    /// The energy term against a reference: only the weighted excess over it counts, per sample.
    func testEnergyAboveTheDataReferenceIsTheOnlyPenalty() {
        let tape = Tape()
        let e = tape.input(Matrix(rows: 2, cols: 2, storage: [5, 1, 0, 2]))
        let plain = CGANTraining.weighted(e, weights: [1, 10], reference: nil)
        XCTAssertEqual(tape.scalar(plain), (15.0 + 20) / 2)
        let hinge = CGANTraining.weighted(e, weights: [1, 10], reference: [[1, 1], [3, 1]])
        // Sample 1: 1·4 + 10·0 = 4 > 0 counts; sample 2: 1·(−3) + 10·1 = 7 counts too.
        XCTAssertEqual(tape.scalar(hinge), (4.0 + 7) / 2)
        let below = CGANTraining.weighted(e, weights: [1, 10], reference: [[6, 1], [0, 3]])
        XCTAssertEqual(tape.scalar(below), 0, "frames below the data's energy are not pushed further down")
        tape.backward(hinge)
        XCTAssertEqual(tape.gradient(e).storage, [0.5, 5, 0.5, 5])
        tape.backward(below)
        XCTAssertEqual(tape.gradient(e).storage, [0, 0, 0, 0])
        // The batch's mean excess: sample 1 is 10 below (1·(−1) + 10·(−0.9)), sample 2 is 7 above,
        // so the batch is 1.5 below on average and nothing is penalized, although sample 2 is above.
        let balanced = CGANTraining.weighted(e, weights: [1, 10], reference: [[6, 1.9], [3, 1]], perFrame: false)
        XCTAssertEqual(tape.scalar(balanced), 0)
        XCTAssertGreaterThan(tape.scalar(CGANTraining.weighted(e, weights: [1, 10], reference: [[6, 1.9], [3, 1]])), 0, "per frame, sample 2 pays")
        let above = CGANTraining.weighted(e, weights: [1, 10], reference: [[1, 1], [3, 1]], perFrame: false)
        XCTAssertEqual(tape.scalar(above), (4.0 + 7) / 2)
        tape.backward(above)
        XCTAssertEqual(tape.gradient(e).storage, [0.5, 5, 0.5, 5], "every frame is pushed alike, the spread is left alone")
    }

    /// R₀ of the thermal units pairs frames of different replicas at the same time only: three
    /// replicas of the built butane with independent noise of σ per coordinate, scaled by a
    /// time-dependent factor so that any pair across times would weigh far more. Two independent
    /// copies differ by 2σ² per coordinate, of which superposition removes 6 of the 3n degrees of
    /// freedom, so half their MSD is 3σ²(3n − 6)/(3n).
    func testThermalReconstructionScaleIsTheScatterBetweenReplicasAtTheSameTime() throws {
        let molecule = try MoleculeSource.builtIn(.butane).load()
        var rng = RandomSource(seed: 21)
        let sigma = 0.1, times = (0..<20).map { Double($0) / 19 }
        var rows: [Double] = [], t: [Double] = [], replicas: [Int] = []
        for time in times {
            for r in 0..<3 {
                rows += molecule.positions.map { (1 + time) * $0 + sigma * rng.normal() }
                t.append(time)
                replicas.append(r)
            }
        }
        let truth = Matrix(rows: t.count, cols: molecule.positions.count, storage: rows)
        let features = DiscriminatorFeatures(torsions: TorsionFeatureOp(topology: molecule.topology, encoding: .sinCos), bonds: nil)
        let r0 = try XCTUnwrap(CGANTraining.reconstructionScale(truth, times: t, replicas: replicas, .aligned, features: features))
        let dof = Double(molecule.positions.count)
        XCTAssertEqual(r0, 3 * sigma * sigma * (dof - 6) / dof, accuracy: 0.1 * 3 * sigma * sigma)
        XCTAssertNil(CGANTraining.reconstructionScale(truth, times: t.indices.map { Double($0) }, replicas: replicas, .aligned, features: features),
                     "every time held by one frame: no pair")
        let torsions = try XCTUnwrap(CGANTraining.reconstructionScale(truth, times: t, replicas: replicas, .torsions, features: features))
        XCTAssertGreaterThan(torsions, 0)
    }

    func testStagedScheduleSwitchesGroupsOnByQuarters() {
        var s = schedule()
        s.adversarial.epochs = 8
        s.termSchedule = .staged
        s.groupWeights = [.angle: 0.5]
        let on = (0..<8).map { e in EnergyGroup.allCases.map { s.weight($0, epoch: e) } }
        XCTAssertEqual(on[0], [1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(on[2], [1, 0.5, 1, 0, 0, 0, 0])
        XCTAssertEqual(on[4], [1, 0.5, 1, 1, 1, 1, 0])
        XCTAssertEqual(on[6], [1, 0.5, 1, 1, 1, 1, 1])
        s.termSchedule = .none
        XCTAssertEqual(EnergyGroup.allCases.map { s.weight($0, epoch: 0) }, [1, 0.5, 1, 1, 1, 1, 1])
    }
}
