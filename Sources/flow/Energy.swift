import ArgumentParser
import FlowCore
import FlowMD
import Foundation

struct Energy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Single-point CHARMM energy of one configuration: every term, the total and the forces.",
        discussion: """
        Like a single-point calculation in NAMD or OpenMM. Give --psf, --prm (repeatable) and --pdb, or \
        --molecule for a molecule flow builds. Energies in kcal/mol; forces F = -dV/dx in kcal/mol/Å.
        --forces FILE.h5 writes /forces (N × 3), /positions, /energy_terms and /topology; any other name \
        writes text, one line per atom: index segment residue resname name Fx Fy Fz.
        """)

    @Option(name: .long, help: "CHARMM/X-PLOR PSF file.")
    var psf: String?

    @Option(name: .customLong("prm"), help: "CHARMM parameter file (repeatable; later files override earlier ones).")
    var parameterFiles: [String] = []

    @Option(name: .long, help: "PDB with the coordinates, atoms in PSF order.")
    var pdb: String?

    @Option(name: .long, help: "A molecule flow builds: deca-alanine, butane or alanine-dipeptide.")
    var molecule: String?

    @Option(name: .long, help: "Butane only: the built C1-C2-C3-C4 dihedral in degrees (default 180).")
    var dihedral: Double?

    @Flag(name: .long, help: "Peptides only: add the CHARMM22/CMAP backbone correction.")
    var cmap = false

    @Option(name: .long, help: "Non-bonded cutoff: none (all pairs) or a radius in Å.")
    var cutoff: String = "none"

    @Option(name: .customLong("switch"), help: "Where Lennard-Jones switching starts, Å (default cutoff − 2).")
    var switchDistance: Double?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    @Option(name: .long, help: "Write the forces to this file (.h5: HDF5, otherwise text).")
    var forces: String?

    func source() throws -> MoleculeSource {
        let files = psf != nil || pdb != nil || !parameterFiles.isEmpty
        if let molecule {
            guard !files else { throw FlowError.usage("give either --molecule or --psf/--prm/--pdb, not both") }
            guard let m = BuiltInMolecule(rawValue: molecule) else {
                let names = BuiltInMolecule.allCases.map(\.rawValue)
                throw FlowError.usage("unknown molecule '\(molecule)'\(DidYouMean.hint(for: molecule, among: names)); built-in molecules: \(names.joined(separator: ", "))")
            }
            return .builtIn(m, dihedral: dihedral, cmap: cmap)
        }
        guard let psf, let pdb, !parameterFiles.isEmpty else {
            throw FlowError.usage("give --psf FILE --prm FILE [--prm FILE…] --pdb FILE, or --molecule deca-alanine|butane|alanine-dipeptide")
        }
        guard dihedral == nil else { throw FlowError.usage("--dihedral builds butane; use it with --molecule butane") }
        guard !cmap else { throw FlowError.usage("--cmap builds a peptide with CMAP; with --psf, the PSF's cross-terms decide") }
        return .files(psf: psf, parameters: parameterFiles, pdb: pdb)
    }

    func run() throws {
        let source = try source()
        do {
            let nonbonded = try NonbondedMethod(cutoff: cutoff, switchDistance: switchDistance)
            let result = try SinglePointEnergy(try source.load(), options: ForceFieldOptions(nonbonded: nonbonded), title: source.summary)
            print(json ? try result.json() : result.table(), terminator: json ? "\n" : "")
            if let forces { try result.writeForces(to: forces) }
        } catch let e as MolecularInputError {
            throw FlowError.usage(e.description)
        }
    }
}
