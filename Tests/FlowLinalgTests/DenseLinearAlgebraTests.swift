import XCTest
@testable import FlowLinalg

final class DenseLinearAlgebraTests: XCTestCase {
    let a = Matrix([[1, 2, 3], [4, 5, 6]])
    let b = Matrix([[7, 8], [9, 10], [11, 12]])

    func testGemmWithTransposesAndScaling() {
        XCTAssertEqual(a * b, Matrix([[58, 64], [139, 154]]))
        XCTAssertEqual(a.multiplied(by: a, transposeSelf: true), Matrix([[17, 22, 27], [22, 29, 36], [27, 36, 45]]))
        XCTAssertEqual(a.multiplied(by: a, transposeOther: true, alpha: 2), Matrix([[28, 64], [64, 154]]))
        var c = Matrix([[1, 1], [1, 1]])
        Matrix.gemm(b, transposeA: true, a, transposeB: true, alpha: 1, beta: -1, into: &c)
        XCTAssertEqual(c, Matrix([[57, 138], [63, 153]]))
    }

    func testGemvSyrkAndLevel1() {
        XCTAssertEqual(a * [1, 0, -1], [-2, -2])
        XCTAssertEqual(a.multiplied(by: [1, 1], transposeSelf: true), [5, 7, 9])
        XCTAssertEqual(a.gram(), a.multiplied(by: a, transposeSelf: true))
        XCTAssertEqual(a.gram(transposeFirst: false), Matrix([[14, 32], [32, 77]]))
        XCTAssertEqual([1.0, 2, 3].dot([4, 5, 6]), 32)
        XCTAssertEqual([3.0, 4].norm2, 5)
        var y = [1.0, 1]
        y.axpy(2, [3, 4])
        XCTAssertEqual(y, [7, 9])
    }

    func testElementwiseTransposeAndSlicing() {
        XCTAssertEqual(a.transposed, Matrix([[1, 4], [2, 5], [3, 6]]))
        let big = Matrix(rows: 70, cols: 45, storage: (0..<3150).map(Double.init))
        XCTAssertEqual(big.transposed[44, 69], big[69, 44])
        XCTAssertEqual(big.transposed.transposed, big)
        XCTAssertEqual(a + a, 2 * a)
        XCTAssertEqual(a - a, Matrix(rows: 2, cols: 3))
        XCTAssertEqual(a.hadamard(a), Matrix([[1, 4, 9], [16, 25, 36]]))
        XCTAssertEqual(a.rows([1, 0]), Matrix([[4, 5, 6], [1, 2, 3]]))
        XCTAssertEqual(a.columns([2, 0]), Matrix([[3, 1], [6, 4]]))
        XCTAssertEqual(b.rows(1..<3), Matrix([[9, 10], [11, 12]]))
        XCTAssertEqual(a.scalingRows([2, 0]), Matrix([[2, 4, 6], [0, 0, 0]]))
        XCTAssertEqual(a.scalingColumns([1, 0, -1]), Matrix([[1, 0, -3], [4, 0, -6]]))
    }

    func testSymmetricEigenAgainstAnalyticSpectrum() throws {
        // 1D Dirichlet Laplacian tridiag(-1, 2, -1): λ_k = 2 − 2cos(kπ/(n+1)), v_k(i) ∝ sin(ikπ/(n+1)).
        let n = 12
        var t = Matrix(rows: n, cols: n)
        for i in 0..<n { t[i, i] = 2; if i > 0 { t[i, i - 1] = -1; t[i - 1, i] = -1 } }
        let exact = (1...n).map { 2 - 2 * cos(Double($0) * .pi / Double(n + 1)) }
        let all = try t.symmetricEigen()
        for k in 0..<n { XCTAssertEqual(all.values[k], exact[k], accuracy: 1e-12) }
        let low = try t.symmetricEigen(.smallest(2))
        XCTAssertEqual(low.values.count, 2)
        XCTAssertEqual(low.values[1], exact[1], accuracy: 1e-12)
        let v = low.vectors.column(0)
        let s = (1...n).map { sin(Double($0) * .pi / Double(n + 1)) }
        XCTAssertEqual(abs(v.dot(s)) / s.norm2, 1, accuracy: 1e-12)
        let high = try t.symmetricEigen(.largest(3))
        XCTAssertEqual(high.values, Array(exact[(n - 3)...]), accuracy: 1e-12)
        XCTAssertThrowsError(try a.symmetricEigen())
    }

    func testCholeskyLUAndLeastSquares() throws {
        let spd = Matrix([[4, 2], [2, 3]])
        let l = try spd.cholesky()
        XCTAssertEqual(l, Matrix([[2, 0], [1, (2.0).squareRoot()]]))
        XCTAssertEqual(l.multiplied(by: l, transposeOther: true).maxAbsDifference(spd), 0, accuracy: 1e-14)
        XCTAssertEqual(try spd.choleskySolve(Matrix(rows: 2, cols: 1, storage: [8, 7])).storage, [1.25, 1.5], accuracy: 1e-14)
        XCTAssertThrowsError(try Matrix([[1, 2], [2, 1]]).cholesky()) { error in
            XCTAssertEqual("\(error)", "LAPACK dpotrf failed (info = 2): the leading minor of order 2 is not positive definite")
        }
        XCTAssertEqual(try Matrix([[0, 1], [2, 0]]).solve([3, 4]), [2, 3], accuracy: 1e-14)
        XCTAssertThrowsError(try Matrix([[1, 2], [2, 4]]).solve([1, 1])) { error in
            XCTAssertTrue("\(error)".contains("singular"))
        }
        // Line through (0,1), (1,3), (2,5): y = 1 + 2x exactly; plus a rank-deficient case.
        let design = Matrix([[1, 0], [1, 1], [1, 2]])
        let fit = try design.leastSquares(Matrix(rows: 3, cols: 1, storage: [1, 3, 5]))
        XCTAssertEqual(fit.solution.storage, [1, 2], accuracy: 1e-12)
        XCTAssertEqual(fit.rank, 2)
        let deficient = try Matrix([[1, 1], [1, 1]]).leastSquares(Matrix(rows: 2, cols: 1, storage: [2, 2]))
        XCTAssertEqual(deficient.rank, 1)
        XCTAssertEqual(deficient.solution.storage, [1, 1], accuracy: 1e-12)  // minimum-norm solution
    }

    func testSVD() throws {
        // [[3, 0], [4, 5]] has singular values √45 and √5.
        let m = Matrix([[3, 0], [4, 5]])
        let s = try m.svd()
        XCTAssertEqual(s.singularValues, [(45.0).squareRoot(), (5.0).squareRoot()], accuracy: 1e-12)
        let rebuilt = s.u.scalingColumns(s.singularValues) * s.vt
        XCTAssertEqual(rebuilt.maxAbsDifference(m), 0, accuracy: 1e-12)
        let thin = try a.svd()
        XCTAssertEqual(thin.u.shape.rows, 2); XCTAssertEqual(thin.vt.shape.rows, 2); XCTAssertEqual(thin.vt.shape.cols, 3)
        XCTAssertEqual((thin.u.scalingColumns(thin.singularValues) * thin.vt).maxAbsDifference(a), 0, accuracy: 1e-12)
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "lengths differ", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
