/// The greedy r-net of a point set (Har-Peled & Mendel 2006, §2): points in their order; a point
/// not yet strictly within r of a chosen centre becomes one. Centres are therefore ≥ r apart and
/// every point lies strictly within r of one. Each centre covers its r-ball with one fixed-radius
/// kd-tree query that skips every subtree already covered; the nearest centre of every point is
/// then one exact 1-nearest-neighbour kd-tree search among the centres.
public struct GreedyNet: Sendable {
    /// Indices of the centres in the point set, increasing.
    public let centers: [Int]
    /// For each point, the position in `centers` of its nearest centre (ties: the earlier centre);
    /// empty for a count-only pass (`assign` false).
    public let nearest: [Int]

    public init(centers: [Int], nearest: [Int]) {
        self.centers = centers
        self.nearest = nearest
    }
}

extension RadiusSearch {
    /// The greedy net at `radius`, or nil as soon as it has more than `limit` centres; with
    /// `assign` false without the nearest centres (a pass that only counts). A subtree whose
    /// points are all covered is skipped by every later query (its uncovered count is kept per
    /// tree node), so the queries get cheaper as the net fills in.
    ///
    /// The ball queries bound kd-tree cells as `CellStack` does; a point's distance is summed in
    /// coordinate order (`squaredDistance`'s) and abandoned once a partial sum reaches the radius.
    public func greedyNet(radius: Double, limit: Int? = nil, assign: Bool = true) -> GreedyNet? {
        let n = points.rows, d = points.cols
        let r2 = radius * radius
        // The incremental bound may round a few ulps above the true cell distance: prune only
        // clearly beyond the radius, so no point within it is ever skipped.
        let pruneBeyond = r2 * (1 + 1e-12)
        var covered = [Bool](repeating: false, count: n)
        var centers = [Int]()
        let t = tree
        let nodes = t.left.count
        // Uncovered points per node, and the parent of each node and the leaf of each tree slot,
        // to update the counts when a point is covered.
        var uncovered = t.nodeStart.indices.map { t.nodeEnd[$0] - t.nodeStart[$0] }
        var parent = [Int](repeating: -1, count: nodes)
        var leafOf = [Int32](repeating: 0, count: n)
        for node in 0..<nodes where t.left[node] >= 0 {
            parent[t.left[node]] = node
            parent[t.right[node]] = node
        }
        for node in 0..<nodes where t.left[node] < 0 { for p in t.nodeStart[node]..<t.nodeEnd[node] { leafOf[p] = Int32(node) } }
        var stack = CellStack(t)
        let done: Bool = points.storage.withUnsafeBufferPointer { q in
            t.coordinates.withUnsafeBufferPointer { x in
                for i in 0..<n where !covered[i] {
                    centers.append(i)
                    if let limit, centers.count > limit { return false }
                    let qi = q.baseAddress! + i * d
                    stack.reset()
                    while let (node, bound) = stack.pop() {
                        if bound >= pruneBeyond || uncovered[node] == 0 { continue }
                        if t.left[node] < 0 {
                            for p in t.nodeStart[node]..<t.nodeEnd[node] {
                                let j = Int(t.order[p])
                                guard !covered[j], Self.squaredDistance(qi, x.baseAddress! + p * d, d, below: r2) != nil else { continue }
                                covered[j] = true
                                var a = Int(leafOf[p])
                                while a >= 0 { uncovered[a] -= 1; a = parent[a] }
                            }
                            continue
                        }
                        stack.pushChildren(of: node, bound: bound, query: qi, in: t)
                    }
                }
                return true
            }
        }
        guard done else { return nil }
        return GreedyNet(centers: centers, nearest: assign ? nearest(among: centers) : [])
    }

    /// For each point, the position in `centers` (indices of points) of its nearest one, in exact
    /// (distance, then index) order, so ties go to the earlier centre (a kd-tree search).
    public func nearest(among centers: [Int]) -> [Int] {
        // The search only throws on cancellation, which a silent monitor never asks for.
        let list = try! NearestNeighbors.search(queries: points, reference: points.rows(centers), k: 1, method: .kdTree(leafSize: 16))
        return list.indices.map { Int($0) }
    }

    /// ‖a − b‖² summed in coordinate order, or nil once a partial sum (checked every four
    /// coordinates) is ≥ `limit`; when not nil it equals `squaredDistance(a, b, d)` bit for bit.
    @inline(__always) static func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int,
                                                  below limit: Double) -> Double? {
        var s = 0.0, t = 0
        while t < d {
            let end = Swift.min(d, t + 4)
            while t < end {
                let e = a[t] - b[t]
                s += e * e
                t += 1
            }
            if s >= limit { return nil }
        }
        return s
    }
}
