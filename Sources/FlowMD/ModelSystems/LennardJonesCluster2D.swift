import Foundation

/// A cluster of N Lennard-Jones particles in the plane with a soft confining restraint — the
/// `lj7-2d` system of DESIGN §7 (Dellago, Bolhuis & Chandler, J. Chem. Phys. 108, 9236 (1998)
/// introduced the 2D LJ7 cluster as a rare-event benchmark):
///
///     V(x) = 4 Σ_{i<j} (r_ij⁻¹² − r_ij⁻⁶) + Σ_{k: |x_k − x_c| > R} (κ/2)(|x_k − x_c|² − R²)
///
/// with x_c the centre of mass, R = 2 and κ = 100 (reduced units: ε = σ = 1). The restraint keeps
/// evaporated particles from drifting away; it is continuous at |x_k − x_c| = R. Coordinates are
/// ordered x₁…x_N, y₁…y_N (`ParticleLayout.planar`).
///
/// The gradient is the exact gradient of V: particle k beyond R contributes +κ(x_k − x_c) to its
/// own gradient (DESIGN §10: one public code has this sign flipped) and, through x_c, −κ(x_k − x_c)/N
/// to every particle.
public struct LennardJonesCluster2D: Potential {
    public let particles: Int
    /// Spring constant κ of the restraint.
    public let kappa: Double
    /// Radius R beyond which the restraint acts.
    public let radius: Double

    public var dimension: Int { 2 * particles }
    public var layout: ParticleLayout { .planar(particles: particles) }

    public init(particles: Int = 7, kappa: Double = 100, radius: Double = 2) {
        precondition(particles >= 2, "a cluster needs at least two particles")
        self.particles = particles
        self.kappa = kappa
        self.radius = radius
    }

    public func energy(_ x: [Double], gradient: inout [Double]) -> Double {
        precondition(x.count == dimension && gradient.count == dimension)
        var v = 0.0
        x.withUnsafeBufferPointer { xb in
            gradient.withUnsafeMutableBufferPointer { gb in
                energies(xb.baseAddress!, count: 1, energies: &v, gradients: gb.baseAddress!)
            }
        }
        return v
    }

    /// The batched path, also used for a single configuration so that every caller gets the same
    /// bits: walkers go eight at a time through SIMD lanes (structure of arrays: lane l holds
    /// walker k + l; a short last group repeats its last walker in the spare lanes, whose results
    /// are dropped). Each lane performs exactly the operations of a scalar evaluation, so a
    /// walker's result does not depend on its batch. No allocation: the lane arrays live on the
    /// stack.
    public func energies(_ x: UnsafePointer<Double>, count: Int, energies: UnsafeMutablePointer<Double>,
                         gradients: UnsafeMutablePointer<Double>) {
        let n = particles, d = dimension
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 4 * n) { buffer in
            let xs = buffer.baseAddress!, ys = xs + n, gx = ys + n, gy = gx + n
            var k = 0
            while k < count {
                let lanes = min(Lanes.scalarCount, count - k)
                for i in 0..<n {
                    var vx = Lanes(), vy = Lanes()
                    for l in 0..<Lanes.scalarCount {
                        let row = x + (k + min(l, lanes - 1)) * d
                        vx[l] = row[i]
                        vy[l] = row[n + i]
                    }
                    xs[i] = vx
                    ys[i] = vy
                }
                let v = evaluate(xs, ys, gx, gy)
                for l in 0..<lanes {
                    energies[k + l] = v[l]
                    let row = gradients + (k + l) * d
                    for i in 0..<n {
                        row[i] = gx[i][l]
                        row[n + i] = gy[i][l]
                    }
                }
                k += lanes
            }
        }
    }

    typealias Lanes = SIMD8<Double>

    /// One pair at separation (dx, dy) with 1/r² given: r⁻¹²− r⁻⁶ and the gradient (dV/dr)(dx, dy)/r
    /// for V = 4(r⁻¹² − r⁻⁶).
    @_transparent
    static func pair(_ dx: Lanes, _ dy: Lanes, _ ir2: Lanes) -> (Lanes, Lanes, Lanes) {
        let ir6 = ir2 * ir2 * ir2
        let f = (24 * ir6 - 48 * ir6 * ir6) * ir2
        return (ir6 * (ir6 - 1), f * dx, f * dy)
    }

    /// V of the lanes, ∇V written to `gx`, `gy`: the pair loop keeps particle i's gradient in
    /// registers and touches memory only for partner j.
    @inline(__always)
    func evaluate(_ xs: UnsafePointer<Lanes>, _ ys: UnsafePointer<Lanes>, _ gx: UnsafeMutablePointer<Lanes>,
                  _ gy: UnsafeMutablePointer<Lanes>) -> Lanes {
        let n = particles
        for k in 0..<n {
            gx[k] = .zero
            gy[k] = .zero
        }
        var pairs = Lanes.zero
        for i in 0..<(n - 1) {
            let xi = xs[i], yi = ys[i]
            var gxi = Lanes.zero, gyi = Lanes.zero
            var j = i + 1
            // Partners two at a time share one division: 1/r²_a = r²_b/(r²_a r²_b) and vice versa
            // (a vector division costs several multiplications).
            while j < n {
                let dxa = xi - xs[j], dya = yi - ys[j]
                let r2a = dxa * dxa + dya * dya
                if j + 1 < n {
                    let dxb = xi - xs[j + 1], dyb = yi - ys[j + 1]
                    let r2b = dxb * dxb + dyb * dyb
                    let inverse = 1 / (r2a * r2b)
                    let (ea, fxa, fya) = Self.pair(dxa, dya, r2b * inverse)
                    let (eb, fxb, fyb) = Self.pair(dxb, dyb, r2a * inverse)
                    pairs += ea + eb
                    gxi += fxa + fxb
                    gyi += fya + fyb
                    gx[j] -= fxa
                    gy[j] -= fya
                    gx[j + 1] -= fxb
                    gy[j + 1] -= fyb
                } else {
                    let (ea, fxa, fya) = Self.pair(dxa, dya, 1 / r2a)
                    pairs += ea
                    gxi += fxa
                    gyi += fya
                    gx[j] -= fxa
                    gy[j] -= fya
                }
                j += 2
            }
            gx[i] += gxi
            gy[i] += gyi
        }
        var v = 4 * pairs
        var cx = Lanes.zero, cy = Lanes.zero
        for k in 0..<n {
            cx += xs[k]
            cy += ys[k]
        }
        cx /= Double(n)
        cy /= Double(n)
        let r2 = radius * radius
        var sx = Lanes.zero, sy = Lanes.zero
        for k in 0..<n {
            let dx = xs[k] - cx, dy = ys[k] - cy
            let d2 = dx * dx + dy * dy
            let outside = d2 .> r2
            v += LaneSelect.keep(0.5 * kappa * (d2 - r2), where: outside)
            let rx = LaneSelect.keep(kappa * dx, where: outside), ry = LaneSelect.keep(kappa * dy, where: outside)
            gx[k] += rx
            gy[k] += ry
            sx += rx
            sy += ry
        }
        let mx = sx / Double(n), my = sy / Double(n)
        for k in 0..<n {
            gx[k] -= mx
            gy[k] -= my
        }
        return v
    }
}
