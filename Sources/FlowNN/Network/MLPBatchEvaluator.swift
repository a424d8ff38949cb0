import FlowLinalg

/// Evaluates a trained network for a block of inputs at once and pulls cotangents back to the
/// inputs, without a tape: one matrix product per layer forward, Z_l = Y_{l−1} W_l + 1 b_l, and one
/// per layer backward, G_{l−1} = (G_l ⊙ σ′(Z_l)) W_lᵀ. This is the vector–Jacobian product a bias
/// needs for its force Jᵀ ∂U/∂ξ — one backward pass whatever the number of outputs — for every
/// walker of a batch, where `MLPEvaluator` takes one input and one output row at a time.
///
/// Holds its own copy of the weights and scratch for the last block's activations, so one
/// evaluator serves one thread; `pullback` refers to the inputs of the last `evaluate`.
public final class MLPBatchEvaluator {
    public let sizes: [Int]
    let network: FrozenNetwork
    /// Rows the scratch holds; grows with the largest block seen.
    private(set) var capacity = 0
    /// Per layer l: pre-activations z_l and activations y_l (y_0 = the normalized input), rows × sizes[l].
    private var z: [[Double]]
    private var y: [[Double]]
    /// Cotangents of the current and the previous layer during `pullback`.
    private var current: [Double] = [], next: [Double] = []
    private var rows = 0

    public convenience init(_ network: MLP) {
        self.init(FrozenNetwork(network))
    }

    init(_ network: FrozenNetwork) {
        self.network = network
        sizes = network.sizes
        z = sizes.map { _ in [] }
        y = z
    }

    /// An independent evaluator with the same weights (one per thread).
    public func copy() -> MLPBatchEvaluator { MLPBatchEvaluator(network) }

    public var inputDimension: Int { sizes[0] }
    public var outputDimension: Int { sizes[sizes.count - 1] }

    private func reserve(_ count: Int) {
        guard count > capacity else { return }
        capacity = count
        z = sizes.map { [Double](repeating: 0, count: count * $0) }
        y = z
        let widest = sizes.max()!
        current = [Double](repeating: 0, count: count * widest)
        next = current
    }

    /// ξ of `count` inputs (count × inputDimension, row-major) into `values` (count × outputDimension).
    public func evaluate(_ x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>) {
        reserve(count)
        rows = count
        let n0 = inputDimension
        y[0].withUnsafeMutableBufferPointer { y0 in
            for k in 0..<count {
                for i in 0..<n0 { y0[k * n0 + i] = (x[k * n0 + i] - network.input.shift[i]) / network.input.scale[i] }
            }
        }
        for l in 0..<(sizes.count - 1) {
            let nIn = sizes[l], nOut = sizes[l + 1], act = network.activations[l]
            y[l].withUnsafeBufferPointer { h in
                z[l + 1].withUnsafeMutableBufferPointer { zl in
                    for k in 0..<count { for j in 0..<nOut { zl[k * nOut + j] = network.biases[l][j] } }
                    network.weights[l].withUnsafeBufferPointer { w in
                        gemm(count, nOut, nIn, h.baseAddress!, transposeA: false, w.baseAddress!, transposeB: false,
                             zl.baseAddress!, beta: 1)
                    }
                    y[l + 1].withUnsafeMutableBufferPointer { act.apply(zl.baseAddress!, $0.baseAddress!, count * nOut) }
                }
            }
        }
        let d = outputDimension, last = sizes.count - 1
        y[last].withUnsafeBufferPointer { yl in
            for k in 0..<count {
                for c in 0..<d { values[k * d + c] = yl[k * d + c] * network.output.scale[c] + network.output.shift[c] }
            }
        }
    }

    /// Adds Σ_c cotangents[k, c] ∇ξ_c(x_k) to `gradients` row k (count × inputDimension) for the
    /// inputs of the last `evaluate`.
    public func pullback(_ cotangents: UnsafePointer<Double>, addingTo gradients: UnsafeMutablePointer<Double>) {
        let count = rows, last = sizes.count - 1, d = outputDimension
        current.withUnsafeMutableBufferPointer { cur in
            next.withUnsafeMutableBufferPointer { nxt in
                var (g, h) = (cur.baseAddress!, nxt.baseAddress!)
                for k in 0..<count { for c in 0..<d { g[k * d + c] = cotangents[k * d + c] * network.output.scale[c] } }
                for l in stride(from: last - 1, through: 0, by: -1) {
                    let nIn = sizes[l], nOut = sizes[l + 1]
                    z[l + 1].withUnsafeBufferPointer { zl in
                        y[l + 1].withUnsafeBufferPointer { yl in
                            network.activations[l].backward(g, zl.baseAddress!, yl.baseAddress!, g, count * nOut, accumulate: false)
                        }
                    }
                    network.weights[l].withUnsafeBufferPointer { w in
                        gemm(count, nIn, nOut, g, transposeA: false, w.baseAddress!, transposeB: true, h, beta: 0)
                    }
                    swap(&g, &h)
                }
                let n0 = inputDimension
                for k in 0..<count {
                    for i in 0..<n0 { gradients[k * n0 + i] += g[k * n0 + i] / network.input.scale[i] }
                }
            }
        }
    }
}
