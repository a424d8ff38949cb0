import FlowHDF5
import FlowLinalg
import FlowNN

/// Training in named phases (the autoencoder's joint training, then its decoder fit), each with
/// its own `Trainer`, under one checkpoint that holds every phase's state together with per-epoch
/// records of the stage (eigenvalue estimates). A stage interrupted in any phase resumes where it
/// stopped and ends with the same bits as an uninterrupted run (DESIGN §4, intra-stage
/// checkpoints): finished phases are restored as finished, the current one continues.
///
/// Checkpoint layout:
///
///     <phase>/          the phase's `TrainingState` (flow-training/1), for every phase begun
///     records/<name>    rows appended per epoch (epochs × columns)
final class PhasedTraining {
    private let checkpoints: Checkpointing?
    private var states: [String: TrainingState] = [:]
    /// Rows recorded per epoch by the stage, by record name.
    private(set) var records: [String: [[Double]]] = [:]

    /// Loads the last checkpoint, if any.
    init(checkpoints: Checkpointing?) throws {
        self.checkpoints = checkpoints
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
    }

    /// Appends one epoch's row to a record (call from `endOfEpoch`, before the checkpoint).
    func record(_ row: [Double], as name: String) {
        records[name, default: []].append(row)
    }

    /// Trains `trainer` as phase `phase`: restores its checkpointed state if there is one, and
    /// checkpoints every phase's state and the records whenever a checkpoint is due.
    @discardableResult
    func run(_ phase: String, _ trainer: Trainer, monitor: WorkMonitor,
             endOfEpoch: (Trainer) throws -> Void = { _ in }, loss: LossFunction) throws -> LossHistory {
        if let saved = states[phase] { try trainer.restore(saved) }
        let history = try trainer.train(monitor: monitor, endOfEpoch: { [self] t in
            try endOfEpoch(t)
            if let checkpoints, checkpoints.isDue() {
                states[phase] = t.state
                try checkpoints.save { try write(to: $0) }
            }
        }, loss: loss)
        states[phase] = trainer.state
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
