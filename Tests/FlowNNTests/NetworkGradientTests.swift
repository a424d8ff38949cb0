import XCTest
import FlowLinalg
@testable import FlowNN

/// MLP gradients (weights and inputs), tape-built Jacobians, and the Jacobian losses, all against
/// central finite differences.
final class NetworkGradientTests: XCTestCase {
    /// A network with non-trivial normalization and biases, so that every path is exercised.
    func network(_ sizes: [Int], _ act: Activation, output: Activation = .identity, seed: UInt64 = 3) -> MLP {
        var rng = RandomSource(seed: seed)
        let net = MLP(sizes: sizes, activation: act, outputActivation: output, rng: &rng)
        for b in net.biases { b.values = b.values.map { _ in 0.3 * rng.normal() } }
        net.inputNormalization = Normalization(shift: (0..<sizes[0]).map { _ in rng.normal() },
                                               scale: (0..<sizes[0]).map { _ in 0.5 + rng.uniform() })
        net.outputNormalization = Normalization(shift: (0..<sizes.last!).map { _ in rng.normal() },
                                                scale: (0..<sizes.last!).map { _ in 0.5 + rng.uniform() })
        return net
    }

    /// Checks d loss / d (every parameter of `net`) with central differences (`GradientCheck`).
    func checkParameters(_ net: MLP, tolerance: Double = 1e-6, file: StaticString = #filePath, line: UInt = #line,
                         _ loss: (Tape) -> Variable) {
        GradientCheck.checkParameters(net.parameters, tolerance: tolerance, file: file, line: line, loss)
    }

    func testMLPGradientsForEveryActivation() {
        var rng = RandomSource(seed: 11)
        let x = GradientCheck.random(6, 3, &rng)
        for act in Activation.allCases {
            let net = network([3, 5, 4, 2], act, output: act == .identity ? .sigmoid : .identity)
            checkParameters(net) { t in GradientCheck.contract(t, net(t.constant(x))) }
            GradientCheck.check([x]) { t, v in GradientCheck.contract(t, net(v[0])) }
        }
    }

    /// The tape Jacobian equals finite differences of the network output, in both propagation
    /// directions (d < D from the output side, d > D from the input side).
    func testJacobianValues() {
        var rng = RandomSource(seed: 12)
        for (sizes, act) in [([4, 6, 5, 2], Activation.tanh), ([2, 6, 5, 3], .softplus), ([3, 4, 3], .elu)] {
            let net = network(sizes, act, output: .sigmoid)
            let d = sizes.last!, inDim = sizes[0]
            let x = GradientCheck.random(5, inDim, &rng)
            let tape = Tape()
            let j = tape.value(net.jacobian(tape.constant(x)).jacobian)
            XCTAssertEqual(j.rows, 5 * d)
            XCTAssertEqual(j.cols, inDim)
            let h = 1e-6
            for b in 0..<5 {
                for i in 0..<inDim {
                    var xp = x, xm = x
                    xp[b, i] += h; xm[b, i] -= h
                    let tp = Tape(), tm = Tape()
                    let yp = tp.value(net(tp.constant(xp))), ym = tm.value(net(tm.constant(xm)))
                    for k in 0..<d {
                        XCTAssertEqual(j[b * d + k, i], (yp[b, k] - ym[b, k]) / (2 * h), accuracy: 1e-7)
                    }
                }
            }
        }
    }

    func testOrthonormalityLossGradient() {
        var rng = RandomSource(seed: 13)
        for sizes in [[5, 6, 4, 2], [2, 5, 3]] {
            let net = network(sizes, .tanh)
            let x = GradientCheck.random(4, sizes[0], &rng)
            let d = sizes.last!
            checkParameters(net) { t in JacobianLoss.orthonormality(net.jacobian(t.constant(x)).jacobian, outputs: d) }
            GradientCheck.check([x]) { t, v in JacobianLoss.orthonormality(net.jacobian(v[0]).jacobian, outputs: d) }
        }
    }

    func testOrthonormalityLossValue() {
        // A linear map with orthonormal rows has zero loss; scaling it by 2 gives ‖4I − I‖² = 9·d.
        let w: [Double] = [0.6, -0.8, 0, 0.8, 0.6, 0, 0, 0, 0, 0, 0, 1]   // 4 × 3 (in × out) = Jᵀ
        for (scale, expected) in [(1.0, 0.0), (2.0, 27.0)] {
            let net = MLP(sizes: [4, 3], activations: [.identity], weights: [w.map { $0 * scale }], biases: [[0, 0, 0]],
                          inputNormalization: .identity(4), outputNormalization: .identity(3))
            let tape = Tape()
            let loss = JacobianLoss.orthonormality(net.jacobian(tape.constant(Matrix(rows: 2, cols: 4))).jacobian, outputs: 3)
            XCTAssertEqual(tape.scalar(loss), expected, accuracy: 1e-12)
        }
    }

    func testOrthogonalityLossGradientAndValue() {
        var rng = RandomSource(seed: 14)
        let net = network([4, 6, 2], .tanh)
        let x = GradientCheck.random(5, 4, &rng)
        let normals = GradientCheck.random(5, 4, &rng)
        for squared in [false, true] {
            checkParameters(net) { t in
                JacobianLoss.orthogonality(net.jacobian(t.constant(x)).jacobian, normals: t.constant(normals),
                                           outputs: 2, squared: squared)
            }
        }
        // Independent value: ‖Jv‖ / (‖J‖_F ‖v‖) from the finite-difference Jacobian.
        let tape = Tape()
        let j = tape.value(net.jacobian(tape.constant(x)).jacobian)
        let loss = tape.scalar(JacobianLoss.orthogonality(net.jacobian(tape.constant(x)).jacobian,
                                                          normals: tape.constant(normals), outputs: 2, epsilon: 0))
        var expected = 0.0
        for b in 0..<5 {
            var jv2 = 0.0, j2 = 0.0, v2 = 0.0
            for k in 0..<2 {
                var s = 0.0
                for i in 0..<4 { s += j[b * 2 + k, i] * normals[b, i]; j2 += j[b * 2 + k, i] * j[b * 2 + k, i] }
                jv2 += s * s
            }
            for i in 0..<4 { v2 += normals[b, i] * normals[b, i] }
            expected += (jv2 / (j2 * v2)).squareRoot() / 5
        }
        XCTAssertEqual(loss, expected, accuracy: 1e-12)
    }

    func testRayleighQuotientGradientAndValue() {
        var rng = RandomSource(seed: 15)
        let net = network([2, 6, 5, 3], .tanh)
        let x = GradientCheck.random(8, 2, &rng)
        checkParameters(net) { t in
            let (f, j) = net.jacobian(t.constant(x))
            return t.sum(JacobianLoss.rayleighQuotients(values: f, jacobian: j))
        }
        // f(x) = a·x on data with known variance: E|∇f|²/Var f = |a|² / Var(a·x).
        let lin = MLP(sizes: [2, 1], activations: [.identity], weights: [[2, -1]], biases: [[0.5]],
                      inputNormalization: .identity(2), outputNormalization: .identity(1))
        let tape = Tape()
        let (f, j) = lin.jacobian(tape.constant(x))
        let q = tape.scalar(JacobianLoss.rayleighQuotients(values: f, jacobian: j))
        let values = (0..<8).map { 2 * x[$0, 0] - x[$0, 1] }
        let mean = values.reduce(0, +) / 8
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 8
        XCTAssertEqual(q, 5 / variance, accuracy: 1e-10)
    }
}
