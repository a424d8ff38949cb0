import FlowLinalg

/// The k nearest neighbours of every row of a point set (Euclidean), by blocked all-pairs squared
/// distances ‖a‖² + ‖b‖² − 2a·b (one BLAS product per block of rows). Quadratic in the number of
/// points, which suits the few-ten-thousand-point sets a diffusion-net constraint is built on.
enum NearestNeighbours {
    /// For each row i, its k nearest rows (itself included, at distance 0) and their squared
    /// distances, nearest first; ties go to the lower row index.
    static func search(_ x: Matrix, k: Int, monitor: WorkMonitor) throws -> (indices: [[Int]], squaredDistances: [[Double]]) {
        let n = x.rows, k = Swift.min(k, x.rows)
        let norms = (0..<n).map { i in x.row(i).reduce(0) { $0 + $1 * $1 } }
        var indices = [[Int]](repeating: [], count: n)
        var distances = [[Double]](repeating: [], count: n)
        let block = 256
        for start in stride(from: 0, to: n, by: block) {
            try monitor.checkCancellation()
            let rows = Array(start..<Swift.min(n, start + block))
            let a = Matrix(rows: rows.count, cols: x.cols, storage: rows.flatMap { x.row($0) })
            let products = a.multiplied(by: x, transposeOther: true)
            for (r, i) in rows.enumerated() {
                var bestIndex = [Int](), bestDistance = [Double]()
                bestIndex.reserveCapacity(k + 1)
                bestDistance.reserveCapacity(k + 1)
                for j in 0..<n {
                    let d = j == i ? 0 : Swift.max(0, norms[i] + norms[j] - 2 * products[r, j])
                    if bestDistance.count == k, d >= bestDistance[k - 1] { continue }
                    var p = bestDistance.count
                    while p > 0, bestDistance[p - 1] > d { p -= 1 }
                    bestDistance.insert(d, at: p)
                    bestIndex.insert(j, at: p)
                    if bestDistance.count > k {
                        bestDistance.removeLast()
                        bestIndex.removeLast()
                    }
                }
                indices[i] = bestIndex
                distances[i] = bestDistance
            }
        }
        return (indices, distances)
    }
}
