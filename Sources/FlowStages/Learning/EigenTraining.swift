import FlowCore
import FlowLinalg
import FlowNN

/// Hidden-layer activations are chosen by their stored names (`tanh`, `softplus`, …).
extension Activation: ParameterEnum {}

/// `network:` of the `eigenfunctions` and `autoencoder` stages — the hidden layers of an MLP; the
/// input and output widths follow from the data and the stage. The output layer is linear.
struct EigenNetwork: Codable, Equatable {
    var hidden: [Int]
    var activation: Activation

    enum CodingKeys: String, CodingKey { case hidden, activation }

    init(hidden: [Int], activation: Activation) {
        self.hidden = hidden
        self.activation = activation
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        hidden = try p(.hidden, default: [20, 20], help: "widths of the hidden layers, input side first")
        activation = try p(.activation, default: .tanh,
                           help: "activation of the hidden layers; the losses contain ∇f, so use a smooth one (tanh, softplus, sigmoid, elu)")
        try p.check(hidden.allSatisfy { $0 >= 1 }, .hidden, "every hidden layer needs width ≥ 1")
    }

    /// A freshly initialized network from `inputs` to `outputs` (Xavier/He by activation).
    func make(inputs: Int, outputs: Int, rng: inout RandomSource) -> MLP {
        MLP(sizes: [inputs] + hidden + [outputs], activation: activation, outputActivation: .identity, rng: &rng)
    }
}

/// `training:` of the `eigenfunctions` and `autoencoder` stages: optimizer, learning rate and its
/// schedule, epochs, minibatches, validation split, early stopping, clipping. Defaults are the
/// Müller–Brown autoencoder reference of DESIGN §8.1 except the epochs and batch size.
struct EigenTraining: Codable, Equatable {
    enum OptimizerKind: String, ParameterEnum { case adam, sgd }

    var optimizer: OptimizerKind
    var learningRate: Double
    var momentum: Double
    var weightDecay: Double
    var schedule: EigenSchedule
    var epochs: Int
    var batchSize: Int
    var validationFraction: Double
    var patience: Int?
    var minimumImprovement: Double
    var gradientClip: Double?
    var logEvery: Int

    enum CodingKeys: String, CodingKey {
        case optimizer, momentum, schedule, epochs, patience
        case learningRate = "learning_rate"
        case weightDecay = "weight_decay"
        case batchSize = "batch_size"
        case validationFraction = "validation_fraction"
        case minimumImprovement = "min_improvement"
        case gradientClip = "gradient_clip"
        case logEvery = "log_every"
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        optimizer = try p(.optimizer, default: .adam, help: "adam (Kingma & Ba 2015, as torch.optim.Adam) or sgd")
        learningRate = try p(.learningRate, default: 0.005, in: .positive, help: "initial learning rate")
        momentum = try p(.momentum, default: 0.9, in: .closed(0, 1), help: "sgd only: momentum")
        weightDecay = try p(.weightDecay, default: 0, in: .nonNegative,
                            help: "decoupled weight decay of the weights (AdamW; plain decay for sgd), not of the biases")
        schedule = try p.group(.schedule, help: "learning-rate schedule, stepped at the start of each epoch")
        epochs = try p(.epochs, default: 500, in: .atLeast(1), help: "passes over the training samples")
        batchSize = try p(.batchSize, default: 10_000, in: .atLeast(1),
                          help: "samples per minibatch; the eigenfunction loss estimates its moments on each batch, so keep it large")
        validationFraction = try p(.validationFraction, default: 0, in: Bounds(lower: 0, upper: 0.9),
                                   help: "fraction of the samples held out (seeded) for validation losses")
        patience = try p.optional(.patience, in: .atLeast(1),
                                  help: "early stopping: stop after this many epochs without improvement of the monitored loss (validation total if any) and keep the best weights")
        minimumImprovement = try p(.minimumImprovement, default: 0, in: .nonNegative,
                                   help: "early stopping: smallest decrease that counts as an improvement")
        gradientClip = try p.optional(.gradientClip, in: .positive, help: "clip the global gradient norm to this value before each step")
        logEvery = try p(.logEvery, default: 50, in: .atLeast(1), help: "write a loss line to the stage log every this many epochs")
    }

    /// The trainer's options; `epochs` replaces the block's own (a second training phase).
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

    func makeOptimizer() -> Optimizer {
        let decay: WeightDecay = weightDecay > 0 ? .decoupled(weightDecay) : .none
        switch optimizer {
        case .adam: return Adam(learningRate: learningRate, weightDecay: decay)
        case .sgd: return SGD(learningRate: learningRate, momentum: momentum, weightDecay: decay)
        }
    }
}

/// `training.schedule:` — the learning rate as a function of the epoch (`LearningRateSchedule`).
struct EigenSchedule: Codable, Equatable {
    enum Kind: String, ParameterEnum {
        case constant, step, exponential, cosine
        case multiStep = "multi-step"
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
                     help: "constant; step: × factor every `every` epochs; multi-step: × factor at each milestone; exponential: × factor per epoch; cosine: to `minimum` at the last epoch")
        every = try p(.every, default: 100, in: .atLeast(1), help: "step: epochs between decays")
        milestones = try p(.milestones, default: [], help: "multi-step: increasing epochs (0-based) at which the rate decays")
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
