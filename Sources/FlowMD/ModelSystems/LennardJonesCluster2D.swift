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
        return x.withUnsafeBufferPointer { xb in
            gradient.withUnsafeMutableBufferPointer { gb in
                evaluate(xb.baseAddress!, gb.baseAddress!)
            }
        }
    }

    public func energies(_ x: UnsafePointer<Double>, count: Int, energies: UnsafeMutablePointer<Double>,
                         gradients: UnsafeMutablePointer<Double>) {
        let d = dimension
        for k in 0..<count {
            energies[k] = evaluate(x + k * d, gradients + k * d)
        }
    }

    /// V at `x`, ∇V written to `g`: the pair loop accumulates particle i's gradient in registers
    /// and touches memory only for partner j; no allocation.
    @inline(__always)
    func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) -> Double {
        let n = particles
        let xs = x, ys = x + n
        let gx = g, gy = g + n
        for k in 0..<(2 * n) { g[k] = 0 }
        var pairs = 0.0
        for i in 0..<(n - 1) {
            let xi = xs[i], yi = ys[i]
            var gxi = 0.0, gyi = 0.0
            for j in (i + 1)..<n {
                let dx = xi - xs[j], dy = yi - ys[j]
                let ir2 = 1 / (dx * dx + dy * dy)
                let ir6 = ir2 * ir2 * ir2
                pairs += ir6 * (ir6 - 1)
                // (dV/dr)/r for V = 4(r⁻¹² − r⁻⁶).
                let f = (24 * ir6 - 48 * ir6 * ir6) * ir2
                let fx = f * dx, fy = f * dy
                gxi += fx
                gyi += fy
                gx[j] -= fx
                gy[j] -= fy
            }
            gx[i] += gxi
            gy[i] += gyi
        }
        var v = 4 * pairs
        var cx = 0.0, cy = 0.0
        for k in 0..<n {
            cx += xs[k]
            cy += ys[k]
        }
        cx /= Double(n)
        cy /= Double(n)
        let r2 = radius * radius
        var sx = 0.0, sy = 0.0
        var outside = false
        for k in 0..<n {
            let dx = xs[k] - cx, dy = ys[k] - cy
            let d2 = dx * dx + dy * dy
            if d2 > r2 {
                outside = true
                v += 0.5 * kappa * (d2 - r2)
                gx[k] += kappa * dx
                gy[k] += kappa * dy
                sx += kappa * dx
                sy += kappa * dy
            }
        }
        if outside {
            let mx = sx / Double(n), my = sy / Double(n)
            for k in 0..<n {
                gx[k] -= mx
                gy[k] -= my
            }
        }
        return v
    }
}
