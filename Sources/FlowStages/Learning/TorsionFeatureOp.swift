import Foundation
import FlowCore
import FlowLinalg
import FlowMD
import FlowNN

/// Torsion-angle features of a molecule's unique proper dihedrals, differentiable — the
/// discriminator's input in Cava et al. (250 torsions of deca-alanine).
///
/// Encodings: `angle` gives φ ∈ (−π, π] as the paper does (discontinuous where φ wraps at ±π:
/// two nearly equal conformations can differ by 2π in a feature, and an MSE on angles is wrong
/// there); `sin-cos` gives (cos φ, sin φ) per torsion, continuous and periodic, at twice the width.
/// flow defaults to `sin-cos`; the paper profile keeps `angle`.
struct TorsionFeatureOp {
    enum Encoding: String, ParameterEnum { case angle, sinCos = "sin-cos" }

    let dihedrals: [Dihedral]
    let encoding: Encoding

    /// The topology's proper dihedrals, each once (a torsion listed twice, or in both directions,
    /// is one feature), in the topology's order.
    init(topology: Topology, encoding: Encoding) {
        var seen = Set<Dihedral>()
        dihedrals = topology.dihedrals.filter { seen.insert($0.canonical).inserted }
        self.encoding = encoding
    }

    var width: Int { encoding == .angle ? dihedrals.count : 2 * dihedrals.count }

    /// The features of every row of `x` (batch × width).
    func values(_ x: Matrix) -> Matrix {
        let w = width, per = encoding == .angle ? 1 : 2
        var out = [Double](repeating: 0, count: x.rows * w)
        x.storage.withUnsafeBufferPointer { xb in
            for s in 0..<x.rows {
                let xp = xb.baseAddress! + s * x.cols
                for (n, d) in dihedrals.enumerated() {
                    let phi = DihedralCV.angle(xp, d.i, d.j, d.k, d.l)
                    if per == 1 {
                        out[s * w + n] = phi
                    } else {
                        out[s * w + 2 * n] = cos(phi)
                        out[s * w + 2 * n + 1] = sin(phi)
                    }
                }
            }
        }
        return Matrix(rows: x.rows, cols: w, storage: out)
    }

    /// The features on the tape of `x`.
    func callAsFunction(_ x: Variable) -> Variable {
        x.tape.custom(x) { value in
            (values(value), { upstream in
                var dx = [Double](repeating: 0, count: value.count)
                let w = width
                value.storage.withUnsafeBufferPointer { xb in
                    dx.withUnsafeMutableBufferPointer { gb in
                        for s in 0..<value.rows {
                            let xp = xb.baseAddress! + s * value.cols, gp = gb.baseAddress! + s * value.cols
                            for (n, d) in dihedrals.enumerated() {
                                DihedralCV.addGradient(xp, d.i, d.j, d.k, d.l, into: gp) { phi in
                                    encoding == .angle
                                        ? upstream.storage[s * w + n]
                                        : -sin(phi) * upstream.storage[s * w + 2 * n] + cos(phi) * upstream.storage[s * w + 2 * n + 1]
                                }
                            }
                        }
                    }
                }
                return Matrix(rows: value.rows, cols: value.cols, storage: dx)
            })
        }
    }
}
