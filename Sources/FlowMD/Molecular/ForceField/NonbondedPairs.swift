import Foundation

/// Pair parameters of the non-bonded interaction, per atom: an index into a type × type table of
/// Lennard-Jones coefficients (A = ε Rmin¹², B = 2 ε Rmin⁶, Lorentz–Berthelot combination or NBFIX)
/// and the charge scaled by sqrt(Coulomb constant), so that the pair product is C q_i q_j.
struct NonbondedParameters: Sendable {
    let typeIndex: [Int32]
    let typeCount: Int
    let a12: [Double], b6: [Double]
    let a12Pair14: [Double], b6Pair14: [Double]
    let scaledCharge: [Double]

    init(topology: Topology, parameters: ParameterSet, coulombConstant: Double) throws {
        var names: [String] = []
        var index: [String: Int] = [:]
        var typeIndex: [Int32] = []
        for atom in topology.atoms {
            if index[atom.type] == nil { index[atom.type] = names.count; names.append(atom.type) }
            typeIndex.append(Int32(index[atom.type]!))
        }
        let lj = try names.map { try parameters.lennardJones($0) }
        let t = names.count
        var a = [Double](repeating: 0, count: t * t), b = a, a14 = a, b14 = a
        for p in 0..<t {
            for q in 0..<t {
                var eps = (lj[p].epsilon * lj[q].epsilon).squareRoot()
                var rmin = lj[p].rminHalf + lj[q].rminHalf
                var eps14 = (lj[p].epsilon14 * lj[q].epsilon14).squareRoot()
                var rmin14 = lj[p].rminHalf14 + lj[q].rminHalf14
                if let fix = parameters.pairOverride(names[p], names[q]) {
                    eps = fix.epsilon; rmin = fix.rmin; eps14 = fix.epsilon14; rmin14 = fix.rmin14
                }
                a[p * t + q] = eps * pow(rmin, 12); b[p * t + q] = 2 * eps * pow(rmin, 6)
                a14[p * t + q] = eps14 * pow(rmin14, 12); b14[p * t + q] = 2 * eps14 * pow(rmin14, 6)
            }
        }
        self.typeIndex = typeIndex
        typeCount = t
        a12 = a; b6 = b; a12Pair14 = a14; b6Pair14 = b14
        scaledCharge = topology.atoms.map { $0.charge * coulombConstant.squareRoot() }
    }
}

/// A list of interacting pairs with their coefficients, structure of arrays: the input of the
/// non-bonded kernel, filled once (all pairs, 1-4 pairs) or at each neighbour-list rebuild.
struct PairList: Sendable {
    var i: [Int32] = [], j: [Int32] = []
    var a12: [Double] = [], b6: [Double] = [], qq: [Double] = []

    var count: Int { i.count }

    mutating func removeAll() {
        i.removeAll(keepingCapacity: true); j.removeAll(keepingCapacity: true)
        a12.removeAll(keepingCapacity: true); b6.removeAll(keepingCapacity: true); qq.removeAll(keepingCapacity: true)
    }

    /// Appends pair (p, q) with normal or 1-4 coefficients, scaled by the given factors.
    @inline(__always)
    mutating func append(_ p: Int, _ q: Int, _ params: NonbondedParameters, pair14: Bool = false,
                         ljScale: Double = 1, coulombScale: Double = 1) {
        let slot = Int(params.typeIndex[p]) * params.typeCount + Int(params.typeIndex[q])
        i.append(Int32(p)); j.append(Int32(q))
        a12.append(ljScale * (pair14 ? params.a12Pair14[slot] : params.a12[slot]))
        b6.append(ljScale * (pair14 ? params.b6Pair14[slot] : params.b6[slot]))
        qq.append(coulombScale * params.scaledCharge[p] * params.scaledCharge[q])
    }

    /// Lennard-Jones and Coulomb energies of the listed pairs; adds their gradient.
    ///
    /// Without a cutoff: V = A/r¹² − B/r⁶ + C q_i q_j / r. With a cutoff the Lennard-Jones term is
    /// multiplied by CHARMM's switching function (Brooks et al., J. Comput. Chem. 4, 187 (1983))
    /// S(r) = (rc² − r²)² (rc² + 2r² − 3ron²) / (rc² − ron²)³ for ron < r < rc, and Coulomb by the
    /// NAMD/CHARMM shifting function (1 − r²/rc²)²; pairs beyond rc contribute nothing.
    func evaluate(_ x: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>,
                  cutoff: CutoffScheme?) -> (lennardJones: Double, coulomb: Double) {
        var elj = 0.0, ecoul = 0.0
        let rc2 = (cutoff?.cutoff ?? .infinity) * (cutoff?.cutoff ?? .infinity)
        let ron2 = (cutoff?.switchDistance ?? 0) * (cutoff?.switchDistance ?? 0)
        let switchDenominator = 1 / ((rc2 - ron2) * (rc2 - ron2) * (rc2 - ron2))
        let shifted = cutoff != nil
        i.withUnsafeBufferPointer { I in j.withUnsafeBufferPointer { J in
        a12.withUnsafeBufferPointer { A in b6.withUnsafeBufferPointer { B in qq.withUnsafeBufferPointer { Q in
            for n in 0..<I.count {
                let p = 3 * Int(I[n]), q = 3 * Int(J[n])
                let dx = x[p] - x[q], dy = x[p + 1] - x[q + 1], dz = x[p + 2] - x[q + 2]
                let r2 = dx * dx + dy * dy + dz * dz
                if shifted && r2 >= rc2 { continue }
                let r = r2.squareRoot()
                let ir = 1 / r
                let ir2 = ir * ir
                let ir6 = ir2 * ir2 * ir2
                var lj = (A[n] * ir6 - B[n]) * ir6
                // (dV/dr)/r, so that ∇_i V = (dV/dr)/r · (x_i − x_j).
                var s = (-12 * A[n] * ir6 + 6 * B[n]) * ir6 * ir2
                var coul = Q[n] * ir
                if shifted {
                    if r2 > ron2 {
                        let d = rc2 - r2
                        let sw = d * d * (rc2 + 2 * r2 - 3 * ron2) * switchDenominator
                        let dsw = 12 * d * (ron2 - r2) * switchDenominator  // (dS/dr)/r
                        s = s * sw + lj * dsw
                        lj *= sw
                    }
                    let shift = 1 - r2 / rc2
                    s += -coul * ir2 * shift * shift - coul * shift * 4 / rc2
                    coul *= shift * shift
                } else {
                    s -= coul * ir2
                }
                elj += lj
                ecoul += coul
                g[p] += s * dx; g[p + 1] += s * dy; g[p + 2] += s * dz
                g[q] -= s * dx; g[q + 1] -= s * dy; g[q + 2] -= s * dz
            }
        }}}}}
        return (elj, ecoul)
    }
}
