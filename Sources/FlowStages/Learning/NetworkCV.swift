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
/// serve every walker thread.
struct NetworkCV: CollectiveVariable {
    let features: (any CollectiveVariable)?
    let inputDimension: Int
    let outputDimension: Int
    let componentNames: [String]
    private let pool: EvaluatorPool

    /// `features` maps configurations to the network's inputs (nil: the network takes the
    /// configurations themselves).
    init(network: MLP, features: (any CollectiveVariable)?, names: [String]? = nil) {
        precondition(features.map { $0.outputDimension == network.inputDimension } ?? true,
                     "the feature map gives \(features?.outputDimension ?? 0) values; the network takes \(network.inputDimension)")
        self.features = features
        inputDimension = features?.inputDimension ?? network.inputDimension
        outputDimension = network.outputDimension
        componentNames = names ?? (1...network.outputDimension).map { "xi\($0)" }
        pool = EvaluatorPool(MLPEvaluator(network))
    }

    func value(_ x: [Double]) -> [Double] {
        let input = features?.value(x) ?? x
        return pool.withEvaluator { $0.value(at: input) }
    }

    func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
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
    private var idle: [MLPEvaluator]

    init(_ evaluator: MLPEvaluator) {
        prototype = evaluator
        idle = [evaluator.copy()]
    }

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
