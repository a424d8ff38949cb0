import XCTest
import FlowLinalg
@testable import FlowNN

/// A monitor that cancels once `limit` epochs have been reported.
final class CancellingMonitor: WorkMonitor, @unchecked Sendable {
    let limit: Int
    private(set) var done = 0
    init(after limit: Int) { self.limit = limit }
    func progress(done: Int, total: Int, note: String) { self.done = done }
    func log(_ message: String) {}
    func checkCancellation() throws { if done >= limit { throw WorkCancelled() } }
}

final class TrainerTests: XCTestCase {
    /// n samples of sin on [−π, π].
    func sineData(_ n: Int) -> (x: Matrix, y: Matrix) {
        let xs = (0..<n).map { -Double.pi + 2 * Double.pi * Double($0) / Double(n - 1) }
        return (Matrix(rows: n, cols: 1, storage: xs), Matrix(rows: n, cols: 1, storage: xs.map { Foundation.sin($0) }))
    }

    func mseLoss(_ net: MLP, _ x: Matrix, _ y: Matrix) -> LossFunction {
        { tape, batch in
            let diff = net(tape.constant(rowsOf: x, batch)) - tape.constant(rowsOf: y, batch)
            return [LossTerm("mse", tape.mean(tape.square(diff)))]
        }
    }

    func testMLPFitsSine() throws {
        let (x, y) = sineData(400)
        var rng = RandomSource(seed: 1)
        let net = MLP(sizes: [1, 32, 32, 1], activation: .tanh, rng: &rng)
        var options = TrainingOptions(epochs: 1500, batchSize: 32)
        options.schedule = .cosine(epochs: 1500, minimum: 1e-5)
        let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 5e-3), options: options,
                              sampleCount: x.rows, seed: 1)
        let history = try trainer.train(loss: mseLoss(net, x, y))
        XCTAssertEqual(history.names, ["mse", "total"])
        XCTAssertEqual(history.epochs, 1500)
        // Independent check on a finer grid than the training points.
        let grid = sineData(1001)
        let pred = net.values(grid.x)
        let worst = zip(pred.storage, grid.y.storage).map { Swift.abs($0 - $1) }.max()!
        XCTAssertLessThan(worst, 3e-3, "max |MLP − sin| on [−π, π]")
    }

    func testSameSeedGivesBitIdenticalWeightsAndOtherSeedDoesNot() throws {
        let (x, y) = sineData(300)
        func run(_ seed: UInt64) throws -> [[Double]] {
            var rng = RandomSource(seed: 5)
            let net = MLP(sizes: [1, 16, 1], activation: .tanh, rng: &rng)
            var options = TrainingOptions(epochs: 5, batchSize: 50)
            options.validationFraction = 0.2
            let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 1e-2), options: options,
                                  sampleCount: x.rows, seed: seed)
            try trainer.train(loss: mseLoss(net, x, y))
            return net.parameters.map(\.values)
        }
        XCTAssertEqual(try run(3), try run(3))
        XCTAssertNotEqual(try run(3), try run(4))
    }

    func testValidationSplitAndEarlyStopping() throws {
        let (x, y) = sineData(100)
        var rng = RandomSource(seed: 5)
        let net = MLP(sizes: [1, 4, 1], activation: .tanh, rng: &rng)
        var options = TrainingOptions(epochs: 50, batchSize: 10)
        options.validationFraction = 0.25
        options.earlyStoppingPatience = 2
        let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 0), options: options,
                              sampleCount: x.rows, seed: 9)
        XCTAssertEqual(trainer.validationIndices.count, 25)
        XCTAssertEqual(Set(trainer.validationIndices).union(trainer.trainingIndices), Set(0..<100))
        XCTAssertTrue(Set(trainer.validationIndices).isDisjoint(with: trainer.trainingIndices))
        let history = try trainer.train(loss: mseLoss(net, x, y))
        // With a zero learning rate nothing improves after epoch 1: stop after 1 + patience epochs.
        XCTAssertEqual(history.epochs, 3)
        XCTAssertTrue(trainer.stopped)
        XCTAssertEqual(history.validation.count, 3)
    }

    func testNonFiniteLossNamesEpochBatchAndTerm() {
        var (x, y) = sineData(100)
        y[37, 0] = .nan
        var rng = RandomSource(seed: 5)
        let net = MLP(sizes: [1, 4, 1], activation: .tanh, rng: &rng)
        var options = TrainingOptions(epochs: 3, batchSize: 10)
        options.shuffle = false
        let trainer = Trainer(parameters: net.parameters, optimizer: Adam(), options: options, sampleCount: 100, seed: 1)
        let fit = mseLoss(net, x, y)
        XCTAssertThrowsError(try trainer.train { tape, batch in
            try [LossTerm("decay", tape.scalar(0.0))] + fit(tape, batch)
        }) { error in
            let e = error as? TrainingDiverged
            XCTAssertEqual(e?.epoch, 1)
            XCTAssertEqual(e?.batch, 4)
            XCTAssertEqual(e?.term, "mse")
            XCTAssertEqual(e?.quantity, .loss)
            XCTAssertTrue(e?.value.isNaN ?? false)
            XCTAssertEqual(e?.description.contains("epoch 1, batch 4: loss term 'mse'"), true)
        }
    }

    func testNonFiniteGradientWithFiniteLossNamesTheTerm() {
        let (x, y) = sineData(40)
        var rng = RandomSource(seed: 5)
        let net = MLP(sizes: [1, 4, 1], activation: .tanh, rng: &rng)
        let trainer = Trainer(parameters: net.parameters, optimizer: Adam(), options: TrainingOptions(epochs: 2, batchSize: 10),
                              sampleCount: 40, seed: 1)
        let fit = mseLoss(net, x, y)
        XCTAssertThrowsError(try trainer.train { tape, batch in
            let w = tape.parameter(net.weights[0])
            // √(Σ(w − w)²) is 0, but its derivative is ∞·0 = NaN.
            return try fit(tape, batch) + [LossTerm("penalty", tape.sqrt(tape.sum(tape.square(w - w))))]
        }) { error in
            let e = error as? TrainingDiverged
            XCTAssertEqual(e?.epoch, 1)
            XCTAssertEqual(e?.batch, 1)
            XCTAssertEqual(e?.term, "penalty")
            XCTAssertEqual(e?.quantity, .gradient(parameter: "layer0.weight"))
        }
    }

    func testResumeAfterCancellationIsBitIdentical() throws {
        let (x, y) = sineData(200)
        func makeTrainer() -> (MLP, Trainer) {
            var rng = RandomSource(seed: 8)
            let net = MLP(sizes: [1, 8, 8, 1], activation: .tanh, rng: &rng)
            var options = TrainingOptions(epochs: 8, batchSize: 32)
            options.validationFraction = 0.1
            options.earlyStoppingPatience = 50
            options.schedule = .step(every: 3, factor: 0.5)
            let trainer = Trainer(parameters: net.parameters, optimizer: Adam(learningRate: 1e-2, weightDecay: .decoupled(1e-3)),
                                  options: options, sampleCount: x.rows, seed: 21)
            return (net, trainer)
        }
        let (reference, uninterrupted) = makeTrainer()
        try uninterrupted.train(loss: mseLoss(reference, x, y))

        let (first, interrupted) = makeTrainer()
        var saved: TrainingState?
        XCTAssertThrowsError(try interrupted.train(monitor: CancellingMonitor(after: 3), endOfEpoch: { saved = $0.state },
                                                   loss: mseLoss(first, x, y))) { XCTAssertTrue($0 is WorkCancelled) }
        XCTAssertEqual(saved?.epoch, 3)

        let (second, resumed) = makeTrainer()
        try resumed.restore(saved!)
        try resumed.train(loss: mseLoss(second, x, y))
        XCTAssertEqual(second.parameters.map(\.values), reference.parameters.map(\.values))
        XCTAssertEqual(resumed.history, uninterrupted.history)
        XCTAssertEqual(resumed.state, uninterrupted.state)
    }
}

import Foundation
