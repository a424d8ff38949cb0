import FlowCore
import FlowMD

/// `kind: charmm` — a molecule with the CHARMM force field (DESIGN §7): one of flow's built-in
/// molecules (`molecule: deca-alanine | butane | alanine-dipeptide`) or a PSF, CHARMM parameter files and a PDB,
/// at a temperature, with the non-bonded treatment, 1-4 scaling and constraints that
/// `simulate` and `flow energy` use. Units throughout: Å, kcal/mol, amu, ps, K, e.
///
/// ```yaml
/// systems:
///   deca: {kind: charmm, temperature: 300, params: {molecule: deca-alanine, constraints: h-bonds}}
///   mine: {kind: charmm, params: {psf: in/da.psf, parameters: [in/par.prm], pdb: in/da.pdb, cutoff: 12, switch: 10}}
/// ```
enum CharmmSystem: SystemKind, SimulationSystemBuilder {
    static let name = "charmm"
    static let summary = "a molecule with the CHARMM force field: built-in deca-alanine/butane/alanine-dipeptide or PSF + parameters + PDB (Å, kcal/mol, amu, ps)"

    struct Parameters: Decodable {
        var temperature: Double
        var params: Molecule

        enum CodingKeys: String, CodingKey { case temperature, params }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            temperature = try p(.temperature, default: 300, unit: "K", in: .positive,
                                help: "temperature T of thermostats and initial velocities; β = 1/(k_B T) in (kcal/mol)⁻¹")
            params = try p.group(.params, help: "the molecule and its force-field options")
        }

        /// β = 1/(k_B T) in (kcal/mol)⁻¹.
        var beta: Double { 1 / (MDUnits.boltzmann * temperature) }
    }

    struct Molecule: Decodable {
        var molecule: BuiltInMolecule?
        var builder: BuilderOptions?
        var psf: ContentFile?
        var parameters: [ContentFile]
        var pdb: ContentFile?
        var cutoff: CutoffSetting
        var switchDistance: Double?
        var lennardJones14Scale: Double
        var coulomb14Scale: Double?
        var constraints: ConstraintChoice

        enum CodingKeys: String, CodingKey {
            case molecule, builder, psf, parameters, pdb, cutoff, constraints
            case switchDistance = "switch"
            case lennardJones14Scale = "lj14_scale"
            case coulomb14Scale = "coulomb14_scale"
        }

        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            let names = BuiltInMolecule.allCases.map(\.rawValue)
            let name: String? = try p.optional(.molecule, help: "a molecule flow builds: \(names.joined(separator: " or ")); or give psf, parameters and pdb")
            molecule = name.flatMap(BuiltInMolecule.init(rawValue:))
            try p.check(name == nil || molecule != nil, .molecule,
                        "unknown molecule '\(name ?? "")'\(DidYouMean.hint(for: name ?? "", among: names)); built-in molecules: \(names.joined(separator: ", "))")
            builder = try p.optionalGroup(.builder, help: "builder options of a built-in molecule")
            psf = try p.optional(.psf, help: "CHARMM/X-PLOR PSF file (relative to the workspace)")
            parameters = try p(.parameters, literal: [], help: "CHARMM parameter files (.prm/.par/.str); later files override earlier ones")
            pdb = try p.optional(.pdb, help: "PDB with the starting coordinates, atoms in PSF order")
            cutoff = try p(.cutoff, literal: "none", unit: "Å", help: "non-bonded cutoff: none (all pairs, vacuum) or a radius")
            switchDistance = try p.optional(.switchDistance, unit: "Å", in: .nonNegative,
                                            help: "where CHARMM's Lennard-Jones switching starts (default cutoff − 2); Coulomb is shifted (NAMD)")
            lennardJones14Scale = try p(.lennardJones14Scale, default: 1.0, in: .closed(0, 1), help: "factor on 1-4 Lennard-Jones (CHARMM: 1, with the 1-4 parameters)")
            coulomb14Scale = try p.optional(.coulomb14Scale, in: .closed(0, 1),
                                            help: "factor on 1-4 electrostatics (NAMD 1-4scaling; default: the parameter file's e14fac, 1 for CHARMM)")
            constraints = try p(.constraints, default: .unconstrained, help: "h-bonds: SHAKE/RATTLE on bonds to hydrogen (allows dt = 2 fs)")
            let files = psf != nil || pdb != nil || !parameters.isEmpty
            try p.check(molecule != nil || name != nil || (psf != nil && pdb != nil && !parameters.isEmpty), .molecule,
                        "give molecule: \(names.joined(separator: " | ")), or psf:, parameters: [...] and pdb:")
            try p.check(molecule == nil || !files, .psf, "give either molecule: or psf/parameters/pdb files, not both")
            try p.check(builder == nil || molecule != nil, .builder, "builder options apply to a built-in molecule: only")
            if let b = builder, let m = molecule {
                try p.check(m == .butane || b.dihedral == nil, .builder, "dihedral is butane's C1-C2-C3-C4 torsion; \(m.rawValue) takes phi and psi")
                try p.check(m.isPeptide || (b.phi == nil && b.psi == nil && !b.cmap), .builder, "phi, psi and cmap apply to peptides; butane takes dihedral")
            }
            if case .radius(let r) = cutoff {
                try p.check(r > 0 && (switchDistance ?? 0) < r, .switchDistance, "need 0 ≤ switch < cutoff (\(r) Å)")
            } else {
                try p.check(switchDistance == nil, .switchDistance, "a switching distance needs a cutoff; set cutoff: R or drop switch")
            }
        }

        var source: MoleculeSource {
            if let molecule {
                let standard: MoleculeBuilder.Backbone = molecule == .alanineDipeptide ? .c7eq : .alphaHelix
                let backbone = builder.flatMap { b -> MoleculeBuilder.Backbone? in
                    b.phi == nil && b.psi == nil ? nil : MoleculeBuilder.Backbone(phi: b.phi ?? standard.phi, psi: b.psi ?? standard.psi)
                }
                return .builtIn(molecule, dihedral: builder?.dihedral, backbone: backbone, cmap: builder?.cmap ?? false)
            }
            return .files(psf: psf?.absolutePath ?? "", parameters: parameters.map(\.absolutePath), pdb: pdb?.absolutePath ?? "")
        }
    }

    struct BuilderOptions: Decodable {
        var dihedral: Double?
        var phi: Double?
        var psi: Double?
        var cmap: Bool
        enum CodingKeys: String, CodingKey { case dihedral, phi, psi, cmap }
        init(from decoder: Decoder) throws {
            let p = try ParameterContainer(decoder, keyedBy: CodingKeys.self)
            dihedral = try p.optional(.dihedral, unit: "degrees", in: .closed(-180, 180), help: "butane: initial C1-C2-C3-C4 dihedral (default 180, anti)")
            phi = try p.optional(.phi, unit: "degrees", in: .closed(-180, 180), help: "peptides: backbone φ (default deca-alanine −57, α-helix; alanine-dipeptide −83, C7eq)")
            cmap = try p(.cmap, default: false, help: "peptides: add the CHARMM22/CMAP backbone correction (default false: CHARMM22 as in the NAMD tutorial's deca-alanine)")
            psi = try p.optional(.psi, unit: "degrees", in: .closed(-180, 180), help: "peptides: backbone ψ (default deca-alanine −47; alanine-dipeptide 73)")
        }
    }

    enum ConstraintChoice: String, ParameterEnum {
        case unconstrained = "none"
        case hydrogenBonds = "h-bonds"
    }

    /// `cutoff: none` or `cutoff: 12`.
    enum CutoffSetting: Decodable, Equatable, ParameterTypeDescribing {
        case allPairs
        case radius(Double)

        static var parameterTypeName: String { "'none' or a distance" }

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let r = try? c.decode(Double.self) {
                self = .radius(r)
            } else if let s = try? c.decode(String.self), s == "none" {
                self = .allPairs
            } else {
                throw CutoffSettingError()
            }
        }

        var radius: Double? { if case .radius(let r) = self { return r } else { return nil } }
    }

    struct CutoffSettingError: Error, CustomStringConvertible {
        var description: String { "must be none (all pairs) or a cutoff distance in Å, e.g. 12" }
    }

    /// Loads or builds the molecule with its force-field options; errors become one-line stage
    /// failures naming the system (by its name under `systems:` when known).
    static func model(_ p: Parameters, system: String? = nil, stage: String) throws -> CharmmModel {
        do {
            let molecule = try p.params.source.load()
            let nonbonded = try NonbondedMethod(cutoff: p.params.cutoff.radius, switchDistance: p.params.switchDistance)
            let options = ForceFieldOptions(nonbonded: nonbonded, lennardJones14Scale: p.params.lennardJones14Scale,
                                            coulomb14Scale: p.params.coulomb14Scale)
            let forceField = try molecule.forceField(options)
            return CharmmModel(molecule: molecule, forceField: forceField, temperature: p.temperature,
                               constraints: p.params.constraints == .hydrogenBonds ? try molecule.hydrogenBondConstraints() : nil,
                               source: p.params.source)
        } catch let e as MolecularInputError {
            throw FlowError.stageFailed(stage: stage, message: (system.map { "system '\($0)'" } ?? "charmm system") + ": \(e)")
        }
    }

    static func build(_ p: Parameters) throws -> SimulationSystem {
        try model(p, stage: name).simulationSystem
    }
}

/// A loaded `charmm` system: the molecule, its force field, temperature and constraints.
struct CharmmModel {
    let molecule: MolecularSystem
    let forceField: ForceField
    let temperature: Double
    /// SHAKE/RATTLE on bonds to hydrogen, when the system asks for them. A template: each
    /// integrator needs its own copy (`freshConstraints`).
    let constraints: Constraints?
    let source: MoleculeSource

    var topology: Topology { molecule.topology }
    var beta: Double { 1 / (MDUnits.boltzmann * temperature) }

    /// Constraints for one integrator (they keep scratch buffers).
    func freshConstraints() -> Constraints? { constraints?.independentCopy() }

    /// The molecule as a `SimulationSystem` (CVs by atom index or, for peptides, the backbone
    /// dihedrals by name: `phi`, `psi`; named configuration `structure`).
    var simulationSystem: SimulationSystem {
        var system = SimulationSystem(potential: forceField, beta: beta, namedConfigurations: ["structure": molecule.positions],
                                      coordinateNames: topology.atoms.flatMap { a in ["x", "y", "z"].map { "\(a.segment):\(a.residueID):\(a.name).\($0)" } },
                                      layout: .atoms(topology.atoms.count), minimumNames: [])
        for (name, q) in topology.backboneDihedrals() {
            system.namedCVs[name] = ParticleDihedral(q[0], q[1], q[2], q[3], layout: .atoms(topology.atoms.count), name: name)
        }
        return system
    }
}
