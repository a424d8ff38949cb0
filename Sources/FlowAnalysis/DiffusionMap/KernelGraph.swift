import Foundation
import FlowLinalg

/// The off-diagonal pairs (i, j) of a diffusion-map kernel graph with their squared distances:
/// every ordered pair for the dense kernel, the k nearest neighbours of each sample for the sparse
/// one (symmetrized as a union when the kernel matrix is built).
struct KernelGraph {
    let n: Int
    let rows: [Int32]
    let cols: [Int32]
    let squaredDistances: [Double]

    /// Every ordered pair i ≠ j; squared distances from one GEMM.
    init(denseDistancesOf data: Matrix) {
        n = data.rows
        let gram = data.gram(transposeFirst: false)
        let norms = gram.diagonal
        var r = [Int32](), c = [Int32](), d = [Double]()
        r.reserveCapacity(n * (n - 1)); c.reserveCapacity(n * (n - 1)); d.reserveCapacity(n * (n - 1))
        for i in 0..<n {
            for j in 0..<n where j != i {
                r.append(Int32(i)); c.append(Int32(j))
                d.append(Swift.max(0, norms[i] + norms[j] - 2 * gram.storage[i * n + j]))
            }
        }
        (rows, cols, squaredDistances) = (r, c, d)
    }

    /// The kNN pairs (self excluded).
    init(n: Int, neighbors: NeighborList) {
        self.n = n
        rows = (0..<(n * neighbors.k)).map { Int32($0 / neighbors.k) }
        cols = neighbors.indices
        squaredDistances = neighbors.squaredDistances
    }

    /// d²_ij/(ρ_iρ_j) of every `stride`-th pair: what the bandwidth search looks at.
    func scaledDistances(bandwidth rho: [Double], stride: Int) -> [Double] {
        Swift.stride(from: 0, to: squaredDistances.count, by: Swift.max(1, stride)).map {
            squaredDistances[$0] / (rho[Int(rows[$0])] * rho[Int(cols[$0])])
        }
    }

    /// K_ij = exp(−d²_ij/(4ερ_iρ_j)), union-symmetrized (exact for dense pairs, which are
    /// symmetric already); entries that underflow are dropped, so they join nothing.
    func kernel(epsilon: Double, bandwidth rho: [Double]) throws -> SparseMatrix {
        var r = [Int](), c = [Int](), v = [Double]()
        r.reserveCapacity(rows.count); c.reserveCapacity(rows.count); v.reserveCapacity(rows.count)
        for e in 0..<rows.count {
            let i = Int(rows[e]), j = Int(cols[e])
            let value = DiffusionKernel.value(squaredDistance: squaredDistances[e] / (rho[i] * rho[j]), epsilon: epsilon)
            if value > 0 {
                r.append(i); c.append(j); v.append(value)
            }
        }
        return try SparseMatrix(rows: n, cols: n, rowIndices: r, columnIndices: c, values: v).symmetrized(.union)
    }
}
