import XCTest
@testable import FlowMD

/// The CHARMM energy of the NAMD SMD tutorial deca-alanine (reference PSF, parameter subset and
/// PDB in the shared data folder) against OpenMM 8.6.1 (`CharmmPsfFile.createSystem`, Reference
/// platform, NoCutoff), values from that folder's README.
final class ReferenceEnergyTests: XCTestCase {
    func loadReference() throws -> (ForceField, [Double]) {
        let dir = try TestData.decaAlanineDirectory()
        let topology = try PSFReader.read(path: dir + "/da.psf")
        let parameters = try CharmmParameterReader.read(path: dir + "/par_all27_prot_lipid_cmap_decaalanine_subset.prm")
        let pdb = try PDBFile.read(path: dir + "/smd_ini.pdb")
        return (try ForceField(topology: topology, parameters: parameters), pdb.frames[0])
    }

    func testEveryTermMatchesOpenMM() throws {
        let (ff, x) = try loadReference()
        let e = ff.energyTerms(x)
        assertClose(e.bond, 38.4958, "bonds")
        assertClose(e.angle, 52.4927, "angles")
        assertClose(e.ureyBradley, 5.31371, "Urey-Bradley")
        assertClose(e.dihedral, 25.4984, "dihedrals")
        assertClose(e.improper, 2.50147, "impropers")
        assertClose(e.cmap, 0, "CMAP")
        assertClose(e.lennardJones, -14.7933, "Lennard-Jones")
        assertClose(e.lennardJones14, 11.8757, "Lennard-Jones 1-4")
        assertClose(e.coulomb, 77.7884, "Coulomb")
        assertClose(e.coulomb14, 804.077, "Coulomb 1-4")
        assertClose(e.total, 187.297, "total")
    }

    func testTermCountsMatchTheReadme() throws {
        let (ff, _) = try loadReference()
        let counts = ff.termCounts
        XCTAssertEqual(counts["bond"], 103)
        XCTAssertEqual(counts["angle"], 183)
        XCTAssertEqual(counts["urey_bradley"], 65)
        XCTAssertEqual(counts["dihedral"], 260)
        XCTAssertEqual(counts["improper"], 22)
        XCTAssertEqual(counts["cmap"], 0)
    }
}
