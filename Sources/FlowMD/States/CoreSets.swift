/// Named metastable states as core sets: regions around minima separated by gaps, so that a
/// trajectory is assigned to the last core it visited and fast recrossings of a dividing surface
/// are not counted as transitions (core-set milestoning: Buchete & Hummer, J. Phys. Chem. B 112,
/// 6057 (2008); Schütte et al., J. Chem. Phys. 134, 204105 (2011)).
public protocol StateAssignment: Sendable {
    var stateNames: [String] { get }
    /// The core containing x, or nil when x lies between cores.
    func core(of x: [Double]) -> Int?
}

/// Cores given as boxes in CV space: state i is {x : lowerᵢ ≤ ξ(x) ≤ upperᵢ} (component-wise).
public struct CVCoreSets: StateAssignment {
    public struct Core: Sendable {
        public var name: String
        public var lower: [Double]
        public var upper: [Double]

        public init(name: String, lower: [Double], upper: [Double]) {
            self.name = name
            self.lower = lower
            self.upper = upper
        }
    }

    public let cv: any CollectiveVariable
    public let cores: [Core]

    public init(cv: any CollectiveVariable, cores: [Core]) {
        precondition(cores.allSatisfy { $0.lower.count == cv.outputDimension && $0.upper.count == cv.outputDimension },
                     "each core gives one range per CV component")
        self.cv = cv
        self.cores = cores
    }

    public var stateNames: [String] { cores.map(\.name) }

    public func core(of x: [Double]) -> Int? {
        let s = cv.value(x)
        return cores.firstIndex { c in s.indices.allSatisfy { c.lower[$0] <= s[$0] && s[$0] <= c.upper[$0] } }
    }
}

/// Cores given by minima: x belongs to minimum m's core when a short quench (a fixed number of
/// FIRE steps) brings it within `radius` of m in a signature space (a CV, e.g. sorted
/// coordination numbers for clusters, which ignores rotations and permutations). A configuration
/// near a saddle does not get that close in a few steps: the gap that gives hysteresis.
public struct QuenchCoreSets: StateAssignment {
    public let potential: any Potential
    public let signature: any CollectiveVariable
    public let names: [String]
    public let signatures: [[Double]]
    public let radius: Double
    public let quench: FIREMinimizer

    public init(potential: any Potential, minima: [(name: String, x: [Double])], signature: any CollectiveVariable,
                radius: Double, quenchSteps: Int) {
        precondition(!minima.isEmpty && radius > 0 && quenchSteps >= 0)
        self.potential = potential
        self.signature = signature
        names = minima.map(\.name)
        signatures = minima.map { signature.value($0.x) }
        self.radius = radius
        quench = FIREMinimizer(tolerance: 0, maxIterations: quenchSteps)
    }

    public var stateNames: [String] { names }

    public func core(of x: [Double]) -> Int? {
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
