import FlowCore
import FlowNN

/// How `training.weight_decay` shrinks the layer weights (never the biases).
enum WeightDecayMode: String, ParameterEnum {
    /// The loss term (λ/2)·Σ‖W‖², recorded as the loss column "weight_decay" (Yuan et al.'s θ3).
    case l2
    /// θ ← θ − ηλθ beside the optimizer's step (Loshchilov & Hutter; AdamW, plain decay for sgd),
    /// as torch.optim.AdamW.
    case decoupled
}

/// `training:` — how a stage trains its networks: epochs, minibatches, optimizer, learning-rate
/// schedule, weight decay, validation split, early stopping and gradient clipping. One block for
/// every neural-network stage, so that the same key means the same thing everywhere; the
/// defaults are the stage's (`LearningDefaults`).
struct TrainingSpec<Defaults: LearningDefaults>: Decodable, Equatable {
    enum OptimizerKind: String, ParameterEnum { case adam, sgd }

    var epochs: Int
    var batchSize: Int
    var optimizer: OptimizerKind
    var learningRate: Double
    var momentum: Double
    var weightDecay: Double
    var weightDecayMode: WeightDecayMode
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
        case weightDecayMode = "weight_decay_mode"
        case validationFraction = "validation_fraction"
        case minimumImprovement = "min_improvement"
        case gradientClip = "gradient_clip"
        case logEvery = "log_every"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        epochs = try p(.epochs, default: Defaults.epochs, in: .atLeast(1), help: "passes over the training samples")
        batchSize = try p(.batchSize, default: Defaults.batchSize, in: .atLeast(1),
                          help: "samples per minibatch (seeded shuffling every epoch); a loss that estimates moments on each batch (eigenfunctions) wants it large")
        optimizer = try p(.optimizer, default: .adam, help: "adam (Kingma & Ba 2015, as torch.optim.Adam) or sgd (with momentum)")
        learningRate = try p(.learningRate, default: Defaults.learningRate, in: .positive, help: "initial learning rate")
        momentum = try p(.momentum, default: 0.9, in: .closed(0, 1), help: "sgd only: momentum factor")
        weightDecay = try p(.weightDecay, default: 0, in: .nonNegative,
                            help: "λ of the weight decay of the layer weights (not the biases); weight_decay_mode says how it acts")
        weightDecayMode = try p(.weightDecayMode, default: Defaults.weightDecayMode,
                                help: "l2: the loss term (λ/2)·Σ‖W‖², recorded as the loss column 'weight_decay'; decoupled: θ ← θ − ηλθ beside the optimizer step (AdamW; plain decay for sgd)")
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

    /// The trainer's options; `epochs` replaces the block's own (a later training phase).
    func options(epochs: Int? = nil) -> TrainingOptions {
        let n = epochs ?? self.epochs
        var o = TrainingOptions(epochs: n, batchSize: batchSize)
        o.validationFraction = validationFraction
        o.earlyStoppingPatience = patience
        o.minimumImprovement = minimumImprovement
        o.gradientClipNorm = gradientClip
        o.schedule = schedule.schedule(epochs: n)
        o.logEvery = logEvery
        return o
    }

    /// A fresh optimizer; it decays the weights itself only in the decoupled mode (the l2 mode
    /// adds a loss term instead, `TrainingPhase`).
    func makeOptimizer() -> Optimizer {
        let decay: WeightDecay = weightDecayMode == .decoupled && weightDecay > 0 ? .decoupled(weightDecay) : .none
        switch optimizer {
        case .adam: return Adam(learningRate: learningRate, weightDecay: decay)
        case .sgd: return SGD(learningRate: learningRate, momentum: momentum, weightDecay: decay)
        }
    }

    /// A training phase over `parameters` on `samples` samples (the indices its loss receives),
    /// split and shuffled from `seed`; `epochs` replaces the block's own.
    func phase(_ name: String, parameters: [Parameter], samples: Int, seed: UInt64, epochs: Int? = nil) throws -> TrainingPhase {
        let options = options(epochs: epochs)
        let held = Int((options.validationFraction * Double(samples)).rounded())
        guard samples - held >= 1 else { throw NoTrainingSamples(samples: samples) }
        let trainer = Trainer(parameters: parameters, optimizer: makeOptimizer(), options: options, sampleCount: samples, seed: seed)
        return TrainingPhase(name: name, trainer: trainer, l2: weightDecayMode == .l2 ? weightDecay : 0)
    }
}
