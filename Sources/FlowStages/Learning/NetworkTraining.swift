import FlowCore
import FlowHDF5
import FlowLinalg
import FlowNN

/// Trains one network inside a stage: seeded initialization and shuffling from the stage's seed,
/// progress per epoch, checkpoints through the engine (an interrupted training resumes
/// bit-identically), the weight-decay term, and divergence reported as a one-line stage error.
struct NetworkTraining<Defaults: LearningDefaults> {
    let context: StageContext
    let spec: TrainingSpec<Defaults>

    /// A network with weights drawn from the stage's "initialization" stream.
    func makeNetwork(_ network: NetworkSpec<Defaults>, inputs: Int, outputs: Int, output: Activation) -> MLP {
        var rng = context.random("initialization")
        let sizes = network.sizes(inputs: inputs, outputs: outputs)
        let activations = [Activation](repeating: network.activation.activation, count: sizes.count - 2) + [output]
        return MLP(sizes: sizes, activations: activations, rng: &rng)
    }

    /// Trains `network` on `samples` samples (the indices the loss closure receives) and returns
    /// the trainer (its history, split and stopping state). The closure's terms are completed by
    /// the weight-decay term when `training.weight_decay` > 0.
    func train(_ network: MLP, samples: Int, loss: @escaping LossFunction) throws -> Trainer {
        ComputeThreads.count = context.cpus
        let options = spec.options
        let held = Int((options.validationFraction * Double(samples)).rounded())
        guard samples - held >= 1 else {
            throw FlowError.stageFailed(stage: context.stageName, message: "params.training.validation_fraction leaves no training samples out of \(samples)")
        }
        let trainer = Trainer(parameters: network.parameters, optimizer: spec.makeOptimizer(), options: options,
                              sampleCount: samples, seed: context.seed)
        let decay = spec.weightDecay
        let full: LossFunction = decay > 0 ? { tape, batch in
            let squares = network.weights.map { tape.sum(tape.square(tape.parameter($0))) }
            let total = squares.dropFirst().reduce(squares[0], +)
            return try loss(tape, batch) + [LossTerm("weight_decay", total * (decay / 2))]
        } : loss
        var resumedEpoch: Int64?
        _ = try? context.checkpoints.restore { group in
            if case .int(let e)? = try group.attribute("epoch") { resumedEpoch = e }
        }
        if let resumedEpoch { context.log("resuming the training from its checkpoint after epoch \(resumedEpoch)") }
        do {
            try trainer.train(monitor: context.monitor, checkpoint: context.checkpoints, loss: full)
        } catch let e as TrainingDiverged {
            throw FlowError.stageFailed(stage: context.stageName, message: "\(e); lower params.training.learning_rate or set params.training.gradient_clip")
        } catch let e as OptimizerStateMismatch {
            throw FlowError.stageFailed(stage: context.stageName, message: "cannot resume from the checkpoint: \(e)")
        } catch let e as StoredFormatError {
            throw FlowError.stageFailed(stage: context.stageName, message: "cannot resume from the checkpoint: \(e)")
        }
        return trainer
    }

    /// Writes `/loss` (epochs × terms, attribute `names`, last column the total),
    /// `/validation_loss` (same layout, with a validation split) and `/learning_rate`.
    static func writeHistory(of trainer: Trainer, to out: HDF5Group) throws {
        let h = trainer.history
        try out.write("loss", matrix: h.trainingMatrix,
                      description: "mean training loss per epoch (rows) and term (columns named by 'names'; the last is the total)")
        try out.dataset("loss").setAttribute("names", .strings(h.names))
        if !h.validation.isEmpty {
            try out.write("validation_loss", matrix: h.validationMatrix,
                          description: "mean loss on the held-out samples per epoch and term (columns named by 'names')")
            try out.dataset("validation_loss").setAttribute("names", .strings(h.names))
        }
        try out.write("learning_rate", vector: h.learningRates, description: "learning rate of each epoch")
        try out.setAttribute("epochs_run", .int(Int64(trainer.epoch)))
        try out.setAttribute("stopped_early", .int(trainer.stopped ? 1 : 0))
        try out.setAttribute("training_samples", .int(Int64(trainer.trainingIndices.count)))
        try out.setAttribute("validation_samples", .int(Int64(trainer.validationIndices.count)))
    }
}
