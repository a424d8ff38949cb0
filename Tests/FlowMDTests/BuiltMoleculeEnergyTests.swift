import Foundation
import XCTest
@testable import FlowMD

/// Energies of flow's own built molecules against an independent calculation (OpenMM 8.6.1 on the
/// PSF/PDB files flow writes, with flow's parameter tables; see Reference/openmm_reference.py).
/// The configurations are the built structures displaced by a fixed pattern so that every term
/// is far from its minimum; they go through flow's PSF/PDB writers and readers first, so flow and
/// OpenMM see the same (PDB-rounded) coordinates. These tests always run.
final class BuiltMoleculeEnergyTests: XCTestCase {
    /// Built structure + 0.1 Å · sin(1.7 i) on coordinate i, written and read back as PSF/PDB.
    func roundTripped(_ name: String, _ system: MolecularSystem) throws -> MolecularSystem {
        var x = system.positions
        for i in x.indices { x[i] += 0.1 * sin(1.7 * Double(i)) }
        var dirs = [TestData.temporaryPath("")]
        if let export = ProcessInfo.processInfo.environment["FLOW_REFERENCE_EXPORT"] {
            try FileManager.default.createDirectory(atPath: export, withIntermediateDirectories: true)
            dirs.append(export)
        }
        for dir in dirs {
            try PSFWriter.write(system.topology, to: dir + "/\(name).psf")
            try PDBFile.write(system.topology, frames: [x], to: dir + "/\(name).pdb")
        }
        let topology = try PSFReader.read(path: dirs[0] + "/\(name).psf")
        XCTAssertEqual(topology, system.topology)
        let positions = try PDBFile.read(path: dirs[0] + "/\(name).pdb").frames[0]
        return MolecularSystem(topology: topology, parameters: system.parameters, positions: positions)
    }

    func check(_ e: EnergyTerms, _ reference: [String: Double]) {
        for (name, value) in e.named {
            guard let expected = reference[name] else { XCTFail("no reference for \(name)"); continue }
            assertClose(value, expected, name)
        }
    }

    func testBuiltDecaAlanineMatchesOpenMM() throws {
        let system = try roundTripped("decaalanine", try BuiltInMolecules.decaAlanine())
        let e = try system.forceField().energyTerms(system.positions)
        check(e, Self.decaAlanineReference)
    }

    func testBuiltButaneMatchesOpenMM() throws {
        let system = try roundTripped("butane", try BuiltInMolecules.butane(dihedral: 65))
        let e = try system.forceField().energyTerms(system.positions)
        check(e, Self.butaneReference)
    }

    func testBuiltAlanineDipeptideMatchesOpenMM() throws {
        let system = try roundTripped("alaninedipeptide", try BuiltInMolecules.alanineDipeptide())
        let e = try system.forceField().energyTerms(system.positions)
        check(e, Self.alanineDipeptideReference)
    }

    /// With the CHARMM22/CMAP correction: one cross-term (φ, ψ), all other terms as without.
    func testBuiltAlanineDipeptideWithCMAPMatchesOpenMM() throws {
        let built = try BuiltInMolecules.alanineDipeptide(cmap: true)
        XCTAssertEqual(built.topology.crossTerms.count, 1)
        let system = try roundTripped("alaninedipeptide-cmap", built)
        let e = try system.forceField().energyTerms(system.positions)
        var reference = Self.alanineDipeptideReference
        reference["cmap"] = 0.3068017131  // OpenMM 8.6.1, CMAPTorsionForce
        reference["total"] = reference["total"]! + reference["cmap"]!
        check(e, reference)
    }

    /// OpenMM 8.6.1 (Reference platform, NoCutoff), kcal/mol.
    static let decaAlanineReference: [String: Double] = [
        "bond": 339.9913272,
        "urey_bradley": 7.882350023,
        "angle": 120.2394768,
        "dihedral": 30.93567162,
        "improper": 19.51105138,
        "cmap": 0,
        "lennard_jones": 180.8267652,
        "coulomb": 80.46031057,
        "lennard_jones_14": 52.39497627,
        "coulomb_14": 873.7505887,
        "total": 779.8469527,
    ]

    /// OpenMM 8.6.1 (Reference platform, NoCutoff), kcal/mol.
    static let butaneReference: [String: Double] = [
        "bond": 36.31456046,
        "urey_bradley": 2.764592612,
        "angle": 27.68472741,
        "dihedral": 0.9729760935,
        "improper": 0,
        "cmap": 0,
        "lennard_jones": -0.248426476,
        "coulomb": 4.613929875,
        "lennard_jones_14": -0.2161280626,
        "coulomb_14": 2.775558021,
        "total": 72.10235997,
    ]

    /// OpenMM 8.6.1 (Reference platform, NoCutoff), kcal/mol; the full CHARMM22/27 file
    /// (par_all27_prot_lipid_cmap.prm, no CMAP) gives the same terms to 1e-14.
    static let alanineDipeptideReference: [String: Double] = [
        "bond": 88.29450907,
        "urey_bradley": 1.385861097,
        "angle": 31.86632262,
        "dihedral": 5.157032805,
        "improper": 7.664077508,
        "cmap": 0,
        "lennard_jones": 6.70025699,
        "coulomb": -22.5361209,
        "lennard_jones_14": 5.156120672,
        "coulomb_14": 58.93144434,
        "total": 118.5319392,
    ]
}
