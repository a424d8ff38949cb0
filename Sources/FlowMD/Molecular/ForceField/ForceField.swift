import Foundation

/// The CHARMM potential energy function of one molecule (CHARMM22/27/36 functional form;
/// MacKerell et al., J. Phys. Chem. B 102, 3586 (1998)):
///
///   V = Σ_bonds K_b (b − b0)² + Σ_angles K_θ (θ − θ0)² + Σ_UB K_UB (S − S0)²
///     + Σ_dihedrals K_χ (1 + cos(nχ − δ)) + Σ_impropers K_ψ (ψ − ψ0)² + Σ_CMAP E(φ, ψ)
///     + Σ_pairs ε_ij [(Rmin_ij/r)¹² − 2 (Rmin_ij/r)⁶] + C q_i q_j / r
///
/// in Å, kcal/mol and elementary charges (C = 332.0637 kcal·Å/(mol·e²)). Harmonic terms carry no
/// ½, as in CHARMM. Non-bonded pairs exclude 1-2 and 1-3 neighbours; 1-4 pairs use the 1-4
/// Lennard-Jones parameters and the 1-4 scale factors of `ForceFieldOptions`.
///
/// Everything topology-dependent — atom indices and parameters of every term, the pair list —
/// is resolved once at construction into structures of arrays, so an evaluation walks flat
/// arrays and allocates nothing. Coordinates are flat x1,y1,z1,x2,… as for every `Potential`.
public struct ForceField: Potential {
    public let topology: Topology
    public let options: ForceFieldOptions
    public var dimension: Int { 3 * topology.atoms.count }

    let bonds: HarmonicDistanceTerms
    let ureyBradley: HarmonicDistanceTerms
    let angles: AngleTerms
    let dihedrals: PeriodicTorsionTerms
    let dihedralTermCount: Int
    let impropers: HarmonicTorsionTerms
    let periodicImpropers: PeriodicTorsionTerms
    let cmap: CMAPTerms
    let nonbondedParameters: NonbondedParameters
    /// All non-excluded, non-1-4 pairs (only without cutoff).
    let pairs: AllPairsKernel?
    let pairs14: PairList
    let skip: [[Int32]]
    private(set) var neighborList: NeighborList?

    public init(topology: Topology, parameters: ParameterSet, options: ForceFieldOptions = ForceFieldOptions()) throws {
        self.topology = topology
        self.options = options
        let atoms = topology.atoms
        func describe(_ indices: [Int]) -> String {
            indices.map { "\($0 + 1) \(atoms[$0].residueName)\(atoms[$0].residueID):\(atoms[$0].name)" }.joined(separator: ", ")
        }
        func resolve<T>(_ indices: [Int], _ lookup: () throws -> T) throws -> T {
            do { return try lookup() } catch let e as MolecularInputError {
                throw MolecularInputError(source: e.source, line: e.line, e.message + " (atoms \(describe(indices)))")
            }
        }
        var bonds = HarmonicDistanceTerms()
        for b in topology.bonds {
            let p = try resolve([b.i, b.j]) { try parameters.bond(atoms[b.i].type, atoms[b.j].type) }
            bonds.append(b.i, b.j, p.k, p.r0)
        }
        var angles = AngleTerms(), ureyBradley = HarmonicDistanceTerms()
        for a in topology.angles {
            let p = try resolve([a.i, a.j, a.k]) { try parameters.angle(atoms[a.i].type, atoms[a.j].type, atoms[a.k].type) }
            angles.append(a.i, a.j, a.k, p.k, p.theta0)
            if p.ureyBradleyK != 0 { ureyBradley.append(a.i, a.k, p.ureyBradleyK, p.ureyBradleyS0) }
        }
        // Torsions whose terms all have K = 0 (common in CHARMM) count as terms but are not evaluated.
        var dihedrals = PeriodicTorsionTerms()
        var dihedralTermCount = 0
        for d in topology.dihedrals {
            let terms = try resolve(d.indices) { try parameters.dihedral(d.indices.map { atoms[$0].type }) }
            dihedralTermCount += terms.count
            if terms.contains(where: { $0.k != 0 }) { dihedrals.append(d.i, d.j, d.k, d.l, terms) }
        }
        self.dihedralTermCount = dihedralTermCount
        var impropers = HarmonicTorsionTerms(), periodicImpropers = PeriodicTorsionTerms()
        for d in topology.impropers {
            let p = try resolve(d.indices) { try parameters.improper(d.indices.map { atoms[$0].type }) }
            if p.multiplicity == 0 {
                impropers.append(d.i, d.j, d.k, d.l, p.k, p.psi0)
            } else {
                periodicImpropers.append(d.i, d.j, d.k, d.l, [DihedralTerm(k: p.k, multiplicity: p.multiplicity, phase: p.psi0)])
            }
        }
        var cmap = CMAPTerms()
        var tableIndex: [String: Int32] = [:]
        for c in topology.crossTerms {
            let indices = c.phi.indices + c.psi.indices
            let types = indices.map { atoms[$0].type }
            let grid = try resolve(indices) { try parameters.cmap(types) }
            let key = types.joined(separator: " ")
            if tableIndex[key] == nil {
                tableIndex[key] = Int32(cmap.tables.count)
                cmap.tables.append(CMAPTable(grid))
            }
            cmap.atoms += indices.map(Int32.init)
            cmap.table.append(tableIndex[key]!)
        }
        let nonbonded = try NonbondedParameters(topology: topology, parameters: parameters,
                                                coulombConstant: options.coulombConstant)
        let (excluded, list14) = topology.nonbondedExclusions()
        var pairs14 = PairList()
        let coulomb14 = options.coulomb14Scale ?? parameters.coulomb14Scale
        for p in list14 {
            pairs14.append(p.i, p.j, nonbonded, pair14: true, ljScale: options.lennardJones14Scale, coulombScale: coulomb14)
        }
        var skip = [[Int32]](repeating: [], count: atoms.count)
        for p in Array(excluded) + list14 {
            skip[p.i].append(Int32(p.j)); skip[p.j].append(Int32(p.i))
        }
        skip = skip.map { $0.sorted() }
        switch options.nonbonded {
        case .noCutoff:
            pairs = AllPairsKernel(atomCount: atoms.count, parameters: nonbonded, skip: skip)
            neighborList = nil
        case .cutoff(let scheme):
            pairs = nil
            neighborList = NeighborList(scheme: scheme, parameters: nonbonded, skip: skip)
        }
        self.bonds = bonds
        self.ureyBradley = ureyBradley
        self.angles = angles
        self.dihedrals = dihedrals
        self.impropers = impropers
        self.periodicImpropers = periodicImpropers
        self.cmap = cmap
        self.nonbondedParameters = nonbonded
        self.pairs14 = pairs14
        self.skip = skip
    }

    private init(copying other: ForceField) {
        self = other
        if case .cutoff(let scheme) = other.options.nonbonded {
            neighborList = NeighborList(scheme: scheme, parameters: other.nonbondedParameters, skip: other.skip)
        }
    }

    /// The same force field with its own neighbour-list cache (one per concurrently running replica).
    public func independentCopy() -> ForceField { ForceField(copying: self) }

    /// Numbers of terms: bonds, angles, Urey–Bradley, dihedral cosine terms (over all dihedrals),
    /// impropers, CMAP, non-bonded pairs (without cutoff), 1-4 pairs.
    public var termCounts: [String: Int] {
        ["bond": bonds.i.count, "angle": angles.i.count, "urey_bradley": ureyBradley.i.count,
         "dihedral": dihedralTermCount, "improper": impropers.i.count + periodicImpropers.termCount,
         "cmap": cmap.table.count, "pair": pairs?.pairCount ?? 0, "pair_14": pairs14.count]
    }

    public func energy(_ x: [Double], gradient: inout [Double]) -> Double {
        evaluate(x, gradient: &gradient).total
    }

    /// Every energy term at x.
    public func energyTerms(_ x: [Double]) -> EnergyTerms {
        var g = [Double](repeating: 0, count: dimension)
        return evaluate(x, gradient: &g)
    }

    /// Every energy term at x; writes ∇V into `gradient` (which must have `dimension` elements).
    public func evaluate(_ x: [Double], gradient: inout [Double]) -> EnergyTerms {
        precondition(x.count == dimension && gradient.count == dimension, "coordinate arrays must have 3N elements")
        var e = EnergyTerms()
        x.withUnsafeBufferPointer { xb in
            gradient.withUnsafeMutableBufferPointer { gb in
                let xp = xb.baseAddress!, gp = gb.baseAddress!
                gp.update(repeating: 0, count: gb.count)
                e = accumulate(xp) { _ in gp }
            }
        }
        return e
    }
}
