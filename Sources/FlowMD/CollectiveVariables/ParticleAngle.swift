import Foundation

/// The angle a–b–c at particle b, in radians in [0, π], for 2D or 3D particles:
/// θ = atan2(|u × w|, u·w) with u = x_a − x_b, w = x_c − x_b (the atan2 form keeps full accuracy
/// near 0 and π, where acos loses it).
public struct ParticleAngle: CollectiveVariable {
    public let layout: ParticleLayout
    public let a: Int, b: Int, c: Int

    public init(_ a: Int, _ b: Int, _ c: Int, layout: ParticleLayout) {
        precondition(Set([a, b, c]).count == 3 && [a, b, c].allSatisfy { (0..<layout.particles).contains($0) },
                     "an angle needs three distinct particles of the system")
        precondition(layout.spatialDimension >= 2, "angles need 2D or 3D particles")
        self.a = a
        self.b = b
        self.c = c
        self.layout = layout
    }

    public var inputDimension: Int { layout.dimension }
    public var outputDimension: Int { 1 }
    public var componentNames: [String] { ["angle\(a + 1)_\(b + 1)_\(c + 1)"] }

    func sineAndCosine(_ u: [Double], _ w: [Double]) -> (Double, Double) {
        let cosine = ParticleGeometry.dot(u, w)
        let sine = layout.spatialDimension == 2
            ? abs(u[0] * w[1] - u[1] * w[0])
            : ParticleGeometry.norm(ParticleGeometry.cross(u, w))
        return (sine, cosine)
    }

    public func value(_ x: [Double]) -> [Double] {
        let (s, c) = sineAndCosine(ParticleGeometry.difference(x, layout, a, b), ParticleGeometry.difference(x, layout, c, b))
        return [atan2(s, c)]
    }

    /// ∂θ/∂u = (cos θ · u/|u| − w/|w|) / (|u| sin θ), likewise for w; ∂θ/∂x_b = −(∂θ/∂u + ∂θ/∂w).
    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        for k in jacobian.indices { jacobian[k] = 0 }
        let u = ParticleGeometry.difference(x, layout, a, b), w = ParticleGeometry.difference(x, layout, c, b)
        let (s, cs) = sineAndCosine(u, w)
        let theta = atan2(s, cs)
        let nu = ParticleGeometry.norm(u), nw = ParticleGeometry.norm(w)
        let sinT = max(sin(theta), .leastNormalMagnitude), cosT = cos(theta)
        let du = u.indices.map { (cosT * u[$0] / nu - w[$0] / nw) / (nu * sinT) }
        let dw = w.indices.map { (cosT * w[$0] / nw - u[$0] / nu) / (nw * sinT) }
        ParticleGeometry.add(du, particle: a, row: 0, layout: layout, to: &jacobian)
        ParticleGeometry.add(dw, particle: c, row: 0, layout: layout, to: &jacobian)
        ParticleGeometry.add(du, scale: -1, particle: b, row: 0, layout: layout, to: &jacobian)
        ParticleGeometry.add(dw, scale: -1, particle: b, row: 0, layout: layout, to: &jacobian)
        return [theta]
    }
}
