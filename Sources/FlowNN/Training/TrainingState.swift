/// Everything a `Trainer` needs to continue bit-identically after an interruption: what a training
/// checkpoint stores.
public struct TrainingState: Equatable, Sendable {
    /// Completed epochs.
    public var epoch: Int
    /// Whether early stopping has ended the training.
    public var stopped: Bool
    /// The shuffling generator (`RandomSource.stateWords`).
    public var shuffleState: [UInt64]
    public var optimizer: OptimizerState
    /// Current parameter values, in the trainer's parameter order.
    public var parameters: [[Double]]
    public var history: LossHistory
    /// Early stopping: best monitored loss, its epoch (1-based, 0 if none), epochs since, and the
    /// parameters of the best epoch (empty without early stopping).
    public var bestLoss: Double
    public var bestEpoch: Int
    public var epochsWithoutImprovement: Int
    public var bestParameters: [[Double]]

    public init(epoch: Int, stopped: Bool, shuffleState: [UInt64], optimizer: OptimizerState,
                parameters: [[Double]], history: LossHistory, bestLoss: Double, bestEpoch: Int,
                epochsWithoutImprovement: Int, bestParameters: [[Double]]) {
        self.epoch = epoch
        self.stopped = stopped
        self.shuffleState = shuffleState
        self.optimizer = optimizer
        self.parameters = parameters
        self.history = history
        self.bestLoss = bestLoss
        self.bestEpoch = bestEpoch
        self.epochsWithoutImprovement = epochsWithoutImprovement
        self.bestParameters = bestParameters
    }
}
