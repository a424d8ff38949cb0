import FlowCore
import FlowNN

/// The defaults of one neural-network stage's `network:` and `training:` blocks. The blocks have
/// the same keys, help texts and checks in every stage, so that a key means the same thing
/// everywhere; only the defaults differ, following the reference work of each stage, and
/// `flow stages KIND` prints the stage's own.
protocol LearningDefaults {
    static var hidden: [Int] { get }
    static var activation: Activation { get }
    /// Whether the network must be nonlinear (at least one hidden layer, not `identity`). The
    /// encoder, ψ and ξ stages fit curved manifolds, which a linear map cannot; a linear function
    /// can be an eigenfunction (x for Ornstein–Uhlenbeck), so the generator stages allow one.
    static var requiresNonlinearNetwork: Bool { get }
    static var epochs: Int { get }
    static var batchSize: Int { get }
    static var learningRate: Double { get }
    /// How `training.weight_decay` acts when the workflow does not say: each stage keeps the form
    /// of its reference implementation, so its results do not change with the shared block.
    static var weightDecayMode: WeightDecayMode { get }
}

/// The defaults of the `eigenfunctions` and `autoencoder` stages: the Müller–Brown autoencoder
/// reference of DESIGN §8.1 (tanh, Adam at 0.005, AdamW-style decay), except the epochs and the
/// batch size, which are large because the eigenfunction loss estimates its moments per batch.
enum EigenLearningDefaults: LearningDefaults {
    static let hidden = [20, 20]
    static let activation = Activation.tanh
    static let requiresNonlinearNetwork = false
    static let epochs = 500
    static let batchSize = 10_000
    static let learningRate = 0.005
    static let weightDecayMode = WeightDecayMode.decoupled
}

/// Hidden-layer activations are chosen by their stored names (`tanh`, `softplus`, …).
extension Activation: ParameterEnum {}
