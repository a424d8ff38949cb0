import FlowLinalg

/// Evaluates a trained network for a block of inputs at once and pulls cotangents back to the
/// inputs, without a tape: one product per layer forward, Z_l = W_lᵀ Y_{l−1} + b_l 1ᵀ, and one per
/// layer backward, G_{l−1} = W_l (G_l ⊙ σ′(Z_l)). This is the vector–Jacobian product a bias
/// needs for its force Jᵀ ∂U/∂ξ — one backward pass whatever the number of outputs — for every
/// walker of a batch, where `MLPEvaluator` takes one input and one output row at a time.
///
/// Inside, activations are stored feature-major (one row per unit, the block's inputs contiguous,
/// padded to whole column tiles), so the products run as register-blocked SIMD tiles over the
/// inputs (`PackedPanels`) and the activations over contiguous rows; inputs and outputs keep the
/// row-major layout of the callers. Every input's result is computed in the same order whatever
/// the block, so it does not depend on the block's size or the input's place in it.
///
/// Holds its own copy of the weights and scratch for the last block's activations, so one
/// evaluator serves one thread; `pullback` refers to the inputs of the last `evaluate`.
public final class MLPBatchEvaluator {
    public let sizes: [Int]
    let network: FrozenNetwork
    /// Per layer l: W_lᵀ (forward, sizes[l+1] × sizes[l]) and W_l (backward, sizes[l] × sizes[l+1]).
    private let forward: [PackedPanels]
    private let backward: [PackedPanels]
    /// Columns the scratch holds; grows with the largest block seen.
    private var capacity = 0
    /// Per layer l: pre-activations z_l and activations y_l (y_0 = the normalized input),
    /// sizes[l] × capacity, feature-major.
    private var z: [[Double]]
    private var y: [[Double]]
    /// Cotangents of the current and the previous layer during `pullback`.
    private var current: [Double] = [], next: [Double] = []
    /// Inputs of the last block, and its column count padded to whole tiles.
    private var rows = 0, columns = 0

    public convenience init(_ network: MLP) {
        self.init(FrozenNetwork(network))
    }

    init(_ network: FrozenNetwork) {
        self.network = network
        sizes = network.sizes
        z = sizes.map { _ in [] }
        y = z
        forward = (0..<(network.sizes.count - 1)).map { l in
            let nOut = network.sizes[l + 1], w = network.weights[l]
            return PackedPanels(rows: nOut, depth: network.sizes[l]) { j, i in w[i * nOut + j] }
        }
        backward = (0..<(network.sizes.count - 1)).map { l in
            let nOut = network.sizes[l + 1], w = network.weights[l]
            return PackedPanels(rows: network.sizes[l], depth: nOut) { i, j in w[i * nOut + j] }
        }
    }

    /// An independent evaluator with the same weights (one per thread).
    public func copy() -> MLPBatchEvaluator { MLPBatchEvaluator(network) }

    public var inputDimension: Int { sizes[0] }
    public var outputDimension: Int { sizes[sizes.count - 1] }

    private func reserve(_ columns: Int) {
        guard columns > capacity else { return }
        capacity = columns
        z = sizes.map { [Double](repeating: 0, count: columns * $0) }
        y = z
        let widest = sizes.max()!
        current = [Double](repeating: 0, count: columns * widest)
        next = current
    }

    /// ξ of `count` inputs (count × inputDimension, row-major) into `values` (count × outputDimension).
    public func evaluate(_ x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>) {
        let tile = PackedPanels.columnTile
        let m = (count + tile - 1) / tile * tile
        reserve(m)
        rows = count
        columns = m
        let n0 = inputDimension, ld = capacity
        y[0].withUnsafeMutableBufferPointer { y0 in
            for i in 0..<n0 {
                let row = y0.baseAddress! + i * ld, shift = network.input.shift[i], scale = network.input.scale[i]
                for k in 0..<count { row[k] = (x[k * n0 + i] - shift) / scale }
                for k in count..<m { row[k] = 0 }
            }
        }
        for l in 0..<(sizes.count - 1) {
            let nOut = sizes[l + 1], act = network.activations[l]
            y[l].withUnsafeBufferPointer { h in
                z[l + 1].withUnsafeMutableBufferPointer { zl in
                    network.biases[l].withUnsafeBufferPointer { b in
                        forward[l].multiply(h.baseAddress!, columns: m, stride: ld, bias: b.baseAddress!, into: zl.baseAddress!)
                    }
                    y[l + 1].withUnsafeMutableBufferPointer { yl in
                        if m == ld {
                            act.apply(zl.baseAddress!, yl.baseAddress!, nOut * ld)
                        } else {
                            for j in 0..<nOut { act.apply(zl.baseAddress! + j * ld, yl.baseAddress! + j * ld, m) }
                        }
                    }
                }
            }
        }
        let d = outputDimension, last = sizes.count - 1
        y[last].withUnsafeBufferPointer { yl in
            for c in 0..<d {
                let row = yl.baseAddress! + c * ld, shift = network.output.shift[c], scale = network.output.scale[c]
                for k in 0..<count { values[k * d + c] = row[k] * scale + shift }
            }
        }
    }

    /// Adds Σ_c cotangents[k, c] ∇ξ_c(x_k) to `gradients` row k (count × inputDimension) for the
    /// inputs of the last `evaluate`.
    public func pullback(_ cotangents: UnsafePointer<Double>, addingTo gradients: UnsafeMutablePointer<Double>) {
        let count = rows, m = columns, ld = capacity, last = sizes.count - 1, d = outputDimension
        current.withUnsafeMutableBufferPointer { cur in
            next.withUnsafeMutableBufferPointer { nxt in
                var (g, h) = (cur.baseAddress!, nxt.baseAddress!)
                for c in 0..<d {
                    let row = g + c * ld, scale = network.output.scale[c]
                    for k in 0..<count { row[k] = cotangents[k * d + c] * scale }
                    for k in count..<m { row[k] = 0 }
                }
                for l in stride(from: last - 1, through: 0, by: -1) {
                    let nOut = sizes[l + 1]
                    z[l + 1].withUnsafeBufferPointer { zl in
                        y[l + 1].withUnsafeBufferPointer { yl in
                            let act = network.activations[l], zp = zl.baseAddress!, yp = yl.baseAddress!
                            if m == ld {
                                act.backward(g, zp, yp, g, nOut * ld, accumulate: false)
                            } else {
                                for j in 0..<nOut {
                                    let o = j * ld
                                    act.backward(g + o, zp + o, yp + o, g + o, m, accumulate: false)
                                }
                            }
                        }
                    }
                    backward[l].multiply(g, columns: m, stride: ld, bias: nil, into: h)
                    swap(&g, &h)
                }
                let n0 = inputDimension
                for i in 0..<n0 {
                    let row = g + i * ld, scale = network.input.scale[i]
                    for k in 0..<count { gradients[k * n0 + i] += row[k] / scale }
                }
            }
        }
    }
}
