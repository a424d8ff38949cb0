/// The molecules flow can build by name (`molecule: deca-alanine` in a `charmm` system,
/// `flow energy --molecule butane`).
public enum BuiltInMolecule: String, CaseIterable, Codable, Sendable {
    /// The NAMD steered-MD tutorial's deca-alanine (`BuiltInMolecules.decaAlanine`).
    case decaAlanine = "deca-alanine"
    /// All-atom n-butane (`BuiltInMolecules.butane`).
    case butane
    /// The blocked alanine dipeptide ACE–ALA–NME (`BuiltInMolecules.alanineDipeptide`).
    case alanineDipeptide = "alanine-dipeptide"

    /// Whether the builder's phi/psi options set this molecule's backbone.
    public var isPeptide: Bool { self != .butane }
}

/// Where a molecule comes from: flow's own builder (with its options) or a PSF, CHARMM parameter
/// files and a PDB with the same atoms — the two ways DESIGN.md §7 defines a `charmm` system.
public enum MoleculeSource: Sendable, Equatable {
    /// A built-in molecule. `dihedral` (degrees) is butane's initial C1–C2–C3–C4 torsion;
    /// `backbone` the peptides' φ/ψ (degrees); `cmap` adds the peptides' CHARMM22/CMAP
    /// correction. Each option applies to its molecules only.
    case builtIn(BuiltInMolecule, dihedral: Double? = nil, backbone: MoleculeBuilder.Backbone? = nil, cmap: Bool = false)
    /// A PSF, parameter files (later ones override earlier ones) and a PDB in PSF atom order.
    case files(psf: String, parameters: [String], pdb: String)

    /// Builds or reads the molecule. Builder options given for the other molecule are an error,
    /// not silently ignored.
    public func load() throws -> MolecularSystem {
        switch self {
        case let .builtIn(molecule, dihedral, backbone, cmap):
            switch molecule {
            case .decaAlanine, .alanineDipeptide:
                if dihedral != nil {
                    throw MolecularInputError(source: molecule.rawValue, line: nil, "the builder's dihedral option is butane's C1-C2-C3-C4 torsion; use phi/psi for \(molecule.rawValue)")
                }
                return molecule == .decaAlanine ? try BuiltInMolecules.decaAlanine(backbone: backbone ?? .alphaHelix, cmap: cmap)
                    : try BuiltInMolecules.alanineDipeptide(backbone: backbone ?? .c7eq, cmap: cmap)
            case .butane:
                if backbone != nil || cmap {
                    throw MolecularInputError(source: molecule.rawValue, line: nil, "phi/psi and cmap apply to peptides; use dihedral for butane")
                }
                return try BuiltInMolecules.butane(dihedral: dihedral ?? 180)
            }
        case let .files(psf, parameters, pdb):
            return try MolecularSystem.load(psf: psf, parameterFiles: parameters, pdb: pdb)
        }
    }

    /// A short description for logs and reports ("deca-alanine (built)", "da.psf + 1 parameter file").
    public var summary: String {
        switch self {
        case let .builtIn(molecule, _, _, cmap): return "\(molecule.rawValue) (built by flow\(cmap ? ", CMAP" : ""))"
        case let .files(psf, parameters, pdb):
            return "\(psf) + \(parameters.count) parameter file\(parameters.count == 1 ? "" : "s") + \(pdb)"
        }
    }
}

extension MoleculeBuilder.Backbone: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.phi == b.phi && a.psi == b.psi && a.omega == b.omega }
}
