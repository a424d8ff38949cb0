/// The k best (smallest squared distance, then smallest index) candidates seen so far for one
/// query, kept as a binary max-heap in caller-owned storage so that the selection loops allocate
/// nothing. Ordering by (distance, index) makes the result unique even with ties and duplicates.
struct NeighborHeap {
    let distances: UnsafeMutablePointer<Double>
    let indices: UnsafeMutablePointer<Int32>
    let capacity: Int
    var count = 0

    init(distances: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int32>, capacity: Int) {
        self.distances = distances
        self.indices = indices
        self.capacity = capacity
    }

    @inline(__always) static func worse(_ d1: Double, _ i1: Int32, than d2: Double, _ i2: Int32) -> Bool {
        d1 > d2 || (d1 == d2 && i1 > i2)
    }

    /// The squared distance a candidate must beat (or tie with a smaller index) to enter.
    @inline(__always) var bound: Double { count < capacity ? .infinity : distances[0] }

    /// Offers a candidate; keeps it if it is among the best `capacity` seen.
    @inline(__always) mutating func offer(_ d: Double, _ j: Int32) {
        if count < capacity {
            var c = count
            count += 1
            while c > 0 {
                let p = (c - 1) / 2
                if !NeighborHeap.worse(d, j, than: distances[p], indices[p]) { break }
                distances[c] = distances[p]
                indices[c] = indices[p]
                c = p
            }
            distances[c] = d
            indices[c] = j
            return
        }
        guard capacity > 0, NeighborHeap.worse(distances[0], indices[0], than: d, j) else { return }
        var c = 0
        while true {
            let l = 2 * c + 1
            if l >= capacity { break }
            var w = l
            let r = l + 1
            if r < capacity && NeighborHeap.worse(distances[r], indices[r], than: distances[l], indices[l]) { w = r }
            if !NeighborHeap.worse(distances[w], indices[w], than: d, j) { break }
            distances[c] = distances[w]
            indices[c] = indices[w]
            c = w
        }
        distances[c] = d
        indices[c] = j
    }
}

extension NeighborHeap {
    /// Offers the candidates of one row of a blocked GEMM distance computation: candidate t has
    /// squared distance max(0, ‖q‖² + ‖r_t‖² − 2q·r_t) = max(0, (queryNorm + norms[t]) + row[t])
    /// and index firstIndex + t; the candidate with index `skip` (the query itself) is left out.
    /// After the first k candidates almost none enters, so four at a time are tested against the
    /// bound with one vector compare (the same IEEE operations in the same order as the scalar
    /// test, and x < bound whenever max(0, x) < bound, so no candidate is missed) and only a
    /// group with a possible entry is looked at one by one. Halves the selection time in 14-D.
    @inline(__always) mutating func scan(row: UnsafePointer<Double>, norms: UnsafePointer<Double>, count n: Int,
                                         queryNorm qi: Double, firstIndex: Int, skip: Int) {
        var bound = self.bound
        let q4 = SIMD4<Double>(repeating: qi)
        var b = 0
        while b + 4 <= n {
            let x = (q4 + UnsafeRawPointer(norms + b).loadUnaligned(as: SIMD4<Double>.self))
                + UnsafeRawPointer(row + b).loadUnaligned(as: SIMD4<Double>.self)
            if any(x .< SIMD4<Double>(repeating: bound)) {
                for t in b..<(b + 4) { consider(t, row: row, norms: norms, queryNorm: qi, firstIndex: firstIndex, skip: skip, bound: &bound) }
            }
            b += 4
        }
        for t in b..<n { consider(t, row: row, norms: norms, queryNorm: qi, firstIndex: firstIndex, skip: skip, bound: &bound) }
    }

    @inline(__always) private mutating func consider(_ t: Int, row: UnsafePointer<Double>, norms: UnsafePointer<Double>,
                                                     queryNorm qi: Double, firstIndex: Int, skip: Int, bound: inout Double) {
        let dist = Swift.max(0, qi + norms[t] + row[t])
        guard dist < bound, firstIndex + t != skip else { return }
        offer(dist, Int32(firstIndex + t))
        bound = self.bound
    }
}

/// Squared Euclidean distance between two rows, summed in index order (the one formula used for
/// every distance flow reports, so that all search methods agree bit for bit).
@inline(__always) func squaredDistance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ d: Int) -> Double {
    var s = 0.0
    for t in 0..<d {
        let e = a[t] - b[t]
        s += e * e
    }
    return s
}
