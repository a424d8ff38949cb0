import Foundation

/// Holonomic distance constraints |r_i − r_j| = d_ij, enforced with SHAKE on positions
/// (Ryckaert, Ciccotti & Berendsen, J. Comput. Phys. 23, 327 (1977)) and RATTLE on velocities
/// (Andersen, J. Comput. Phys. 52, 24 (1983)): each constraint is corrected in turn along the
/// reference bond vector, with mass weights, until all hold to a relative tolerance.
///
/// Typical use: bonds to hydrogen (CHARMM's `SHAKE BONH`), which removes the fastest vibrations
/// and lets Langevin dynamics of peptides run at 2 fs. The class keeps its scratch buffers, so
/// applying constraints allocates nothing; use one instance per simulation.
public final class Constraints {
    public let atomI: [Int32], atomJ: [Int32]
    public let distances: [Double]
    /// Relative tolerance: |r² − d²| / (2d²) for positions, |v_ij · r_ij| / d² for velocities
    /// (in ps⁻¹ when velocities are in Å/ps).
    public var tolerance: Double
    public var maxIterations: Int
    let inverseMass: [Double]
    private var reference: [Double] = []

    /// `atomMasses` per atom (amu).
    public init(pairs: [(Int, Int)], distances: [Double], atomMasses: [Double], tolerance: Double = 1e-12,
                maxIterations: Int = 10_000) {
        precondition(pairs.count == distances.count, "one distance per constrained pair")
        atomI = pairs.map { Int32($0.0) }
        atomJ = pairs.map { Int32($0.1) }
        self.distances = distances
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        inverseMass = atomMasses.map { 1 / $0 }
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

    /// SHAKE: moves `x` onto the constraint surface along the bond vectors of the saved reference.
    /// Returns false if it did not converge.
    @discardableResult
    func shake(_ x: inout [Double]) -> Bool {
        let n = count
        var converged = false
        x.withUnsafeMutableBufferPointer { xb in reference.withUnsafeBufferPointer { rb in
        inverseMass.withUnsafeBufferPointer { w in
            let x = xb.baseAddress!, r = rb.baseAddress!
            for _ in 0..<maxIterations {
                var done = true
                for c in 0..<n {
                    let p = Int(atomI[c]), q = Int(atomJ[c])
                    let a = 3 * p, b = 3 * q
                    let dx = x[a] - x[b], dy = x[a + 1] - x[b + 1], dz = x[a + 2] - x[b + 2]
                    let d2 = distances[c] * distances[c]
                    let diff = d2 - (dx * dx + dy * dy + dz * dz)
                    if abs(diff) <= 2 * d2 * tolerance { continue }
                    done = false
                    let rx = r[a] - r[b], ry = r[a + 1] - r[b + 1], rz = r[a + 2] - r[b + 2]
                    let g = diff / (2 * (rx * dx + ry * dy + rz * dz) * (w[p] + w[q]))
                    x[a] += g * w[p] * rx; x[a + 1] += g * w[p] * ry; x[a + 2] += g * w[p] * rz
                    x[b] -= g * w[q] * rx; x[b + 1] -= g * w[q] * ry; x[b + 2] -= g * w[q] * rz
                }
                if done { converged = true; break }
            }
        }}}
        return converged
    }

    /// RATTLE's velocity stage: removes the velocity components along constrained bonds of `x`.
    @discardableResult
    func rattleVelocities(_ v: inout [Double], positions x: [Double]) -> Bool {
        let n = count
        var converged = false
        v.withUnsafeMutableBufferPointer { vb in x.withUnsafeBufferPointer { xb in
        inverseMass.withUnsafeBufferPointer { w in
            let v = vb.baseAddress!, x = xb.baseAddress!
            for _ in 0..<maxIterations {
                var done = true
                for c in 0..<n {
                    let p = Int(atomI[c]), q = Int(atomJ[c])
                    let a = 3 * p, b = 3 * q
                    let dx = x[a] - x[b], dy = x[a + 1] - x[b + 1], dz = x[a + 2] - x[b + 2]
                    let d2 = distances[c] * distances[c]
                    let rv = dx * (v[a] - v[b]) + dy * (v[a + 1] - v[b + 1]) + dz * (v[a + 2] - v[b + 2])
                    if abs(rv) <= d2 * tolerance { continue }
                    done = false
                    let k = -rv / (d2 * (w[p] + w[q]))
                    v[a] += k * w[p] * dx; v[a + 1] += k * w[p] * dy; v[a + 2] += k * w[p] * dz
                    v[b] -= k * w[q] * dx; v[b + 1] -= k * w[q] * dy; v[b + 2] -= k * w[q] * dz
                }
                if done { converged = true; break }
            }
        }}}
        return converged
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
