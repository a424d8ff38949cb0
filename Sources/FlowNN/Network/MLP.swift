import FlowLinalg

/// A multilayer perceptron y = σ_L(… σ_1(x̂·W₁ + b₁) …·W_L + b_L), with x̂ the normalized input
/// and y mapped back through the output normalization.
///
/// Weights are stored in × out so that a row of samples multiplies from the left, exactly as an
/// h5py user evaluates the saved network: `h = act(h @ W + b)`.
public final class MLP {
    /// Layer widths, input first: (2, 30, 30, 1) has three layers.
    public let sizes: [Int]
    /// One activation per layer; the last is the output activation.
    public let activations: [Activation]
    /// Layer l maps sizes[l] → sizes[l+1]: weight sizes[l] × sizes[l+1], bias 1 × sizes[l+1].
    public let weights: [Parameter]
    public let biases: [Parameter]
    public var inputNormalization: Normalization {
        didSet { precondition(inputNormalization.count == inputDimension, "input normalization size") }
    }
    public var outputNormalization: Normalization {
        didSet { precondition(outputNormalization.count == outputDimension, "output normalization size") }
    }

    /// A freshly initialized network with weights drawn from `rng` (Xavier for tanh/sigmoid/
    /// softplus/identity layers, He for ReLU/ELU layers unless `initialization` says otherwise).
    public convenience init(sizes: [Int], activation: Activation, outputActivation: Activation = .identity,
                            initialization: Initialization? = nil, rng: inout RandomSource) {
        precondition(sizes.count >= 2, "an MLP needs at least input and output sizes")
        let acts = [Activation](repeating: activation, count: sizes.count - 2) + [outputActivation]
        self.init(sizes: sizes, activations: acts, initialization: initialization, rng: &rng)
    }

    public convenience init(sizes: [Int], activations: [Activation],
                            initialization: Initialization? = nil, rng: inout RandomSource) {
        precondition(activations.count == sizes.count - 1, "one activation per layer")
        var w: [[Double]] = []
        for l in 0..<(sizes.count - 1) {
            let scheme = initialization ?? activations[l].preferredInitialization
            w.append(scheme.weights(fanIn: sizes[l], fanOut: sizes[l + 1], rng: &rng))
        }
        let b = (1..<sizes.count).map { [Double](repeating: 0, count: sizes[$0]) }
        self.init(sizes: sizes, activations: activations, weights: w, biases: b,
                  inputNormalization: .identity(sizes[0]), outputNormalization: .identity(sizes.last!))
    }

    /// A network with given weights (row-major in × out per layer) and biases.
    public init(sizes: [Int], activations: [Activation], weights w: [[Double]], biases b: [[Double]],
                inputNormalization: Normalization, outputNormalization: Normalization) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "layer sizes must be positive")
        precondition(activations.count == sizes.count - 1 && w.count == sizes.count - 1 && b.count == sizes.count - 1,
                     "one activation, weight and bias per layer")
        precondition(inputNormalization.count == sizes[0] && outputNormalization.count == sizes.last!,
                     "normalization sizes must match the input and output widths")
        self.sizes = sizes
        self.activations = activations
        self.weights = (0..<(sizes.count - 1)).map {
            Parameter(name: "layer\($0).weight", rows: sizes[$0], cols: sizes[$0 + 1], values: w[$0], decays: true)
        }
        self.biases = (0..<(sizes.count - 1)).map {
            Parameter(name: "layer\($0).bias", rows: 1, cols: sizes[$0 + 1], values: b[$0], decays: false)
        }
        self.inputNormalization = inputNormalization
        self.outputNormalization = outputNormalization
    }

    public var layerCount: Int { sizes.count - 1 }
    public var inputDimension: Int { sizes[0] }
    public var outputDimension: Int { sizes[sizes.count - 1] }

    /// All trainable parameters, layer by layer (weight, bias).
    public var parameters: [Parameter] {
        zip(weights, biases).flatMap { [$0, $1] }
    }

    /// An independent copy (same weights and normalization).
    public func copy() -> MLP {
        MLP(sizes: sizes, activations: activations, weights: weights.map(\.values), biases: biases.map(\.values),
            inputNormalization: inputNormalization, outputNormalization: outputNormalization)
    }

    // MARK: Forward pass on a tape

    /// The pre-activations z_l and activations y_l of every layer (y_0 = normalized input),
    /// recorded on the tape of `x`.
    struct Trace {
        var z: [Variable] = []
        var y: [Variable] = []
    }

    func trace(_ x: Variable) -> Trace {
        precondition(x.cols == inputDimension, "network expects \(inputDimension) inputs, got \(x.cols)")
        let tape = x.tape
        var t = Trace()
        var h = x
        if !inputNormalization.isIdentity {
            h = (h - tape.constant(Matrix(rows: 1, cols: inputDimension, storage: inputNormalization.shift)))
                / tape.constant(Matrix(rows: 1, cols: inputDimension, storage: inputNormalization.scale))
        }
        t.y.append(h)
        for l in 0..<layerCount {
            let z = tape.linear(h, weight: tape.parameter(weights[l]), bias: tape.parameter(biases[l]))
            h = tape.activation(z, activations[l])
            t.z.append(z)
            t.y.append(h)
        }
        return t
    }

    func denormalize(_ y: Variable) -> Variable {
        if outputNormalization.isIdentity { return y }
        let tape = y.tape
        return y * tape.constant(Matrix(rows: 1, cols: outputDimension, storage: outputNormalization.scale))
            + tape.constant(Matrix(rows: 1, cols: outputDimension, storage: outputNormalization.shift))
    }

    /// The network applied to a batch (one sample per row), recorded on the tape of `x`.
    public func callAsFunction(_ x: Variable) -> Variable {
        denormalize(trace(x).y.last!)
    }
}
