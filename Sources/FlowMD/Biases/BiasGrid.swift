import Foundation

/// A bias on a regular grid over one or two CV components, stored as values and exact
/// derivatives at the nodes (f, ∂f/∂s₁ in 1D; f, ∂₁f, ∂₂f, ∂₁₂f in 2D) and evaluated by cubic /
/// bicubic Hermite interpolation, so that the interpolated bias is C¹ and its gradient is the
/// exact derivative of what is evaluated (MALA's acceptance and finite-difference checks rely on
/// that consistency). Adding a Gaussian touches only the nodes within `cutoff` widths of its
/// centre: the cost of evaluating and growing the bias does not depend on the number of hills
/// (PLUMED's GRID_* option, Bonomi et al., Comput. Phys. Commun. 180, 1961 (2009)).
///
/// Outside a non-periodic axis the bias is the value at the nearest edge with zero derivative
/// along that axis; periodic axes wrap.
public struct BiasGrid: Sendable, Equatable {
    public let lower: [Double]
    public let upper: [Double]
    public let points: [Int]
    public let periodic: [Bool]
    /// Node spacing per axis.
    public let spacing: [Double]
    /// Node values, axis 0 slowest: index i₀·n₁ + i₁.
    public internal(set) var values: [Double]
    /// ∂f/∂s₀ (1D), or ∂f/∂s₀, ∂f/∂s₁, ∂²f/∂s₀∂s₁ (2D), each laid out like `values`.
    public internal(set) var derivatives: [[Double]]
    /// Gaussians are cut at this many widths from their centre.
    public static let cutoff = 6.5

    /// `points` nodes per axis; a periodic axis has nodes lower + k·(upper − lower)/points
    /// (upper ≡ lower), a non-periodic one spans [lower, upper] inclusive.
    public init(lower: [Double], upper: [Double], points: [Int], periodic: [Bool]) {
        precondition((1...2).contains(lower.count) && [upper.count, points.count, periodic.count].allSatisfy { $0 == lower.count },
                     "a bias grid has one or two axes")
        precondition(zip(lower, upper).allSatisfy { $0 < $1 } && points.allSatisfy { $0 >= 2 }, "grid axes need lower < upper and ≥ 2 points")
        self.lower = lower
        self.upper = upper
        self.points = points
        self.periodic = periodic
        spacing = (0..<lower.count).map { (upper[$0] - lower[$0]) / Double(periodic[$0] ? points[$0] : points[$0] - 1) }
        let count = points.reduce(1, *)
        values = [Double](repeating: 0, count: count)
        derivatives = [[Double]](repeating: [Double](repeating: 0, count: count), count: lower.count == 1 ? 1 : 3)
    }

    public var rank: Int { lower.count }

    /// Coordinate of node k along `axis`.
    public func node(_ k: Int, axis: Int) -> Double { lower[axis] + Double(k) * spacing[axis] }

    /// s − c, by minimum image on periodic axes.
    func separation(_ s: Double, _ c: Double, axis: Int) -> Double {
        var d = s - c
        if periodic[axis] {
            let p = upper[axis] - lower[axis]
            d -= p * (d / p).rounded()
        }
        return d
    }

    /// Adds w·exp(−½ Σ ((s − c)/σ)²) and its derivatives at the nodes within the cutoff.
    /// `onNode(index, old, new)` sees each changed node value (for running sums over the grid).
    public mutating func addGaussian(center: [Double], widths: [Double], height: Double,
                                     onNode: (Int, Double, Double) -> Void = { _, _, _ in }) {
        let factors = (0..<rank).map { axisFactors(center: center[$0], width: widths[$0], axis: $0) }
        if rank == 1 {
            for (k, g, dg) in factors[0] {
                let old = values[k]
                values[k] += height * g
                derivatives[0][k] += height * dg
                onNode(k, old, values[k])
            }
            return
        }
        let n1 = points[1]
        for (k0, g0, dg0) in factors[0] {
            for (k1, g1, dg1) in factors[1] {
                let k = k0 * n1 + k1
                let old = values[k]
                values[k] += height * g0 * g1
                derivatives[0][k] += height * dg0 * g1
                derivatives[1][k] += height * g0 * dg1
                derivatives[2][k] += height * dg0 * dg1
                onNode(k, old, values[k])
            }
        }
    }

    /// (node, g, dg/ds) along one axis for the nodes within the cutoff of `center`.
    func axisFactors(center: Double, width: Double, axis: Int) -> [(Int, Double, Double)] {
        let h = spacing[axis], n = points[axis]
        let reach = Self.cutoff * width
        var ks: [Int]
        if periodic[axis] {
            if 2 * reach >= upper[axis] - lower[axis] {
                ks = Array(0..<n)
            } else {
                let first = Int(((center - reach - lower[axis]) / h).rounded(.up))
                let last = Int(((center + reach - lower[axis]) / h).rounded(.down))
                ks = (first...max(first, last)).map { (($0 % n) + n) % n }
            }
        } else {
            let first = max(0, Int(((center - reach - lower[axis]) / h).rounded(.up)))
            let last = min(n - 1, Int(((center + reach - lower[axis]) / h).rounded(.down)))
            ks = first <= last ? Array(first...last) : []
        }
        return ks.map { k in
            let d = separation(node(k, axis: axis), center, axis: axis)
            let u = d / width
            let g = exp(-0.5 * u * u)
            return (k, g, -d / (width * width) * g)
        }
    }

    /// The cell containing s along an axis: (lower node, upper node, t ∈ [0,1], clamped?).
    func locate(_ s: Double, axis: Int) -> (Int, Int, Double, Bool) {
        let h = spacing[axis], n = points[axis]
        if periodic[axis] {
            let p = upper[axis] - lower[axis]
            var u = (s - lower[axis]).truncatingRemainder(dividingBy: p)
            if u < 0 { u += p }
            let r = u / h
            let i = min(n - 1, Int(r.rounded(.down)))
            return (i, (i + 1) % n, r - Double(i), false)
        }
        if s <= lower[axis] { return (0, 1, 0, true) }
        if s >= upper[axis] { return (n - 2, n - 1, 1, true) }
        let r = (s - lower[axis]) / h
        let i = min(n - 2, Int(r.rounded(.down)))
        return (i, i + 1, r - Double(i), false)
    }

    /// Cubic Hermite basis (h₀₀, h₁₀, h₀₁, h₁₁) at t and its derivative.
    @inline(__always)
    static func hermite(_ t: Double) -> (b: (Double, Double, Double, Double), d: (Double, Double, Double, Double)) {
        let t2 = t * t, t3 = t2 * t
        return ((2 * t3 - 3 * t2 + 1, t3 - 2 * t2 + t, -2 * t3 + 3 * t2, t3 - t2),
                (6 * t2 - 6 * t, 3 * t2 - 4 * t + 1, -6 * t2 + 6 * t, 3 * t2 - 2 * t))
    }

    /// The interpolated bias at s and its gradient (one or two components).
    public func evaluate(_ s: [Double]) -> (value: Double, gradient: [Double]) {
        if rank == 1 {
            let (i, j, t, clamped) = locate(s[0], axis: 0)
            let h = spacing[0]
            let (b, d) = Self.hermite(t)
            let f = derivatives[0]
            let v = b.0 * values[i] + b.1 * h * f[i] + b.2 * values[j] + b.3 * h * f[j]
            let g = (d.0 * values[i] + d.1 * h * f[i] + d.2 * values[j] + d.3 * h * f[j]) / h
            return (v, [clamped ? 0 : g])
        }
        let (i0, j0, t, c0) = locate(s[0], axis: 0)
        let (i1, j1, u, c1) = locate(s[1], axis: 1)
        let h0 = spacing[0], h1 = spacing[1], n1 = points[1]
        let (bt, dt) = Self.hermite(t)
        let (bu, du) = Self.hermite(u)
        // Corner (a, b) ∈ {lower, upper}²: value basis H0a(t)H0b(u), x-slope H1a(t)H0b(u), …
        let corners = [(i0, i1, bt.0, bt.1, dt.0, dt.1, bu.0, bu.1, du.0, du.1),
                       (i0, j1, bt.0, bt.1, dt.0, dt.1, bu.2, bu.3, du.2, du.3),
                       (j0, i1, bt.2, bt.3, dt.2, dt.3, bu.0, bu.1, du.0, du.1),
                       (j0, j1, bt.2, bt.3, dt.2, dt.3, bu.2, bu.3, du.2, du.3)]
        var v = 0.0, g0 = 0.0, g1 = 0.0
        for (a, b, p0, p1, dp0, dp1, q0, q1, dq0, dq1) in corners {
            let k = a * n1 + b
            let f = values[k], fx = h0 * derivatives[0][k], fy = h1 * derivatives[1][k], fxy = h0 * h1 * derivatives[2][k]
            v += f * p0 * q0 + fx * p1 * q0 + fy * p0 * q1 + fxy * p1 * q1
            g0 += f * dp0 * q0 + fx * dp1 * q0 + fy * dp0 * q1 + fxy * dp1 * q1
            g1 += f * p0 * dq0 + fx * p1 * dq0 + fy * p0 * dq1 + fxy * p1 * dq1
        }
        return (v, [c0 ? 0 : g0 / h0, c1 ? 0 : g1 / h1])
    }
}
