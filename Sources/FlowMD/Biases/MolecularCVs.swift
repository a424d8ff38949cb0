import Foundation

/// The distance between two atoms, |r_j − r_i| (Å) — colvars' `distance` between two one-atom
/// groups; the CV of steered MD on deca-alanine (CA1–CA10).
public struct DistanceCV: CollectiveVariable {
    public let atomA: Int, atomB: Int
    public let inputDimension: Int
    public var outputDimension: Int { 1 }
    public var componentNames: [String] { ["distance"] }

    public init(_ a: Int, _ b: Int, atomCount: Int) {
        precondition(a != b && a < atomCount && b < atomCount, "distance CV needs two distinct atoms")
        atomA = a; atomB = b; inputDimension = 3 * atomCount
    }

    public func value(_ x: [Double]) -> [Double] {
        let a = 3 * atomA, b = 3 * atomB
        let d = SIMD3(x[b] - x[a], x[b + 1] - x[a + 1], x[b + 2] - x[a + 2])
        return [((d * d).sum()).squareRoot()]
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        let a = 3 * atomA, b = 3 * atomB
        let d = SIMD3(x[b] - x[a], x[b + 1] - x[a + 1], x[b + 2] - x[a + 2])
        let r = ((d * d).sum()).squareRoot()
        for i in jacobian.indices { jacobian[i] = 0 }
        let u = d / max(r, 1e-300)
        for k in 0..<3 { jacobian[b + k] = u[k]; jacobian[a + k] = -u[k] }
        return [r]
    }
}

/// The dihedral angle i–j–k–l in radians, in (−π, π], IUPAC sign convention (trans = π) — the
/// butane C–C–C–C torsion and the backbone φ/ψ. Periodic with period 2π.
public struct DihedralCV: CollectiveVariable {
    public let atoms: (Int, Int, Int, Int)
    public let inputDimension: Int
    public var outputDimension: Int { 1 }
    public var componentNames: [String] { ["dihedral"] }
    public static let period = 2 * Double.pi

    public init(_ i: Int, _ j: Int, _ k: Int, _ l: Int, atomCount: Int) {
        precondition(Set([i, j, k, l]).count == 4 && [i, j, k, l].allSatisfy { $0 < atomCount }, "dihedral CV needs four distinct atoms")
        atoms = (i, j, k, l); inputDimension = 3 * atomCount
    }

    public func value(_ x: [Double]) -> [Double] {
        x.withUnsafeBufferPointer { [TorsionGeometry($0.baseAddress!, atoms.0, atoms.1, atoms.2, atoms.3).phi] }
    }

    public func value(_ x: [Double], jacobian: inout [Double]) -> [Double] {
        for i in jacobian.indices { jacobian[i] = 0 }
        return x.withUnsafeBufferPointer { xb in
            let geo = TorsionGeometry(xb.baseAddress!, atoms.0, atoms.1, atoms.2, atoms.3)
            jacobian.withUnsafeMutableBufferPointer { geo.addGradient($0.baseAddress!, dVdPhi: 1) }
            return [geo.phi]
        }
    }
}
