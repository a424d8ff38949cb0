/// How the coordinates of a particle system are stored in a flat configuration vector, so that
/// collective variables and feature maps work on any system: `lj7-2d` stores x₁…x_N, y₁…y_N
/// (planar), molecules store x₁, y₁, z₁, x₂, … (interleaved).
public struct ParticleLayout: Sendable, Hashable {
    public enum Order: String, Sendable, Hashable {
        /// All x, then all y (then all z): x₁…x_N, y₁…y_N.
        case coordinateMajor = "coordinate-major"
        /// One particle after another: x₁, y₁, (z₁,) x₂, …
        case interleaved
    }

    public let particles: Int
    /// Spatial dimension (2 or 3).
    public let spatialDimension: Int
    public let order: Order

    public init(particles: Int, spatialDimension: Int, order: Order) {
        precondition(particles >= 1 && (1...3).contains(spatialDimension), "1–3 spatial dimensions and at least one particle")
        self.particles = particles
        self.spatialDimension = spatialDimension
        self.order = order
    }

    /// Particles in the plane, coordinates x₁…x_N, y₁…y_N (the LJ7 convention).
    public static func planar(particles: Int) -> ParticleLayout {
        ParticleLayout(particles: particles, spatialDimension: 2, order: .coordinateMajor)
    }

    /// Atoms in space, coordinates x₁, y₁, z₁, x₂, … (the molecular convention).
    public static func atoms(_ count: Int) -> ParticleLayout {
        ParticleLayout(particles: count, spatialDimension: 3, order: .interleaved)
    }

    /// Number of coordinates.
    public var dimension: Int { particles * spatialDimension }

    /// Index in the flat vector of coordinate `axis` of particle `p`.
    @inline(__always)
    public func index(_ p: Int, _ axis: Int) -> Int {
        order == .coordinateMajor ? axis * particles + p : p * spatialDimension + axis
    }

    /// Position of particle `p` (spatialDimension values).
    public func position(_ p: Int, in x: [Double]) -> [Double] {
        (0..<spatialDimension).map { x[index(p, $0)] }
    }

    /// Positions of all particles, one row per particle.
    public func positions(_ x: [Double]) -> [[Double]] {
        (0..<particles).map { position($0, in: x) }
    }

    /// The flat vector of the given particle positions (rows) in this layout.
    public func flatten(_ rows: [[Double]]) -> [Double] {
        var x = [Double](repeating: 0, count: rows.count * spatialDimension)
        let l = ParticleLayout(particles: rows.count, spatialDimension: spatialDimension, order: order)
        for (p, r) in rows.enumerated() {
            for a in 0..<spatialDimension { x[l.index(p, a)] = r[a] }
        }
        return x
    }
}
