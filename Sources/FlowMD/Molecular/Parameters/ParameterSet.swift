import Foundation

/// V = K (b − b0)² (CHARMM convention: no ½). K in kcal/mol/Å², b0 in Å.
public struct BondParameter: Equatable, Sendable {
    public var k: Double, r0: Double
}

/// V = Kθ (θ − θ0)² + K_UB (S − S0)² with S the 1–3 distance. θ0 in radians (degrees in files).
public struct AngleParameter: Equatable, Sendable {
    public var k: Double, theta0: Double
    public var ureyBradleyK: Double, ureyBradleyS0: Double
}

/// One cosine term of a proper dihedral: V = K (1 + cos(nφ − δ)). δ in radians.
public struct DihedralTerm: Equatable, Sendable {
    public var k: Double, multiplicity: Int, phase: Double
}

/// V = K (ψ − ψ0)² when the multiplicity is 0 (the usual CHARMM improper), otherwise the cosine
/// form K (1 + cos(nψ − ψ0)).
public struct ImproperParameter: Equatable, Sendable {
    public var k: Double, multiplicity: Int, psi0: Double
}

/// CHARMM Lennard-Jones parameters of one atom type: V = ε[(Rmin/r)¹² − 2 (Rmin/r)⁶] with
/// ε_ij = sqrt(ε_i ε_j) and Rmin_ij = Rmin/2_i + Rmin/2_j; ε is stored positive (files give −ε).
/// The 1-4 values replace the normal ones for atoms three bonds apart.
public struct LennardJonesParameter: Equatable, Sendable {
    public var epsilon: Double, rminHalf: Double
    public var epsilon14: Double, rminHalf14: Double
}

/// NBFIX override of the combination rule for one pair of types: ε_ij and Rmin_ij (full, not half).
public struct PairOverride: Equatable, Sendable {
    public var epsilon: Double, rmin: Double
    public var epsilon14: Double, rmin14: Double
}

/// A CMAP correction grid: `size`×`size` energies (kcal/mol) at φ, ψ = −180° + i·360°/size,
/// stored with φ as the slow index (the order of CHARMM parameter files).
public struct CMAPGrid: Equatable, Sendable {
    public var size: Int
    public var values: [Double]
}

/// CHARMM force-field parameters, keyed by atom types.
///
/// Lookups follow CHARMM's matching rules (parmfile.doc): bonds and angles match in either
/// direction; a dihedral takes the lines of its exact type quadruple (either direction) when they
/// exist, otherwise those of the wildcard key `X B C X`; impropers are tried in the order
/// exact, `A X X D`, `X B C D`, `X X C D` (each in both directions).
public struct ParameterSet: Equatable, Sendable {
    public var masses: [String: Double] = [:]
    public var bonds: [String: BondParameter] = [:]
    public var angles: [String: AngleParameter] = [:]
    public var dihedrals: [String: [DihedralTerm]] = [:]
    public var impropers: [String: ImproperParameter] = [:]
    public var lennardJones: [String: LennardJonesParameter] = [:]
    public var pairOverrides: [String: PairOverride] = [:]
    public var cmaps: [String: CMAPGrid] = [:]
    /// Scale factor of 1-4 electrostatics (`e14fac` of the NONBONDED header; 1 for CHARMM22/36).
    public var coulomb14Scale: Double = 1

    public init() {}

    /// Adds the parameters of `other`; entries present in both are taken from `other`, as when
    /// CHARMM reads a second parameter file with `APPEND`.
    public mutating func merge(_ other: ParameterSet) {
        masses.merge(other.masses) { $1 }
        bonds.merge(other.bonds) { $1 }
        angles.merge(other.angles) { $1 }
        dihedrals.merge(other.dihedrals) { $1 }
        impropers.merge(other.impropers) { $1 }
        lennardJones.merge(other.lennardJones) { $1 }
        pairOverrides.merge(other.pairOverrides) { $1 }
        cmaps.merge(other.cmaps) { $1 }
        coulomb14Scale = other.coulomb14Scale
    }

    // MARK: keys

    static func bondKey(_ a: String, _ b: String) -> String { a <= b ? "\(a) \(b)" : "\(b) \(a)" }

    static func angleKey(_ a: String, _ b: String, _ c: String) -> String { a <= c ? "\(a) \(b) \(c)" : "\(c) \(b) \(a)" }

    static func dihedralKey(_ t: [String]) -> String {
        let r = Array(t.reversed())
        return (t.lexicographicallyPrecedes(r) ? t : r).joined(separator: " ")
    }

    static func orderedKey(_ t: [String]) -> String { t.joined(separator: " ") }

    // MARK: lookups

    func missing(_ what: String, _ types: [String]) -> MolecularInputError {
        MolecularInputError(source: "parameters", line: nil, "no \(what) parameters for atom types \(types.joined(separator: " "))")
    }

    public func bond(_ a: String, _ b: String) throws -> BondParameter {
        guard let p = bonds[Self.bondKey(a, b)] else { throw missing("bond", [a, b]) }
        return p
    }

    public func angle(_ a: String, _ b: String, _ c: String) throws -> AngleParameter {
        guard let p = angles[Self.angleKey(a, b, c)] else { throw missing("angle", [a, b, c]) }
        return p
    }

    public func dihedral(_ t: [String]) throws -> [DihedralTerm] {
        if let p = dihedrals[Self.dihedralKey(t)] { return p }
        if let p = dihedrals[Self.dihedralKey(["X", t[1], t[2], "X"])] { return p }
        throw missing("dihedral", t)
    }

    public func improper(_ t: [String]) throws -> ImproperParameter {
        let candidates = [t, [t[0], "X", "X", t[3]], ["X", t[1], t[2], t[3]], ["X", "X", t[2], t[3]]]
        for c in candidates {
            if let p = impropers[Self.orderedKey(c)] ?? impropers[Self.orderedKey(c.reversed())] { return p }
        }
        throw missing("improper", t)
    }

    public func lennardJones(_ type: String) throws -> LennardJonesParameter {
        guard let p = lennardJones[type] else { throw missing("nonbonded (Lennard-Jones)", [type]) }
        return p
    }

    public func pairOverride(_ a: String, _ b: String) -> PairOverride? {
        pairOverrides[Self.bondKey(a, b)]
    }

    public func cmap(_ types: [String]) throws -> CMAPGrid {
        guard let g = cmaps[Self.orderedKey(types)] else { throw missing("CMAP", types) }
        return g
    }
}
