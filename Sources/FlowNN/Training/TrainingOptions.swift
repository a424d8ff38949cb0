/// How a `Trainer` runs: epochs, minibatches, validation, early stopping, clipping, schedule.
public struct TrainingOptions: Equatable, Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// Reshuffle the training samples every epoch (seeded); otherwise keep their order.
    public var shuffle: Bool = true
    /// Fraction of the samples held out (seeded split) to compute validation losses.
    public var validationFraction: Double = 0
    /// Stop after this many epochs without an improvement of the monitored loss (the validation
    /// total if there is a validation set, else the training total) by more than `minimumImprovement`.
    public var earlyStoppingPatience: Int? = nil
    public var minimumImprovement: Double = 0
    /// With early stopping, end with the parameters of the best epoch.
    public var restoreBestParameters: Bool = true
    /// Clip the global gradient norm to this value before each step.
    public var gradientClipNorm: Double? = nil
    public var schedule: LearningRateSchedule = .constant
    /// Write a line to the monitor's log every this many epochs (and at the last).
    public var logEvery: Int = 10

    public init(epochs: Int, batchSize: Int) {
        self.epochs = epochs
        self.batchSize = batchSize
    }
}
