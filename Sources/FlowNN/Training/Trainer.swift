import Foundation
import FlowLinalg

/// The generic training loop: seeded validation split and shuffling, minibatches, a loss closure
/// returning named terms, divergence detection, gradient clipping, learning-rate schedule, early
/// stopping and loss history.
///
/// Determinism: the split and the shuffling come from named streams of `seed`, every tape kernel
/// is bit-reproducible for any thread count, and OpenBLAS products are for a fixed BLAS thread
/// count (`ComputeThreads`), so the same seed gives bit-identical weights. The state after any epoch
/// (`state`) can be restored to continue as if never interrupted.
public final class Trainer {
    public let parameters: [Parameter]
    public let optimizer: Optimizer
    public let options: TrainingOptions
    public let baseLearningRate: Double
    /// Sample indices used for training (sorted; shuffled every epoch) and for validation (in a
    /// fixed seeded random order, so that every validation minibatch is a random sample even when
    /// the data come walker by walker — batch statistics such as variances in eigenfunction
    /// losses would otherwise be biased).
    public let trainingIndices: [Int]
    public let validationIndices: [Int]
    public private(set) var history = LossHistory()
    /// Completed epochs.
    public private(set) var epoch = 0
    /// True once early stopping has ended the training.
    public private(set) var stopped = false

    private var shuffler: RandomSource
    private var bestLoss = Double.infinity
    private var bestEpoch = 0
    private var waited = 0
    private var bestParameters: [[Double]] = []
    private let tape = Tape()

    /// A trainer over `sampleCount` samples; `optimizer.learningRate` is the base learning rate.
    public init(parameters: [Parameter], optimizer: Optimizer, options: TrainingOptions, sampleCount: Int, seed: UInt64) {
        precondition(options.batchSize > 0 && options.epochs >= 0, "batch size must be positive")
        precondition(options.validationFraction >= 0 && options.validationFraction < 1, "validation fraction in [0, 1)")
        self.parameters = parameters
        self.optimizer = optimizer
        self.options = options
        baseLearningRate = optimizer.learningRate
        let held = Int((options.validationFraction * Double(sampleCount)).rounded())
        if held > 0 {
            var splitter = RandomSource(seed: seed, stream: "validation-split")
            let order = splitter.permutation(sampleCount)
            validationIndices = Array(order[..<held])
            trainingIndices = order[held...].sorted()
        } else {
            validationIndices = []
            trainingIndices = Array(0..<sampleCount)
        }
        precondition(!trainingIndices.isEmpty, "no training samples")
        shuffler = RandomSource(seed: seed, stream: "shuffle")
    }

    /// Trains until `options.epochs` epochs are done or early stopping ends it (continuing from the
    /// current state if some epochs are already done). Cancellation through the monitor propagates
    /// as `WorkCancelled`; a non-finite loss or gradient throws `TrainingDiverged`.
    /// `endOfEpoch` runs after every completed epoch (where checkpoints are written).
    @discardableResult
    public func train(monitor: WorkMonitor = SilentMonitor(), endOfEpoch: (Trainer) throws -> Void = { _ in },
                      loss: LossFunction) throws -> LossHistory {
        while epoch < options.epochs && !stopped {
            try runEpoch(monitor: monitor, loss: loss)
            try endOfEpoch(self)
        }
        if options.earlyStoppingPatience != nil && options.restoreBestParameters && !bestParameters.isEmpty {
            for (p, v) in zip(parameters, bestParameters) { p.values = v }
        }
        return history
    }

    private func runEpoch(monitor: WorkMonitor, loss: LossFunction) throws {
        let rate = options.schedule.rate(base: baseLearningRate, epoch: epoch)
        optimizer.learningRate = rate
        let order = options.shuffle ? shuffler.permutation(trainingIndices.count).map { trainingIndices[$0] } : trainingIndices
        var sums: [Double] = []
        var names: [String] = []
        var batchNumber = 0
        for start in stride(from: 0, to: order.count, by: options.batchSize) {
            try monitor.checkCancellation()
            let batch = Array(order[start..<Swift.min(order.count, start + options.batchSize)])
            batchNumber += 1
            let (n, values) = try step(batch, batchNumber: batchNumber, loss: loss)
            names = n
            if sums.isEmpty { sums = [Double](repeating: 0, count: values.count) }
            for k in values.indices { sums[k] += values[k] * Double(batch.count) }
        }
        let training = sums.map { $0 / Double(order.count) }
        let validation = try validate(loss: loss)
        history.append(names: names, training: training, validation: validation, learningRate: rate)
        epoch += 1
        updateEarlyStopping(monitored: validation?.last ?? training.last!)
        let summary = String(format: "epoch %d/%d loss %.4e", epoch, options.epochs, training.last!)
            + (validation.map { String(format: " validation %.4e", $0.last!) } ?? "")
        monitor.progress(done: epoch, total: options.epochs, note: summary)
        if epoch % Swift.max(options.logEvery, 1) == 0 || epoch == options.epochs || stopped {
            monitor.log(summary + (stopped ? " (early stop, best epoch \(bestEpoch))" : ""))
        }
    }

    /// One optimizer step on `batch`; returns the term names (with "total") and values.
    private func step(_ batch: [Int], batchNumber: Int, loss: LossFunction) throws -> ([String], [Double]) {
        tape.reset()
        let terms = try loss(tape, batch)
        precondition(!terms.isEmpty, "the loss closure returned no terms")
        let values = try checkedValues(terms, batch: batchNumber)
        let total = terms.dropFirst().reduce(terms[0].value) { $0 + $1.value }
        tape.backward(total)
        if nonFiniteGradient() != nil {
            throw diagnoseGradient(terms, batch: batchNumber)
        }
        if let clip = options.gradientClipNorm { GradientClipping.clipNorm(parameters, maxNorm: clip) }
        optimizer.step(parameters)
        return (terms.map(\.name) + ["total"], values + [values.reduce(0, +)])
    }

    private func checkedValues(_ terms: [LossTerm], batch: Int?) throws -> [Double] {
        try terms.map { term in
            let v = tape.scalar(term.value)
            if !v.isFinite {
                throw TrainingDiverged(epoch: epoch + 1, batch: batch, term: term.name, quantity: .loss, value: v)
            }
            return v
        }
    }

    private func nonFiniteGradient() -> (Parameter, Double)? {
        for p in parameters {
            for i in 0..<p.count where !p.gradient[i].isFinite { return (p, p.gradient[i]) }
        }
        return nil
    }

    /// Finds the first term whose own gradient is not finite (the total's gradient was not).
    private func diagnoseGradient(_ terms: [LossTerm], batch: Int) -> TrainingDiverged {
        for term in terms {
            tape.backward(term.value)
            if let (p, v) = nonFiniteGradient() {
                return TrainingDiverged(epoch: epoch + 1, batch: batch, term: term.name,
                                        quantity: .gradient(parameter: p.name), value: v)
            }
        }
        return TrainingDiverged(epoch: epoch + 1, batch: batch, term: "total",
                                quantity: .gradient(parameter: "sum of terms"), value: .nan)
    }

    /// Mean losses over the validation set, in minibatches, without updates.
    private func validate(loss: LossFunction) throws -> [Double]? {
        if validationIndices.isEmpty { return nil }
        var sums: [Double] = []
        for start in stride(from: 0, to: validationIndices.count, by: options.batchSize) {
            let batch = Array(validationIndices[start..<Swift.min(validationIndices.count, start + options.batchSize)])
            tape.reset()
            let values = try checkedValues(try loss(tape, batch), batch: nil)
            if sums.isEmpty { sums = [Double](repeating: 0, count: values.count + 1) }
            for k in values.indices { sums[k] += values[k] * Double(batch.count) }
            sums[values.count] += values.reduce(0, +) * Double(batch.count)
        }
        tape.reset()
        return sums.map { $0 / Double(validationIndices.count) }
    }

    private func updateEarlyStopping(monitored: Double) {
        guard let patience = options.earlyStoppingPatience else { return }
        if monitored < bestLoss - options.minimumImprovement {
            bestLoss = monitored
            bestEpoch = epoch
            waited = 0
            bestParameters = parameters.map(\.values)
        } else {
            waited += 1
            if waited >= patience { stopped = true }
        }
    }

    // MARK: Checkpoint state

    public var state: TrainingState {
        TrainingState(epoch: epoch, stopped: stopped, shuffleState: shuffler.stateWords, optimizer: optimizer.state,
                      parameters: parameters.map(\.values), history: history, bestLoss: bestLoss,
                      bestEpoch: bestEpoch, epochsWithoutImprovement: waited, bestParameters: bestParameters)
    }

    /// Continues from a saved state (same parameters, optimizer kind and options).
    public func restore(_ s: TrainingState) throws {
        guard s.parameters.count == parameters.count,
              zip(s.parameters, parameters).allSatisfy({ $0.count == $1.count }) else {
            throw OptimizerStateMismatch(message: "checkpointed parameters do not match the network")
        }
        try optimizer.restore(s.optimizer)
        for (p, v) in zip(parameters, s.parameters) { p.values = v }
        epoch = s.epoch
        stopped = s.stopped
        shuffler = RandomSource(stateWords: s.shuffleState)
        history = s.history
        bestLoss = s.bestLoss
        bestEpoch = s.bestEpoch
        waited = s.epochsWithoutImprovement
        bestParameters = s.bestParameters
    }
}
