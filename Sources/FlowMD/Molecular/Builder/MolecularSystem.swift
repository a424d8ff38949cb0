import Foundation

/// A molecule ready to simulate: topology, force-field parameters and coordinates — the
/// `charmm` system of DESIGN.md §7, from PSF/PRM/PDB files or from flow's own builder.
public struct MolecularSystem: Sendable {
    public var topology: Topology
    public var parameters: ParameterSet
    /// Coordinates x1,y1,z1,… in Å.
    public var positions: [Double]

    public init(topology: Topology, parameters: ParameterSet, positions: [Double]) {
        precondition(positions.count == 3 * topology.atoms.count, "positions must have 3N elements")
        self.topology = topology
        self.parameters = parameters
        self.positions = positions
    }

    /// Loads a PSF, one or more CHARMM parameter files (later ones override) and a PDB whose
    /// atoms are in PSF order.
    public static func load(psf: String, parameterFiles: [String], pdb: String) throws -> MolecularSystem {
        let topology = try PSFReader.read(path: psf)
        let parameters = try CharmmParameterReader.read(paths: parameterFiles)
        let structure = try PDBFile.read(path: pdb)
        guard structure.records.count == topology.atoms.count else {
            throw MolecularInputError(source: pdb, line: nil,
                                      "has \(structure.records.count) atoms but \(psf) has \(topology.atoms.count)")
        }
        return MolecularSystem(topology: topology, parameters: parameters, positions: structure.frames[0])
    }

    public func forceField(_ options: ForceFieldOptions = ForceFieldOptions()) throws -> ForceField {
        try ForceField(topology: topology, parameters: parameters, options: options)
    }

    /// Per-coordinate masses for integrators.
    public var coordinateMasses: [Double] { MDUnits.coordinateMasses(topology.masses) }

    /// SHAKE constraints on every bond to a hydrogen (an atom lighter than 1.5 amu), at the
    /// force field's equilibrium length (CHARMM `SHAKE BONH PARAM`).
    public func hydrogenBondConstraints(tolerance: Double = 1e-10) throws -> Constraints {
        let atoms = topology.atoms
        var pairs: [(Int, Int)] = []
        var lengths: [Double] = []
        for b in topology.bonds where atoms[b.i].mass < 1.5 || atoms[b.j].mass < 1.5 {
            pairs.append((b.i, b.j))
            lengths.append(try parameters.bond(atoms[b.i].type, atoms[b.j].type).r0)
        }
        return Constraints(pairs: pairs, distances: lengths, atomMasses: topology.masses, tolerance: tolerance)
    }
}

/// The molecules flow builds itself, from the templates and parameter tables in `Data/charmm`.
public enum BuiltInMolecules {
    /// `$FLOW_DATA_DIR` if set, else the package's `Data` folder (located from this source file).
    public static func dataDirectory() -> String {
        if let env = ProcessInfo.processInfo.environment["FLOW_DATA_DIR"] { return env }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Data").path
    }

    static func builder(parameterFiles: [String], dataDirectory: String?) throws -> MoleculeBuilder {
        let dir = (dataDirectory ?? Self.dataDirectory()) + "/charmm"
        return MoleculeBuilder(templates: try ResidueTemplateReader.read(path: dir + "/top_flow.rtf"),
                               parameters: try CharmmParameterReader.read(paths: parameterFiles.map { dir + "/" + $0 }))
    }

    /// The peptide tables: CHARMM22/27, and with `cmap` the CHARMM22/CMAP alanine map.
    static func peptideParameterFiles(cmap: Bool) -> [String] {
        ["par_flow_peptide_c27.prm"] + (cmap ? ["par_flow_cmap_c27.prm"] : [])
    }

    /// Deca-alanine of the NAMD steered-MD tutorial: segment BH, ten ALA, neutral NH2 N-terminus
    /// with NTER types (NNEU), amidated C-terminus (CT2); CHARMM22/27 parameters; an ideal α-helix
    /// unless other backbone dihedrals are given. `cmap` adds the CHARMM22/CMAP correction on
    /// residues 2–9 (the tutorial's PSF has none).
    public static func decaAlanine(backbone: MoleculeBuilder.Backbone = .alphaHelix, cmap: Bool = false,
                                   dataDirectory: String? = nil) throws -> MolecularSystem {
        let b = try builder(parameterFiles: peptideParameterFiles(cmap: cmap), dataDirectory: dataDirectory)
        let (topology, x) = try b.build(segment: "BH", residues: Array(repeating: "ALA", count: 10),
                                        firstPatch: "NNEU", lastPatch: "CT2", backbone: backbone, crossTerms: cmap)
        return MolecularSystem(topology: topology, parameters: b.parameters, positions: x)
    }

    /// The blocked alanine dipeptide ACE–ALA–NME in vacuum (22 atoms, segment ALAD): ALA with
    /// CHARMM22's ACED and CT3 patches and CHARMM22/27 parameters; `cmap` adds the CHARMM22/CMAP
    /// correction on (φ, ψ) (off by default: pure CHARMM22). Built at φ = C7eq's −83°, ψ = 73°
    /// unless other backbone dihedrals are given; both peptide bonds trans.
    public static func alanineDipeptide(backbone: MoleculeBuilder.Backbone = .c7eq, cmap: Bool = false,
                                        dataDirectory: String? = nil) throws -> MolecularSystem {
        let b = try builder(parameterFiles: peptideParameterFiles(cmap: cmap), dataDirectory: dataDirectory)
        let (topology, x) = try b.build(segment: "ALAD", residues: ["ALA"], firstPatch: "ACED", lastPatch: "CT3",
                                        backbone: backbone, crossTerms: cmap)
        return MolecularSystem(topology: topology, parameters: b.parameters, positions: x)
    }

    /// All-atom n-butane (14 atoms, CHARMM36 alkane parameters), C1–C2–C3–C4 anti (180°) unless
    /// another dihedral (degrees) is given.
    public static func butane(dihedral: Double = 180, dataDirectory: String? = nil) throws -> MolecularSystem {
        var b = try builder(parameterFiles: ["par_flow_alkane_c36.prm"], dataDirectory: dataDirectory)
        var templates = b.templates
        if var t = templates["BUTA"], let n = t.internalCoordinates.firstIndex(where: { $0.atoms == ["C1", "C2", "C3", "C4"] }) {
            t.internalCoordinates[n].value = String(dihedral)
            templates["BUTA"] = t
        }
        b = MoleculeBuilder(templates: templates, parameters: b.parameters)
        let (topology, x) = try b.build(segment: "BUT", residues: ["BUTA"])
        return MolecularSystem(topology: topology, parameters: b.parameters, positions: x)
    }

    /// Index of the CA atom of residue `residue` (1-based) of a built or loaded peptide.
    public static func alphaCarbon(_ topology: Topology, residue: Int) -> Int? {
        topology.atomIndex(residue: String(residue), name: "CA")
    }
}
