import XCTest
@testable import FlowLinalg

final class SparseAndLanczosTests: XCTestCase {
    func testTripletsSumDuplicatesAndProducts() throws {
        let m = try SparseMatrix(rows: 3, cols: 3, rowIndices: [0, 2, 0, 1, 0], columnIndices: [1, 0, 1, 2, 0],
                                 values: [1, 5, 2, 4, 7])
        XCTAssertEqual(m.dense, Matrix([[7, 3, 0], [0, 0, 4], [5, 0, 0]]))
        XCTAssertEqual(m.nonZeroCount, 4)
        XCTAssertEqual(m.multiplied(by: [1, 2, 3]), [13, 12, 5])
        XCTAssertEqual(m.rowSums, [10, 4, 5])
        XCTAssertEqual(m.transposed.dense, m.dense.transposed)
        XCTAssertEqual(m.scaled(left: [1, 2, 3], right: [1, 0, 1]).dense, Matrix([[7, 0, 0], [0, 0, 8], [15, 0, 0]]))
        XCTAssertEqual(try m.symmetrized(.average).dense, Matrix([[7, 1.5, 2.5], [1.5, 0, 2], [2.5, 2, 0]]))
        XCTAssertEqual(try m.symmetrized(.union).dense, Matrix([[7, 3, 5], [3, 0, 4], [5, 4, 0]]))
        XCTAssertEqual(try m.symmetrized(.intersection).dense, Matrix([[7, 0, 0], [0, 0, 0], [0, 0, 0]]))
        XCTAssertThrowsError(try SparseMatrix(rows: 2, cols: 2, rowIndices: [2], columnIndices: [0], values: [1]))
    }

    /// A random sparse symmetric matrix with a dominant diagonal ramp (distinct eigenvalues).
    func randomSymmetric(_ n: Int) throws -> SparseMatrix {
        var rng = RandomSource(seed: 11)
        var r = [Int](), c = [Int](), v = [Double]()
        for i in 0..<n {
            r.append(i); c.append(i); v.append(Double(i) / Double(n) * 10)
            for _ in 0..<3 {
                let j = rng.index(below: n), x = rng.normal()
                r += [i, j]; c += [j, i]; v += [x, x]
            }
        }
        return try SparseMatrix(rows: n, cols: n, rowIndices: r, columnIndices: c, values: v)
    }

    func testARPACKAgreesWithLAPACK() throws {
        let s = try randomSymmetric(400)
        let dense = try s.dense.symmetricEigen()
        let largest = try s.symmetricEigen(count: 5, target: .largestAlgebraic)
        XCTAssertEqual(largest.values, Array(dense.values.suffix(5)), accuracy: 1e-9)
        let smallest = try s.symmetricEigen(count: 4, target: .smallestAlgebraic)
        XCTAssertEqual(smallest.values, Array(dense.values.prefix(4)), accuracy: 1e-9)
        for j in 0..<4 {
            let overlap = smallest.vectors.column(j).dot(dense.vectors.column(j))
            XCTAssertEqual(abs(overlap), 1, accuracy: 1e-7)
        }
        // Shift-invert around σ = 5 with a dense LU solve of (A − σI).
        let sigma = 5.0
        let shifted = s.dense - sigma * Matrix.identity(400)
        let near = try s.symmetricEigen(count: 3, target: .nearest(sigma: sigma, solve: { b, x in
            let sol = try shifted.solve(Array(UnsafeBufferPointer(start: b, count: 400)))
            x.update(from: sol, count: 400)
        }))
        let expected = dense.values.sorted { abs($0 - sigma) < abs($1 - sigma) }.prefix(3).sorted()
        XCTAssertEqual(near.values, expected, accuracy: 1e-9)
        // Reproducible: the fixed start vector gives bit-identical results.
        XCTAssertEqual(try s.symmetricEigen(count: 5, target: .largestAlgebraic).values, largest.values)
    }

    func testARPACKReportsNonConvergence() throws {
        let s = try randomSymmetric(300)
        XCTAssertThrowsError(try s.symmetricEigen(count: 6, target: .smallestAlgebraic,
                                                  options: .init(ncv: 13, maxIterations: 2))) { error in
            XCTAssertTrue("\(error)".contains("no convergence"), "\(error)")
        }
        XCTAssertThrowsError(try s.symmetricEigen(count: 300, target: .largestAlgebraic))
    }

    func testBandedCholeskyMatchesDenseSolve() throws {
        let n = 30, w = 3
        var entries = [(Int, Int, Double)]()
        var dense = Matrix(rows: n, cols: n)
        for i in 0..<n {
            entries.append((i, i, 10)); dense[i, i] = 10
            for d in 1...w where i - d >= 0 {
                let v = 1.0 / Double(d + i % 3)
                entries.append((i, i - d, v)); dense[i, i - d] = v; dense[i - d, i] = v
            }
        }
        let factor = try BandedCholesky(dimension: n, lowerEntries: entries)
        XCTAssertEqual(factor.bandwidth, w)
        var b = (0..<n).map { Double($0 % 5) - 2 }
        let reference = try dense.solve(b)
        try factor.solve(&b)
        XCTAssertEqual(b, reference, accuracy: 1e-12)
    }

    func testConnectedComponents() throws {
        let g = try SparseMatrix(rows: 5, cols: 5, rowIndices: [0, 1, 3, 4], columnIndices: [1, 0, 4, 3], values: [1, 1, 1, 1])
        let c = ConnectedComponents(g)
        XCTAssertEqual(c.count, 3)
        XCTAssertEqual(c.labels, [0, 0, 1, 2, 2])
        XCTAssertEqual(c.largestSize, 2)
    }
}
