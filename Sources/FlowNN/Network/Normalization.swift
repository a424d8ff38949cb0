import FlowLinalg

/// A per-feature affine map stored with a network: inputs are normalized as (x − shift) / scale
/// before the first layer, and outputs are mapped back as y · scale + shift after the last.
/// Standardizing features of very different magnitude (coordinates in Å, energies in kcal/mol)
/// is what makes one learning rate fit all of them.
public struct Normalization: Equatable, Codable, Sendable {
    public var shift: [Double]
    public var scale: [Double]

    public init(shift: [Double], scale: [Double]) {
        precondition(shift.count == scale.count, "normalization shift and scale differ in length")
        precondition(scale.allSatisfy { $0 != 0 && $0.isFinite }, "normalization scale must be finite and non-zero")
        self.shift = shift
        self.scale = scale
    }

    /// The identity map on n features.
    public static func identity(_ n: Int) -> Normalization {
        Normalization(shift: [Double](repeating: 0, count: n), scale: [Double](repeating: 1, count: n))
    }

    /// Column means and standard deviations of `data` (a constant column gets scale 1).
    public static func standardizing(_ data: Matrix) -> Normalization {
        let m = Double(Swift.max(data.rows, 1))
        var mean = [Double](repeating: 0, count: data.cols)
        var variance = [Double](repeating: 0, count: data.cols)
        for i in 0..<data.rows {
            for j in 0..<data.cols { mean[j] += data[i, j] }
        }
        for j in 0..<data.cols { mean[j] /= m }
        for i in 0..<data.rows {
            for j in 0..<data.cols {
                let d = data[i, j] - mean[j]
                variance[j] += d * d
            }
        }
        let scale = variance.map { v -> Double in
            let s = (v / m).squareRoot()
            return s > 0 && s.isFinite ? s : 1
        }
        return Normalization(shift: mean, scale: scale)
    }

    public var count: Int { shift.count }
    public var isIdentity: Bool { shift.allSatisfy { $0 == 0 } && scale.allSatisfy { $0 == 1 } }
}
