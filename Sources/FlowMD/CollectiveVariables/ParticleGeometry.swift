import Foundation

/// Small vector helpers on particle positions taken from flat configurations.
enum ParticleGeometry {
    static func difference(_ x: [Double], _ layout: ParticleLayout, _ a: Int, _ b: Int) -> [Double] {
        (0..<layout.spatialDimension).map { x[layout.index(a, $0)] - x[layout.index(b, $0)] }
    }

    static func dot(_ u: [Double], _ v: [Double]) -> Double {
        var s = 0.0
        for i in u.indices { s += u[i] * v[i] }
        return s
    }

    static func norm(_ u: [Double]) -> Double { dot(u, u).squareRoot() }

    static func cross(_ u: [Double], _ v: [Double]) -> [Double] {
        [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
    }

    /// Adds `scale · g` to the Jacobian row `row` at the coordinates of particle `p`.
    static func add(_ g: [Double], scale: Double = 1, particle p: Int, row: Int, layout: ParticleLayout,
                    to jacobian: inout [Double]) {
        let d = layout.dimension
        for a in 0..<layout.spatialDimension { jacobian[row * d + layout.index(p, a)] += scale * g[a] }
    }
}
