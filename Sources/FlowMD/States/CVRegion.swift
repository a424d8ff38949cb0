/// A region of CV space: an axis-aligned box lowerₖ ≤ ξₖ ≤ upperₖ, or an axis-aligned ellipse
/// (a ball when the semi-axes are equal) Σₖ ((ξₖ − cₖ)/aₖ)² ≤ 1.
public enum CVRegion: Sendable, Equatable {
    case box(lower: [Double], upper: [Double])
    case ellipse(center: [Double], semiAxes: [Double])

    /// Number of CV components the region is defined on.
    public var dimension: Int {
        switch self {
        case .box(let lower, _): return lower.count
        case .ellipse(let center, _): return center.count
        }
    }

    public func contains(_ s: [Double]) -> Bool {
        switch self {
        case .box(let lower, let upper):
            return s.indices.allSatisfy { lower[$0] <= s[$0] && s[$0] <= upper[$0] }
        case .ellipse(let center, let axes):
            var r2 = 0.0
            for k in s.indices {
                let u = (s[k] - center[k]) / axes[k]
                r2 += u * u
            }
            return r2 <= 1
        }
    }
}
