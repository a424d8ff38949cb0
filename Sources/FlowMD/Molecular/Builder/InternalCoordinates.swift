import Foundation

/// Cartesian position of atom D from three placed atoms A, B, C and the internal coordinates
/// |CD| = bond, ∠BCD = angle, dihedral A–B–C–D (radians, IUPAC sign): the natural extension
/// reference frame construction (Parsons et al., J. Comput. Chem. 26, 1063 (2005)).
func placeAtom(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ c: SIMD3<Double>,
               bond: Double, angle: Double, dihedral: Double) -> SIMD3<Double> {
    let bc = c - b
    let bcHat = bc / (bc * bc).sum().squareRoot()
    let normal = cross3(b - a, bcHat)
    let nHat = normal / max((normal * normal).sum().squareRoot(), 1e-300)
    let m = cross3(nHat, bcHat)
    let local = SIMD3(-bond * cos(angle), bond * sin(angle) * cos(dihedral), bond * sin(angle) * sin(dihedral))
    return c + local.x * bcHat + local.y * m + local.z * nHat
}
