/// The distance |x_b − x_a| between two particles, in any layout and spatial dimension —
/// colvars' `distance` between one-atom groups (the CA1–CA10 pulling coordinate of
/// deca-alanine, a bond length in LJ clusters).
public struct ParticleDistance: CollectiveVariable {
    public let layout: ParticleLayout
    public let a: Int, b: Int

    public init(_ a: Int, _ b: Int, layout: ParticleLayout) {
        precondition(a != b && a < layout.particles && b < layout.particles && a >= 0 && b >= 0,
                     "a distance needs two distinct particles of the system")
        self.a = a
        self.b = b
        self.layout = layout
    }

    public var inputDimension: Int { layout.dimension }
    public var outputDimension: Int { 1 }
    public var componentNames: [String] { ["d\(a + 1)_\(b + 1)"] }

    public func value(_ x: [Double]) -> [Double] {
        [ParticleGeometry.norm(ParticleGeometry.difference(x, layout, b, a))]
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        for k in jacobian.indices { jacobian[k] = 0 }
        let u = ParticleGeometry.difference(x, layout, b, a)
        let r = ParticleGeometry.norm(u)
        let unit = u.map { $0 / max(r, .leastNormalMagnitude) }
        ParticleGeometry.add(unit, particle: b, row: 0, layout: layout, to: &jacobian)
        ParticleGeometry.add(unit, scale: -1, particle: a, row: 0, layout: layout, to: &jacobian)
        return [r]
    }
}
