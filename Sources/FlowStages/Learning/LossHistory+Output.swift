import FlowHDF5
import FlowNN

extension LossHistory {
    /// Writes the per-epoch losses as `<name>` (epochs × terms, the last column the total),
    /// `<name>_validation` (same layout, with a validation split) and `<name>_learning_rate`;
    /// the term names are the `columns` attribute.
    func write(as name: String, to group: HDF5Group) throws {
        guard epochs > 0 else { return }
        try group.write(name, trainingMatrix.storage, shape: [epochs, names.count])
        try group.dataset(name).setAttribute("columns", .strings(names))
        if !validation.isEmpty {
            try group.write("\(name)_validation", validationMatrix.storage, shape: [validation.count, names.count])
            try group.dataset("\(name)_validation").setAttribute("columns", .strings(names))
        }
        try group.write("\(name)_learning_rate", vector: learningRates)
    }
}
