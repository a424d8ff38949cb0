import Foundation

extension DihedralCV {
    /// The dihedral angle of atoms (i, j, k, l) in flat coordinates `x` (radians, (−π, π], IUPAC),
    /// for batched evaluation without allocating a CV per torsion.
    public static func angle(_ x: UnsafePointer<Double>, _ i: Int, _ j: Int, _ k: Int, _ l: Int) -> Double {
        TorsionGeometry(x, i, j, k, l).phi
    }

    /// Adds s · ∇φ to `gradient` (flat, 3N), with s = `scale(φ)`: the vector–Jacobian product of
    /// any function of the angle (s = ∂L/∂φ), computed by the same force distribution as the
    /// dihedral energy terms.
    public static func addGradient(_ x: UnsafePointer<Double>, _ i: Int, _ j: Int, _ k: Int, _ l: Int,
                                   into gradient: UnsafeMutablePointer<Double>, scale: (Double) -> Double) {
        let geometry = TorsionGeometry(x, i, j, k, l)
        geometry.addGradient(gradient, dVdPhi: scale(geometry.phi))
    }
}
