import FlowLinalg
import FlowMD
import FlowNN

/// The CHARMM energy of a batch of configurations as a tape operation (Cava et al. add the
/// force-field energy of generated frames to the generator's loss; they used TorchMD, which
/// drops Urey–Bradley and improper terms and the CHARMM 1-4 Lennard-Jones parameters — here the
/// full `ForceField` of `flow energy` is used, every term, DESIGN §10).
///
/// Input: batch × 3N coordinates (Å). Output: batch × `EnergyGroup.allCases.count` energies
/// (kcal/mol), one column per group (bond, angle, urey_bradley, dihedral, improper, cmap,
/// nonbonded = Lennard-Jones + Coulomb with their 1-4 parts), so a loss can weight groups
/// separately. The vector–Jacobian product is Σ_g ḡ_sg ∇E_g(x_s) per sample. Samples are
/// independent and run in parallel chunks; every sample's numbers are the same for any thread
/// count.
struct ForceFieldEnergyOp {
    let forceField: ForceField
    static let groups = EnergyGroup.allCases

    /// Energies and group gradients of every row of `x`, with the full terms of each row.
    func evaluate(_ x: Matrix) -> (energies: Matrix, gradients: [Double], terms: [EnergyTerms]) {
        let d = forceField.dimension, g = Self.groups.count
        precondition(x.cols == d, "force-field energy of \(x.cols) coordinates; the molecule has \(d)")
        var energies = [Double](repeating: 0, count: x.rows * g)
        var gradients = [Double](repeating: 0, count: x.rows * g * d)
        var terms = [EnergyTerms](repeating: EnergyTerms(), count: x.rows)
        x.storage.withUnsafeBufferPointer { xb in
            energies.withUnsafeMutableBufferPointer { eb in
                gradients.withUnsafeMutableBufferPointer { gb in
                    terms.withUnsafeMutableBufferPointer { tb in
                        let (xp, ep, gp, tp) = (xb.baseAddress!, eb.baseAddress!, gb.baseAddress!, tb.baseAddress!)
                        parallelChunks(x.rows, chunkSize: 4) { range in
                            for s in range {
                                let e = forceField.evaluateGroups(xp + s * d, gradients: gp + s * g * d)
                                tp[s] = e
                                for (k, group) in Self.groups.enumerated() { ep[s * g + k] = ForceField.energy(of: group, in: e) }
                            }
                        }
                    }
                }
            }
        }
        return (Matrix(rows: x.rows, cols: g, storage: energies), gradients, terms)
    }

    /// The op on the tape of `x`; `terms` receives the full energy terms of every row.
    func callAsFunction(_ x: Variable, terms: inout [EnergyTerms]) -> Variable {
        var evaluated: [EnergyTerms] = []
        let d = forceField.dimension, g = Self.groups.count
        let result = x.tape.custom(x) { value in
            let (energies, gradients, t) = evaluate(value)
            evaluated = t
            return (energies, { upstream in
                var dx = [Double](repeating: 0, count: value.rows * d)
                dx.withUnsafeMutableBufferPointer { out in
                    let o = out.baseAddress!
                    parallelChunks(value.rows, chunkSize: 16) { range in
                        for s in range {
                            for k in 0..<g {
                                let w = upstream.storage[s * g + k]
                                if w == 0 { continue }
                                let base = (s * g + k) * d
                                for c in 0..<d { o[s * d + c] += w * gradients[base + c] }
                            }
                        }
                    }
                }
                return Matrix(rows: value.rows, cols: d, storage: dx)
            })
        }
        terms = evaluated
        return result
    }
}
