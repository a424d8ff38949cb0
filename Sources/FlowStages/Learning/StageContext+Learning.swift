import FlowCore
import FlowNN

extension StageContext {
    /// Runs a learning stage's `body` — its training and the evaluation of what it writes — with
    /// a checkpointed `PhasedTraining` session and the stage's cpus as FlowNN's compute threads
    /// for the whole body: BLAS products give the same bits only for a fixed thread count, so the
    /// outputs are evaluated with the count the networks were trained with. The previous count is
    /// restored afterwards (stages may share the process). Training failures become one-line
    /// stage errors that say what to change.
    func learning<T>(_ body: (PhasedTraining) throws -> T) throws -> T {
        let threads = ComputeThreads.count
        ComputeThreads.count = cpus
        defer { ComputeThreads.count = threads }
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
