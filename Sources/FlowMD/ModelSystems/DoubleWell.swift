/// V(x) = h (x₁² − 1)² + ½ k Σ_{i>1} xᵢ²: a barrier of height h between the minima x₁ = ±1,
/// harmonic in the other coordinates. In one dimension its marginal ∝ e^{−βV} is known by
/// quadrature and its escape rate by Kramers' formula, which makes it the test system for
/// histograms and rate estimators (`kind: double-well`).
public struct DoubleWell: Potential {
    public let dimension: Int
    /// Barrier height h.
    public let barrier: Double
    /// Stiffness k of the transverse coordinates.
    public let stiffness: Double

    public init(dimension: Int = 1, barrier: Double = 1, stiffness: Double = 1) {
        precondition(dimension >= 1 && barrier > 0 && stiffness > 0, "double well needs D ≥ 1, h > 0, k > 0")
        self.dimension = dimension
        self.barrier = barrier
        self.stiffness = stiffness
    }

    public func energy(_ x: [Double], gradient: inout [Double]) -> Double {
        let u = x[0] * x[0] - 1
        var v = barrier * u * u
        gradient[0] = 4 * barrier * u * x[0]
        for i in 1..<dimension {
            v += 0.5 * stiffness * x[i] * x[i]
            gradient[i] = stiffness * x[i]
        }
        return v
    }

    /// The two minima (±1, 0, …, 0).
    public var minima: [String: [Double]] {
        let rest = [Double](repeating: 0, count: dimension - 1)
        return ["left": [-1] + rest, "right": [1] + rest]
    }
}
