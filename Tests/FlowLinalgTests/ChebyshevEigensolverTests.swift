import XCTest
@testable import FlowLinalg

/// Chebyshev-filtered subspace iteration against LAPACK (dense dsyevr on the same matrix) and
/// ARPACK, on the operators it is built for: the symmetric conjugate D^{-1/2} K D^{-1/2} of a
/// Gaussian k-nearest-neighbour kernel on random points of a 1 × 0.6 rectangle (spectrum in
/// [−1, 1], trivial eigenvector D^{1/2}1 with eigenvalue 1, slow modes close to 1).
final class ChebyshevEigensolverTests: XCTestCase {
    /// The conjugate matrix and its trivial unit eigenvector.
    static func kernelConjugate(_ n: Int, k: Int, epsilon: Double, seed: UInt64) throws -> (SparseMatrix, [Double]) {
        var rng = RandomSource(seed: seed)
        let points = Matrix(rows: n, cols: 2, storage: (0..<n).flatMap { _ in [rng.uniform(), 0.6 * rng.uniform()] })
        let list = try NearestNeighbors.search(points, k: k)
        var r = [Int](), c = [Int](), v = [Double]()
        for i in 0..<n {
            for t in 0..<k {
                r.append(i); c.append(Int(list.indices[i * k + t]))
                v.append(exp(-list.squaredDistances[i * k + t] / (4 * epsilon)))
            }
        }
        let kernel = try SparseMatrix(rows: n, cols: n, rowIndices: r, columnIndices: c, values: v).symmetrized(.union)
        let d = kernel.rowSums
        let s = d.map { 1 / $0.squareRoot() }
        let trivial = d.map { $0.squareRoot() }
        let norm = trivial.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return (kernel.scaled(left: s, right: s), trivial.map { $0 / norm })
    }

    /// |⟨u, v⟩| for unit vectors: 1 when they span the same line.
    static func alignment(_ u: [Double], _ v: [Double]) -> Double { abs(zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }) }

    func testMatchesLAPACKOnDenseProblemsUpTo3000Points() throws {
        for (n, k) in [(300, 40), (3000, 48)] {
            let (h, trivial) = try Self.kernelConjugate(n, k: k, epsilon: 2e-3 * 3000 / Double(n), seed: 11)
            let reference = try h.dense.symmetricEigen(.largest(5))
            var stats: ChebyshevEigensolver.Statistics?
            let found = try ChebyshevEigensolver.largest(
                dimension: n, count: 4, deflating: Matrix(rows: n, cols: 1, storage: trivial),
                options: .init(tolerance: 1e-10), statistics: { stats = $0 }) { x, y in y = h.multiplied(byBlock: x) }
            XCTAssertEqual(reference.values[4], 1, accuracy: 1e-12, "the trivial eigenvalue")
            for j in 0..<4 {
                // LAPACK's 4 largest below the trivial one, ascending, against ours, ascending.
                XCTAssertEqual(found.values[j], reference.values[j], accuracy: 1e-12, "n = \(n), eigenvalue \(j)")
                XCTAssertGreaterThan(Self.alignment(found.vectors.column(j), reference.vectors.column(j)), 1 - 1e-8)
            }
            print("Chebyshev vs LAPACK n = \(n): \(found.values) vs \(Array(reference.values.prefix(4))), \(stats!.blockProducts) block products of \(stats!.blockSize)")
        }
    }

    func testMatchesARPACKOnASparseKernel() throws {
        let n = 20_000
        let (h, trivial) = try Self.kernelConjugate(n, k: 32, epsilon: 2.5e-4, seed: 5)
        let arpack = try h.symmetricEigen(count: 5, target: .largestAlgebraic, options: .init(ncv: 40, tolerance: 1e-12))
        let found = try ChebyshevEigensolver.largest(dimension: n, count: 4, deflating: Matrix(rows: n, cols: 1, storage: trivial),
                                                     options: .init(tolerance: 1e-10)) { x, y in y = h.multiplied(byBlock: x) }
        XCTAssertEqual(arpack.values[4], 1, accuracy: 1e-12)
        for j in 0..<4 {
            XCTAssertEqual(found.values[j], arpack.values[j], accuracy: 1e-11, "eigenvalue \(j)")
            XCTAssertGreaterThan(Self.alignment(found.vectors.column(j), arpack.vectors.column(j)), 1 - 1e-8)
        }
        print("Chebyshev vs ARPACK n = \(n): \(found.values) vs \(Array(arpack.values.prefix(4)))")
    }

    func testSameStartGivesBitIdenticalResults() throws {
        let (h, trivial) = try Self.kernelConjugate(500, k: 30, epsilon: 0.01, seed: 3)
        let run = { try ChebyshevEigensolver.largest(dimension: 500, count: 3, deflating: Matrix(rows: 500, cols: 1, storage: trivial)) { x, y in
            y = h.multiplied(byBlock: x)
        } }
        let a = try run(), b = try run()
        XCTAssertEqual(a.values, b.values)
        XCTAssertEqual(a.vectors, b.vectors)
    }
}
