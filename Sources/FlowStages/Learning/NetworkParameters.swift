import FlowCore
import FlowLinalg
import FlowNN

/// `network:` — the hidden layers of a stage's MLP; the input and output widths come from the data
/// and the stage, and so does the output layer's activation.
struct NetworkSpec<Defaults: LearningDefaults>: Decodable, Equatable {
    var hidden: [Int]
    var activation: Activation

    enum CodingKeys: String, CodingKey { case hidden, activation }

    /// A block given in code (the autoencoder's regularizer networks, tests).
    init(hidden: [Int], activation: Activation) {
        self.hidden = hidden
        self.activation = activation
    }

    init(from decoder: Decoder) throws {
        let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
        hidden = try p(.hidden, default: Defaults.hidden, help: "widths of the hidden layers, input side first")
        activation = try p(.activation, default: Defaults.activation,
                           help: "activation of the hidden layers (elu has α = 1); losses of gradients or Jacobians need a smooth one (tanh, softplus, sigmoid, elu)")
        for (a, b) in zip(hidden, hidden.dropFirst()) {
            try p.checkAllocation(.hidden, [a, b], what: "weights between layers of width \(a) and \(b)", fix: "use narrower layers")
        }
        if Defaults.requiresNonlinearNetwork {
            try p.check(!hidden.isEmpty && hidden.allSatisfy { $0 >= 1 }, .hidden, "give at least one hidden layer, each of width ≥ 1")
            try p.check(activation != .identity, .activation, "identity hidden layers make the network linear; use a nonlinear activation")
        } else {
            try p.check(hidden.allSatisfy { $0 >= 1 }, .hidden, "every hidden layer needs width ≥ 1")
        }
    }

    /// A freshly initialized network from `inputs` to `outputs` (Xavier/He by activation) whose
    /// output layer has the activation `output`.
    func make(inputs: Int, outputs: Int, output: Activation = .identity, rng: inout RandomSource) -> MLP {
        MLP(sizes: [inputs] + hidden + [outputs], activation: activation, outputActivation: output, rng: &rng)
    }
}
