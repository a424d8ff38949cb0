/// Evaluates a collective variable for a block of configurations at once and pulls cotangents
/// back through it: what a bias on ξ needs for all walkers of a batch, U_b(ξ(x)) and the
/// chain-rule force ∇U_b = J_ξᵀ ∂U_b/∂ξ, as one vector–Jacobian product per configuration rather
/// than the full d × D Jacobian. A CV whose evaluation is a chain of matrix products (a network)
/// runs each product once for the whole block.
///
/// An evaluator keeps scratch and the last block's intermediates: one per thread.
public protocol CVBatchEvaluator: AnyObject {
    /// ξ of `count` configurations (count × D, row-major) into `values` (count × d); keeps what
    /// `pullback` needs.
    func evaluate(_ x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>)
    /// Adds Σ_c cotangents[k, c] ∇ξ_c(x_k) to row k of `gradients` (count × D) for the
    /// configurations of the last `evaluate`.
    func pullback(_ cotangents: UnsafePointer<Double>, addingTo gradients: UnsafeMutablePointer<Double>)
}

/// A collective variable with a block evaluator of its own (learned CVs, and feature maps that
/// learned CVs compose).
public protocol BatchedCollectiveVariable: CollectiveVariable {
    func makeBatchEvaluator() -> any CVBatchEvaluator
    /// Whether biases on this CV alone should take the block path (default true); feature maps
    /// whose block evaluator serves learned CVs may say no, so biases directly on them keep
    /// their walker-by-walker results.
    var prefersBlocks: Bool { get }
}

public extension BatchedCollectiveVariable {
    var prefersBlocks: Bool { true }
}

/// The block evaluator of any collective variable, configuration by configuration through
/// `value(_:jacobian:)`: it keeps each configuration's Jacobian and multiplies the cotangent into
/// it. Feature maps (coordination numbers, distances) use it inside a learned CV's evaluator.
public final class JacobianBatchEvaluator: CVBatchEvaluator {
    public let cv: any CollectiveVariable
    private var jacobians: [Double] = []
    private var x: [Double]
    private var jacobian: [Double]
    private var rows = 0

    public init(_ cv: any CollectiveVariable) {
        self.cv = cv
        x = [Double](repeating: 0, count: cv.inputDimension)
        jacobian = [Double](repeating: 0, count: cv.outputDimension * cv.inputDimension)
    }

    public func evaluate(_ positions: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>) {
        let n = cv.inputDimension, d = cv.outputDimension
        if jacobians.count < count * d * n { jacobians = [Double](repeating: 0, count: count * d * n) }
        rows = count
        for k in 0..<count {
            for i in 0..<n { x[i] = positions[k * n + i] }
            let v = cv.value(x, jacobian: &jacobian)
            for c in 0..<d { values[k * d + c] = v[c] }
            for i in 0..<(d * n) { jacobians[k * d * n + i] = jacobian[i] }
        }
    }

    public func pullback(_ cotangents: UnsafePointer<Double>, addingTo gradients: UnsafeMutablePointer<Double>) {
        let n = cv.inputDimension, d = cv.outputDimension
        jacobians.withUnsafeBufferPointer { j in
            for k in 0..<rows {
                let g = gradients + k * n, row = j.baseAddress! + k * d * n
                for c in 0..<d {
                    let s = cotangents[k * d + c]
                    for i in 0..<n { g[i] += s * row[c * n + i] }
                }
            }
        }
    }
}

public extension CollectiveVariable {
    /// The CV's own block evaluator when it has one, else `JacobianBatchEvaluator`.
    func batchEvaluator() -> any CVBatchEvaluator {
        (self as? any BatchedCollectiveVariable)?.makeBatchEvaluator() ?? JacobianBatchEvaluator(self)
    }
}
