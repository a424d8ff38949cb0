/// States given by minima: x belongs to minimum m's state when a quench by FIRE from x ends
/// within `radius` of m in a signature space (a CV, e.g. sorted coordination numbers for
/// clusters, which ignores rotations and permutations).
/// - A short quench (a few tens of steps) gives core sets: a configuration near a saddle does not
///   get that close, which leaves the gap that gives hysteresis.
/// - A converged quench (`basins`) gives the basins of attraction of the minima: every
///   configuration belongs to the minimum it relaxes to, with no gap between adjacent basins.
public struct QuenchStates: StateAssignment {
    public let potential: any Potential
    public let signature: any CollectiveVariable
    public let names: [String]
    public let signatures: [[Double]]
    public let radius: Double
    public let quench: FIREMinimizer

    public init(potential: any Potential, minima: [(name: String, x: [Double])], signature: any CollectiveVariable,
                radius: Double, quench: FIREMinimizer) {
        precondition(!minima.isEmpty && radius > 0)
        self.potential = potential
        self.signature = signature
        names = minima.map(\.name)
        signatures = minima.map { signature.value($0.x) }
        self.radius = radius
        self.quench = quench
    }

    /// Core sets: `steps` FIRE steps (no convergence test), then the nearest minimum within `radius`.
    public static func cores(potential: any Potential, minima: [(name: String, x: [Double])], signature: any CollectiveVariable,
                             radius: Double, steps: Int) -> QuenchStates {
        QuenchStates(potential: potential, minima: minima, signature: signature, radius: radius,
                     quench: FIREMinimizer(tolerance: 0, maxIterations: steps))
    }

    /// Basins of attraction: FIRE until every |∂V/∂xᵢ| ≤ `tolerance` (at most `maxSteps`), then
    /// the minimum whose signature is within `radius` (an identification tolerance, far smaller
    /// than the distance between distinct minima).
    public static func basins(potential: any Potential, minima: [(name: String, x: [Double])], signature: any CollectiveVariable,
                              radius: Double = 0.05, tolerance: Double = 1e-4, maxSteps: Int = 20_000) -> QuenchStates {
        QuenchStates(potential: potential, minima: minima, signature: signature, radius: radius,
                     quench: FIREMinimizer(tolerance: tolerance, maxIterations: maxSteps))
    }

    public var stateNames: [String] { names }

    public func state(of x: [Double]) -> Int? {
        let q = quench.maxIterations > 0 ? quench.minimize(potential, from: x).positions : x
        let s = signature.value(q)
        var best: (Int, Double)?
        for (i, m) in signatures.enumerated() {
            var d2 = 0.0
            for k in s.indices { d2 += (s[k] - m[k]) * (s[k] - m[k]) }
            if d2 <= radius * radius, d2 < best?.1 ?? .infinity { best = (i, d2) }
        }
        return best?.0
    }
}
