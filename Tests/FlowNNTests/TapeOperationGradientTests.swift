import XCTest
import FlowLinalg
@testable import FlowNN

/// Every tape operation against central finite differences.
final class TapeOperationGradientTests: XCTestCase {
    var rng = RandomSource(seed: 7)

    func r(_ m: Int, _ n: Int, away: Double = 0) -> Matrix {
        GradientCheck.random(m, n, &rng, minMagnitude: away)
    }

    func testMatmulAllTransposes() {
        for ta in [false, true] {
            for tb in [false, true] {
                let a = ta ? r(4, 3) : r(3, 4), b = tb ? r(5, 4) : r(4, 5)
                GradientCheck.check([a, b]) { t, v in
                    GradientCheck.contract(t, t.matmul(v[0], v[1], transposeA: ta, transposeB: tb))
                }
            }
        }
    }

    func testLinear() {
        GradientCheck.check([r(6, 3), r(3, 4), r(1, 4)]) { t, v in
            GradientCheck.contract(t, t.linear(v[0], weight: v[1], bias: v[2]))
        }
    }

    func testBinaryOperatorsWithEveryBroadcastShape() {
        let shapes = [(5, 3), (1, 3), (5, 1), (1, 1)]
        for (ra, ca) in shapes {
            for (rb, cb) in shapes {
                let a = r(ra, ca, away: 0.3), b = r(rb, cb, away: 0.3)
                GradientCheck.check([a, b]) { t, v in
                    let s = v[0] + v[1], d = v[0] - v[1], p = v[0] * v[1], q = v[0] / v[1]
                    return GradientCheck.contract(t, t.concatColumns([s, d, p, q]))
                }
            }
        }
    }

    func testScalarOperators() {
        GradientCheck.check([r(4, 3, away: 0.3)]) { t, v in
            let x = v[0]
            return GradientCheck.contract(t, t.concatColumns([x + 2, 2 + x, x - 1.5, 3 - x, x * 1.7, 0.5 * x,
                                                              x / 4, 2 / x, -x]))
        }
    }

    func testActivations() {
        for kind in Activation.allCases {
            GradientCheck.check([r(5, 4, away: 0.05)]) { t, v in
                GradientCheck.contract(t, t.activation(v[0], kind))
            }
        }
    }

    func testActivationDerivativesAndTheirGradients() {
        let z = r(5, 4, away: 0.05)
        for kind in Activation.allCases {
            let h = 1e-6
            let tape = Tape()
            let zv = tape.constant(z)
            let d = tape.value(tape.activationDerivative(kind, preactivation: zv, output: tape.activation(zv, kind)))
            for i in 0..<z.count {
                let fd = (kind.value(z.storage[i] + h) - kind.value(z.storage[i] - h)) / (2 * h)
                XCTAssertEqual(d.storage[i], fd, accuracy: 1e-7, "\(kind) σ′")
            }
            GradientCheck.check([z]) { t, v in
                GradientCheck.contract(t, t.activationDerivative(kind, preactivation: v[0],
                                                                 output: t.activation(v[0], kind)))
            }
        }
    }

    func testUnaryFunctions() {
        let x = r(4, 3, away: 0.2)
        let positive = Matrix(rows: 4, cols: 3, storage: x.storage.map { Swift.abs($0) + 0.1 })
        GradientCheck.check([x]) { t, v in
            GradientCheck.contract(t, t.concatColumns([v[0].squared(), v[0].exp(), v[0].abs(),
                                                       t.affine(v[0], scale: -0.7, shift: 0.2)]))
        }
        GradientCheck.check([positive]) { t, v in
            GradientCheck.contract(t, t.concatColumns([v[0].log(), v[0].sqrt()]))
        }
    }

    func testReductions() {
        GradientCheck.check([r(6, 4)]) { t, v in
            let x = v[0]
            let a = GradientCheck.contract(t, x.sumOverRows(), seed: 1) + GradientCheck.contract(t, x.sumOverColumns(), seed: 2)
            let b = GradientCheck.contract(t, x.meanOverRows(), seed: 3) + GradientCheck.contract(t, x.meanOverColumns(), seed: 4)
            return a + b + 3 * x.sum() + 5 * x.mean()
        }
    }

    func testLargeReductionsAreChunkedDeterministically() {
        // Above the parallel grain, chunked partial sums must agree with a plain sum.
        let x = r(20_000, 3)
        let tape = Tape()
        let v = tape.constant(x)
        let cols = tape.value(v.sumOverRows())
        for j in 0..<3 {
            let plain = (0..<x.rows).reduce(0.0) { $0 + x[$1, j] }
            XCTAssertEqual(cols.storage[j], plain, accuracy: 1e-9)
        }
        XCTAssertEqual(tape.scalar(v.sum()), x.storage.reduce(0, +), accuracy: 1e-9)
    }

    func testConcatenationSlicingReshapeRepeat() {
        GradientCheck.check([r(4, 3), r(4, 2), r(2, 3)]) { t, v in
            let c = t.concatColumns([v[0], v[1]])
            let s = c.sliceColumns(1..<4)
            let rws = t.concatRows([v[0], v[2]]).sliceRows(1..<5)
            let rs = rws.reshaped(rows: 2, cols: 6)
            let rep = t.repeatRows(v[2], times: 3)
            return GradientCheck.contract(t, s, seed: 1) + GradientCheck.contract(t, rs, seed: 2)
                + GradientCheck.contract(t, rep, seed: 3)
        }
    }

    func testBlockOperations() {
        let k = 3
        GradientCheck.check([r(4 * k, 5), r(4, 5)]) { t, v in
            let mr = t.multiplyRepeated(v[0], by: v[1], blockSize: k)
            let gram = t.blockGram(v[0], blockSize: k)
            let tr = t.blockTranspose(v[0], blockSize: k)
            return GradientCheck.contract(t, mr, seed: 1) + GradientCheck.contract(t, gram, seed: 2)
                + GradientCheck.contract(t, tr, seed: 3)
        }
    }

    func testBlockOperationValues() {
        let j = r(2 * 2, 3)
        let tape = Tape()
        let jv = tape.constant(j)
        let gram = tape.value(tape.blockGram(jv, blockSize: 2))
        let tr = tape.value(tape.blockTranspose(jv, blockSize: 2))
        for b in 0..<2 {
            for p in 0..<2 {
                for q in 0..<2 {
                    let dot = (0..<3).reduce(0.0) { $0 + j[b * 2 + p, $1] * j[b * 2 + q, $1] }
                    XCTAssertEqual(gram[b, p * 2 + q], dot, accuracy: 1e-15)
                }
                for c in 0..<3 { XCTAssertEqual(tr[b * 3 + c, p], j[b * 2 + p, c]) }
            }
        }
    }

    /// A custom op: per-sample energy E(x) = Σⱼ xⱼ⁴ / 4 with VJP g·x³.
    func testCustomOperation() {
        GradientCheck.check([r(5, 3)]) { t, v in
            let e = t.custom(v[0]) { x in
                var out = Matrix(rows: x.rows, cols: 1)
                for i in 0..<x.rows { out[i, 0] = x.row(i).reduce(0) { $0 + $1 * $1 * $1 * $1 / 4 } }
                return (out, { g in
                    var dx = x
                    for i in 0..<x.rows { for j in 0..<x.cols { dx[i, j] = g[i, 0] * x[i, j] * x[i, j] * x[i, j] } }
                    return dx
                })
            }
            return GradientCheck.contract(t, e)
        }
    }

    func testParameterUsedTwiceAccumulatesAndUnusedParameterGetsZero() {
        let p = Parameter(name: "p", rows: 2, cols: 2, values: [1, 2, 3, 4])
        let unused = Parameter(name: "u", rows: 1, cols: 1, values: [5])
        unused.gradient[0] = 42
        let tape = Tape()
        let a = tape.parameter(p), b = tape.parameter(p)
        _ = tape.parameter(unused)
        XCTAssertEqual(a.index, b.index)
        tape.backward(tape.sum(a * b))
        XCTAssertEqual(p.gradients, [2, 4, 6, 8])
        XCTAssertEqual(unused.gradients, [0])
    }

    func testTapeReuseAfterResetGivesSameResults() {
        let x = r(300, 7)
        let p = Parameter(name: "w", rows: 7, cols: 5, values: r(7, 5).storage)
        let tape = Tape()
        var grads: [[Double]] = []
        for _ in 0..<3 {
            tape.reset()
            let loss = tape.mean(tape.matmul(tape.constant(x), tape.parameter(p)).tanh().squared())
            tape.backward(loss)
            grads.append(p.gradients)
        }
        XCTAssertEqual(grads[0], grads[1])
        XCTAssertEqual(grads[1], grads[2])
    }
}
