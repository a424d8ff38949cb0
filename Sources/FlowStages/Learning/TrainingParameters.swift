import FlowCore
import FlowNN

/// `training:` — how a stage trains its network: epochs, minibatches, optimizer, learning-rate
/// schedule, weight decay, validation split, early stopping and gradient clipping. One block for
/// every neural-network stage, so that the same key means the same thing everywhere.
struct TrainingSpec<Defaults: LearningDefaults>: Codable {
    enum OptimizerKind: String, ParameterEnum { case adam, sgd }

    var epochs: Int
    var batchSize: Int
    var optimizer: OptimizerKind
    var learningRate: Double
    var momentum: Double
    var weightDecay: Double
    var schedule: ScheduleSpec
    var validationFraction: Double
    var patience: Int?
    var minimumImprovement: Double
    var gradientClip: Double?
    var logEvery: Int

    enum CodingKeys: String, CodingKey {
        case epochs, optimizer, momentum, schedule, patience
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case weightDecay = "weight_decay"
        case validationFraction = "validation_fraction"
        case minimumImprovement = "min_improvement"
        case gradientClip = "gradient_clip"
        case logEvery = "log_every"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        epochs = try p(.epochs, default: Defaults.epochs, in: .atLeast(1), help: "passes over the training samples")
        batchSize = try p(.batchSize, default: Defaults.batchSize, in: .atLeast(1), help: "samples per minibatch (seeded shuffling every epoch)")
        optimizer = try p(.optimizer, default: .adam, help: "adam (Kingma & Ba 2015) or sgd (with momentum)")
        learningRate = try p(.learningRate, default: Defaults.learningRate, in: .positive, help: "initial learning rate")
        momentum = try p(.momentum, default: 0.9, in: .closed(0, 1), help: "sgd only: momentum factor")
        weightDecay = try p(.weightDecay, default: 0, in: .nonNegative,
                            help: "λ of the loss term (λ/2)·Σ‖W‖² over the layer weights (not the biases), recorded as 'weight_decay'")
        schedule = try p.group(.schedule, help: "learning-rate schedule, applied at the start of each epoch")
        validationFraction = try p(.validationFraction, default: 0, in: Bounds(lower: 0, upper: 0.9),
                                   help: "fraction of the samples held out (seeded) for validation losses")
        patience = try p.optional(.patience, in: .atLeast(1),
                                  help: "early stopping: stop after this many epochs without improvement of the monitored loss (validation total if any, else training total) and keep the best weights")
        minimumImprovement = try p(.minimumImprovement, default: 0, in: .nonNegative,
                                   help: "early stopping: smallest decrease of the monitored loss that counts as an improvement")
        gradientClip = try p.optional(.gradientClip, in: .positive, help: "clip the global gradient norm to this value before each step")
        logEvery = try p(.logEvery, default: 50, in: .atLeast(1), help: "write a loss line to the stage log every this many epochs")
    }

    /// The trainer's options.
    var options: TrainingOptions {
        var o = TrainingOptions(epochs: epochs, batchSize: batchSize)
        o.validationFraction = validationFraction
        o.earlyStoppingPatience = patience
        o.minimumImprovement = minimumImprovement
        o.gradientClipNorm = gradientClip
        o.schedule = schedule.schedule(epochs: epochs)
        o.logEvery = logEvery
        return o
    }

    /// A fresh optimizer (weight decay enters as an explicit loss term, not through the optimizer).
    func makeOptimizer() -> Optimizer {
        switch optimizer {
        case .adam: return Adam(learningRate: learningRate)
        case .sgd: return SGD(learningRate: learningRate, momentum: momentum)
        }
    }
}

/// `training.schedule:` — PyTorch's StepLR / MultiStepLR / ExponentialLR / CosineAnnealingLR,
/// stepped once per epoch.
struct ScheduleSpec: Codable {
    enum Kind: String, ParameterEnum {
        case constant, step
        case multiStep = "multi-step"
        case exponential, cosine
    }

    var kind: Kind
    var every: Int
    var milestones: [Int]
    var factor: Double
    var minimum: Double

    enum CodingKeys: String, CodingKey { case kind, every, milestones, factor, minimum }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        kind = try p(.kind, default: .constant,
                     help: "constant; step: × factor every `every` epochs; multi-step: × factor at each milestone; exponential: × factor per epoch; cosine: down to `minimum` at the last epoch")
        every = try p(.every, default: 100, in: .atLeast(1), help: "step: epochs between decays")
        milestones = try p(.milestones, default: [], help: "multi-step: epochs (0-based, increasing) at which the rate is multiplied by factor")
        factor = try p(.factor, default: 0.5, in: .halfOpen(0, 1), help: "step, multi-step, exponential: decay factor")
        minimum = try p(.minimum, default: 0, in: .nonNegative, help: "cosine: final learning rate")
        try p.check(kind != .multiStep || (!milestones.isEmpty && zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }),
                    .milestones, "multi-step needs increasing milestones")
    }

    func schedule(epochs: Int) -> LearningRateSchedule {
        switch kind {
        case .constant: return .constant
        case .step: return .step(every: every, factor: factor)
        case .multiStep: return .multiStep(milestones: milestones, factor: factor)
        case .exponential: return .exponential(factor: factor)
        case .cosine: return .cosine(epochs: epochs, minimum: minimum)
        }
    }
}
