import XCTest
import FlowLinalg
@testable import FlowNN

/// The block evaluator (one product per layer) against the single-input evaluator: values, and
/// the pullback of random cotangents against Jᵀc from the evaluator's Jacobians, for block sizes
/// that grow and shrink its scratch.
final class BatchEvaluatorTests: XCTestCase {
    func testBlockEvaluationEqualsTheSingleInputEvaluator() {
        var rng = RandomSource(seed: 41)
        for (sizes, act) in [([7, 45, 30, 25, 2], Activation.elu), ([3, 16, 1], .tanh), ([14, 8, 8, 2], .softplus)] {
            let net = MLP(sizes: sizes, activation: act, rng: &rng)
            for b in net.biases { b.values = b.values.map { _ in 0.3 * rng.normal() } }
            net.inputNormalization = Normalization(shift: (0..<sizes[0]).map { _ in rng.normal() },
                                                   scale: (0..<sizes[0]).map { _ in 0.5 + rng.uniform() })
            net.outputNormalization = Normalization(shift: (0..<sizes.last!).map { _ in rng.normal() },
                                                    scale: (0..<sizes.last!).map { _ in 0.5 + rng.uniform() })
            let single = MLPEvaluator(net), block = MLPBatchEvaluator(net)
            let n = sizes[0], d = sizes.last!
            for count in [5, 33, 2] {
                let x = GradientCheck.random(count, n, &rng)
                let c = GradientCheck.random(count, d, &rng)
                var values = [Double](repeating: .nan, count: count * d)
                var gradients = [Double](repeating: 1, count: count * n)
                x.storage.withUnsafeBufferPointer { block.evaluate($0.baseAddress!, count: count, values: &values) }
                c.storage.withUnsafeBufferPointer { block.pullback($0.baseAddress!, addingTo: &gradients) }
                for k in 0..<count {
                    let (v, j) = single.valueAndJacobian(at: x.row(k))
                    for a in 0..<d { XCTAssertEqual(values[k * d + a], v[a], accuracy: 1e-13 * max(1, abs(v[a]))) }
                    for i in 0..<n {
                        let expected = 1 + (0..<d).reduce(0.0) { $0 + c[k, $1] * j[$1, i] }
                        XCTAssertEqual(gradients[k * n + i], expected, accuracy: 1e-12 * max(1, abs(expected)), "\(sizes) row \(k) input \(i)")
                    }
                }
            }
        }
    }

    /// An input's value and pullback are the same bits whether it is evaluated alone, in a small
    /// block or at any place of a large one (the block is padded to whole SIMD tiles, and every
    /// column is summed in the same order).
    func testBlockResultsDoNotDependOnTheBlock() {
        var rng = RandomSource(seed: 8)
        let net = MLP(sizes: [7, 45, 30, 25, 2], activation: .elu, rng: &rng)
        for b in net.biases { b.values = b.values.map { _ in 0.3 * rng.normal() } }
        let block = MLPBatchEvaluator(net)
        let count = 37, n = 7, d = 2
        let x = GradientCheck.random(count, n, &rng), c = GradientCheck.random(count, d, &rng)
        func run(_ rows: Range<Int>) -> (values: [Double], gradients: [Double]) {
            var values = [Double](repeating: .nan, count: rows.count * d)
            var gradients = [Double](repeating: 0.5, count: rows.count * n)
            let xs = rows.flatMap { x.row($0) }, cs = rows.flatMap { c.row($0) }
            xs.withUnsafeBufferPointer { block.evaluate($0.baseAddress!, count: rows.count, values: &values) }
            cs.withUnsafeBufferPointer { block.pullback($0.baseAddress!, addingTo: &gradients) }
            return (values, gradients)
        }
        let all = run(0..<count)
        for rows in [17..<18, 30..<35, 0..<1, 3..<37] {
            let part = run(rows)
            XCTAssertEqual(part.values, Array(all.values[(rows.lowerBound * d)..<(rows.upperBound * d)]), "rows \(rows)")
            XCTAssertEqual(part.gradients, Array(all.gradients[(rows.lowerBound * n)..<(rows.upperBound * n)]), "rows \(rows)")
        }
    }
}
