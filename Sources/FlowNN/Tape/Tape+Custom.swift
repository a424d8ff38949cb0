import FlowLinalg

/// The vector–Jacobian product of a custom operation: given the gradient of a scalar with respect
/// to the operation's output (batch × k), returns the gradient with respect to its input
/// (batch × n).
public typealias VectorJacobianProduct = (Matrix) -> Matrix

extension Tape {
    /// Records an external function of a batch (for example force-field energies of generated
    /// molecules, one row per molecule) as a tape operation.
    ///
    /// `function` receives the value of `x` and returns its output (one row per sample) together
    /// with a closure computing the vector–Jacobian product at that point; the closure is called
    /// during `backward` only if `x` needs a gradient. Errors thrown by `function` propagate.
    public func custom(_ x: Variable,
                       _ function: (Matrix) throws -> (value: Matrix, vjp: VectorJacobianProduct)) rethrows -> Variable {
        let (result, vjp) = try function(value(x))
        let out = allocate(result.count)
        result.storage.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: result.count) }
        let r = result.rows, c = result.cols
        return record(rows: r, cols: c, value: out, inputs: [x]) { tape, g in
            let upstream = Matrix(rows: r, cols: c, storage: Array(UnsafeBufferPointer(start: g, count: r * c)))
            let dx = vjp(upstream)
            precondition(dx.rows == x.rows && dx.cols == x.cols,
                         "custom op VJP returned \(dx.rows)×\(dx.cols), expected \(x.rows)×\(x.cols)")
            dx.storage.withUnsafeBufferPointer { d in
                tape.accumulate(x) { i in d[i] }
            }
        }
    }
}
