import FlowCore
import FlowLinalg
import FlowMD
import FlowNN

/// The lengths of a molecule's bonds as a tape operation (batch × bonds, Å). Torsion angles do
/// not change when a bond stretches, so a discriminator that sees only torsions (Cava et al.)
/// cannot tell a stretched generated frame from a real one; these features let it.
struct BondLengthOp {
    let bonds: [Bond]

    func values(_ x: Matrix) -> Matrix {
        var out = Matrix(rows: x.rows, cols: bonds.count)
        for s in 0..<x.rows {
            let base = s * x.cols
            for (n, b) in bonds.enumerated() {
                var r2 = 0.0
                for c in 0..<3 { let d = x.storage[base + 3 * b.i + c] - x.storage[base + 3 * b.j + c]; r2 += d * d }
                out.storage[s * bonds.count + n] = r2.squareRoot()
            }
        }
        return out
    }

    func callAsFunction(_ x: Variable) -> Variable {
        x.tape.custom(x) { value in
            let r = values(value)
            return (r, { upstream in
                var dx = Matrix(rows: value.rows, cols: value.cols)
                for s in 0..<value.rows {
                    let base = s * value.cols
                    for (n, b) in bonds.enumerated() where r.storage[s * bonds.count + n] > 0 {
                        let f = upstream.storage[s * bonds.count + n] / r.storage[s * bonds.count + n]
                        for c in 0..<3 {
                            let d = value.storage[base + 3 * b.i + c] - value.storage[base + 3 * b.j + c]
                            dx.storage[base + 3 * b.i + c] += f * d
                            dx.storage[base + 3 * b.j + c] -= f * d
                        }
                    }
                }
                return dx
            })
        }
    }
}

/// What the discriminator (and the MMD term) sees of a frame besides t: the torsion features, and
/// optionally the bond lengths and the distances between all heavy atoms. Torsions and bonds are
/// local; the heavy-atom distances carry the fold (a helix and a coil with the same torsions up to
/// small errors in each are far apart in them), which is what an RMSD after superposition measures.
struct DiscriminatorFeatures {
    enum Kind: String, ParameterEnum { case torsions, bonds, distances }

    let torsions: TorsionFeatureOp
    let bonds: BondLengthOp?
    var distances: BondLengthOp? = nil

    /// Every pair of heavy (non-hydrogen) atoms of a topology.
    static func heavyAtomPairs(_ topology: Topology) -> [Bond] {
        let heavy = topology.atoms.indices.filter { topology.atoms[$0].element != "H" }
        return heavy.indices.flatMap { a in heavy[(a + 1)...].map { Bond(heavy[a], $0) } }
    }

    var width: Int { torsions.width + (bonds?.bonds.count ?? 0) + (distances?.bonds.count ?? 0) }

    func callAsFunction(_ x: Variable) -> Variable {
        guard bonds != nil || distances != nil else { return torsions(x) }
        return x.tape.concatColumns([torsions(x)] + [bonds, distances].compactMap { $0?(x) })
    }

    /// The same features of plain frames (batch × width).
    func values(_ x: Matrix) -> Matrix {
        let tape = Tape()
        return tape.value(self(tape.constant(x)))
    }
}
