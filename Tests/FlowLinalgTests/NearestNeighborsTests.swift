import XCTest
@testable import FlowLinalg

final class NearestNeighborsTests: XCTestCase {
    /// Exhaustive reference: all distances by the direct formula, sorted by (distance, index).
    func bruteForce(_ q: Matrix, _ r: Matrix, k: Int, excludeSelf: Bool) -> NeighborList {
        var idx = [Int32](), dist = [Double]()
        for i in 0..<q.rows {
            var all = [(Double, Int32)]()
            for j in 0..<r.rows where !(excludeSelf && i == j) {
                var s = 0.0
                for t in 0..<q.cols { s += (q[i, t] - r[j, t]) * (q[i, t] - r[j, t]) }
                all.append((s, Int32(j)))
            }
            all.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            idx += all.prefix(k).map { $0.1 }
            dist += all.prefix(k).map { $0.0 }
        }
        return NeighborList(queryCount: q.rows, k: k, indices: idx, squaredDistances: dist)
    }

    /// Small-integer coordinates: GEMM distances are exact, and ties and duplicates are frequent.
    func latticePoints(_ n: Int, _ d: Int, seed: UInt64) -> Matrix {
        var rng = RandomSource(seed: seed)
        return Matrix(rows: n, cols: d, storage: (0..<(n * d)).map { _ in Double(rng.index(below: 5)) - 2 })
    }

    func testAllMethodsMatchBruteForceWithTiesAndDuplicates() throws {
        for (n, d, k) in [(60, 1, 5), (300, 2, 12), (257, 3, 7), (200, 9, 20), (150, 30, 4)] {
            let x = latticePoints(n, d, seed: UInt64(n * 31 + d))
            let reference = bruteForce(x, x, k: k, excludeSelf: true)
            let methods: [NearestNeighbors.Method] = [.bruteForce(queryBlock: 7, referenceBlock: 13),
                                                     .bruteForce(queryBlock: 512, referenceBlock: 4096),
                                                     .kdTree(leafSize: 1), .kdTree(leafSize: 16), .automatic]
            for method in methods {
                for threads in [1, 3] {
                    let found = try NearestNeighbors.search(x, k: k, method: method, threads: threads)
                    XCTAssertEqual(found, reference, "n=\(n) d=\(d) k=\(k) \(method) threads=\(threads)")
                }
            }
            let withSelf = try NearestNeighbors.search(x, k: k, includeSelf: true, method: .kdTree(leafSize: 4))
            for i in 0..<n {
                XCTAssertEqual(withSelf.indices(of: i).first, Int32(i))
                XCTAssertEqual(Array(withSelf.indices(of: i).dropFirst()), Array(reference.indices(of: i).prefix(k - 1)))
            }
        }
    }

    func testContinuousDataAndSeparateQueries() throws {
        var rng = RandomSource(seed: 5)
        let r = Matrix(rows: 500, cols: 6, storage: (0..<3000).map { _ in rng.normal() * 3 + 100 })
        let q = Matrix(rows: 40, cols: 6, storage: (0..<240).map { _ in rng.normal() * 3 + 100 })
        let reference = bruteForce(q, r, k: 10, excludeSelf: false)
        for method in [NearestNeighbors.Method.bruteForce(queryBlock: 16, referenceBlock: 100), .kdTree(leafSize: 8)] {
            let found = try NearestNeighbors.search(queries: q, reference: r, k: 10, method: method)
            XCTAssertEqual(found.indices, reference.indices)
            XCTAssertEqual(found.squaredDistances, reference.squaredDistances, accuracy: 0)
        }
        XCTAssertThrowsError(try NearestNeighbors.search(r, k: 500))
    }
}
