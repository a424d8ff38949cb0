import XCTest
import Foundation
import FlowHDF5
import FlowLinalg
@testable import FlowNN

/// Networks and training checkpoints through HDF5.
final class PersistenceTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "flownn-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func network() -> MLP {
        var rng = RandomSource(seed: 4)
        let net = MLP(sizes: [3, 7, 5, 2], activations: [.tanh, .softplus, .identity], rng: &rng)
        for b in net.biases { b.values = b.values.map { _ in rng.normal() } }
        net.inputNormalization = Normalization(shift: [0.1, -2, 3], scale: [0.5, 2, 1.5])
        net.outputNormalization = Normalization(shift: [1, -1], scale: [3, 0.25])
        return net
    }

    func testSaveLoadRoundTripGivesIdenticalOutputs() throws {
        let net = network()
        let path = directory + "/net.h5"
        let file = try HDF5File.create(path)
        try net.save(to: try file.root.createGroup("network"))
        try file.close()

        let reopened = try HDF5File.open(path)
        defer { try? reopened.close() }
        let loaded = try MLP.load(from: try reopened.root.group("network"))
        XCTAssertEqual(loaded.sizes, net.sizes)
        XCTAssertEqual(loaded.activations, net.activations)
        XCTAssertEqual(loaded.inputNormalization, net.inputNormalization)
        XCTAssertEqual(loaded.outputNormalization, net.outputNormalization)
        var rng = RandomSource(seed: 9)
        let x = GradientCheck.random(11, 3, &rng)
        XCTAssertEqual(loaded.values(x), net.values(x))
        XCTAssertEqual(MLPEvaluator(loaded).valueAndJacobian(at: x.row(0)).jacobian,
                       MLPEvaluator(net).valueAndJacobian(at: x.row(0)).jacobian)
    }

    /// Evaluates the stored arrays the way an h5py user would, following the documented convention.
    func testStoredLayoutEvaluatesAsDocumented() throws {
        let net = network()
        let path = directory + "/net.h5"
        let file = try HDF5File.create(path)
        try net.save(to: file.root)
        try file.close()
        let f = try HDF5File.open(path)
        defer { try? f.close() }
        let root = f.root
        guard case .doubles(let inShift)? = try root.attribute("input_shift"),
              case .doubles(let inScale)? = try root.attribute("input_scale"),
              case .doubles(let outShift)? = try root.attribute("output_shift"),
              case .doubles(let outScale)? = try root.attribute("output_scale"),
              case .strings(let acts)? = try root.attribute("activations") else { return XCTFail("attributes") }
        let x = [0.7, -1.3, 2.2]
        var h = (0..<3).map { (x[$0] - inShift[$0]) / inScale[$0] }
        for (l, act) in acts.enumerated() {
            let (w, shape) = try root.read("layer\(l)/weight", as: Double.self)
            let b = try root.read("layer\(l)/bias", as: Double.self).values
            XCTAssertEqual(shape[0], h.count)
            h = (0..<shape[1]).map { j in
                let z = (0..<shape[0]).reduce(b[j]) { $0 + h[$1] * w[$1 * shape[1] + j] }
                switch act {
                case "tanh": return Foundation.tanh(z)
                case "softplus": return Foundation.log(1 + Foundation.exp(z))
                case "identity": return z
                default: XCTFail("unexpected activation \(act)"); return .nan
                }
            }
        }
        let y = (0..<2).map { h[$0] * outScale[$0] + outShift[$0] }
        let expected = MLPEvaluator(net).value(at: x)
        for k in 0..<2 { XCTAssertEqual(y[k], expected[k], accuracy: 1e-12) }
    }

    func testLoadRejectsOtherGroups() throws {
        let file = try HDF5File.create(directory + "/other.h5")
        defer { try? file.close() }
        try file.root.write("x", [1.0, 2.0], shape: [2])
        XCTAssertThrowsError(try MLP.load(from: file.root)) { XCTAssertTrue($0 is StoredFormatError) }
    }

    func sine() -> (Matrix, Matrix) {
        let xs = (0..<150).map { -3 + 6 * Double($0) / 149 }
        return (Matrix(rows: 150, cols: 1, storage: xs), Matrix(rows: 150, cols: 1, storage: xs.map { Foundation.sin($0) }))
    }

    func makeTrainer(_ epochs: Int) -> (MLP, Trainer) {
        var rng = RandomSource(seed: 8)
        let net = MLP(sizes: [1, 8, 8, 1], activation: .tanh, rng: &rng)
        var options = TrainingOptions(epochs: epochs, batchSize: 16)
        options.validationFraction = 0.2
        options.earlyStoppingPatience = 100
        options.gradientClipNorm = 5
        options.schedule = .cosine(epochs: epochs, minimum: 1e-4)
        let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 1e-2, weightDecay: .decoupled(1e-3)),
                              options: options, sampleCount: 150, seed: 77)
        return (net, trainer)
    }

    func loss(_ net: MLP) -> LossFunction {
        let (x, y) = sine()
        return { tape, batch in
            let d = net(tape.constant(rowsOf: x, batch)) - tape.constant(rowsOf: y, batch)
            return [LossTerm("mse", tape.mean(tape.square(d))),
                    LossTerm("decay", 1e-4 * tape.sum(tape.square(tape.parameter(net.weights[1]))))]
        }
    }

    func testInterruptedTrainingResumesFromHDF5CheckpointBitIdentical() throws {
        let (reference, uninterrupted) = makeTrainer(9)
        try uninterrupted.train(loss: loss(reference))

        let checkpoint = HDF5CheckpointFile(path: directory + "/checkpoint.h5", interval: 0)
        let (first, interrupted) = makeTrainer(9)
        XCTAssertThrowsError(try interrupted.train(monitor: CancellingMonitor(after: 4), checkpoint: checkpoint,
                                                   loss: loss(first))) { XCTAssertTrue($0 is WorkCancelled) }
        XCTAssertNotEqual(first.parameters.map(\.values), reference.parameters.map(\.values))

        let (second, resumed) = makeTrainer(9)
        try resumed.train(checkpoint: HDF5CheckpointFile(path: directory + "/checkpoint.h5", interval: 3600),
                          loss: loss(second))
        XCTAssertEqual(resumed.history.epochs, 9)
        XCTAssertEqual(second.parameters.map(\.values), reference.parameters.map(\.values))
        XCTAssertEqual(resumed.history, uninterrupted.history)
        XCTAssertEqual(resumed.state, uninterrupted.state)
    }

    func testTrainingStateRoundTrip() throws {
        let (net, trainer) = makeTrainer(3)
        try trainer.train(loss: loss(net))
        let file = try HDF5File.create(directory + "/state.h5")
        try trainer.state.write(to: file.root)
        try file.close()
        let reopened = try HDF5File.open(directory + "/state.h5")
        defer { try? reopened.close() }
        XCTAssertEqual(try TrainingState.read(from: reopened.root), trainer.state)
    }
}
