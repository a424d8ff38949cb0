import XCTest
import FlowCore
import FlowHDF5
import FlowLinalg
@testable import FlowStages

/// `training.weight_decay_mode`, checked on one optimizer step (one epoch of one batch) at a small
/// learning rate η, where both forms have a closed-form effect: the l2 term records
/// (λ/2)·Σ‖W‖² of the starting weights, and decoupled decay moves each weight by exactly −ηλθ₀
/// beside Adam's step (which then does not see λ) and leaves the biases alone. Each stage's default
/// is its reference form, so spelling the default out changes no bit.
final class WeightDecayModeTests: XCTestCase {
    var ws: LearningWorkspace!

    override func setUp() {
        ws = LearningWorkspace()
        let (x, z) = DevelopableSheet.samples(100)
        try! ws.writeHDF5("data.h5", matrices: ["x": x])
        try! ws.writeHDF5("dmap.h5", matrices: ["eigenvectors": z])
    }

    override func tearDown() { ws.remove() }

    static let eta = 1e-4, lambda = 0.5

    /// A diffusion-net stage trained for one Adam step on all 100 samples; every stage has the
    /// same seed, so the same starting weights.
    func diffusionNet(_ name: String, training extra: String) -> String {
        """
          \(name):
            kind: diffusion-net
            seed: 7
            resources: {cpus: 1}
            inputs: {data: {file: data.h5}, embedding: {file: dmap.h5}}
            params:
              network: {hidden: [8], activation: tanh}
              training: {epochs: 1, batch_size: 100, learning_rate: \(Self.eta)\(extra)}
        """
    }

    func layers(_ stage: String) throws -> (weights: [[Double]], biases: [[Double]], loss: Matrix, columns: [String]) {
        let f = try ws.open("decay", stage)
        defer { try? f.close() }
        let weights = try (0..<2).map { try f.root.read("network/layer\($0)/weight", as: Double.self).values }
        let biases = try (0..<2).map { try f.root.read("network/layer\($0)/bias", as: Double.self).values }
        guard case .strings(let columns)? = try f.root.dataset("loss").attribute("names") else {
            throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "no loss names"])
        }
        return (weights, biases, try f.root.matrix("loss"), columns)
    }

    func testEachFormHasItsOneStepEffectAndTheDefaultIsTheStagesOwn() throws {
        ws.write("decay.yaml", "name: decay\nstages:\n" + [
            diffusionNet("none", training: ""),
            diffusionNet("implicit", training: ", weight_decay: \(Self.lambda)"),
            diffusionNet("l2", training: ", weight_decay: \(Self.lambda), weight_decay_mode: l2"),
            diffusionNet("decoupled", training: ", weight_decay: \(Self.lambda), weight_decay_mode: decoupled"),
        ].joined(separator: "\n"))
        let summary = try ws.run("decay.yaml")
        XCTAssertEqual(summary.exitCode, 0, summary.outcomes.compactMap { ws.failure(of: $0.stage, in: summary) }.joined(separator: "\n"))
        let none = try layers("none"), implicit = try layers("implicit"), l2 = try layers("l2"), decoupled = try layers("decoupled")

        XCTAssertEqual(implicit.weights, l2.weights, "diffusion-net's default is the l2 term")
        XCTAssertEqual(implicit.loss, l2.loss)

        XCTAssertEqual(l2.columns, ["fidelity", "weight_decay", "total"])
        let squares = l2.weights.joined().reduce(0) { $0 + $1 * $1 }
        XCTAssertEqual(l2.loss[0, 1], Self.lambda / 2 * squares, accuracy: 1e-3 * l2.loss[0, 1],
                       "(λ/2)·Σ‖W‖² of the starting weights, which one step of η moves by ≈ η")

        XCTAssertEqual(decoupled.columns, ["fidelity", "total"], "decoupled decay adds no loss term")
        XCTAssertEqual(decoupled.biases, none.biases, "the biases do not decay")
        XCTAssertEqual(decoupled.loss[0, 0], none.loss[0, 0], "the loss is taken before the step")
        for (decayed, plain) in zip(decoupled.weights, none.weights) {
            for (a, b) in zip(decayed, plain) {
                XCTAssertEqual((a - b) / (-Self.eta * Self.lambda), b, accuracy: 2 * Self.eta,
                               "θ₁(λ) − θ₁(0) = −ηλθ₀, and θ₀ is θ₁(0) up to Adam's step of about η")
            }
        }
    }

    func testGeneratorStagesDecoupleByDefaultAndReportAnEmptyTrainingSplit() throws {
        try ws.writeHDF5("ou.h5", matrices: ["x": StratifiedGaussian.samples(count: 400, scales: [1, 0.5], seed: 4)])
        try ws.writeHDF5("two.h5", matrices: ["x": StratifiedGaussian.samples(count: 2, scales: [1, 0.5], seed: 4)])
        func stage(_ name: String, _ data: String, _ training: String) -> String {
            "  \(name): {kind: eigenfunctions, system: ou, seed: 7, inputs: {data: {file: \(data)}}, params: {count: 1, network: {hidden: [6]}, training: {epochs: 3, batch_size: 200\(training)}}}"
        }
        ws.write("decay.yaml", """
        name: decay
        systems:
          ou: {kind: harmonic, params: {stiffness: [1, 4]}}
        stages:
        \(stage("implicit", "ou.h5", ", weight_decay: 0.1"))
        \(stage("decoupled", "ou.h5", ", weight_decay: 0.1, weight_decay_mode: decoupled"))
        \(stage("l2", "ou.h5", ", weight_decay: 0.1, weight_decay_mode: l2"))
        \(stage("nosplit", "two.h5", ", validation_fraction: 0.9"))
        """)
        let summary = try ws.run("decay.yaml")
        XCTAssertEqual(ws.failure(of: "nosplit", in: summary),
                       "params.training.validation_fraction leaves no training samples out of 2")
        func read(_ stage: String) throws -> (network: [Double], columns: HDF5AttributeValue?) {
            let f = try ws.open("decay", stage)
            defer { try? f.close() }
            return (try f.root.read("network/layer0/weight", as: Double.self).values, try f.root.dataset("loss").attribute("columns"))
        }
        let implicit = try read("implicit"), decoupled = try read("decoupled"), l2 = try read("l2")
        XCTAssertEqual(implicit.network, decoupled.network, "eigenfunctions' default is decoupled decay")
        XCTAssertEqual(decoupled.columns, .strings(["rayleigh", "covariance", "total"]))
        XCTAssertEqual(l2.columns, .strings(["rayleigh", "covariance", "weight_decay", "total"]))
    }
}
