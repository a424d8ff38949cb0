import XCTest
import FlowLinalg
@testable import FlowNN

/// The tape-free evaluator against the tape (values and Jacobians) and chunked batch evaluation.
final class EvaluatorTests: XCTestCase {
    func testEvaluatorMatchesTape() {
        var rng = RandomSource(seed: 31)
        for (sizes, act, out) in [([14, 16, 16, 2], Activation.tanh, Activation.identity),
                                  ([2, 8, 3], .softplus, .sigmoid), ([3, 5, 5, 1], .elu, .identity)] {
            let net = MLP(sizes: sizes, activation: act, outputActivation: out, rng: &rng)
            for b in net.biases { b.values = b.values.map { _ in rng.normal() } }
            net.inputNormalization = Normalization(shift: (0..<sizes[0]).map { _ in rng.normal() },
                                                   scale: (0..<sizes[0]).map { _ in 0.5 + rng.uniform() })
            net.outputNormalization = Normalization(shift: (0..<sizes.last!).map { _ in rng.normal() },
                                                    scale: (0..<sizes.last!).map { _ in 0.5 + rng.uniform() })
            let x = GradientCheck.random(7, sizes[0], &rng)
            let (values, jacobians) = net.valuesAndJacobians(x, chunk: 3)
            let evaluator = MLPEvaluator(net)
            let d = sizes.last!
            for b in 0..<7 {
                let (v, j) = evaluator.valueAndJacobian(at: x.row(b))
                XCTAssertEqual(evaluator.value(at: x.row(b)), v)
                for k in 0..<d {
                    XCTAssertEqual(v[k], values[b, k], accuracy: 1e-12)
                    for i in 0..<sizes[0] { XCTAssertEqual(j[k, i], jacobians[b * d + k, i], accuracy: 1e-12) }
                }
            }
            for (a, b) in zip(net.values(x, chunk: 2).storage, values.storage) { XCTAssertEqual(a, b, accuracy: 1e-13) }
            let batch = evaluator.evaluate(x, jacobians: true)
            for (a, b) in zip(batch.values.storage, values.storage) { XCTAssertEqual(a, b, accuracy: 1e-12) }
            for (a, b) in zip(batch.jacobians!.storage, jacobians.storage) { XCTAssertEqual(a, b, accuracy: 1e-12) }
            XCTAssertNil(evaluator.evaluate(x, jacobians: false).jacobians)
        }
    }

    func testEvaluatorKeepsItsOwnWeights() {
        var rng = RandomSource(seed: 2)
        let net = MLP(sizes: [2, 3, 1], activation: .tanh, rng: &rng)
        let evaluator = MLPEvaluator(net)
        let before = evaluator.value(at: [0.3, -0.2])
        net.weights[0].values = net.weights[0].values.map { $0 + 1 }
        XCTAssertEqual(evaluator.value(at: [0.3, -0.2]), before)
        XCTAssertEqual(evaluator.copy().value(at: [0.3, -0.2]), before)
    }
}
