import Foundation
import FlowLinalg

/// A symmetric positive-definite d × d tensor per grid cell (d = 1 or 2): the diffusion tensor
/// M(z) = E[∇ξ(x) ∇ξ(x)ᵀ | ξ(x) = z] of the effective dynamics (Legoll & Lelièvre 2010, eq. 11),
/// in length²/(energy·time) for CV units of length, so that β⁻¹M is a diffusion coefficient.
/// Cells are row-major as in `GridNodes`; a cell whose tensor has a non-finite entry carries no
/// tensor (no data there), and discretizations remove it.
public struct DiffusionTensorField: Sendable, Equatable {
    public let dimension: Int
    /// One row per cell: the tensor row-major (M₀₀, M₀₁, M₁₀, M₁₁ in 2D).
    public private(set) var values: Matrix

    public var cellCount: Int { values.rows }

    /// - Parameter values: cells × d². Tensors symmetric to 10⁻⁹ relative are symmetrized exactly;
    ///   finite tensors that are not symmetric or not positive definite are an error.
    public init(dimension: Int, values: Matrix) throws {
        guard dimension == 1 || dimension == 2 else {
            throw LinalgError.invalidArgument("diffusion tensors are 1×1 or 2×2, got dimension \(dimension)")
        }
        guard values.cols == dimension * dimension else {
            throw LinalgError.dimensionMismatch("diffusion tensors of dimension \(dimension) need \(dimension * dimension) values per cell, got \(values.cols)")
        }
        var v = values
        for c in 0..<v.rows where v.row(c).allSatisfy({ $0.isFinite }) {
            if dimension == 1 {
                guard v[c, 0] > 0 else {
                    throw LinalgError.invalidArgument("diffusion coefficient \(v[c, 0]) at cell \(c) is not positive")
                }
                continue
            }
            let (a, b, b2, d) = (v[c, 0], v[c, 1], v[c, 2], v[c, 3])
            guard abs(b - b2) <= 1e-9 * (abs(a) + abs(d)) else {
                throw LinalgError.invalidArgument("diffusion tensor at cell \(c) is not symmetric: M₀₁ = \(b), M₁₀ = \(b2)")
            }
            let s = (b + b2) / 2
            guard a > 0, a * d - s * s > 0 else {
                throw LinalgError.invalidArgument("diffusion tensor [[\(a), \(s)], [\(s), \(d)]] at cell \(c) is not positive definite; smooth the tensor field or lengthen the restrained runs that estimate it")
            }
            v[c, 1] = s
            v[c, 2] = s
        }
        self.dimension = dimension
        self.values = v
    }

    /// The same tensor (d × d, row-major) in every cell.
    public init(constant tensor: [Double], dimension: Int, cells: Int) throws {
        try self.init(dimension: dimension,
                      values: Matrix(rows: cells, cols: tensor.count, storage: (0..<cells).flatMap { _ in tensor }))
    }

    /// The tensor of `cell`, row-major.
    public func tensor(atCell cell: Int) -> [Double] { values.row(cell) }

    /// Whether `cell` carries a tensor (all entries finite; such tensors are symmetric positive
    /// definite by construction).
    public func hasTensor(atCell cell: Int) -> Bool { values.row(cell).allSatisfy { $0.isFinite } }

    /// A Gaussian-weighted average over neighbouring cells, M̃(z_i) = Σ_j g_ij c_j M(z_j) / Σ_j g_ij c_j
    /// with g_ij = exp(−½ Σ_a (Δz_a/σ_a)²) over the cells with a tensor within 3σ along each axis
    /// (periodic axes by their nearest image), c_j = `confidence` (e.g. the samples behind M(z_j),
    /// default 1). A positive combination of symmetric positive-definite tensors is symmetric
    /// positive definite, so the result is a valid field; cells without a tensor stay without one.
    ///
    /// - Parameter width: σ_a per axis, in the axis's units; 0 leaves that axis unsmoothed.
    public func smoothed(on axes: [GridAxis], width: [Double], confidence: [Double]? = nil) throws -> DiffusionTensorField {
        let nodes = try GridNodes(axes: axes)
        guard nodes.cellCount == cellCount, axes.count == dimension else {
            throw LinalgError.dimensionMismatch("a \(dimension)-D tensor field of \(cellCount) cells on a grid of \(axes.count) axes and \(nodes.cellCount) cells")
        }
        guard width.count == axes.count, width.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw LinalgError.invalidArgument("smoothing needs one finite width ≥ 0 per axis, got \(width)")
        }
        if let c = confidence {
            guard c.count == cellCount, c.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw LinalgError.invalidArgument("smoothing needs one finite confidence ≥ 0 per cell")
            }
        }
        // Within 3σ, and each periodic image counted once.
        let reach = zip(axes, width).map { axis, w in
            Swift.min(Int((3 * w / axis.spacing).rounded(.down)), axis.periodic ? (axis.count - 1) / 2 : axis.count - 1)
        }
        var out = values
        for cell in 0..<cellCount where hasTensor(atCell: cell) {
            let index = nodes.gridIndex(ofCell: cell)
            var sum = [Double](repeating: 0, count: values.cols), total = 0.0
            let r1 = dimension == 2 ? reach[1] : 0
            for d0 in -reach[0]...reach[0] {
                for d1 in -r1...r1 {
                    let offset = dimension == 2 ? [d0, d1] : [d0]
                    guard let other = nodes.cell(at: zip(index, offset).map { $0 + $1 }), hasTensor(atCell: other) else { continue }
                    var exponent = 0.0
                    for a in 0..<dimension where width[a] > 0 {
                        let dz = Double(offset[a]) * axes[a].spacing / width[a]
                        exponent += dz * dz
                    }
                    let g = exp(-exponent / 2) * (confidence?[other] ?? 1)
                    guard g > 0 else { continue }
                    total += g
                    for k in 0..<values.cols { sum[k] += g * values[other, k] }
                }
            }
            if total > 0 { for k in 0..<values.cols { out[cell, k] = sum[k] / total } }
        }
        return try DiffusionTensorField(dimension: dimension, values: out)
    }
}
