import FlowLinalg

/// A reverse-mode automatic-differentiation tape over Float64 matrices.
///
/// Every operation appends a node holding its value and a closure that maps the gradient of the
/// node to gradients of its inputs (a vector–Jacobian product); `backward` runs those closures in
/// reverse order. The design follows micrograd, lifted from scalars to matrices so that every
/// product is one BLAS call.
///
/// Because the closures that compute gradients are themselves built from ordinary numeric code,
/// the tape is first-order; derivatives of derivatives (Jacobian losses, E|∇f|²) are obtained by
/// recording the derivative computation itself as tape operations (see `MLP.jacobian`).
///
/// A tape is meant to be reused: `reset()` after each step returns its buffers to an internal pool,
/// and the next step with the same shapes allocates nothing new. Not thread-safe.
public final class Tape {
    typealias Backward = (Tape, UnsafePointer<Double>) -> Void

    struct Node {
        var rows: Int
        var cols: Int
        var value: UnsafeMutablePointer<Double>
        var grad: UnsafeMutablePointer<Double>?
        /// True until the node receives its first gradient contribution of the current pass.
        var gradFresh: Bool
        var needsGradient: Bool
        var backward: Backward?
        var parameter: Parameter?
    }

    var nodes: [Node] = []
    private let pool = BufferPool()
    /// Gradient buffers of intermediate nodes whose backward step is done, by size, for reuse by
    /// later nodes of the same pass: peak memory stays near that of the values alone.
    private var spareGradients: [Int: [UnsafeMutablePointer<Double>]] = [:]
    private var parameterNodes: [ObjectIdentifier: Int] = [:]

    public init() {}

    /// Forgets every recorded node and recycles its buffers; variables of this tape become invalid.
    public func reset() {
        nodes.removeAll(keepingCapacity: true)
        parameterNodes.removeAll(keepingCapacity: true)
        spareGradients.removeAll(keepingCapacity: true)
        pool.reclaimAll()
    }

    public var nodeCount: Int { nodes.count }

    // MARK: Leaves

    /// A matrix that needs no gradient (data, targets, masks).
    public func constant(_ m: Matrix) -> Variable {
        leaf(m, needsGradient: false)
    }

    /// A rows × cols constant filled with `value`.
    public func constant(rows: Int, cols: Int, value: Double) -> Variable {
        let p = allocate(rows * cols)
        p.update(repeating: value, count: rows * cols)
        return append(Node(rows: rows, cols: cols, value: p, grad: nil, gradFresh: true,
                           needsGradient: false, backward: nil, parameter: nil))
    }

    /// The rows `indices` of `m` as a constant: how a minibatch enters the tape without an
    /// intermediate copy of the data set.
    public func constant(rowsOf m: Matrix, _ indices: [Int]) -> Variable {
        let c = m.cols
        let p = allocate(indices.count * c)
        m.storage.withUnsafeBufferPointer { src in
            for (r, i) in indices.enumerated() {
                precondition(i >= 0 && i < m.rows, "row index \(i) out of range 0..<\(m.rows)")
                (p + r * c).update(from: src.baseAddress! + i * c, count: c)
            }
        }
        return append(Node(rows: indices.count, cols: c, value: p, grad: nil, gradFresh: true,
                           needsGradient: false, backward: nil, parameter: nil))
    }

    /// A matrix whose gradient is wanted (gradients with respect to network inputs).
    public func input(_ m: Matrix) -> Variable {
        leaf(m, needsGradient: true)
    }

    /// The tape node of a trainable parameter. Values are read in place and `backward` writes the
    /// parameter's gradient; calling this twice on one tape returns the same node, so a parameter
    /// used in several places (a layer and its Jacobian) accumulates one gradient.
    public func parameter(_ p: Parameter) -> Variable {
        if let i = parameterNodes[ObjectIdentifier(p)] {
            return Variable(tape: self, index: i, rows: p.rows, cols: p.cols)
        }
        let v = append(Node(rows: p.rows, cols: p.cols, value: p.value, grad: p.gradient,
                            gradFresh: true, needsGradient: true, backward: nil, parameter: p))
        parameterNodes[ObjectIdentifier(p)] = v.index
        return v
    }

    private func leaf(_ m: Matrix, needsGradient: Bool) -> Variable {
        let p = allocate(m.count)
        m.storage.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: m.count) }
        return append(Node(rows: m.rows, cols: m.cols, value: p, grad: nil, gradFresh: true,
                           needsGradient: needsGradient, backward: nil, parameter: nil))
    }

    // MARK: Reading results

    /// A copy of the value of `v`.
    public func value(_ v: Variable) -> Matrix {
        Matrix(rows: v.rows, cols: v.cols,
               storage: Array(UnsafeBufferPointer(start: nodes[v.index].value, count: v.count)))
    }

    /// The single element of a 1 × 1 variable.
    public func scalar(_ v: Variable) -> Double {
        precondition(v.count == 1, "scalar() of a \(v.rows)×\(v.cols) variable")
        return nodes[v.index].value[0]
    }

    /// The gradient of the last `backward` root with respect to `v` (zero if it did not depend on it).
    /// Gradients are kept for leaves (inputs, parameters, constants); those of intermediate results
    /// are recycled during the pass.
    public func gradient(_ v: Variable) -> Matrix {
        let node = nodes[v.index]
        guard let g = node.grad, !node.gradFresh else { return Matrix(rows: v.rows, cols: v.cols) }
        return Matrix(rows: v.rows, cols: v.cols, storage: Array(UnsafeBufferPointer(start: g, count: v.count)))
    }

    // MARK: Backward pass

    /// Computes gradients of `root` with respect to every node it depends on: parameters (written
    /// into `Parameter` gradient buffers, zero for parameters on the tape that `root` does not use)
    /// and inputs. `root` must be 1 × 1 unless a `seed` (the gradient of some scalar with respect to
    /// `root`) is given. May be called again with another root; each call starts from zero.
    public func backward(_ root: Variable, seed: Matrix? = nil) {
        precondition(root.tape === self, "variable belongs to another tape")
        if let s = seed {
            precondition(s.rows == root.rows && s.cols == root.cols, "seed shape must match the root")
        } else {
            precondition(root.count == 1, "backward from a \(root.rows)×\(root.cols) variable needs a seed")
        }
        for i in nodes.indices { nodes[i].gradFresh = true }
        guard nodes[root.index].needsGradient else {
            zeroUntouchedParameterGradients()
            return
        }
        let g = gradientBuffer(root.index)
        if let s = seed {
            s.storage.withUnsafeBufferPointer { g.update(from: $0.baseAddress!, count: root.count) }
        } else {
            g[0] = 1
        }
        nodes[root.index].gradFresh = false
        for i in stride(from: root.index, through: 0, by: -1) {
            let node = nodes[i]
            guard node.needsGradient, !node.gradFresh, let back = node.backward, let grad = node.grad else { continue }
            back(self, grad)
            nodes[i].grad = nil
            nodes[i].gradFresh = true
            spareGradients[node.rows * node.cols, default: []].append(grad)
        }
        zeroUntouchedParameterGradients()
    }

    private func zeroUntouchedParameterGradients() {
        for i in parameterNodes.values where nodes[i].gradFresh {
            nodes[i].grad!.update(repeating: 0, count: nodes[i].rows * nodes[i].cols)
        }
    }

    // MARK: Recording operations (used by the op extensions)

    func allocate(_ count: Int) -> UnsafeMutablePointer<Double> {
        pool.take(count)
    }

    private func append(_ node: Node) -> Variable {
        nodes.append(node)
        return Variable(tape: self, index: nodes.count - 1, rows: node.rows, cols: node.cols)
    }

    /// Appends the result of an operation. The backward closure is kept only when some input needs
    /// a gradient; it receives the node's gradient and must route it to the inputs through
    /// `accumulate` / `gradientTarget`.
    func record(rows: Int, cols: Int, value: UnsafeMutablePointer<Double>, inputs: [Variable],
                backward: @escaping Backward) -> Variable {
        let needs = inputs.contains { nodes[$0.index].needsGradient }
        return append(Node(rows: rows, cols: cols, value: value, grad: nil, gradFresh: true,
                           needsGradient: needs, backward: needs ? backward : nil, parameter: nil))
    }

    @inline(__always)
    func values(_ v: Variable) -> UnsafeMutablePointer<Double> {
        nodes[v.index].value
    }

    func needsGradient(_ v: Variable) -> Bool {
        nodes[v.index].needsGradient
    }

    private func gradientBuffer(_ i: Int) -> UnsafeMutablePointer<Double> {
        if let g = nodes[i].grad { return g }
        let n = nodes[i].rows * nodes[i].cols
        let g = spareGradients[n]?.popLast() ?? allocate(n)
        nodes[i].grad = g
        return g
    }

    /// The gradient buffer of `v` for writing, and whether it is fresh (its contents are garbage and
    /// must be overwritten rather than added to); nil when `v` needs no gradient. Marks it written.
    func gradientTarget(_ v: Variable) -> (pointer: UnsafeMutablePointer<Double>, fresh: Bool)? {
        guard nodes[v.index].needsGradient else { return nil }
        let g = gradientBuffer(v.index)
        let fresh = nodes[v.index].gradFresh
        nodes[v.index].gradFresh = false
        return (g, fresh)
    }

    /// Adds `contribution(i)` to element i of the gradient of `v` (or writes it, on first touch).
    @inline(__always)
    func accumulate(_ v: Variable, _ contribution: (Int) -> Double) {
        guard let (g, fresh) = gradientTarget(v) else { return }
        Parallel.forEachChunk(v.count) { _, r in
            if fresh {
                for i in r { g[i] = contribution(i) }
            } else {
                for i in r { g[i] += contribution(i) }
            }
        }
    }

    /// Fills a new buffer of `count` elements with `f(i)`, in parallel chunks.
    @inline(__always)
    func map(_ count: Int, _ f: (Int) -> Double) -> UnsafeMutablePointer<Double> {
        let out = allocate(count)
        Parallel.forEachChunk(count) { _, r in
            for i in r { out[i] = f(i) }
        }
        return out
    }
}
