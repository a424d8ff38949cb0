/// Coordination numbers cᵢ = Σ_{j≠i} s(r_ij) with the switching function of DESIGN §7,
/// s(r) = (1 − (r/r₀)⁸)/(1 − (r/r₀)¹⁶) = 1/(1 + (r/r₀)⁸), r₀ = 1.5 for LJ7 (the second form has no
/// removable singularity at r = r₀, so it is the one evaluated). One component per particle.
public struct CoordinationNumbers: CollectiveVariable {
    public let layout: ParticleLayout
    /// Switching distance r₀.
    public let cutoff: Double

    public init(layout: ParticleLayout, cutoff: Double = 1.5) {
        precondition(cutoff > 0, "the switching distance must be positive")
        self.layout = layout
        self.cutoff = cutoff
    }

    public var inputDimension: Int { layout.dimension }
    public var outputDimension: Int { layout.particles }
    public var componentNames: [String] { (1...layout.particles).map { "c\($0)" } }

    public func value(_ x: [Double]) -> [Double] {
        var c = [Double](repeating: 0, count: layout.particles)
        forEachPair(x) { i, j, s, _, _ in
            c[i] += s
            c[j] += s
        }
        return c
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        let n = layout.particles, d = inputDimension
        for k in jacobian.indices { jacobian[k] = 0 }
        var c = [Double](repeating: 0, count: n)
        forEachPair(x) { i, j, s, dsdq, delta in
            c[i] += s
            c[j] += s
            for a in 0..<layout.spatialDimension {
                let g = dsdq * delta[a]
                let xi = layout.index(i, a), xj = layout.index(j, a)
                jacobian[i * d + xi] += g
                jacobian[i * d + xj] -= g
                jacobian[j * d + xi] += g
                jacobian[j * d + xj] -= g
            }
        }
        return c
    }

    /// Calls `body(i, j, s(r_ij), ∂s/∂(xᵢ − xⱼ) per unit of (xᵢ − xⱼ), xᵢ − xⱼ)` for every pair i < j:
    /// with q = r²/r₀², s = 1/(1 + q⁴) and ∂s/∂xᵢ = −8q³/(1 + q⁴)² (xᵢ − xⱼ)/r₀².
    @inline(__always)
    func forEachPair(_ x: [Double], _ body: (Int, Int, Double, Double, [Double]) -> Void) {
        let n = layout.particles, sd = layout.spatialDimension
        let inv = 1 / (cutoff * cutoff)
        var delta = [Double](repeating: 0, count: sd)
        for i in 0..<(n - 1) {
            for j in (i + 1)..<n {
                var r2 = 0.0
                for a in 0..<sd {
                    delta[a] = x[layout.index(i, a)] - x[layout.index(j, a)]
                    r2 += delta[a] * delta[a]
                }
                let q = r2 * inv, q2 = q * q, q3 = q2 * q, q4 = q2 * q2
                let s = 1 / (1 + q4)
                body(i, j, s, -8 * q3 * s * s * inv, delta)
            }
        }
    }
}
