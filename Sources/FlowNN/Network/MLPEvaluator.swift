import FlowLinalg

/// Evaluates a trained network at single configurations without a tape: value, and the Jacobian
/// with respect to the input by reverse accumulation, with no allocation per call. Meant for
/// collective variables evaluated at every MD step.
///
/// Holds its own copy of the weights (later training of the source network does not affect it)
/// and scratch buffers, so one evaluator must not be used from two threads at once; `copy()` gives
/// an independent one per thread.
public final class MLPEvaluator {
    public let sizes: [Int]
    public let activations: [Activation]
    private let network: FrozenNetwork
    /// All weights, biases and scratch in one allocation, addressed by the offsets below.
    private let storage: UnsafeMutablePointer<Double>
    private let weightOffset: [Int], biasOffset: [Int], zOffset: [Int], yOffset: [Int]
    private let cotangentOffset: Int, widest: Int
    /// Input shift, input scale, output shift, output scale, in `storage`.
    private let inShift: UnsafeMutablePointer<Double>, inScale: UnsafeMutablePointer<Double>
    private let outShift: UnsafeMutablePointer<Double>, outScale: UnsafeMutablePointer<Double>

    public convenience init(_ network: MLP) {
        self.init(FrozenNetwork(network))
    }

    init(_ network: FrozenNetwork) {
        self.network = network
        let sizes = network.sizes, weights = network.weights, biases = network.biases
        self.sizes = sizes
        activations = network.activations
        var offset = 0
        func reserve(_ n: Int) -> Int { defer { offset += n }; return offset }
        weightOffset = weights.map { reserve($0.count) }
        biasOffset = biases.map { reserve($0.count) }
        zOffset = sizes.map { reserve($0) }
        yOffset = sizes.map { reserve($0) }
        widest = sizes.max()!
        cotangentOffset = reserve(2 * widest)
        let normalizationOffset = reserve(2 * (sizes[0] + sizes[sizes.count - 1]))
        storage = .allocate(capacity: offset)
        storage.initialize(repeating: 0, count: offset)
        for (l, w) in weights.enumerated() { (storage + weightOffset[l]).update(from: w, count: w.count) }
        for (l, b) in biases.enumerated() { (storage + biasOffset[l]).update(from: b, count: b.count) }
        inShift = storage + normalizationOffset
        inScale = inShift + sizes[0]
        outShift = inScale + sizes[0]
        outScale = outShift + sizes[sizes.count - 1]
        inShift.update(from: network.input.shift, count: sizes[0])
        inScale.update(from: network.input.scale, count: sizes[0])
        outShift.update(from: network.output.shift, count: sizes[sizes.count - 1])
        outScale.update(from: network.output.scale, count: sizes[sizes.count - 1])
    }

    deinit { storage.deallocate() }

    public var inputDimension: Int { sizes[0] }
    public var outputDimension: Int { sizes[sizes.count - 1] }

    /// An independent evaluator with the same weights (one per thread).
    public func copy() -> MLPEvaluator {
        MLPEvaluator(network)
    }

    public func value(at x: [Double]) -> [Double] {
        precondition(x.count == inputDimension, "evaluator expects \(inputDimension) inputs")
        var out = [Double](repeating: 0, count: outputDimension)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { evaluate(xp.baseAddress!, value: $0.baseAddress!, jacobian: nil) }
        }
        return out
    }

    /// The value (d) and the Jacobian (d × D, row k = ∇ξ_k) at x.
    public func valueAndJacobian(at x: [Double]) -> (value: [Double], jacobian: Matrix) {
        precondition(x.count == inputDimension, "evaluator expects \(inputDimension) inputs")
        var out = [Double](repeating: 0, count: outputDimension)
        var jac = Matrix(rows: outputDimension, cols: inputDimension)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                jac.storage.withUnsafeMutableBufferPointer {
                    evaluate(xp.baseAddress!, value: op.baseAddress!, jacobian: $0.baseAddress!)
                }
            }
        }
        return (out, jac)
    }

    /// Values (m × d) and, with `jacobians`, Jacobians (m·d × D, blocks of d rows per sample) of
    /// every row of `x`, sample by sample. For large batches `MLP.valuesAndJacobians`, which runs
    /// the same computation as BLAS products on a tape, is faster.
    public func evaluate(_ x: Matrix, jacobians: Bool) -> (values: Matrix, jacobians: Matrix?) {
        precondition(x.cols == inputDimension, "evaluator expects \(inputDimension) inputs")
        let d = outputDimension, n = inputDimension
        var values = Matrix(rows: x.rows, cols: d)
        var jac = Matrix(rows: jacobians ? x.rows * d : 0, cols: n)
        x.storage.withUnsafeBufferPointer { xp in
            values.storage.withUnsafeMutableBufferPointer { vp in
                jac.storage.withUnsafeMutableBufferPointer { jp in
                    for b in 0..<x.rows {
                        evaluate(xp.baseAddress! + b * n, value: vp.baseAddress! + b * d,
                                 jacobian: jacobians ? jp.baseAddress! + b * d * n : nil)
                    }
                }
            }
        }
        return (values, jacobians ? jac : nil)
    }

    /// Writes ξ(x) (d values) and, if `jacobian` is given, J_ξ(x) (d × D row-major) without
    /// allocating.
    public func evaluate(_ x: UnsafePointer<Double>, value: UnsafeMutablePointer<Double>,
                         jacobian: UnsafeMutablePointer<Double>?) {
        forward(x)
        let yl = storage + yOffset[sizes.count - 1]
        for k in 0..<outputDimension { value[k] = yl[k] * outScale[k] + outShift[k] }
        guard let jacobian else { return }
        for k in 0..<outputDimension { backward(output: k, into: jacobian + k * inputDimension) }
    }

    private func forward(_ x: UnsafePointer<Double>) {
        let y0 = storage + yOffset[0]
        for i in 0..<inputDimension { y0[i] = (x[i] - inShift[i]) / inScale[i] }
        for l in 0..<(sizes.count - 1) {
            let nIn = sizes[l], nOut = sizes[l + 1], act = activations[l]
            let w = storage + weightOffset[l], b = storage + biasOffset[l]
            let h = storage + yOffset[l], z = storage + zOffset[l + 1], y = storage + yOffset[l + 1]
            z.update(from: b, count: nOut)
            for i in 0..<nIn {
                let hi = h[i], row = w + i * nOut
                for j in 0..<nOut { z[j] += hi * row[j] }
            }
            act.apply(z, y, nOut)
        }
    }

    /// Σ a[j]·b[j] with eight independent partial sums (a plain loop is one serial chain of
    /// additions, which the compiler may not reorder).
    @inline(__always)
    private static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = SIMD4<Double>.zero, s1 = SIMD4<Double>.zero
        var j = 0
        while j + 8 <= n {
            s0 += UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self)
                * UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Double>.self)
            s1 += UnsafeRawPointer(a + j + 4).loadUnaligned(as: SIMD4<Double>.self)
                * UnsafeRawPointer(b + j + 4).loadUnaligned(as: SIMD4<Double>.self)
            j += 8
        }
        var s = (s0 + s1).sum()
        while j < n {
            s += a[j] * b[j]
            j += 1
        }
        return s
    }

    /// Reverse accumulation of ∇ξ_k: the cotangent e_k·S_out is pulled back through each layer.
    private func backward(output k: Int, into row: UnsafeMutablePointer<Double>) {
        let last = sizes.count - 1
        var cur = storage + cotangentOffset, nxt = cur + widest
        cur.update(repeating: 0, count: sizes[last])
        cur[k] = outScale[k]
        for l in stride(from: last - 1, through: 0, by: -1) {
            let nIn = sizes[l], nOut = sizes[l + 1], act = activations[l]
            let w = storage + weightOffset[l], z = storage + zOffset[l + 1], y = storage + yOffset[l + 1]
            for j in 0..<nOut { cur[j] *= act.derivative(z: z[j], y: y[j]) }
            for i in 0..<nIn { nxt[i] = Self.dot(w + i * nOut, cur, nOut) }
            swap(&cur, &nxt)
        }
        for i in 0..<inputDimension { row[i] = cur[i] / inScale[i] }
    }
}

extension MLP {
    /// The network applied to every row of `x` (evaluated on a tape in chunks of `chunk` rows).
    public func values(_ x: Matrix, chunk: Int = 8192) -> Matrix {
        evaluateInChunks(x, chunk: chunk) { tape, v in (tape.value(self(v)), nil) }.values
    }

    /// Values (m × d) and Jacobians (m·d × D, blocks of d rows per sample) of every row of `x`.
    public func valuesAndJacobians(_ x: Matrix, chunk: Int = 4096) -> (values: Matrix, jacobians: Matrix) {
        let r = evaluateInChunks(x, chunk: chunk) { tape, v in
            let (out, j) = self.jacobian(v)
            return (tape.value(out), tape.value(j))
        }
        return (r.values, r.jacobians!)
    }

    private func evaluateInChunks(_ x: Matrix, chunk: Int,
                                  _ body: (Tape, Variable) -> (Matrix, Matrix?)) -> (values: Matrix, jacobians: Matrix?) {
        let tape = Tape()
        var values: [Double] = [], jacobians: [Double] = []
        var hasJacobians = false
        for start in stride(from: 0, to: x.rows, by: chunk) {
            tape.reset()
            let rows = Array(start..<Swift.min(x.rows, start + chunk))
            let (v, j) = body(tape, tape.constant(rowsOf: x, rows))
            values += v.storage
            if let j {
                jacobians += j.storage
                hasJacobians = true
            }
        }
        let d = outputDimension
        return (Matrix(rows: x.rows, cols: d, storage: values),
                hasJacobians ? Matrix(rows: x.rows * d, cols: inputDimension, storage: jacobians) : nil)
    }
}
