import FlowCore
import FlowNN

/// The defaults of one neural-network stage's `network:` and `training:` blocks. The blocks have
/// the same keys, help texts and checks in every stage (`flow stages diffusion-net`, `manifold`,
/// `orthogonal-cvs` document them alike); only the defaults differ, following the reference work
/// of each step (Yuan, Sule, Lam & Cameron 2025).
protocol LearningDefaults {
    static var hidden: [Int] { get }
    static var activation: NetworkActivation { get }
    static var epochs: Int { get }
    static var batchSize: Int { get }
    static var learningRate: Double { get }
}

/// Activations allowed for hidden layers (the output layer's activation is fixed by each stage).
enum NetworkActivation: String, ParameterEnum {
    case tanh, sigmoid, elu, relu, softplus

    var activation: Activation {
        switch self {
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        case .elu: return .elu
        case .relu: return .relu
        case .softplus: return .softplus
        }
    }
}

/// `network:` — the hidden layers of a stage's MLP; input and output widths come from the data.
struct NetworkSpec<Defaults: LearningDefaults>: Codable {
    var hidden: [Int]
    var activation: NetworkActivation

    enum CodingKeys: String, CodingKey { case hidden, activation }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        hidden = try p(.hidden, default: Defaults.hidden, help: "widths of the hidden layers, input side first")
        activation = try p(.activation, default: Defaults.activation,
                           help: "activation of the hidden layers (elu has α = 1); Jacobian losses need a smooth one")
        try p.check(!hidden.isEmpty && hidden.allSatisfy { $0 >= 1 }, .hidden, "give at least one hidden layer, each of width ≥ 1")
    }

    /// Layer widths from `inputs` to `outputs` through the hidden layers.
    func sizes(inputs: Int, outputs: Int) -> [Int] {
        [inputs] + hidden + [outputs]
    }
}
