/// How non-bonded pairs are computed.
public enum NonbondedMethod: Equatable, Sendable {
    /// Every pair, no cutoff (vacuum; OpenMM's `NoCutoff`).
    case noCutoff
    /// Pairs within `cutoff` only, Lennard-Jones multiplied by CHARMM's switching function between
    /// `switchDistance` and `cutoff`, Coulomb multiplied by NAMD's shifting function
    /// (1 − r²/rc²)², found with a Verlet neighbour list of the given `skin`.
    case cutoff(CutoffScheme)
}

public struct CutoffScheme: Equatable, Sendable {
    public var cutoff: Double
    public var switchDistance: Double
    /// Verlet-list margin (Å): the list holds pairs within cutoff + skin and is rebuilt when an
    /// atom has moved more than skin/2 since the last build.
    public var skin: Double

    public init(cutoff: Double = 12, switchDistance: Double = 10, skin: Double = 2) {
        precondition(switchDistance < cutoff && switchDistance >= 0, "need 0 ≤ switch distance < cutoff")
        self.cutoff = cutoff
        self.switchDistance = switchDistance
        self.skin = skin
    }
}

/// Options of a CHARMM force field evaluation.
public struct ForceFieldOptions: Equatable, Sendable {
    public var nonbonded: NonbondedMethod
    /// Factor on 1-4 Lennard-Jones (CHARMM uses the 1-4 parameters unscaled: 1).
    public var lennardJones14Scale: Double
    /// Factor on 1-4 electrostatics; nil takes `e14fac` from the parameter file (1 in CHARMM22/36).
    public var coulomb14Scale: Double?
    /// Coulomb constant in kcal·Å/(mol·e²), CHARMM's value.
    public var coulombConstant: Double

    public init(nonbonded: NonbondedMethod = .noCutoff, lennardJones14Scale: Double = 1,
                coulomb14Scale: Double? = nil, coulombConstant: Double = 332.0637) {
        self.nonbonded = nonbonded
        self.lennardJones14Scale = lennardJones14Scale
        self.coulomb14Scale = coulomb14Scale
        self.coulombConstant = coulombConstant
    }
}

/// Energy per term (kcal/mol). `lennardJones` and `coulomb` are totals over all pairs and include
/// their 1-4 parts, which are also reported on their own.
public struct EnergyTerms: Equatable, Sendable, CustomStringConvertible {
    public var bond = 0.0
    public var angle = 0.0
    public var ureyBradley = 0.0
    public var dihedral = 0.0
    public var improper = 0.0
    public var cmap = 0.0
    public var lennardJones = 0.0
    public var lennardJones14 = 0.0
    public var coulomb = 0.0
    public var coulomb14 = 0.0

    public init() {}

    public var total: Double { bond + angle + ureyBradley + dihedral + improper + cmap + lennardJones + coulomb }

    /// (name, value) pairs in a fixed order, for tables and HDF5 columns.
    public var named: [(String, Double)] {
        [("bond", bond), ("angle", angle), ("urey_bradley", ureyBradley), ("dihedral", dihedral),
         ("improper", improper), ("cmap", cmap), ("lennard_jones", lennardJones),
         ("lennard_jones_14", lennardJones14), ("coulomb", coulomb), ("coulomb_14", coulomb14), ("total", total)]
    }

    public var description: String {
        named.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }
}
