import Foundation

/// Holonomic distance constraints |r_i − r_j| = d_ij: SHAKE on positions (Ryckaert, Ciccotti &
/// Berendsen, J. Comput. Phys. 23, 327 (1977)) and RATTLE on velocities (Andersen, J. Comput.
/// Phys. 52, 24 (1983)), solved cluster by cluster in matrix form (M-SHAKE: Kräutler, van
/// Gunsteren & Hünenberger, J. Comput. Chem. 22, 501 (2001)): the constraints that share atoms
/// (a CH3 group: three) form a small linear system, solved exactly for velocities and by Newton
/// iteration for positions, which converges quadratically instead of SHAKE's linear sweeps.
///
/// Typical use: bonds to hydrogen (CHARMM's `SHAKE BONH`), which removes the fastest vibrations
/// and lets Langevin dynamics of peptides run at 2 fs. Clusters are meant to be small (bonds to
/// hydrogen give at most four constraints); the class keeps its scratch buffers, so applying
/// constraints allocates nothing. Use one instance per simulation.
public final class Constraints {
    public let atomI: [Int32], atomJ: [Int32]
    public let distances: [Double]
    /// Relative tolerance: |r² − d²| / (2d²) for positions.
    public var tolerance: Double
    public var maxIterations: Int
    let inverseMass: [Double]
    /// Constraints of cluster k are members[clusterStart[k] ..< clusterStart[k+1]]; its m×m
    /// mass-coupling matrix M_cd (how a correction along constraint d changes the separation of
    /// constraint c) starts at couplingStart[k].
    let clusterStart: [Int]
    let members: [Int]
    let couplingStart: [Int]
    let coupling: [Double]
    private var reference: [Double] = []
    private var matrix: [Double]
    private var rhs: [Double]

    /// `atomMasses` per atom (amu).
    public init(pairs: [(Int, Int)], distances: [Double], atomMasses: [Double], tolerance: Double = 1e-10,
                maxIterations: Int = 100) {
        precondition(pairs.count == distances.count, "one distance per constrained pair")
        atomI = pairs.map { Int32($0.0) }
        atomJ = pairs.map { Int32($0.1) }
        self.distances = distances
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        let w = atomMasses.map { 1 / $0 }
        inverseMass = w
        // Clusters: connected components of the graph whose edges are constraints.
        var parent = Array(atomMasses.indices)
        func root(_ a: Int) -> Int {
            var a = a
            while parent[a] != a { parent[a] = parent[parent[a]]; a = parent[a] }
            return a
        }
        for (p, q) in pairs { parent[root(p)] = root(q) }
        var byRoot: [Int: [Int]] = [:]
        for (c, pq) in pairs.enumerated() { byRoot[root(pq.0), default: []].append(c) }
        let clusters = byRoot.values.sorted { $0[0] < $1[0] }
        clusterStart = clusters.reduce(into: [0]) { $0.append($0.last! + $1.count) }
        members = clusters.flatMap { $0 }
        couplingStart = clusters.reduce(into: [0]) { $0.append($0.last! + $1.count * $1.count) }
        coupling = clusters.flatMap { cluster in
            cluster.flatMap { c in cluster.map { d -> Double in
                let (pc, qc, pd, qd) = (pairs[c].0, pairs[c].1, pairs[d].0, pairs[d].1)
                func share(_ a: Int, _ b: Int) -> Double { a == b ? 1 : 0 }
                return share(pc, pd) * w[pd] - share(pc, qd) * w[qd] - share(qc, pd) * w[pd] + share(qc, qd) * w[qd]
            }}
        }
        let largest = clusters.map(\.count).max() ?? 0
        precondition(largest <= 64, "constraint clusters larger than 64 constraints are not supported")
        matrix = [Double](repeating: 0, count: largest * largest)
        rhs = [Double](repeating: 0, count: largest)
    }

    public var count: Int { distances.count }

    /// Largest |r_ij − d_ij| over all constraints (Å).
    public func maximumDeviation(_ x: [Double]) -> Double {
        var worst = 0.0
        for c in 0..<count {
            let a = 3 * Int(atomI[c]), b = 3 * Int(atomJ[c])
            let dx = x[a] - x[b], dy = x[a + 1] - x[b + 1], dz = x[a + 2] - x[b + 2]
            worst = max(worst, abs((dx * dx + dy * dy + dz * dz).squareRoot() - distances[c]))
        }
        return worst
    }

    /// Saves the current (constrained) positions as SHAKE's reference directions.
    func saveReference(_ x: [Double]) {
        if reference.count != x.count { reference = x } else {
            reference.withUnsafeMutableBufferPointer { r in x.withUnsafeBufferPointer { s in
                r.baseAddress!.update(from: s.baseAddress!, count: s.count)
            }}
        }
    }

    @inline(__always)
    private func separation(_ x: UnsafePointer<Double>, _ c: Int) -> SIMD3<Double> {
        let a = 3 * Int(atomI[c]), b = 3 * Int(atomJ[c])
        return SIMD3(x[a] - x[b], x[a + 1] - x[b + 1], x[a + 2] - x[b + 2])
    }

    /// Moves atoms of constraint d by ±λ w r (the correction direction r of constraint d).
    @inline(__always)
    private func apply(_ x: UnsafeMutablePointer<Double>, _ d: Int, _ lambda: Double, _ r: SIMD3<Double>) {
        let p = Int(atomI[d]), q = Int(atomJ[d])
        let dp = lambda * inverseMass[p] * r, dq = lambda * inverseMass[q] * r
        x[3 * p] += dp.x; x[3 * p + 1] += dp.y; x[3 * p + 2] += dp.z
        x[3 * q] -= dq.x; x[3 * q + 1] -= dq.y; x[3 * q + 2] -= dq.z
    }

    /// SHAKE (matrix form): moves `x` onto the constraint surface along the bond vectors of the
    /// saved reference, Newton-iterating each cluster. Returns false if it did not converge.
    @discardableResult
    func shake(_ x: inout [Double]) -> Bool {
        var converged = true
        x.withUnsafeMutableBufferPointer { xb in reference.withUnsafeBufferPointer { rb in
            let x = xb.baseAddress!, r = rb.baseAddress!
            forEachCluster { J, b, list, M, first, m, mk in
                var done = false
                for _ in 0..<maxIterations {
                    done = true
                    for u in 0..<m {
                        let c = list[first + u]
                        let s = separation(x, c)
                        let d2 = distances[c] * distances[c]
                        b[u] = d2 - (s * s).sum()
                        if abs(b[u]) > 2 * d2 * tolerance { done = false }
                    }
                    if done { break }
                    for u in 0..<m {
                        let s = separation(x, list[first + u])
                        for v in 0..<m {
                            let mcd = M[mk + u * m + v]
                            J[u * m + v] = mcd == 0 ? 0 : 2 * mcd * (s * separation(r, list[first + v])).sum()
                        }
                    }
                    solveInPlace(J, b, m)
                    for v in 0..<m { apply(x, list[first + v], b[v], separation(r, list[first + v])) }
                }
                if !done { converged = false }
            }
        }}
        return converged
    }

    /// RATTLE's velocity stage: removes the velocity components along constrained bonds of `x`
    /// (a linear system per cluster, solved exactly).
    func rattleVelocities(_ v: inout [Double], positions x: [Double]) {
        v.withUnsafeMutableBufferPointer { vb in x.withUnsafeBufferPointer { xb in
            let v = vb.baseAddress!, x = xb.baseAddress!
            forEachCluster { J, b, list, M, first, m, mk in
                for u in 0..<m {
                    let c = list[first + u]
                    let s = separation(x, c)
                    b[u] = -(s * separation(UnsafePointer(v), c)).sum()
                    for w in 0..<m {
                        let mcd = M[mk + u * m + w]
                        J[u * m + w] = mcd == 0 ? 0 : mcd * (s * separation(x, list[first + w])).sum()
                    }
                }
                solveInPlace(J, b, m)
                for w in 0..<m { apply(v, list[first + w], b[w], separation(x, list[first + w])) }
            }
        }}
    }

    /// Runs `body` for every cluster with the scratch matrix J and right-hand side b, the
    /// constraint list, the coupling matrices, and the cluster's first index into the list,
    /// size m and offset into the coupling matrices.
    @inline(__always)
    private func forEachCluster(_ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafeBufferPointer<Int>,
                                         UnsafeBufferPointer<Double>, Int, Int, Int) -> Void) {
        matrix.withUnsafeMutableBufferPointer { J in rhs.withUnsafeMutableBufferPointer { b in
        members.withUnsafeBufferPointer { list in coupling.withUnsafeBufferPointer { M in
            for k in 0..<(clusterStart.count - 1) {
                let first = clusterStart[k]
                body(J.baseAddress!, b.baseAddress!, list, M, first, clusterStart[k + 1] - first, couplingStart[k])
            }
        }}}}
    }

    /// The position update x ← x + dt·v projected onto the constraints, with the velocity
    /// correction v ← v + (x_constrained − x_free)/dt and the RATTLE velocity projection, as in
    /// the constrained A step of Leimkuhler & Matthews, Proc. R. Soc. A 472, 20160138 (2016).
    func constrainedDrift(_ x: inout [Double], _ v: inout [Double], dt: Double) {
        saveReference(x)
        let n = x.count
        x.withUnsafeMutableBufferPointer { xb in v.withUnsafeBufferPointer { vb in
            for i in 0..<n { xb[i] += dt * vb[i] }
        }}
        shake(&x)
        // v += (x_shaken − (x_ref + dt v))/dt  ⇔  v = (x_shaken − x_ref)/dt
        x.withUnsafeBufferPointer { xb in v.withUnsafeMutableBufferPointer { vb in reference.withUnsafeBufferPointer { r in
            for i in 0..<n { vb[i] = (xb[i] - r[i]) / dt }
        }}}
        rattleVelocities(&v, positions: x)
    }

    /// Projects arbitrary positions onto the constraints (reference = the positions themselves)
    /// and removes constrained velocity components: makes a starting state consistent.
    public func project(_ x: inout [Double], _ v: inout [Double]) {
        saveReference(x)
        shake(&x)
        rattleVelocities(&v, positions: x)
    }
}

/// Solves the m×m system A y = b in place (b ← y) by Gaussian elimination with partial pivoting.
private func solveInPlace(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, _ m: Int) {
    for col in 0..<m {
        var pivot = col
        for r in (col + 1)..<max(col + 1, m) where abs(a[r * m + col]) > abs(a[pivot * m + col]) { pivot = r }
        if pivot != col {
            for c in 0..<m { swap(&a[col * m + c], &a[pivot * m + c]) }
            swap(&b[col], &b[pivot])
        }
        let inv = 1 / a[col * m + col]
        for r in (col + 1)..<max(col + 1, m) {
            let f = a[r * m + col] * inv
            if f == 0 { continue }
            for c in col..<m { a[r * m + c] -= f * a[col * m + c] }
            b[r] -= f * b[col]
        }
    }
    for r in stride(from: m - 1, through: 0, by: -1) {
        var sum = b[r]
        for c in (r + 1)..<max(r + 1, m) { sum -= a[r * m + c] * b[c] }
        b[r] = sum / a[r * m + r]
    }
}
