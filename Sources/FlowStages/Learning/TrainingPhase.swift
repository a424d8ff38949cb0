import FlowNN

/// One phase of a stage's training (`TrainingSpec.phase`): its trainer, built from the
/// `training:` block, and the weight-decay term that block adds to the phase's loss in the l2
/// mode. Keeping the two together means no phase can be trained without its decay.
struct TrainingPhase {
    /// The name its state has in the checkpoint.
    let name: String
    let trainer: Trainer
    /// λ of the loss term (λ/2)·Σ‖W‖² over the trainer's decaying parameters (0: no term).
    let l2: Double

    /// `loss` with the term "weight_decay" appended when `l2` > 0. The squares go on the tape
    /// before the loss's own terms: the order of the tape's nodes fixes the order in which the
    /// backward pass sums gradients, and so the bits of the trained weights.
    func completing(_ loss: @escaping LossFunction) -> LossFunction {
        let weights = trainer.parameters.filter(\.decays)
        guard l2 > 0, !weights.isEmpty else { return loss }
        let decay = l2
        return { tape, batch in
            let squares = weights.map { tape.sum(tape.square(tape.parameter($0))) }
            let total = squares.dropFirst().reduce(squares[0], +)
            return try loss(tape, batch) + [LossTerm("weight_decay", total * (decay / 2))]
        }
    }
}

/// The validation split leaves no sample to train on.
struct NoTrainingSamples: Error, CustomStringConvertible {
    let samples: Int
    var description: String { "params.training.validation_fraction leaves no training samples out of \(samples)" }
}
