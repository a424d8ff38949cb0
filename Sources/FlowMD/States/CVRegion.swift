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

    /// The region's centre: the middle of a box, the centre of an ellipse.
    public var center: [Double] {
        switch self {
        case .box(let lower, let upper): return zip(lower, upper).map { ($0 + $1) / 2 }
        case .ellipse(let center, _): return center
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

    /// Membership for CVs with periodic components (angles: period 2π, nil for the others): each
    /// periodic component is first moved by whole periods to its image nearest the region's
    /// centre, so a dihedral state around π, written as the box [π − 0.2, π + 0.2], holds
    /// φ = −3.1 as well as φ = 3.1.
    public func contains(_ s: [Double], periods: [Double?]) -> Bool {
        guard periods.contains(where: { $0 != nil }) else { return contains(s) }
        let c = center
        var image = s
        for k in s.indices {
            if let period = periods[k] { image[k] -= period * ((s[k] - c[k]) / period).rounded() }
        }
        return contains(image)
    }
}
