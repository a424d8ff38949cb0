import CBLAS

/// The k nearest neighbours of each query point: row i lists neighbour indices and squared
/// Euclidean distances sorted by (distance, index). Indices are 32-bit (10⁶ points × 64
/// neighbours fit in 256 MB per array).
public struct NeighborList: Sendable, Equatable {
    public let queryCount: Int
    public let k: Int
    /// queryCount × k, row-major.
    public var indices: [Int32]
    /// queryCount × k, row-major, non-negative.
    public var squaredDistances: [Double]

    public func indices(of i: Int) -> ArraySlice<Int32> { indices[(i * k)..<((i + 1) * k)] }
    public func squaredDistances(of i: Int) -> ArraySlice<Double> { squaredDistances[(i * k)..<((i + 1) * k)] }
}

/// Exact k-nearest-neighbour search.
///
/// Two exact methods: blocked brute force, where the distances of a block of queries to a block
/// of reference points come from one GEMM through ‖x‖² + ‖y‖² − 2x·y (data translated to a reference point first to limit
/// cancellation, clamped at 0) followed by heap selection per row, with memory bounded by the two
/// block sizes; and a kd-tree for low dimension. Both recompute the reported squared distances
/// directly as Σ(xₜ − yₜ)² and order by (distance, index), so they return identical lists; the
/// GEMM expansion can only swap candidates whose distances agree to rounding.
public enum NearestNeighbors {
    public enum Method: Sendable, Equatable {
        /// kd-tree for dimension ≤ 8, brute force above.
        case automatic
        case bruteForce(queryBlock: Int, referenceBlock: Int)
        case kdTree(leafSize: Int)

        public static let defaultBruteForce = Method.bruteForce(queryBlock: 256, referenceBlock: 2048)
        public static let defaultKDTree = Method.kdTree(leafSize: 16)
    }

    /// Neighbours of every point of `points` among the same points. With `includeSelf`, point i is
    /// always its own first neighbour (distance 0, even when duplicates exist) followed by its k − 1
    /// nearest other points; without, the k nearest other points.
    public static func search(_ points: Matrix, k: Int, includeSelf: Bool = false, method: Method = .automatic,
                              threads: Int? = nil, monitor: WorkMonitor = SilentMonitor()) throws -> NeighborList {
        let others = includeSelf ? k - 1 : k
        guard k >= 1, others <= points.rows - 1, others >= 0 else {
            throw LinalgError.invalidArgument("k = \(k) neighbours (self \(includeSelf ? "included" : "excluded")) among \(points.rows) points")
        }
        let found = try run(queries: points, reference: points, k: others, excludeSelf: true, method: method,
                            threads: threads, monitor: monitor)
        guard includeSelf else { return found }
        var out = NeighborList(queryCount: points.rows, k: k, indices: [Int32](repeating: 0, count: points.rows * k),
                               squaredDistances: [Double](repeating: 0, count: points.rows * k))
        for i in 0..<points.rows {
            out.indices[i * k] = Int32(i)
            for t in 0..<others {
                out.indices[i * k + 1 + t] = found.indices[i * others + t]
                out.squaredDistances[i * k + 1 + t] = found.squaredDistances[i * others + t]
            }
        }
        return out
    }

    /// Neighbours of each row of `queries` among the rows of `reference` (no self-exclusion).
    public static func search(queries: Matrix, reference: Matrix, k: Int, method: Method = .automatic,
                              threads: Int? = nil, monitor: WorkMonitor = SilentMonitor()) throws -> NeighborList {
        guard queries.cols == reference.cols else {
            throw LinalgError.dimensionMismatch("queries have dimension \(queries.cols), reference points \(reference.cols)")
        }
        guard k >= 1 && k <= reference.rows else {
            throw LinalgError.invalidArgument("k = \(k) neighbours among \(reference.rows) reference points")
        }
        return try run(queries: queries, reference: reference, k: k, excludeSelf: false, method: method,
                       threads: threads, monitor: monitor)
    }

    static func run(queries: Matrix, reference: Matrix, k: Int, excludeSelf: Bool, method: Method,
                    threads: Int?, monitor: WorkMonitor) throws -> NeighborList {
        var list = NeighborList(queryCount: queries.rows, k: k, indices: [Int32](repeating: 0, count: queries.rows * k),
                                squaredDistances: [Double](repeating: 0, count: queries.rows * k))
        if k == 0 || queries.rows == 0 { return list }
        guard reference.rows <= Int(Int32.max) else {
            throw LinalgError.invalidArgument("\(reference.rows) reference points exceed 32-bit indices")
        }
        var chosen = method
        if method == .automatic { chosen = queries.cols <= 8 ? .defaultKDTree : .defaultBruteForce }
        switch chosen {
        case let .kdTree(leafSize):
            let tree = KDTree(reference, leafSize: leafSize)
            try tree.search(queries, k: k, excludeSelf: excludeSelf, threads: threads, monitor: monitor, into: &list)
        case let .bruteForce(queryBlock, referenceBlock):
            try bruteForce(queries: queries, reference: reference, k: k, excludeSelf: excludeSelf,
                           queryBlock: queryBlock, referenceBlock: referenceBlock, threads: threads,
                           monitor: monitor, into: &list)
        case .automatic:
            preconditionFailure("automatic method resolved above")
        }
        finish(queries: queries, reference: reference, list: &list, threads: threads)
        return list
    }

    /// Blocked GEMM distances with per-row heap selection. Query blocks run in parallel, each on
    /// its own thread with its own GEMM buffer, scanning the reference blocks in order (so every
    /// row sees its candidates in the same order for any thread count). Why not one threaded GEMM
    /// per block: the workflow engine pins OpenBLAS to one thread, and the GEMM then ran on one
    /// core while the other waited for the selection; with one GEMM per thread both cores work
    /// in every phase.
    static func bruteForce(queries: Matrix, reference: Matrix, k: Int, excludeSelf: Bool, queryBlock: Int,
                           referenceBlock: Int, threads: Int?, monitor: WorkMonitor, into list: inout NeighborList) throws {
        let d = queries.cols, nq = queries.rows, nr = reference.rows
        let qb = Swift.max(1, queryBlock), rb = Swift.max(1, referenceBlock)
        // Translate both sets by the first reference point: distances are unchanged, cancellation
        // for data far from the origin is smaller, and data on an integer lattice stays exact.
        let mean = Array(reference.storage[0..<d])
        func centred(_ m: Matrix) -> Matrix {
            var c = m
            for i in 0..<m.rows { for t in 0..<d { c.storage[i * d + t] -= mean[t] } }
            return c
        }
        let q = centred(queries), r = centred(reference)
        let qNorm = (0..<nq).map { i in (0..<d).reduce(0.0) { $0 + q.storage[i * d + $1] * q.storage[i * d + $1] } }
        let rNorm = (0..<nr).map { i in (0..<d).reduce(0.0) { $0 + r.storage[i * d + $1] * r.storage[i * d + $1] } }
        let totalBlocks = (nq + qb - 1) / qb
        // Groups of blocks between cancellation checks and progress reports.
        let group = 8
        try list.squaredDistances.withUnsafeMutableBufferPointer { heapD in
            try list.indices.withUnsafeMutableBufferPointer { heapI in
                for first in stride(from: 0, to: totalBlocks, by: group) {
                    try monitor.checkCancellation()
                    parallelChunks(Swift.min(group, totalBlocks - first), chunkSize: 1, threads: threads) { chunk in
                        let q0 = (first + chunk.lowerBound) * qb
                        selectBlock(queries: q0..<Swift.min(nq, q0 + qb), q, qNorm: qNorm, reference: r, rNorm: rNorm,
                                    referenceBlock: rb, k: k, excludeSelf: excludeSelf,
                                    distances: heapD.baseAddress!, indices: heapI.baseAddress!)
                    }
                    monitor.progress(done: Swift.min(totalBlocks, first + group), total: totalBlocks, note: "nearest neighbours")
                }
            }
        }
    }

    /// One query block of `bruteForce`: for each reference block in order, the GEMM −2QRᵀ into a
    /// buffer of this block's own, then every query row's candidates offered to its heap (rows
    /// `queries` of the k-wide `distances`/`indices`).
    static func selectBlock(queries: Range<Int>, _ q: Matrix, qNorm: [Double], reference r: Matrix, rNorm: [Double],
                            referenceBlock rb: Int, k: Int, excludeSelf: Bool,
                            distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int32>) {
        let d = q.cols, nr = r.rows, m = queries.count
        var gram = [Double](repeating: 0, count: m * Swift.min(rb, nr))
        var counts = [Int](repeating: 0, count: m)
        q.storage.withUnsafeBufferPointer { pq in
            r.storage.withUnsafeBufferPointer { pr in
                rNorm.withUnsafeBufferPointer { rn in
                    gram.withUnsafeMutableBufferPointer { g in
                        for r0 in stride(from: 0, to: nr, by: rb) {
                            let n = Swift.min(nr, r0 + rb) - r0
                            if d == 0 {
                                for e in 0..<(m * n) { g[e] = 0 }
                            } else {
                                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(d),
                                            -2, pq.baseAddress! + queries.lowerBound * d, Int32(d), pr.baseAddress! + r0 * d,
                                            Int32(d), 0, g.baseAddress, Int32(n))
                            }
                            for (a, i) in queries.enumerated() {
                                var heap = NeighborHeap(distances: distances + i * k, indices: indices + i * k, capacity: k)
                                heap.count = counts[a]
                                // References are scanned in increasing index, so a tie with the current
                                // worst (a smaller index) never enters.
                                heap.scan(row: g.baseAddress! + a * n, norms: rn.baseAddress! + r0, count: n,
                                          queryNorm: qNorm[i], firstIndex: r0, skip: excludeSelf ? i : -1)
                                counts[a] = heap.count
                            }
                        }
                    }
                }
            }
        }
    }

    /// Replaces the selected distances by the direct formula and sorts each row by (distance, index).
    static func finish(queries: Matrix, reference: Matrix, list: inout NeighborList, threads: Int?) {
        let d = queries.cols, k = list.k
        queries.storage.withUnsafeBufferPointer { pq in
            reference.storage.withUnsafeBufferPointer { pr in
                list.indices.withUnsafeMutableBufferPointer { idx in
                    list.squaredDistances.withUnsafeMutableBufferPointer { dist in
                        parallelChunks(list.queryCount, chunkSize: 1024, threads: threads) { range in
                            var pairs = [(Double, Int32)](repeating: (0, 0), count: k)
                            for i in range {
                                for t in 0..<k {
                                    let j = idx[i * k + t]
                                    pairs[t] = (squaredDistance(pq.baseAddress! + i * d, pr.baseAddress! + Int(j) * d, d), j)
                                }
                                pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                                for t in 0..<k {
                                    dist[i * k + t] = pairs[t].0
                                    idx[i * k + t] = pairs[t].1
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
