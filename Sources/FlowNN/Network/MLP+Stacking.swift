/// Combining and re-ordering networks without changing what they compute, so that a set of
/// separately trained scalar functions (K eigenfunctions) is stored and evaluated as one
/// `flow-mlp/1` network whose outputs come in a chosen order.
extension MLP {
    /// One network whose outputs are those of `networks` side by side: the first layers all read
    /// the same input, so their weights are concatenated column-wise; every later layer is
    /// block-diagonal. The networks need the same depth, activations and input normalization.
    public static func stacking(_ networks: [MLP]) -> MLP {
        precondition(!networks.isEmpty, "nothing to stack")
        let first = networks[0]
        precondition(networks.allSatisfy { $0.layerCount == first.layerCount && $0.activations == first.activations
                                            && $0.inputNormalization == first.inputNormalization },
                     "stacked networks need the same depth, activations and input normalization")
        var sizes = [first.inputDimension]
        for l in 1...first.layerCount { sizes.append(networks.reduce(0) { $0 + $1.sizes[l] }) }
        var weights: [[Double]] = [], biases: [[Double]] = []
        for l in 0..<first.layerCount {
            let rows = sizes[l], cols = sizes[l + 1]
            var w = [Double](repeating: 0, count: rows * cols)
            var rowOffset = 0, colOffset = 0
            for net in networks {
                let r = net.sizes[l], c = net.sizes[l + 1], source = net.weights[l].values
                for i in 0..<r {
                    for j in 0..<c { w[(rowOffset + i) * cols + colOffset + j] = source[i * c + j] }
                }
                if l > 0 { rowOffset += r }
                colOffset += c
            }
            weights.append(w)
            biases.append(networks.flatMap { $0.biases[l].values })
        }
        let output = Normalization(shift: networks.flatMap(\.outputNormalization.shift),
                                   scale: networks.flatMap(\.outputNormalization.scale))
        return MLP(sizes: sizes, activations: first.activations, weights: weights, biases: biases,
                   inputNormalization: first.inputNormalization, outputNormalization: output)
    }

    /// The same network with its outputs permuted: output k of the result is output order[k].
    public func reorderingOutputs(_ order: [Int]) -> MLP {
        precondition(order.sorted() == Array(0..<outputDimension), "not a permutation of the \(outputDimension) outputs")
        let last = layerCount - 1, fanIn = sizes[last], n = outputDimension
        var weights = self.weights.map(\.values), biases = self.biases.map(\.values)
        let w = weights[last], b = biases[last]
        for i in 0..<fanIn {
            for (k, source) in order.enumerated() { weights[last][i * n + k] = w[i * n + source] }
        }
        for (k, source) in order.enumerated() { biases[last][k] = b[source] }
        let output = Normalization(shift: order.map { outputNormalization.shift[$0] },
                                   scale: order.map { outputNormalization.scale[$0] })
        return MLP(sizes: sizes, activations: activations, weights: weights, biases: biases,
                   inputNormalization: inputNormalization, outputNormalization: output)
    }
}
