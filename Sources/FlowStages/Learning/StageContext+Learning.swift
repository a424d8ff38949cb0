import FlowCore
import FlowNN

extension StageContext {
    /// Runs a learning stage's `body` — its training and the evaluation of what it writes — with
    /// a checkpointed `PhasedTraining` session. The BLAS thread count is not touched here: it is
    /// process-wide, BLAS products give the same bits only for a fixed count, and stages share the
    /// process, so the engine pins it for the whole run (`BLASThreads`). Training failures become
    /// one-line stage errors that say what to change.
    func learning<T>(_ body: (PhasedTraining) throws -> T) throws -> T {
        do {
            return try body(try PhasedTraining(checkpoints: checkpoints, monitor: monitor))
        } catch let e as TrainingDiverged {
            throw FlowError.stageFailed(stage: stageName, message: "\(e); lower params.training.learning_rate or set params.training.gradient_clip")
        } catch let e as NoTrainingSamples {
            throw FlowError.stageFailed(stage: stageName, message: e.description)
        } catch let e as CheckpointUnusable {
            throw FlowError.stageFailed(stage: stageName, message: e.description)
        }
    }
}
