import XCTest
import FlowLinalg
@testable import FlowNN

/// `EigenfunctionLoss` against a direct evaluation of its formula and against finite differences
/// (with respect to its inputs and to the weights of a network, through the Jacobian); the
/// composition gradient of the regularized autoencoder; network stacking and re-ordering.
final class EigenfunctionLossTests: XCTestCase {
    /// Σₖ ωₖ λ_σ(k) and α Σ_{i≤j}(Cov − δ)² computed with plain loops.
    func reference(values f: Matrix, norms g: Matrix, weights w: [Double], loss: EigenfunctionLoss) -> (rayleigh: Double, covariance: Double, lambda: [Double]) {
        let m = f.rows, k = f.cols
        let total = w.reduce(0, +)
        func mean(_ column: (Int) -> Double) -> Double { (0..<m).reduce(0) { $0 + w[$1] * column($1) } / total }
        let means = (0..<k).map { j in mean { f[$0, j] } }
        var cov = Matrix(rows: k, cols: k)
        for i in 0..<k {
            for j in 0..<k { cov[i, j] = mean { (f[$0, i] - means[i]) * (f[$0, j] - means[j]) } }
        }
        let lambda = (0..<k).map { j in mean { g[$0, j] } / cov[j, j] / loss.beta }
        let order = lambda.indices.sorted { lambda[$0] < lambda[$1] }
        let rayleigh = order.enumerated().reduce(0) { $0 + loss.weights[$1.offset] * lambda[$1.element] }
        var penalty = 0.0
        for i in 0..<k {
            for j in i..<k { penalty += pow(cov[i, j] - (i == j ? 1 : 0), 2) }
        }
        return (rayleigh, loss.penalty * penalty, lambda)
    }

    func testValueMatchesTheFormulaWithAndWithoutSampleWeights() {
        var rng = RandomSource(seed: 5)
        let f = GradientCheck.random(12, 3, &rng)
        let g = GradientCheck.random(12, 3, &rng, minMagnitude: 0.1).applying(abs)
        let loss = EigenfunctionLoss(beta: 2.5, weights: [1, 0.7, 0.2], penalty: 3)
        for w in [nil, (0..<12).map { _ in 0.2 + rng.uniform() }] as [[Double]?] {
            let tape = Tape()
            let e = loss.evaluate(values: tape.constant(f), gradientNormsSquared: tape.constant(g), sampleWeights: w)
            let r = reference(values: f, norms: g, weights: w ?? [Double](repeating: 1, count: 12), loss: loss)
            XCTAssertEqual(tape.scalar(e.rayleigh), r.rayleigh, accuracy: 1e-12)
            XCTAssertEqual(tape.scalar(e.covariance), r.covariance, accuracy: 1e-12)
            for (a, b) in zip(e.eigenvalues, r.lambda) { XCTAssertEqual(a, b, accuracy: 1e-12) }
            XCTAssertEqual(e.sortedEigenvalues, e.eigenvalues.sorted())
        }
    }

    func testUnsortedLossGivesOutputIWeightI() {
        let f = Matrix([[0, 2], [1, -1], [2, 0], [3, 5]])
        let g = Matrix([[9, 1], [9, 1], [9, 1], [9, 1]])
        let tape = Tape()
        let loss = EigenfunctionLoss(beta: 1, weights: [1, 0.5], penalty: 0, sortsByEigenvalue: false)
        let e = loss.evaluate(values: tape.constant(f), gradientNormsSquared: tape.constant(g))
        XCTAssertEqual(e.order, [0, 1])
        XCTAssertEqual(tape.scalar(e.rayleigh), 9 / 1.25 + 0.5 * 1 / 5.25, accuracy: 1e-12)
        let sorted = EigenfunctionLoss(beta: 1, weights: [1, 0.5], penalty: 0).evaluate(values: tape.constant(f), gradientNormsSquared: tape.constant(g))
        XCTAssertEqual(sorted.order, [1, 0])
        XCTAssertEqual(tape.scalar(sorted.rayleigh), 1 / 5.25 + 0.5 * 9 / 1.25, accuracy: 1e-12)
    }

    func testGradientWithRespectToValuesAndGradientNorms() {
        var rng = RandomSource(seed: 8)
        let f = GradientCheck.random(10, 3, &rng)
        let g = GradientCheck.random(10, 3, &rng, minMagnitude: 0.2).applying(abs)
        let w = (0..<10).map { _ in 0.5 + rng.uniform() }
        let loss = EigenfunctionLoss(beta: 0.7, weights: [1, 0.6, 0.3], penalty: 4)
        GradientCheck.check([f, g]) { _, v in
            let e = loss.evaluate(values: v[0], gradientNormsSquared: v[1], sampleWeights: w)
            return e.rayleigh + e.covariance
        }
    }

    func testGradientWithRespectToNetworkWeightsThroughTheJacobian() {
        var rng = RandomSource(seed: 21)
        let net = MLP(sizes: [2, 5, 4, 2], activation: .tanh, rng: &rng)
        for b in net.biases { b.values = b.values.map { _ in 0.3 * rng.normal() } }
        let x = GradientCheck.random(9, 2, &rng)
        let loss = EigenfunctionLoss(beta: 1.3, weights: [1, 0.5], penalty: 2)
        assertParameterGradients(net.parameters) { tape in
            let (f, j) = net.jacobian(tape.constant(x))
            let e = loss.evaluate(values: f, gradientNormsSquared: JacobianLoss.gradientNormsSquared(j, outputs: 2))
            return e.rayleigh + e.covariance
        }
    }

    /// ∇ₓ(g∘ξ) = J_ξᵀ∇g for a 3-D latent space against the gradient of the composed network, and
    /// the gradient of Σ|∇ₓ(g∘ξ)|² with respect to both networks against finite differences.
    func testPullbackIsTheChainRuleAndDifferentiable() {
        var rng = RandomSource(seed: 4)
        let encoder = MLP(sizes: [4, 6, 3], activation: .tanh, rng: &rng)
        let g = MLP(sizes: [3, 5, 1], activation: .softplus, rng: &rng)
        let x = GradientCheck.random(7, 4, &rng)
        let tape = Tape()
        let input = tape.input(x)
        let (z, j) = encoder.jacobian(input)
        let (_, covector) = g.jacobian(z)
        let pulled = tape.value(JacobianLoss.pullback(covector, through: j, outputs: 3))
        tape.backward(tape.sum(g(encoder(input))))
        let direct = tape.gradient(input)
        for i in 0..<pulled.count { XCTAssertEqual(pulled.storage[i], direct.storage[i], accuracy: 1e-12) }
        assertParameterGradients(encoder.parameters + g.parameters) { t in
            let (z, j) = encoder.jacobian(t.constant(x))
            let (_, c) = g.jacobian(z)
            return t.sum(t.square(JacobianLoss.pullback(c, through: j, outputs: 3)))
        }
    }

    func testStackingAndReorderingComputeTheSameFunctions() {
        var rng = RandomSource(seed: 13)
        let nets = (0..<3).map { k in MLP(sizes: [2, 4 + k, 3, 1], activation: .tanh, rng: &rng) }
        for n in nets {
            for b in n.biases { b.values = b.values.map { _ in rng.normal() } }
            n.inputNormalization = Normalization(shift: [0.5, -1], scale: [2, 0.5])
        }
        nets[1].outputNormalization = Normalization(shift: [3], scale: [-2])
        let x = GradientCheck.random(6, 2, &rng)
        let stacked = MLP.stacking([nets[2], nets[0], nets[1]]).values(x)
        for (k, n) in [nets[2], nets[0], nets[1]].enumerated() {
            let single = n.values(x)
            for i in 0..<6 { XCTAssertEqual(stacked[i, k], single[i, 0], accuracy: 1e-12) }
        }
        let shared = MLP(sizes: [2, 5, 3], activation: .tanh, rng: &rng)
        shared.outputNormalization = Normalization(shift: [1, 2, 3], scale: [4, 5, 6])
        let before = shared.values(x), after = shared.reorderingOutputs([2, 0, 1]).values(x)
        for i in 0..<6 {
            XCTAssertEqual(after[i, 0], before[i, 2], accuracy: 1e-12)
            XCTAssertEqual(after[i, 1], before[i, 0], accuracy: 1e-12)
            XCTAssertEqual(after[i, 2], before[i, 1], accuracy: 1e-12)
        }
    }

    /// Central differences of `loss` in every parameter value against `backward`.
    func assertParameterGradients(_ parameters: [Parameter], file: StaticString = #filePath, line: UInt = #line,
                                  _ loss: (Tape) -> Variable) {
        let tape = Tape()
        tape.backward(loss(tape))
        let h = 1e-6
        for p in parameters {
            let analytic = p.gradients
            var values = p.values
            for i in values.indices {
                let saved = values[i]
                values[i] = saved + h; p.values = values
                let t1 = Tape(), plus = t1.scalar(loss(t1))
                values[i] = saved - h; p.values = values
                let t2 = Tape(), minus = t2.scalar(loss(t2))
                values[i] = saved; p.values = values
                let fd = (plus - minus) / (2 * h)
                if Swift.abs(fd - analytic[i]) > 1e-6 * Swift.max(1, Swift.abs(fd)) {
                    XCTFail("\(p.name)[\(i)]: analytic \(analytic[i]) vs finite difference \(fd)", file: file, line: line)
                    return
                }
            }
        }
    }
}

private extension Matrix {
    func applying(_ f: (Double) -> Double) -> Matrix { Matrix(rows: rows, cols: cols, storage: storage.map(f)) }
}
