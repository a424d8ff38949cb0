/// A kd-tree (Friedman, Bentley & Finkel 1977) over the rows of a matrix, for exact k-nearest-
/// neighbour queries in low dimension, where it beats the O(n²) brute force by orders of
/// magnitude (2D Müller–Brown samples, CV grids). Splits at the median of the widest coordinate;
/// leaves hold at most `leafSize` points stored contiguously for cache locality.
struct KDTree: Sendable {
    let dimension: Int
    /// Point indices in tree order: every node covers a contiguous range of `order`.
    private(set) var order: [Int32]
    /// Coordinates in tree order (row t is the point `order[t]`).
    private(set) var coordinates: [Double]
    private(set) var nodeStart: [Int] = []
    private(set) var nodeEnd: [Int] = []
    private(set) var splitDimension: [Int] = []
    private(set) var splitValue: [Double] = []
    /// Child node indices; -1 marks a leaf.
    private(set) var left: [Int] = []
    private(set) var right: [Int] = []

    init(_ points: Matrix, leafSize: Int) {
        dimension = points.cols
        order = (0..<points.rows).map { Int32($0) }
        coordinates = []
        let size = Swift.max(1, leafSize)
        if points.rows > 0 { _ = build(points, 0, points.rows, size) }
        coordinates.reserveCapacity(points.count)
        for j in order { coordinates.append(contentsOf: points.storage[(Int(j) * dimension)..<((Int(j) + 1) * dimension)]) }
    }

    private mutating func build(_ points: Matrix, _ lo: Int, _ hi: Int, _ leafSize: Int) -> Int {
        let node = nodeStart.count
        nodeStart.append(lo); nodeEnd.append(hi)
        splitDimension.append(0); splitValue.append(0); left.append(-1); right.append(-1)
        if hi - lo <= leafSize || dimension == 0 { return node }
        var widest = 0, spread = -1.0
        for t in 0..<dimension {
            var mn = Double.infinity, mx = -Double.infinity
            for p in lo..<hi {
                let v = points.storage[Int(order[p]) * dimension + t]
                mn = Swift.min(mn, v); mx = Swift.max(mx, v)
            }
            if mx - mn > spread { (widest, spread) = (t, mx - mn) }
        }
        if spread <= 0 { return node }  // all points coincide: keep them in one leaf
        let mid = (lo + hi) / 2
        select(points, widest, lo, hi, mid)
        splitDimension[node] = widest
        splitValue[node] = points.storage[Int(order[mid]) * dimension + widest]
        let l = build(points, lo, mid, leafSize)
        let r = build(points, mid, hi, leafSize)
        left[node] = l
        right[node] = r
        return node
    }

    /// Quickselect (Hoare partition): afterwards order[lo..<mid] ≤ order[mid] ≤ order[mid+1..<hi]
    /// in coordinate `t`.
    private mutating func select(_ points: Matrix, _ t: Int, _ lo0: Int, _ hi0: Int, _ mid: Int) {
        let d = dimension
        var lo = lo0, hi = hi0 - 1
        points.storage.withUnsafeBufferPointer { x in
            order.withUnsafeMutableBufferPointer { o in
                func key(_ p: Int) -> Double { x[Int(o[p]) * d + t] }
                while lo < hi {
                    let pivot = key((lo + hi) / 2)
                    var i = lo, j = hi
                    while i <= j {
                        while key(i) < pivot { i += 1 }
                        while key(j) > pivot { j -= 1 }
                        if i <= j { o.swapAt(i, j); i += 1; j -= 1 }
                    }
                    if mid <= j { hi = j } else if mid >= i { lo = i } else { break }
                }
            }
        }
    }

    /// Fills `list` (whose rows are then unsorted heaps) with the k nearest reference points of
    /// each query row, skipping the query's own index when `excludeSelf`.
    func search(_ queries: Matrix, k: Int, excludeSelf: Bool, threads: Int?, monitor: WorkMonitor,
                into list: inout NeighborList) throws {
        let d = dimension
        let chunk = 2048
        let total = (queries.rows + chunk - 1) / chunk
        for (number, c0) in stride(from: 0, to: queries.rows, by: chunk * 8).enumerated() {
            try monitor.checkCancellation()
            let c1 = Swift.min(queries.rows, c0 + chunk * 8)
            queries.storage.withUnsafeBufferPointer { q in
                coordinates.withUnsafeBufferPointer { x in
                    order.withUnsafeBufferPointer { ord in
                        list.indices.withUnsafeMutableBufferPointer { idx in
                            list.squaredDistances.withUnsafeMutableBufferPointer { dist in
                                parallelChunks(c1 - c0, chunkSize: chunk, threads: threads) { range in
                                    var stack = CellStack(self)
                                    for a in range {
                                        let i = c0 + a
                                        let qi = q.baseAddress! + i * d
                                        var heap = NeighborHeap(distances: dist.baseAddress! + i * k,
                                                                indices: idx.baseAddress! + i * k, capacity: k)
                                        stack.reset()
                                        while let (node, nodeBound) = stack.pop() {
                                            // ≤ rather than <: a tie may still enter with a smaller index;
                                            // and the incremental bound may round a few ulps high.
                                            if nodeBound > heap.bound * (1 + 1e-12) { continue }
                                            if left[node] < 0 {
                                                for p in nodeStart[node]..<nodeEnd[node] {
                                                    let j = ord[p]
                                                    if excludeSelf && Int(j) == i { continue }
                                                    let s = squaredDistance(qi, x.baseAddress! + p * d, d)
                                                    if s <= heap.bound { heap.offer(s, j) }
                                                }
                                                continue
                                            }
                                            stack.pushChildren(of: node, bound: nodeBound, query: qi, in: self)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            monitor.progress(done: Swift.min(total, (number + 1) * 8), total: total, note: "nearest neighbours (kd-tree)")
        }
    }
}

/// The depth-first stack of a kd-tree query. Each entry is a node, a lower bound on the squared
/// distance from the query to the node's cell, and the cell's offset from the query along every
/// coordinate: the bound is the sum of the squared offsets of all splits on the way down (Arya &
/// Mount 1993, incremental distance), not the largest single one, which prunes almost nothing in
/// 14 dimensions. Depth-first, the stack never holds more than depth + 1 entries.
struct CellStack {
    private var nodes: [Int]
    private var bounds: [Double]
    private var offsets: [Double]
    private let dimension: Int
    private var top = 0

    init(_ tree: KDTree) {
        let capacity = tree.maxDepth + 2
        dimension = tree.dimension
        nodes = [Int](repeating: 0, count: capacity)
        bounds = [Double](repeating: 0, count: capacity)
        offsets = [Double](repeating: 0, count: capacity * Swift.max(tree.dimension, 1))
    }

    /// Just the root, at bound 0.
    mutating func reset() {
        top = 1
        nodes[0] = 0
        bounds[0] = 0
        for c in 0..<dimension { offsets[c] = 0 }
    }

    /// The next node and its bound; its offsets stay in place for `pushChildren`.
    @inline(__always) mutating func pop() -> (Int, Double)? {
        guard top > 0 else { return nil }
        top -= 1
        return (nodes[top], bounds[top])
    }

    /// Pushes the children of the node just popped: the far one (its offset along the split
    /// becomes the query's distance to the split plane), then the near one (same cell offsets),
    /// which is popped first.
    @inline(__always) mutating func pushChildren(of node: Int, bound: Double, query: UnsafePointer<Double>, in tree: KDTree) {
        let t = tree.splitDimension[node]
        let diff = query[t] - tree.splitValue[node]
        let (near, far) = diff < 0 ? (tree.left[node], tree.right[node]) : (tree.right[node], tree.left[node])
        let d = dimension, base = top * d
        for c in 0..<d { offsets[base + d + c] = offsets[base + c] }
        nodes[top + 1] = near
        bounds[top + 1] = bound
        let old = offsets[base + t]
        offsets[base + t] = diff
        nodes[top] = far
        bounds[top] = bound - old * old + diff * diff
        top += 2
    }
}

extension KDTree {
    /// The largest node depth (the root has depth 0); children are created after their parent.
    var maxDepth: Int {
        var depth = [Int](repeating: 0, count: left.count)
        for node in 0..<left.count where left[node] >= 0 {
            depth[left[node]] = depth[node] + 1
            depth[right[node]] = depth[node] + 1
        }
        return depth.max() ?? 0
    }

    /// Calls `visit(j)` for every point j with ‖x_j − q‖² < `radiusSquared` (strictly), in tree order.
    func forEach(within radiusSquared: Double, of q: UnsafePointer<Double>, _ visit: (Int) -> Void) {
        let d = dimension
        var stack: [(Int, Double)] = [(0, 0)]
        coordinates.withUnsafeBufferPointer { x in
            while let (node, bound) = stack.popLast() {
                if bound >= radiusSquared { continue }
                if left[node] < 0 {
                    for p in nodeStart[node]..<nodeEnd[node] where squaredDistance(q, x.baseAddress! + p * d, d) < radiusSquared {
                        visit(Int(order[p]))
                    }
                    continue
                }
                let diff = q[splitDimension[node]] - splitValue[node]
                let (near, far) = diff < 0 ? (left[node], right[node]) : (right[node], left[node])
                stack.append((far, Swift.max(bound, diff * diff)))
                stack.append((near, bound))
            }
        }
    }
}

/// Fixed-radius queries over the rows of a matrix (a kd-tree, `NearestNeighbors`' engine): the
/// points strictly closer than a radius to a query, for covering and packing constructions.
public struct RadiusSearch: Sendable {
    let tree: KDTree
    public let points: Matrix

    public init(_ points: Matrix, leafSize: Int = 16) {
        self.points = points
        tree = KDTree(points, leafSize: leafSize)
    }

    /// Indices of the points j with ‖x_j − x_i‖ < radius for the indexed point i (itself included).
    public func neighbors(ofPoint i: Int, radius: Double) -> [Int] {
        var found = [Int]()
        points.storage.withUnsafeBufferPointer { p in
            tree.forEach(within: radius * radius, of: p.baseAddress! + i * points.cols) { found.append($0) }
        }
        return found
    }
}
