import FlowHDF5
import FlowLinalg

extension Trainer {
    /// `train` with checkpoints: resumes from the last checkpoint if there is one, and saves the
    /// state after every epoch at which `checkpoint.isDue()` — so an interrupted training ends with
    /// the same bits as an uninterrupted one.
    @discardableResult
    public func train(monitor: WorkMonitor = SilentMonitor(), checkpoint: Checkpointing,
                      loss: LossFunction) throws -> LossHistory {
        var saved: TrainingState?
        _ = try checkpoint.restore { saved = try TrainingState.read(from: $0) }
        if let saved { try restore(saved) }
        return try train(monitor: monitor, endOfEpoch: { trainer in
            if checkpoint.isDue() {
                let state = trainer.state
                try checkpoint.save { try state.write(to: $0) }
            }
        }, loss: loss)
    }
}
