/// States given as regions of CV space (boxes or ellipses), e.g. the hexagon and trapezoid of
/// LJ7 in (μ2, μ3). Large regions that stay inside their basins make the last-visited labels
/// behave like committor level sets {q ≤ ε} and {q ≥ 1 − ε}, which is how published
/// brute-force references define A and B (Yuan, Sule, Lam & Cameron, arXiv 2507.00408).
/// The first region containing ξ(x) wins; regions are meant to be disjoint.
public struct CVRegionStates: StateAssignment {
    public let cv: any CollectiveVariable
    public let names: [String]
    public let regions: [CVRegion]

    public init(cv: any CollectiveVariable, states: [(name: String, region: CVRegion)]) {
        precondition(!states.isEmpty && states.allSatisfy { $0.region.dimension == cv.outputDimension },
                     "each region is defined on the CV's components")
        self.cv = cv
        names = states.map(\.name)
        regions = states.map(\.region)
    }

    public var stateNames: [String] { names }

    public func state(of x: [Double]) -> Int? {
        let s = cv.value(x)
        return regions.firstIndex { $0.contains(s) }
    }
}
