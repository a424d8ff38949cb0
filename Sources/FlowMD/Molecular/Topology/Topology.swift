/// One atom of a molecular topology, with the fields a CHARMM/X-PLOR PSF carries.
public struct Atom: Equatable, Sendable {
    public var segment: String
    /// Residue identifier as written in the PSF/PDB (may carry an insertion code).
    public var residueID: String
    public var residueName: String
    public var name: String
    /// Force-field atom type (CHARMM type name, e.g. "CT1").
    public var type: String
    /// Partial charge in elementary charges.
    public var charge: Double
    /// Mass in amu.
    public var mass: Double

    public init(segment: String, residueID: String, residueName: String, name: String,
                type: String, charge: Double, mass: Double) {
        self.segment = segment
        self.residueID = residueID
        self.residueName = residueName
        self.name = name
        self.type = type
        self.charge = charge
        self.mass = mass
    }

    /// Element symbol guessed from the mass (used by PDB/XYZ writers).
    public var element: String {
        let table: [(Double, String)] = [(1.008, "H"), (12.011, "C"), (14.007, "N"), (15.999, "O"),
                                         (30.974, "P"), (32.06, "S"), (22.990, "Na"), (35.45, "Cl"),
                                         (39.098, "K"), (24.305, "Mg"), (40.078, "Ca"), (65.38, "Zn")]
        var best = table[0]
        for entry in table where abs(entry.0 - mass) < abs(best.0 - mass) { best = entry }
        return abs(best.0 - mass) < 0.6 ? best.1 : String(name.prefix(1))
    }
}

/// A bond between two atoms (0-based indices).
public struct Bond: Hashable, Sendable {
    public var i: Int, j: Int
    public init(_ i: Int, _ j: Int) { self.i = i; self.j = j }
    /// The same bond with the smaller index first, for comparisons up to ordering.
    public var canonical: Bond { i <= j ? self : Bond(j, i) }
}

/// A bond angle i–j–k (j is the vertex).
public struct Angle: Hashable, Sendable {
    public var i: Int, j: Int, k: Int
    public init(_ i: Int, _ j: Int, _ k: Int) { self.i = i; self.j = j; self.k = k }
    public var canonical: Angle { i <= k ? self : Angle(k, j, i) }
}

/// Four atoms i–j–k–l: a proper dihedral (bonded chain) or an improper (CHARMM order: the
/// central atom first).
public struct Dihedral: Hashable, Sendable {
    public var i: Int, j: Int, k: Int, l: Int
    public init(_ i: Int, _ j: Int, _ k: Int, _ l: Int) { self.i = i; self.j = j; self.k = k; self.l = l }
    public var indices: [Int] { [i, j, k, l] }
    /// Proper dihedrals are the same read backwards; the canonical form is the smaller of the two.
    public var canonical: Dihedral {
        (i, j, k, l) <= (l, k, j, i) ? self : Dihedral(l, k, j, i)
    }
}

/// A CMAP cross-term: two consecutive backbone dihedrals (φ then ψ), eight atoms.
public struct CrossTerm: Hashable, Sendable {
    public var phi: Dihedral, psi: Dihedral
    public init(phi: Dihedral, psi: Dihedral) { self.phi = phi; self.psi = psi }
}

/// The molecular graph and the interaction lists of a molecule — what a PSF file holds.
///
/// Angles and dihedrals are usually generated from the bond graph (CHARMM's `AUTOGENERATE
/// ANGLES DIHEDRALS`, psfgen's default); impropers and cross-terms come from residue templates.
public struct Topology: Equatable, Sendable {
    public var atoms: [Atom]
    public var bonds: [Bond]
    public var angles: [Angle]
    public var dihedrals: [Dihedral]
    public var impropers: [Dihedral]
    public var crossTerms: [CrossTerm]
    /// Extra non-bonded exclusions listed explicitly in a PSF (!NNB), as atom pairs.
    public var explicitExclusions: [Bond]

    public init(atoms: [Atom], bonds: [Bond], angles: [Angle] = [], dihedrals: [Dihedral] = [],
                impropers: [Dihedral] = [], crossTerms: [CrossTerm] = [], explicitExclusions: [Bond] = []) {
        self.atoms = atoms
        self.bonds = bonds
        self.angles = angles
        self.dihedrals = dihedrals
        self.impropers = impropers
        self.crossTerms = crossTerms
        self.explicitExclusions = explicitExclusions
    }

    public var atomCount: Int { atoms.count }
    public var masses: [Double] { atoms.map(\.mass) }
    public var charges: [Double] { atoms.map(\.charge) }

    /// Bonded neighbours of every atom, each list sorted.
    public func neighbors() -> [[Int]] {
        var adjacency = [[Int]](repeating: [], count: atoms.count)
        for b in bonds {
            adjacency[b.i].append(b.j)
            adjacency[b.j].append(b.i)
        }
        return adjacency.map { Array(Set($0)).sorted() }
    }

    /// All angles i–j–k with i–j and j–k bonded, i < k: CHARMM's angle autogeneration.
    public func generatedAngles() -> [Angle] {
        var result: [Angle] = []
        for (j, around) in neighbors().enumerated() {
            for a in 0..<around.count {
                for b in (a + 1)..<around.count {
                    result.append(Angle(around[a], j, around[b]))
                }
            }
        }
        return result
    }

    /// All dihedrals i–j–k–l along bonded chains with four distinct atoms, each once:
    /// CHARMM's dihedral autogeneration (three-membered rings excluded by i ≠ l).
    public func generatedDihedrals() -> [Dihedral] {
        let adjacency = neighbors()
        var seen = Set<Dihedral>()
        var result: [Dihedral] = []
        for b in bonds {
            for i in adjacency[b.i] where i != b.j {
                for l in adjacency[b.j] where l != b.i && l != i {
                    let d = Dihedral(i, b.i, b.j, l).canonical
                    if seen.insert(d).inserted { result.append(d) }
                }
            }
        }
        return result
    }

    /// Non-bonded exclusions (1-2 and 1-3 pairs, plus any explicit ones) and 1-4 pairs (atoms three
    /// bonds apart that are not also 1-2 or 1-3, as with CHARMM's `nbxmod 5`). Pairs have i < j.
    public func nonbondedExclusions() -> (excluded: Set<Bond>, pairs14: [Bond]) {
        let adjacency = neighbors()
        var excluded = Set<Bond>()
        for b in bonds { excluded.insert(b.canonical) }
        for around in adjacency {
            for a in around { for c in around where a < c { excluded.insert(Bond(a, c)) } }
        }
        for e in explicitExclusions { excluded.insert(e.canonical) }
        var pairs = Set<Bond>()
        for b in bonds {
            for i in adjacency[b.i] where i != b.j {
                for l in adjacency[b.j] where l != b.i && l != i {
                    let p = Bond(i, l).canonical
                    if !excluded.contains(p) { pairs.insert(p) }
                }
            }
        }
        return (excluded, pairs.sorted { ($0.i, $0.j) < ($1.i, $1.j) })
    }

    /// Index of the atom with the given residue and name, e.g. `atomIndex(residue: "10", name: "CA")`.
    public func atomIndex(segment: String? = nil, residue: String, name: String) -> Int? {
        atoms.firstIndex { $0.residueID == residue && $0.name == name && (segment == nil || $0.segment == segment) }
    }
}
