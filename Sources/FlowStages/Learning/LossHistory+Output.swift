import FlowCore
import FlowHDF5
import FlowNN

/// The dataset names under which a stage writes a loss history. Two layouts exist because the
/// stages' outputs were published with them (DESIGN §6) and their digests depend on every name.
struct LossHistoryLayout {
    let loss: String
    let validation: String
    let learningRate: String
    /// The attribute naming the columns (the loss terms, the last one "total").
    let columnsAttribute: String

    /// The datasets of this layout, for the stage kind's output declarations.
    var outputs: [OutputDataset] {
        [OutputDataset.float64("/" + loss, "epochs × terms", "mean training loss per epoch (rows) and term (columns named by '\(columnsAttribute)'; the last is the total)"),
         OutputDataset.float64("/" + validation, "epochs × terms", when: "a validation split",
                               "mean loss on the held-out samples per epoch and term (columns named by '\(columnsAttribute)')"),
         OutputDataset.float64("/" + learningRate, "epochs", "learning rate of each epoch")]
    }

    /// `/loss`, `/validation_loss`, `/learning_rate`, columns in `names` (diffusion-net,
    /// manifold, orthogonal-cvs).
    static let standard = LossHistoryLayout(loss: "loss", validation: "validation_loss", learningRate: "learning_rate",
                                            columnsAttribute: "names")

    /// `/<name>`, `/<name>_validation`, `/<name>_learning_rate`, columns in `columns`, for stages
    /// that write one history per training phase (eigenfunctions, autoencoder).
    static func prefixed(_ name: String) -> LossHistoryLayout {
        LossHistoryLayout(loss: name, validation: name + "_validation", learningRate: name + "_learning_rate",
                          columnsAttribute: "columns")
    }
}

extension LossHistory {
    /// Writes the per-epoch losses (epochs × terms, the last column the total), the validation
    /// losses when there was a validation split, and the learning rate of each epoch.
    func write(to group: HDF5Group, layout: LossHistoryLayout) throws {
        guard epochs > 0 else { return }
        let d = layout.outputs
        try group.write(d[0], matrix: trainingMatrix)
        try group.dataset(layout.loss).setAttribute(layout.columnsAttribute, .strings(names))
        if !validation.isEmpty {
            try group.write(d[1], matrix: validationMatrix)
            try group.dataset(layout.validation).setAttribute(layout.columnsAttribute, .strings(names))
        }
        try group.write(d[2], vector: learningRates)
    }
}

extension Trainer {
    /// Writes the history in the standard layout, with how the training ended as attributes of
    /// `group`: epochs_run, stopped_early, training_samples, validation_samples.
    func writeHistory(to group: HDF5Group) throws {
        try history.write(to: group, layout: .standard)
        try group.setAttribute("epochs_run", .int(Int64(epoch)))
        try group.setAttribute("stopped_early", .int(stopped ? 1 : 0))
        try group.setAttribute("training_samples", .int(Int64(trainingIndices.count)))
        try group.setAttribute("validation_samples", .int(Int64(validationIndices.count)))
    }
}
