import Foundation

/// The four local minima of LJ7 in 2D (DESIGN §7; Dellago, Bolhuis & Chandler 1998): the
/// hexagon (12 bonds, V = −12.534867), two capped parallelograms (−11.501291, −11.476907; DESIGN
/// lists −11.50017 and −11.47563, energies of slightly unrelaxed geometries) and the trapezoid
/// (−11.403419). Each is built as a fragment of the triangular lattice with spacing
/// 2^{1/6} (the pair minimum) and relaxed with FIRE, so the named states are exact minima of
/// the potential in use.
public enum LennardJonesMinima {
    /// Triangular-lattice sites (i, j) ↦ (i + j/2, j√3/2), spacing 2^{1/6}.
    static func lattice(_ sites: [(Double, Double)]) -> [[Double]] {
        let a = pow(2, 1.0 / 6)
        return sites.map { [a * ($0.0 + $0.1 / 2), a * $0.1 * 3.0.squareRoot() / 2] }
    }

    /// Unrelaxed lattice fragments, by name.
    public static let fragments: [(name: String, sites: [[Double]])] = [
        ("hexagon", lattice([(0, 0), (1, 0), (0, 1), (-1, 1), (-1, 0), (0, -1), (1, -1)])),
        // A 3 + 3 parallelogram with a seventh particle over the left or the right pair of its top row.
        ("capped-parallelogram-1", lattice([(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1), (0, 2)])),
        ("capped-parallelogram-2", lattice([(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1), (1, 2)])),
        // Rows of four and three.
        ("trapezoid", lattice([(0, 0), (1, 0), (2, 0), (3, 0), (0, 1), (1, 1), (2, 1)])),
    ]

    /// The relaxed minima of `potential` (coordinates x₁…x₇, y₁…y₇, centre of mass at the origin).
    public static func minima(of potential: LennardJonesCluster2D) -> [String: [Double]] {
        precondition(potential.particles == 7, "the named minima are those of LJ7")
        let layout = potential.layout
        var out: [String: [Double]] = [:]
        for (name, sites) in fragments {
            let n = Double(sites.count)
            let centre = [sites.reduce(0) { $0 + $1[0] } / n, sites.reduce(0) { $0 + $1[1] } / n]
            let start = layout.flatten(sites.map { [$0[0] - centre[0], $0[1] - centre[1]] })
            out[name] = FIREMinimizer(tolerance: 1e-10).minimize(potential, from: start).positions
        }
        return out
    }
}
