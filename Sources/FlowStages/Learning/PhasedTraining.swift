import FlowHDF5
import FlowLinalg
import FlowNN

/// The checkpointed training of a stage, in one or more named phases (the autoencoder's joint
/// training, then its decoder fit), each with its own `Trainer`, under one checkpoint that holds
/// every phase's state together with per-epoch records of the stage (eigenvalue estimates). A
/// stage interrupted in any phase resumes where it stopped and ends with the same bits as an
/// uninterrupted run (DESIGN §4, intra-stage checkpoints): finished phases are restored as
/// finished, the current one continues.
///
/// Checkpoint layout:
///
///     <phase>/          the phase's `TrainingState` (flow-training/1), for every phase begun
///     records/<name>    rows appended per epoch (epochs × columns)
final class PhasedTraining {
    let monitor: WorkMonitor
    private let checkpoints: Checkpointing?
    private var states: [String: TrainingState] = [:]
    /// Rows recorded per epoch by the stage, by record name.
    private(set) var records: [String: [[Double]]] = [:]

    /// Loads the last checkpoint, if any, and says in the log where the training resumes.
    init(checkpoints: Checkpointing?, monitor: WorkMonitor) throws {
        self.checkpoints = checkpoints
        self.monitor = monitor
        do {
            _ = try checkpoints?.restore { root in
                for name in try root.children() where name != "records" {
                    states[name] = try TrainingState.read(from: root.group(name))
                }
                guard root.contains("records") else { return }
                let group = try root.group("records")
                for name in try group.children() {
                    let (values, shape) = try group.read(name, as: Double.self)
                    let cols = shape.count == 2 ? shape[1] : 1
                    records[name] = stride(from: 0, to: values.count, by: cols).map { Array(values[$0..<($0 + cols)]) }
                }
            }
        } catch let e as StoredFormatError {
            throw CheckpointUnusable(reason: e.description)
        }
        let begun = states.sorted { $0.key < $1.key }
        guard !begun.isEmpty else { return }
        let epochs = begun.map { begun.count == 1 ? "\($0.value.epoch)" : "\($0.value.epoch) (\($0.key))" }
        monitor.log("resuming the training from its checkpoint after epoch " + epochs.joined(separator: ", "))
    }

    /// Appends one epoch's row to a record (call from `endOfEpoch`, before the checkpoint).
    func record(_ row: [Double], as name: String) {
        records[name, default: []].append(row)
    }

    /// Trains `phase` on `loss` (completed by the phase's weight-decay term): restores its
    /// checkpointed state if there is one, and checkpoints every phase's state and the records
    /// whenever a checkpoint is due.
    @discardableResult
    func run(_ phase: TrainingPhase, endOfEpoch: (Trainer) throws -> Void = { _ in }, loss: @escaping LossFunction) throws -> LossHistory {
        let trainer = phase.trainer
        do {
            if let saved = states[phase.name] { try trainer.restore(saved) }
        } catch let e as OptimizerStateMismatch {
            throw CheckpointUnusable(reason: e.description)
        }
        let history = try trainer.train(monitor: monitor, endOfEpoch: { [self] t in
            try endOfEpoch(t)
            if let checkpoints, checkpoints.isDue() {
                states[phase.name] = t.state
                try checkpoints.save { try write(to: $0) }
            }
        }, loss: phase.completing(loss))
        states[phase.name] = trainer.state
        return history
    }

    private func write(to root: HDF5Group) throws {
        for (name, state) in states.sorted(by: { $0.key < $1.key }) {
            try state.write(to: root.createGroup(name))
        }
        for (name, rows) in records.sorted(by: { $0.key < $1.key }) where !rows.isEmpty {
            try root.write("records/\(name)", rows.flatMap { $0 }, shape: [rows.count, rows[0].count])
        }
    }
}

/// The stage's checkpoint cannot be restored (written by another version, or for other networks).
struct CheckpointUnusable: Error, CustomStringConvertible {
    let reason: String
    var description: String { "cannot resume from the checkpoint: \(reason)" }
}
