import Foundation
import FlowLinalg
import FlowMD
import FlowNN

/// A trained network as a collective variable ξ = N ∘ φ of configurations: the network N,
/// composed with the feature map φ it was trained on (sorted coordination numbers, distances, …;
/// none when it was trained on the coordinates). The Jacobian is J_N(φ(x)) · J_φ(x), so biases and
/// effective dynamics can use learned CVs like built-in ones (DESIGN §2: FlowMD knows nothing of
/// networks; this adapter lives in FlowStages).
///
/// Evaluation goes through tape-free `MLPEvaluator`s, which allocate nothing per call; each
/// call takes an evaluator from a small pool (one per concurrent caller), so one NetworkCV can
/// serve every walker thread. Biases evaluate it for a block of walkers at once
/// (`makeBatchEvaluator`): the feature map configuration by configuration, then one matrix
/// product per layer for the block, and the force J_φᵀ J_Nᵀ ∂U/∂ξ by one batched backward pass.
public struct NetworkCV: BatchedCollectiveVariable {
    public let features: (any CollectiveVariable)?
    public let inputDimension: Int
    public let outputDimension: Int
    public let componentNames: [String]
    private let pool: EvaluatorPool

    /// `features` maps configurations to the network's inputs (nil: the network takes the
    /// configurations themselves).
    public init(network: MLP, features: (any CollectiveVariable)?, names: [String]? = nil) {
        precondition(features.map { $0.outputDimension == network.inputDimension } ?? true,
                     "the feature map gives \(features?.outputDimension ?? 0) values; the network takes \(network.inputDimension)")
        self.features = features
        inputDimension = features?.inputDimension ?? network.inputDimension
        outputDimension = network.outputDimension
        componentNames = names ?? (1...network.outputDimension).map { "xi\($0)" }
        pool = EvaluatorPool(MLPEvaluator(network), batch: MLPBatchEvaluator(network))
    }

    public func makeBatchEvaluator() -> any CVBatchEvaluator {
        NetworkBatchEvaluator(features: features.map { $0.batchEvaluator() }, network: pool.batchEvaluator(),
                              featureCount: features?.outputDimension ?? inputDimension)
    }

    public func value(_ x: [Double]) -> [Double] {
        let input = features?.value(x) ?? x
        return pool.withEvaluator { $0.value(at: input) }
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        let d = outputDimension, n = inputDimension
        guard let features else {
            var out = [Double](repeating: 0, count: d)
            pool.withEvaluator { e in
                x.withUnsafeBufferPointer { xp in
                    out.withUnsafeMutableBufferPointer { op in
                        jacobian.withUnsafeMutableBufferPointer { e.evaluate(xp.baseAddress!, value: op.baseAddress!, jacobian: $0.baseAddress!) }
                    }
                }
            }
            return out
        }
        let f = features.outputDimension
        var featureJacobian = [Double](repeating: 0, count: f * n)
        let phi = features.value(x, jacobian: &featureJacobian)
        var out = [Double](repeating: 0, count: d)
        var networkJacobian = [Double](repeating: 0, count: d * f)
        pool.withEvaluator { e in
            phi.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    networkJacobian.withUnsafeMutableBufferPointer { e.evaluate(xp.baseAddress!, value: op.baseAddress!, jacobian: $0.baseAddress!) }
                }
            }
        }
        for r in 0..<d {
            for c in 0..<n {
                var s = 0.0
                for k in 0..<f { s += networkJacobian[r * f + k] * featureJacobian[k * n + c] }
                jacobian[r * n + c] = s
            }
        }
        return out
    }
}

/// Evaluators of one network, handed out one per concurrent caller (an evaluator's scratch space
/// must not be shared between threads).
final class EvaluatorPool: @unchecked Sendable {
    private let lock = NSLock()
    private let prototype: MLPEvaluator
    private let batchPrototype: MLPBatchEvaluator
    private var idle: [MLPEvaluator]

    init(_ evaluator: MLPEvaluator, batch: MLPBatchEvaluator) {
        prototype = evaluator
        batchPrototype = batch
        idle = [evaluator.copy()]
    }

    /// A block evaluator of its own for the caller (it keeps the block's activations).
    func batchEvaluator() -> MLPBatchEvaluator { batchPrototype.copy() }

    func withEvaluator<R>(_ body: (MLPEvaluator) -> R) -> R {
        lock.lock()
        let e = idle.popLast() ?? prototype.copy()
        lock.unlock()
        defer {
            lock.lock()
            idle.append(e)
            lock.unlock()
        }
        return body(e)
    }
}

/// ξ = N ∘ φ for a block of configurations: φ by its own block evaluator (configuration by
/// configuration, keeping what its pullback needs), N one matrix product per layer; the pullback
/// runs N's batched backward pass, then φ's.
final class NetworkBatchEvaluator: CVBatchEvaluator {
    let features: (any CVBatchEvaluator)?
    let network: MLPBatchEvaluator
    let featureCount: Int
    private var phi: [Double] = []
    private var featureCotangents: [Double] = []

    init(features: (any CVBatchEvaluator)?, network: MLPBatchEvaluator, featureCount: Int) {
        self.features = features
        self.network = network
        self.featureCount = featureCount
    }

    func evaluate(_ x: UnsafePointer<Double>, count: Int, values: UnsafeMutablePointer<Double>) {
        guard let features else {
            network.evaluate(x, count: count, values: values)
            return
        }
        if phi.count < count * featureCount {
            phi = [Double](repeating: 0, count: count * featureCount)
            featureCotangents = phi
        }
        phi.withUnsafeMutableBufferPointer { p in
            features.evaluate(x, count: count, values: p.baseAddress!)
            network.evaluate(p.baseAddress!, count: count, values: values)
        }
    }

    func pullback(_ cotangents: UnsafePointer<Double>, addingTo gradients: UnsafeMutablePointer<Double>) {
        guard let features else {
            network.pullback(cotangents, addingTo: gradients)
            return
        }
        featureCotangents.withUnsafeMutableBufferPointer { g in
            g.update(repeating: 0)
            network.pullback(cotangents, addingTo: g.baseAddress!)
            features.pullback(g.baseAddress!, addingTo: gradients)
        }
    }
}
