import FlowHDF5

/// A training checkpoint in HDF5:
///
///     attrs: format = "flow-training/1", epoch, stopped, best_loss, best_epoch,
///            epochs_without_improvement, optimizer_step, shuffle_state (4 ints, xoshiro words as
///            two's-complement int64), loss_names, buffer_count, parameter_count
///     parameters/{i}, best_parameters/{i}, optimizer/{i}    float64 vectors
///     loss/training, loss/validation (epochs × names), loss/learning_rate
///
/// Empty lists are omitted rather than written as zero-size datasets.
extension TrainingState {
    static let formatName = "flow-training/1"

    public func write(to group: HDF5Group) throws {
        try group.setAttribute("format", .string(Self.formatName))
        try group.setAttribute("epoch", .int(Int64(epoch)))
        try group.setAttribute("stopped", .int(stopped ? 1 : 0))
        try group.setAttribute("best_loss", .double(bestLoss))
        try group.setAttribute("best_epoch", .int(Int64(bestEpoch)))
        try group.setAttribute("epochs_without_improvement", .int(Int64(epochsWithoutImprovement)))
        try group.setAttribute("optimizer_step", .int(Int64(optimizer.step)))
        try group.setAttribute("shuffle_state", .ints(shuffleState.map { Int64(bitPattern: $0) }))
        try group.setAttribute("parameter_count", .int(Int64(parameters.count)))
        try group.setAttribute("best_parameter_count", .int(Int64(bestParameters.count)))
        try group.setAttribute("buffer_count", .int(Int64(optimizer.buffers.count)))
        try Self.writeVectors(parameters, "parameters", to: group)
        try Self.writeVectors(bestParameters, "best_parameters", to: group)
        try Self.writeVectors(optimizer.buffers, "optimizer", to: group)
        try group.setAttribute("loss_names", .strings(history.names))
        if history.epochs > 0 {
            try group.write("loss/training", history.trainingMatrix.storage, shape: [history.epochs, history.names.count])
            try group.write("loss/learning_rate", history.learningRates, shape: [history.epochs])
        }
        if !history.validation.isEmpty {
            try group.write("loss/validation", history.validationMatrix.storage,
                            shape: [history.validation.count, history.names.count])
        }
    }

    public static func read(from group: HDF5Group) throws -> TrainingState {
        func fail(_ reason: String) -> StoredFormatError {
            StoredFormatError(what: "training checkpoint", group: group.path, reason: reason)
        }
        guard case .string(formatName)? = try group.attribute("format") else { throw fail("not a '\(formatName)' checkpoint") }
        func int(_ name: String) throws -> Int {
            guard case .int(let v)? = try group.attribute(name) else { throw fail("missing attribute '\(name)'") }
            return Int(v)
        }
        guard case .double(let bestLoss)? = try group.attribute("best_loss"),
              case .ints(let words)? = try group.attribute("shuffle_state"), words.count == 4 else {
            throw fail("missing best_loss or shuffle_state")
        }
        let names: [String]
        switch try group.attribute("loss_names") {
        case .strings(let n)?: names = n
        default: names = []
        }
        let epochs = try int("epoch")
        var training: [[Double]] = [], validation: [[Double]] = [], rates: [Double] = []
        if group.contains("loss") {
            training = try rows(group.read("loss/training", as: Double.self))
            rates = try group.read("loss/learning_rate", as: Double.self).values
            if try group.group("loss").contains("validation") {
                validation = try rows(group.read("loss/validation", as: Double.self))
            }
        }
        return TrainingState(
            epoch: epochs, stopped: try int("stopped") != 0,
            shuffleState: words.map { UInt64(bitPattern: $0) },
            optimizer: OptimizerState(step: try int("optimizer_step"),
                                      buffers: try readVectors("optimizer", count: int("buffer_count"), from: group)),
            parameters: try readVectors("parameters", count: int("parameter_count"), from: group),
            history: LossHistory(names: names, training: training, validation: validation, learningRates: rates),
            bestLoss: bestLoss, bestEpoch: try int("best_epoch"),
            epochsWithoutImprovement: try int("epochs_without_improvement"),
            bestParameters: try readVectors("best_parameters", count: int("best_parameter_count"), from: group))
    }

    private static func writeVectors(_ vectors: [[Double]], _ name: String, to group: HDF5Group) throws {
        for (i, v) in vectors.enumerated() where !v.isEmpty {
            try group.write("\(name)/\(i)", v, shape: [v.count])
        }
    }

    private static func readVectors(_ name: String, count: Int, from group: HDF5Group) throws -> [[Double]] {
        if count == 0 { return [] }
        let g = try group.group(name)
        return try (0..<count).map { i in g.contains("\(i)") ? try g.read("\(i)", as: Double.self).values : [] }
    }

    private static func rows(_ data: (values: [Double], shape: [Int])) -> [[Double]] {
        let cols = data.shape.count == 2 ? data.shape[1] : 1
        return stride(from: 0, to: data.values.count, by: Swift.max(cols, 1)).map { Array(data.values[$0..<($0 + cols)]) }
    }
}
