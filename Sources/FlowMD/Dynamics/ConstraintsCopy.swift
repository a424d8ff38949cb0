extension Constraints {
    /// The same constraints with their own scratch buffers, for another simulation (a replica on
    /// another thread): one instance must never serve two integrators at once.
    public func independentCopy() -> Constraints {
        Constraints(pairs: pairs, distances: distances,
                    atomMasses: inverseMass.map { 1 / $0 }, tolerance: tolerance, maxIterations: maxIterations)
    }

    /// The constrained atom pairs.
    public var pairs: [(Int, Int)] { zip(atomI, atomJ).map { (Int($0), Int($1)) } }
}
