/// Core sets inside basins of attraction, with nothing fitted to data: x belongs to the core of
/// minimum m when its signature (sorted coordination numbers for clusters: blind to rotations and
/// permutations) lies within r_m of m's, and a converged quench from x ends at m. The radius is a
/// stated fraction f of the signature distance from m to the nearest other minimum, so with
/// f ≤ ½ the balls of two minima never overlap, and the quench keeps every core inside its basin:
/// a configuration near m in signature that has crossed a saddle is in no core.
///
/// Cost: the signature every assignment, a quench only for configurations inside a ball; the
/// last-visit tracker asks only whether x entered a core other than the last visited
/// (`state(of:after:)`), so a walker that stays in its own core is never quenched.
public struct BasinCores: StateAssignment {
    public let basins: QuenchStates
    /// Core index → index of its minimum in `basins`.
    public let minimumIndex: [Int]
    public let names: [String]
    public let radii: [Double]

    /// `cores` names the minima (of `minima`) that are states; every minimum of `minima` is a
    /// quench target and counts for the nearest-other-minimum distance.
    public init(potential: any Potential, minima: [(name: String, x: [Double])], cores: [(name: String, minimum: String)],
                signature: any CollectiveVariable, fraction: Double, tolerance: Double = 1e-4, maxSteps: Int = 20_000) {
        precondition(fraction > 0 && minima.count >= 2)
        basins = QuenchStates.basins(potential: potential, minima: minima, signature: signature, tolerance: tolerance, maxSteps: maxSteps)
        let s = basins.signatures
        minimumIndex = cores.map { c in minima.firstIndex { $0.name == c.minimum }! }
        names = cores.map(\.name)
        radii = minimumIndex.map { m in
            fraction * s.indices.filter { $0 != m }.map { Self.distance(s[m], s[$0]) }.min()!
        }
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for k in a.indices { s += (a[k] - b[k]) * (a[k] - b[k]) }
        return s.squareRoot()
    }

    public var stateNames: [String] { names }

    /// The cores whose ball holds x's signature, nearest first.
    func candidates(_ x: [Double]) -> [Int] {
        let s = basins.signature.value(x)
        return names.indices
            .map { ($0, Self.distance(s, basins.signatures[minimumIndex[$0]])) }
            .filter { $0.1 <= radii[$0.0] }
            .sorted { $0.1 < $1.1 }
            .map(\.0)
    }

    public func state(of x: [Double]) -> Int? {
        guard let core = candidates(x).first else { return nil }
        return basins.state(of: x) == minimumIndex[core] ? core : nil
    }

    public func state(of x: [Double], after last: Int) -> Int? {
        guard let core = candidates(x).first, core != last else { return nil }
        return basins.state(of: x) == minimumIndex[core] ? core : nil
    }
}
