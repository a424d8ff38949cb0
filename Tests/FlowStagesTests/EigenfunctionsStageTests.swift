import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
@testable import FlowNN
@testable import FlowStages

/// `eigenfunctions` on Ornstein–Uhlenbeck processes, whose generator L = β⁻¹Δ − ∇V·∇ with
/// V = ½ Σ kᵢ xᵢ² has the eigenvalues −Σ nᵢkᵢ (nᵢ ≥ 0) for every β, with Hermite polynomials as
/// eigenfunctions. The stage reports λ = −(eigenvalue of L) > 0, so the leading non-trivial ones
/// are: 1-D (k = 1): 1 (x), 2 (x² − 1); 2-D isotropic: 1, 1 (x, y), 2; anisotropic k = (1, 4):
/// 1 (x), 2 (x² − 1) — before 4 (y). Samples are exact (stratified) Gaussian draws, not a simulation.
final class EigenfunctionsStageTests: XCTestCase {
    var ws: LearningWorkspace!

    private var threads = 0

    /// One compute thread: these small networks gain nothing from more, and the tests then do
    /// not depend on how busy the machine's other cores are.
    override func setUp() {
        ws = LearningWorkspace()
        threads = ComputeThreads.count
        ComputeThreads.count = 1
    }

    override func tearDown() {
        ComputeThreads.count = threads
        ws.remove()
    }

    /// A 1-hidden-layer-pair network trained with α = 5: a penalty above ω₂(λ₂ − λ₁) keeps the
    /// functions uncorrelated, and a smaller one than the default leaves Adam more room to bend
    /// f₂ away from the linear modes (x, y) it starts near; 150 epochs of 4 batches suffice.
    func workflow(name: String, beta: Double, stiffness: [Double], count: Int, networks: String = "separate") -> String {
        """
        name: \(name)
        systems:
          ou: {kind: harmonic, beta: \(beta), params: {stiffness: \(stiffness)}}
        stages:
          eig:
            kind: eigenfunctions
            system: ou
            inputs: {data: {file: samples.h5}}
            params:
              count: \(count)
              networks: \(networks)
              penalty: 5
              network: {hidden: [20, 20], activation: tanh}
              training: {epochs: 150, batch_size: 1250, learning_rate: 0.01}
        """
    }

    func eigenvalues(_ name: String) throws -> (final: [Double], perEpoch: [Double], shape: [Int]) {
        let f = try ws.open(name, "eig")
        defer { try? f.close() }
        print("eigenfunctions \(name): λ =", try f.root.read("eigenvalues_final", as: Double.self).values)
        let perEpoch = try f.root.read("eigenvalues", as: Double.self)
        return (try f.root.read("eigenvalues_final", as: Double.self).values, perEpoch.values, perEpoch.shape)
    }

    func assertWithin5Percent(_ got: [Double], _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        for (g, e) in zip(got, expected) {
            XCTAssertEqual(g, e, accuracy: 0.05 * e, "eigenvalues \(got), expected \(expected)", file: file, line: line)
        }
    }

    /// 1-D at β = 2 (samples of variance 1/2): λ does not depend on β, so a missing β⁻¹ would
    /// double it. The learned functions are the Hermite polynomials x and x² − 1 up to scale.
    func testOneDimensionalOrnsteinUhlenbeck() throws {
        let x = StratifiedGaussian.samples(count: 5000, scales: [(0.5).squareRoot()], seed: 1)
        try ws.writeHDF5("samples.h5", matrices: ["x": x])
        ws.write("ou1.yaml", workflow(name: "ou1", beta: 2, stiffness: [1], count: 2))
        XCTAssertEqual(try ws.run("ou1.yaml").exitCode, 0)
        let (final, perEpoch, shape) = try eigenvalues("ou1")
        assertWithin5Percent(final, [1, 2])
        XCTAssertEqual(shape, [150, 2])
        XCTAssertEqual(perEpoch[perEpoch.count - 2], final[0], accuracy: 0.05, "the last epoch's estimate of λ₁")
        let f = try ws.open("ou1", "eig")
        defer { try? f.close() }
        let values = try f.root.readMatrix("values")
        XCTAssertGreaterThan(abs(correlation(values.column(0), x.column(0))), 0.99)
        XCTAssertGreaterThan(abs(correlation(values.column(1), x.column(0).map { 2 * $0 * $0 - 1 })), 0.98)
        let network = try MLP.load(from: f.root.group("network"))
        let recomputed = network.values(x)
        for i in stride(from: 0, to: 5000, by: 97) { XCTAssertEqual(recomputed[i, 1], values[i, 1], accuracy: 1e-12) }
    }

    func testAnisotropicTwoDimensionalOrnsteinUhlenbeck() throws {
        try ws.writeHDF5("samples.h5", matrices: ["x": StratifiedGaussian.samples(count: 5000, scales: [1, 0.5], seed: 2)])
        ws.write("aniso.yaml", workflow(name: "aniso", beta: 1, stiffness: [1, 4], count: 2))
        XCTAssertEqual(try ws.run("aniso.yaml").exitCode, 0)
        assertWithin5Percent(try eigenvalues("aniso").final, [1, 2])
        let f = try ws.open("aniso", "eig")
        defer { try? f.close() }
        XCTAssertEqual(try f.root.dataset("grid/values").shape, [101, 101, 2])
        let box = try f.root.read("grid/x", as: Double.self).values
        XCTAssertEqual(box.first!, -5, accuracy: 1e-12, "the harmonic system's box is ±5 standard deviations")
    }

    func testIsotropicTwoDimensionalOrnsteinUhlenbeckWithSharedNetwork() throws {
        try ws.writeHDF5("samples.h5", matrices: ["x": StratifiedGaussian.samples(count: 5000, scales: [1, 1], seed: 3)])
        ws.write("iso.yaml", workflow(name: "iso", beta: 1, stiffness: [1, 1], count: 3, networks: "shared"))
        XCTAssertEqual(try ws.run("iso.yaml").exitCode, 0)
        assertWithin5Percent(try eigenvalues("iso").final, [1, 1, 2])
    }

    /// The mass-weighted generator L = γ⁻¹(β⁻¹M⁻¹Δ − M⁻¹∇V·∇) of V = ½ Σ kᵢxᵢ² has the linear
    /// eigenfunctions xᵢ with λᵢ = kᵢ/(γ mᵢ) (and nᵢ-th Hermite polynomials with nᵢkᵢ/(γmᵢ)). With
    /// k = (2, 4, 8), m = (6, 8, 1), γ = 2: x₁ 1/6, x₂ 1/4, x₁² 1/3, … — the unit-mass generator
    /// would give x₁ 2 and x₂ 4 instead, and unit masses with γ 1, 2.
    func testMassWeightedGeneratorOfAHarmonicMolecule() throws {
        try ws.writeHDF5("samples.h5", matrices: ["x": StratifiedGaussian.samples(count: 5000, scales: [(0.5).squareRoot(), 0.5, (0.125).squareRoot()], seed: 6)])
        ws.write("mass.yaml", workflow(name: "mass", beta: 1, stiffness: [2, 4, 8], count: 2)
                 .replacingOccurrences(of: "count: 2\n", with: "count: 2\n      friction: 2\n      masses: [6, 8, 1]\n"))
        XCTAssertEqual(try ws.run("mass.yaml").exitCode, 0)
        assertWithin5Percent(try eigenvalues("mass").final, [1.0 / 6, 0.25])
        let f = try ws.open("mass", "eig")
        defer { try? f.close() }
        // The stored network takes the Cartesian coordinates: f₁ ∝ x₁, f₂ ∝ x₂.
        let x = StratifiedGaussian.samples(count: 5000, scales: [(0.5).squareRoot(), 0.5, (0.125).squareRoot()], seed: 6)
        let values = try MLP.load(from: f.root.group("network")).values(x)
        XCTAssertGreaterThan(abs(correlation(values.column(0), x.column(0))), 0.95)
        XCTAssertGreaterThan(abs(correlation(values.column(1), x.column(1))), 0.95)
        let stored = try f.root.readMatrix("values")
        for i in stride(from: 0, to: 5000, by: 97) { XCTAssertEqual(values[i, 0], stored[i, 0], accuracy: 1e-9) }
    }

    /// The exact eigenfunctions xᵢ of the same system through the mass-weighted loss: the
    /// Rayleigh quotient of f = xᵢ = yᵢ/√mᵢ is c kᵢ/(γ mᵢ) to sampling error (c = 418.4 as for
    /// molecules), and the network on y becomes the same function of x.
    func testMassWeightedRayleighQuotientOfTheExactEigenfunctions() {
        let x = StratifiedGaussian.samples(count: 20000, scales: [(0.5).squareRoot(), 0.5, (0.125).squareRoot()], seed: 7)
        let generator = MassWeightedGenerator(masses: [6, 8, 1], friction: 2, unitFactor: 418.4)
        let y = generator.massWeighted(x)
        let values = Matrix(rows: x.rows, cols: 3, storage: (0..<x.rows).flatMap { i in (0..<3).map { y[i, $0] / generator.rootMasses[$0] } })
        let norms = Matrix(rows: x.rows, cols: 3, storage: (0..<x.rows).flatMap { _ in [1.0 / 6, 1.0 / 8, 1.0] })
        let loss = EigenfunctionLoss(beta: generator.effectiveBeta(1), weights: [1, 0.5, 0.25], penalty: 1)
        let lambda = loss.eigenvalues(values: values, gradientNormsSquared: norms).eigenvalues
        for (got, expected) in zip(lambda, [2.0 / 12, 4.0 / 16, 8.0 / 2].map { 418.4 * $0 }) {
            XCTAssertEqual(got, expected, accuracy: 1e-3 * expected)
        }
        var rng = RandomSource(seed: 3)
        let network = MLP(sizes: [3, 5, 1], activation: .tanh, rng: &rng)
        network.inputNormalization = .standardizing(y)
        let onY = network.values(y)
        generator.takingCartesianInputs(network)
        let onX = network.values(x)
        for i in stride(from: 0, to: x.rows, by: 499) { XCTAssertEqual(onX[i, 0], onY[i, 0], accuracy: 1e-12) }
    }

    func testBadInputsFailWithOneLine() throws {
        try ws.writeHDF5("nox.h5", matrices: ["positions": Matrix(rows: 10, cols: 2, repeating: 1)])
        try ws.writeHDF5("threed.h5", matrices: ["x": StratifiedGaussian.samples(count: 50, scales: [1, 1, 1], seed: 4)])
        try ws.writeHDF5("onepoint.h5", matrices: ["x": Matrix(rows: 50, cols: 2, repeating: 0.5)])
        ws.write("bad.yaml", """
        name: bad
        systems:
          ou: {kind: harmonic, params: {stiffness: [1, 1]}}
          ou3: {kind: harmonic, params: {stiffness: [1, 1, 1]}}
        stages:
          nox: {kind: eigenfunctions, system: ou, inputs: {data: {file: nox.h5}}, params: {training: {epochs: 1}}}
          mismatch: {kind: eigenfunctions, system: ou, inputs: {data: {file: threed.h5}}, params: {training: {epochs: 1}}}
          nobeta: {kind: eigenfunctions, inputs: {data: {file: threed.h5}}, params: {training: {epochs: 1}}}
          diverging: {kind: eigenfunctions, system: ou, inputs: {data: {file: onepoint.h5}}, params: {training: {epochs: 5}}}
          nomasses: {kind: eigenfunctions, system: ou3, inputs: {data: {file: threed.h5}}, params: {friction: 1, training: {epochs: 1}}}
          twomasses: {kind: eigenfunctions, system: ou3, inputs: {data: {file: threed.h5}}, params: {friction: 1, masses: [1, 2], training: {epochs: 1}}}
        """)
        let summary = try ws.run("bad.yaml", keepGoing: true)
        let nox = try XCTUnwrap(ws.failure(of: "nox", in: summary))
        XCTAssertTrue(nox.contains("input 'data' (nox.h5) has no dataset /x"), nox)
        let mismatch = try XCTUnwrap(ws.failure(of: "mismatch", in: summary))
        XCTAssertTrue(mismatch.contains("has 3 coordinates per sample but the system has 2"), mismatch)
        let nobeta = try XCTUnwrap(ws.failure(of: "nobeta", in: summary))
        XCTAssertTrue(nobeta.contains("no β"), nobeta)
        let diverging = try XCTUnwrap(ws.failure(of: "diverging", in: summary))
        XCTAssertTrue(diverging.contains("training diverged at epoch 1, batch 1: loss term 'rayleigh' is"), "zero variance: \(diverging)")
        let nomasses = try XCTUnwrap(ws.failure(of: "nomasses", in: summary))
        XCTAssertTrue(nomasses.contains("params.friction needs masses"), nomasses)
        let twomasses = try XCTUnwrap(ws.failure(of: "twomasses", in: summary))
        XCTAssertTrue(twomasses.contains("2 masses (params.masses) for inputs of 3 coordinates"), twomasses)
        for message in [nox, mismatch, nobeta, diverging, nomasses, twomasses] { XCTAssertFalse(message.contains("\n"), message) }
    }

    func testInvalidWeightsAreRejectedBeforeRunning() throws {
        ws.write("w.yaml", """
        name: w
        stages:
          eig: {kind: eigenfunctions, inputs: {data: {file: w.yaml}}, params: {count: 2, weights: [0.5, 1.0], beta: 1}}
        """)
        XCTAssertThrowsError(try ws.run("w.yaml")) { error in
            XCTAssertTrue("\(error)".contains("weights must decrease strictly"), "\(error)")
        }
    }

    /// An interrupted training resumed from its checkpoint ends with the same bits: weights,
    /// per-epoch eigenvalues, losses.
    func testResumeFromCheckpointIsBitIdentical() throws {
        let samples = SampleSet(x: StratifiedGaussian.samples(count: 600, scales: [1, 0.5], seed: 5), weights: nil)
        let training = EigenfunctionTraining(loss: EigenfunctionLoss(beta: 1, weights: [1, 0.5], penalty: 5),
                                             training: try eigenTraining(#"{"epochs": 8, "batch_size": 200, "validation_fraction": 0.2, "schedule": {}}"#),
                                             seed: 9)
        func model() -> EigenfunctionModel {
            var rng = RandomSource(seed: 7)
            return EigenfunctionModel(count: 2, inputs: 2, network: NetworkSpec<EigenLearningDefaults>(hidden: [8], activation: .tanh), separate: true,
                                      input: .standardizing(samples.x), rng: &rng)
        }
        let reference = try training.run(model(), on: samples, session: PhasedTraining(checkpoints: nil, monitor: SilentMonitor()))
        let path = ws.root + "/checkpoint.h5"
        let interrupted = EpochCountingMonitor(cancelAfter: 5)
        XCTAssertThrowsError(try training.run(model(), on: samples, session: PhasedTraining(
            checkpoints: FileCheckpoints(path: path, monitor: interrupted, dueAt: 3), monitor: interrupted)))
        let resumedMonitor = EpochCountingMonitor(cancelAfter: nil)
        let resumed = try training.run(model(), on: samples, session: PhasedTraining(
            checkpoints: FileCheckpoints(path: path, monitor: resumedMonitor, dueAt: -1), monitor: resumedMonitor))
        XCTAssertEqual(resumedMonitor.reports, 5, "resumed after the 3 checkpointed epochs")
        XCTAssertEqual(resumed.network.parameters.map(\.values), reference.network.parameters.map(\.values))
        XCTAssertEqual(resumed.eigenvaluesPerEpoch, reference.eigenvaluesPerEpoch)
        XCTAssertEqual(resumed.history, reference.history)
        XCTAssertEqual(resumed.values, reference.values)
        XCTAssertEqual(reference.eigenvaluesPerEpoch.count, 8)
    }

    func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var ab = 0.0, aa = 0.0, bb = 0.0
        for (x, y) in zip(a, b) {
            ab += (x - ma) * (y - mb)
            aa += (x - ma) * (x - ma)
            bb += (y - mb) * (y - mb)
        }
        return ab / (aa * bb).squareRoot()
    }
}
