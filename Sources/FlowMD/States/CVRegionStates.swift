/// States given as regions of CV space (boxes or ellipses), e.g. the hexagon and trapezoid of
/// LJ7 in (μ2, μ3), or the anti and gauche ranges of butane's C–C–C–C dihedral. Large regions
/// that stay inside their basins make the last-visited labels behave like committor level sets
/// {q ≤ ε} and {q ≥ 1 − ε}, which is how published brute-force references define A and B (Yuan,
/// Sule, Lam & Cameron, arXiv 2507.00408).
/// - Regions given under the same name are one state, their union (butane's gauche state is
///   φ ≈ ±π/3: Sule, Mehta & Cameron, arXiv 2506.01222).
/// - Periodic CV components (`PeriodicComponents`, e.g. dihedrals) wrap: a region is tested at
///   the CV value's periodic image nearest its centre.
/// The first region containing ξ(x) wins; regions are meant to be disjoint.
public struct CVRegionStates: StateAssignment {
    public let cv: any CollectiveVariable
    /// State names, each once, in the order of their first region.
    public let names: [String]
    public let regions: [CVRegion]
    /// The state of each region (an index into `names`).
    public let regionState: [Int]
    /// The period of each CV component (nil: not periodic).
    public let periods: [Double?]

    public init(cv: any CollectiveVariable, states: [(name: String, region: CVRegion)]) {
        precondition(!states.isEmpty && states.allSatisfy { $0.region.dimension == cv.outputDimension },
                     "each region is defined on the CV's components")
        self.cv = cv
        var names: [String] = []
        regionState = states.map { s in
            if let i = names.firstIndex(of: s.name) { return i }
            names.append(s.name)
            return names.count - 1
        }
        self.names = names
        regions = states.map(\.region)
        periods = StackedCV.periods(of: cv)
    }

    public var stateNames: [String] { names }

    public func state(of x: [Double]) -> Int? {
        let s = cv.value(x)
        return regions.firstIndex { $0.contains(s, periods: periods) }.map { regionState[$0] }
    }
}
