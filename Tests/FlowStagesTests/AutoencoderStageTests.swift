import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
import FlowMD
@testable import FlowNN
@testable import FlowStages

/// `autoencoder`: the three Müller–Brown variants of DESIGN §8.1 at smoke size, the decoder fit
/// of the γ1 = 0 variant, the curve distances, and resuming a two-phase training.
final class AutoencoderStageTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() { ws = LearningWorkspace() }
    override func tearDown() { ws.remove() }

    /// The Müller–Brown workflow of DESIGN §8.1 at smoke size: 2000 samples, the two minimum-energy
    /// paths, and the reference architecture in its three variants for 4 epochs.
    static var smokeWorkflow: String {
        let variants = [("plain", 1.0, 0.0), ("eigen", 0.0, 1.0), ("mixed", 0.1, 1.0)].map { name, gamma1, gamma2 in
            """
              \(name):
                kind: autoencoder
                system: mb
                seed: 2046
                inputs: {data: sample, mep1: mep_upper, mep2: mep_lower}
                params:
                  encoder: {hidden: [30, 30, 30, 30], activation: tanh}
                  decoder: {hidden: [30, 30, 30], activation: tanh}
                  gamma1: \(gamma1)
                  gamma2: \(gamma2)
                  grid_points: 11
                  training: {epochs: 4, batch_size: 700, learning_rate: 0.005, validation_fraction: 0.3}
            """
        }
        return """
        name: mb
        seed: 2046
        systems:
          mb: {kind: mueller-brown, beta: 1.0, params: {scale: 0.05}}
        stages:
          sample: {kind: simulate, system: mb, params: {dt: 1.0e-4, steps: 4000, stride: 40, walkers: 20, initial: random}}
          mep_upper: {kind: string, system: mb, params: {from: A, to: C}}
          mep_lower: {kind: string, system: mb, params: {from: C, to: B}}

        """ + variants.joined(separator: "\n")
    }

    func testThreeMuellerBrownVariantsRunAndTheirDiagnosticsAreFinite() throws {
        ws.write("mb.yaml", Self.smokeWorkflow)
        let summary = try ws.run("mb.yaml")
        XCTAssertEqual(summary.exitCode, 0, summary.outcomes.map { "\($0.stage): \($0.status)" }.joined(separator: "; "))
        let expected = ["reconstruction_error", "max_energy", "max_energy_latent", "mep1_max_distance", "mep1_mean_distance",
                        "mep2_max_distance", "mep2_mean_distance"]
        for variant in ["plain", "eigen", "mixed"] {
            let f = try ws.open("mb", variant)
            defer { try? f.close() }
            let names = try XCTUnwrap(f.root.dataset("diagnostics").attribute("names"))
            XCTAssertEqual(names, .strings(expected), variant)
            let values = try f.root.read("diagnostics", as: Double.self).values
            XCTAssertTrue(values.allSatisfy(\.isFinite), "\(variant): \(values)")
            XCTAssertEqual(try f.root.dataset("latent").shape, [2000, 1])
            XCTAssertEqual(try f.root.dataset("decoder_curve").shape, [400, 2])
            XCTAssertEqual(try f.root.dataset("grid/values").shape, [11, 11, 1])
            let counts = try f.root.read("conditional_mean_counts", as: Int64.self).values
            XCTAssertEqual(counts.reduce(0, +), 2000)
            XCTAssertEqual(f.root.contains("regularizer"), variant != "plain", variant)
            XCTAssertEqual(f.root.contains("decoder_loss"), variant == "eigen", variant)
            let curve = try f.root.readMatrix("decoder_curve"), latent = try f.root.read("decoder_curve_latent", as: Double.self).values
            let encoder = try MLP.load(from: f.root.group("encoder"))
            let minima = encoder.values(Matrix(MuellerBrown.minima.values.map { $0 })).storage
            let potential = MuellerBrown(scale: 0.05)
            let highest = (0..<curve.rows).filter { latent[$0] >= minima.min()! && latent[$0] <= minima.max()! }
                .map { potential.energy(curve.row($0)) }.max()!
            XCTAssertEqual(values[1], highest, accuracy: 1e-12, "\(variant): max_energy is the highest energy on the curve between the minima")
        }
    }

    /// With γ1 = 0 the joint phase trains the encoder (and the gᵢ) only; the decoder fit then
    /// lowers the reconstruction error while the encoder's weights stay bit-for-bit the same.
    func testDecoderIsFittedWithTheEncoderFixed() throws {
        let samples = SampleSet(x: curveSamples(), weights: nil)
        let model = makeModel(samples: samples, gamma1: 0)
        let training = AutoencoderTraining(training: try eigenTraining(#"{"epochs": 20, "batch_size": 250, "schedule": {}}"#),
                                           decoderEpochs: 40, seed: 3)
        let session = try PhasedTraining(checkpoints: nil, monitor: SilentMonitor())
        let joint = try training.trainJointly(model, on: samples, session: session)
        XCTAssertEqual(joint.names, ["rayleigh", "covariance", "total"])
        let encoder = model.encoder.parameters.map(\.values), decoder = model.decoder.parameters.map(\.values)
        let before = reconstructionError(model, samples)
        let fit = try training.fitDecoder(model, on: samples, session: session)
        XCTAssertEqual(model.encoder.parameters.map(\.values), encoder, "the decoder fit must not touch the encoder")
        XCTAssertNotEqual(model.decoder.parameters.map(\.values), decoder)
        XCTAssertEqual(fit.names, ["reconstruction", "total"])
        let losses = fit.training.map { $0[0] }
        XCTAssertLessThan(losses.last!, 0.5 * losses.first!, "reconstruction loss per epoch: \(losses)")
        XCTAssertLessThan(reconstructionError(model, samples), 0.5 * before)
    }

    /// Interrupted in the decoder fit (phase 2) and resumed: the same bits as without interruption.
    func testResumeInTheSecondPhaseIsBitIdentical() throws {
        let samples = SampleSet(x: curveSamples(), weights: nil)
        let training = AutoencoderTraining(training: try eigenTraining(#"{"epochs": 3, "batch_size": 250, "schedule": {}}"#),
                                           decoderEpochs: 4, seed: 3)
        let reference = makeModel(samples: samples, gamma1: 0)
        let referenceResult = try training.run(reference, on: samples, session: PhasedTraining(checkpoints: nil, monitor: SilentMonitor()))
        let path = ws.root + "/checkpoint.h5"
        let interrupted = EpochCountingMonitor(cancelAfter: 5)
        XCTAssertThrowsError(try training.run(makeModel(samples: samples, gamma1: 0), on: samples, session: PhasedTraining(
            checkpoints: FileCheckpoints(path: path, monitor: interrupted, dueAt: 4), monitor: interrupted)))
        let resumedMonitor = EpochCountingMonitor(cancelAfter: nil)
        let resumed = makeModel(samples: samples, gamma1: 0)
        let result = try training.run(resumed, on: samples, session: PhasedTraining(
            checkpoints: FileCheckpoints(path: path, monitor: resumedMonitor, dueAt: -1), monitor: resumedMonitor))
        XCTAssertEqual(resumedMonitor.reports, 3, "only the last 3 decoder epochs ran again")
        for (a, b) in [(resumed.encoder, reference.encoder), (resumed.decoder, reference.decoder)] {
            XCTAssertEqual(a.parameters.map(\.values), b.parameters.map(\.values))
        }
        XCTAssertEqual(result.joint, referenceResult.joint)
        XCTAssertEqual(result.decoder, referenceResult.decoder)
    }

    func testCurveDistances() {
        let segment = [[0.0, 0.0], [2.0, 0.0]]
        XCTAssertEqual(PolylineDistance.toPolyline([1, 1], segment), 1, accuracy: 1e-15)
        XCTAssertEqual(PolylineDistance.toPolyline([3, 0], segment), 1, accuracy: 1e-15)
        let path = [[0.0, 0.5], [1.0, 0.25], [2.0, 0.0]]
        let curve = [[-3.0, 0.0], [0.0, 0.0], [4.0, 0.0]]
        let d = PolylineDistance.distances(of: path, to: curve)
        XCTAssertEqual(d.max, 0.5, accuracy: 1e-15, "the curve's part beyond the path does not count")
        XCTAssertEqual(d.mean, 0.25, accuracy: 1e-15)
    }

    /// Noisy samples of the parabola y = x² − 1 (a one-dimensional data manifold).
    func curveSamples() -> Matrix {
        var rng = RandomSource(seed: 12)
        return Matrix(rows: 500, cols: 2, storage: (0..<500).flatMap { _ -> [Double] in
            let t = rng.uniform(-1.5, 1.5)
            return [t + 0.05 * rng.normal(), t * t - 1 + 0.05 * rng.normal()]
        })
    }

    func makeModel(samples: SampleSet, gamma1: Double) -> AutoencoderModel {
        var rng = RandomSource(seed: 8)
        let encoder = NetworkSpec<EigenLearningDefaults>(hidden: [10, 10], activation: .tanh).make(inputs: 2, outputs: 1, rng: &rng)
        let decoder = NetworkSpec<EigenLearningDefaults>(hidden: [10, 10], activation: .tanh).make(inputs: 1, outputs: 2, rng: &rng)
        let g = NetworkSpec<EigenLearningDefaults>(hidden: [5], activation: .tanh).make(inputs: 1, outputs: 1, rng: &rng)
        let scaling = Normalization.standardizing(samples.x)
        encoder.inputNormalization = scaling
        decoder.outputNormalization = scaling
        return AutoencoderModel(encoder: encoder, decoder: decoder, regularizers: [g], reconstructionWeight: gamma1,
                                regularizerWeight: 1, eigenfunctionLoss: EigenfunctionLoss(beta: 1, weights: [1], penalty: 20))
    }

    func reconstructionError(_ model: AutoencoderModel, _ samples: SampleSet) -> Double {
        let y = model.decoder.values(model.encoder.values(samples.x))
        return zip(y.storage, samples.x.storage).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(samples.count)
    }
}
