import Foundation

/// A collective variable whose components are angles: each period (2π) or nil, so that biases
/// and grids use minimum-image differences.
public protocol PeriodicComponents {
    var periods: [Double?] { get }
}

/// The dihedral angle a–b–c–d of 3D particles in radians in (−π, π], IUPAC sign convention
/// (trans = π): φ = atan2(|b₂| b₁·(b₂ × b₃), (b₁ × b₂)·(b₂ × b₃)) with b₁ = x_b − x_a,
/// b₂ = x_c − x_b, b₃ = x_d − x_c. Gradient in the form of Blondel & Karplus, J. Comput. Chem. 17,
/// 1132 (1996), which has no singularity at φ = 0 or π.
public struct ParticleDihedral: CollectiveVariable, PeriodicComponents {
    public let layout: ParticleLayout
    public let atoms: [Int]
    /// The component's name (a backbone `phi`/`psi`); nil: phi with the 1-based atom numbers.
    public let name: String?

    public init(_ a: Int, _ b: Int, _ c: Int, _ d: Int, layout: ParticleLayout, name: String? = nil) {
        precondition(layout.spatialDimension == 3, "dihedral angles need 3D particles")
        precondition(Set([a, b, c, d]).count == 4 && [a, b, c, d].allSatisfy { (0..<layout.particles).contains($0) },
                     "a dihedral needs four distinct particles of the system")
        atoms = [a, b, c, d]
        self.layout = layout
        self.name = name
    }

    public var inputDimension: Int { layout.dimension }
    public var outputDimension: Int { 1 }
    public var componentNames: [String] { [name ?? "phi" + atoms.map { "\($0 + 1)" }.joined(separator: "_")] }
    public var periods: [Double?] { [2 * Double.pi] }

    public func value(_ x: [Double]) -> [Double] {
        var scratch = [Double](repeating: 0, count: inputDimension)
        return value(x, jacobian: &scratch)
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        for k in jacobian.indices { jacobian[k] = 0 }
        let g = ParticleGeometry.self
        let b1 = g.difference(x, layout, atoms[1], atoms[0])
        let b2 = g.difference(x, layout, atoms[2], atoms[1])
        let b3 = g.difference(x, layout, atoms[3], atoms[2])
        let m = g.cross(b1, b2), n = g.cross(b2, b3)
        let nb2 = g.norm(b2)
        let phi = atan2(nb2 * g.dot(b1, n), g.dot(m, n))
        let mm = max(g.dot(m, m), .leastNormalMagnitude), nn = max(g.dot(n, n), .leastNormalMagnitude)
        let da = m.map { -nb2 / mm * $0 }
        let dd = n.map { nb2 / nn * $0 }
        let p = g.dot(b1, b2) / (nb2 * nb2), q = g.dot(b3, b2) / (nb2 * nb2)
        let db = (0..<3).map { -(1 + p) * da[$0] + q * dd[$0] }
        let dc = (0..<3).map { -(1 + q) * dd[$0] + p * da[$0] }
        for (atom, grad) in zip(atoms, [da, db, dc, dd]) {
            g.add(grad, particle: atom, row: 0, layout: layout, to: &jacobian)
        }
        return [phi]
    }
}
