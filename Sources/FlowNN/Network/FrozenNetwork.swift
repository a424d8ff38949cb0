/// A network's layer sizes, activations, weights (in × out per layer), biases and normalizations,
/// copied out of an `MLP`: what the tape-free evaluators compute with, so that later training of
/// the source network does not affect them.
struct FrozenNetwork: Sendable {
    let sizes: [Int]
    let activations: [Activation]
    let weights: [[Double]]
    let biases: [[Double]]
    let input: Normalization
    let output: Normalization

    init(_ network: MLP) {
        sizes = network.sizes
        activations = network.activations
        weights = network.weights.map(\.values)
        biases = network.biases.map(\.values)
        input = network.inputNormalization
        output = network.outputNormalization
    }
}
