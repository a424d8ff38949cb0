/// V(x) = ½ Σᵢ kᵢ (xᵢ − cᵢ)²: the Gaussian target N(c, diag(1/(βkᵢ))) whose moments every
/// sampler must reproduce exactly in the limit of small steps (and MALA at any step). Used by
/// tests and as a user-defined system (`kind: harmonic`).
public struct HarmonicWell: Potential {
    public let stiffness: [Double]
    public let center: [Double]
    public var dimension: Int { stiffness.count }

    public init(stiffness: [Double], center: [Double]? = nil) {
        precondition(!stiffness.isEmpty && stiffness.allSatisfy { $0 > 0 }, "stiffnesses must be positive")
        self.stiffness = stiffness
        self.center = center ?? [Double](repeating: 0, count: stiffness.count)
        precondition(self.center.count == stiffness.count, "one centre coordinate per stiffness")
    }

    public func energy(_ x: [Double], gradient: inout [Double]) -> Double {
        var v = 0.0
        for i in 0..<stiffness.count {
            let d = x[i] - center[i]
            v += 0.5 * stiffness[i] * d * d
            gradient[i] = stiffness[i] * d
        }
        return v
    }
}
