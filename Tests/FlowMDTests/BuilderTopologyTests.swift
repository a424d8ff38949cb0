import XCTest
@testable import FlowMD

/// The built deca-alanine must have exactly the topology of the NAMD SMD tutorial's da.psf, and
/// angle/dihedral autogeneration must reproduce the lists psfgen wrote.
final class BuilderTopologyTests: XCTestCase {
    func testBuiltDecaAlanineCounts() throws {
        let system = try BuiltInMolecules.decaAlanine()
        let t = system.topology
        XCTAssertEqual(t.atoms.count, 104)
        XCTAssertEqual(t.bonds.count, 103)
        XCTAssertEqual(t.angles.count, 183)
        XCTAssertEqual(t.dihedrals.count, 250)
        XCTAssertEqual(t.impropers.count, 22)
        XCTAssertEqual(t.atoms.reduce(0) { $0 + $1.charge }, 0, accuracy: 1e-12)
        XCTAssertEqual(Set(t.atoms.map(\.residueID)).count, 10)
        XCTAssertTrue(t.atoms.allSatisfy { $0.segment == "BH" && $0.residueName == "ALA" })
    }

    func testBuiltDecaAlanineMatchesReferencePSF() throws {
        let dir = try TestData.decaAlanineDirectory()
        let reference = try PSFReader.read(path: dir + "/da.psf")
        let built = try BuiltInMolecules.decaAlanine().topology
        XCTAssertEqual(built.atoms.count, reference.atoms.count)
        for (a, b) in zip(built.atoms, reference.atoms) {
            XCTAssertEqual(a.name, b.name)
            XCTAssertEqual(a.type, b.type, a.name)
            XCTAssertEqual(a.residueID, b.residueID, a.name)
            XCTAssertEqual(a.segment, b.segment)
            XCTAssertEqual(a.residueName, b.residueName)
            XCTAssertEqual(a.charge, b.charge, accuracy: 1e-9, "\(a.residueID) \(a.name)")
            XCTAssertEqual(a.mass, b.mass, accuracy: 1e-9, "\(a.residueID) \(a.name)")
        }
        XCTAssertEqual(Set(built.bonds.map(\.canonical)), Set(reference.bonds.map(\.canonical)))
        XCTAssertEqual(built.bonds.count, reference.bonds.count)
        XCTAssertEqual(Set(built.angles.map(\.canonical)), Set(reference.angles.map(\.canonical)))
        XCTAssertEqual(built.angles.count, reference.angles.count)
        XCTAssertEqual(Set(built.dihedrals.map(\.canonical)), Set(reference.dihedrals.map(\.canonical)))
        // psfgen listed HT2–NT–C–CA of the C-terminal amide twice (251 entries, 250 distinct);
        // the builder lists each dihedral once.
        let counts = Dictionary(grouping: reference.dihedrals.map(\.canonical), by: { $0 }).mapValues(\.count)
        XCTAssertEqual(counts.filter { $0.value > 1 }.map(\.key), [Dihedral(95, 93, 91, 98).canonical])
        XCTAssertEqual(built.dihedrals.count, reference.dihedrals.count - 1)
        // Impropers are ordered (central atom first): compare exactly, up to list order.
        XCTAssertEqual(built.impropers.map(\.indices).sorted { $0.lexicographicallyPrecedes($1) },
                       reference.impropers.map(\.indices).sorted { $0.lexicographicallyPrecedes($1) })
    }

    func testAutogenerationReproducesReferenceLists() throws {
        let dir = try TestData.decaAlanineDirectory()
        let reference = try PSFReader.read(path: dir + "/da.psf")
        XCTAssertEqual(Set(reference.generatedAngles().map(\.canonical)), Set(reference.angles.map(\.canonical)))
        XCTAssertEqual(reference.generatedAngles().count, reference.angles.count)
        XCTAssertEqual(Set(reference.generatedDihedrals()), Set(reference.dihedrals.map(\.canonical)))
    }

    func testHelixGeometry() throws {
        let system = try BuiltInMolecules.decaAlanine()
        let t = system.topology, x = system.positions
        func atom(_ r: Int, _ name: String) -> Int { t.atomIndex(residue: String(r), name: name)! }
        for r in 2...9 {
            let phi = DihedralCV(atom(r - 1, "C"), atom(r, "N"), atom(r, "CA"), atom(r, "C"), atomCount: t.atoms.count).value(x)[0]
            let psi = DihedralCV(atom(r, "N"), atom(r, "CA"), atom(r, "C"), atom(r + 1, "N"), atomCount: t.atoms.count).value(x)[0]
            let omega = DihedralCV(atom(r, "CA"), atom(r, "C"), atom(r + 1, "N"), atom(r + 1, "CA"), atomCount: t.atoms.count).value(x)[0]
            XCTAssertEqual(phi * 180 / .pi, -57, accuracy: 1e-9)
            XCTAssertEqual(psi * 180 / .pi, -47, accuracy: 1e-9)
            XCTAssertEqual(abs(omega * 180 / .pi), 180, accuracy: 1e-9)
        }
        // L-alanine: CB on the side given by the improper N–C–CA–CB ≈ +120°.
        let chi = DihedralCV(atom(5, "N"), atom(5, "C"), atom(5, "CA"), atom(5, "CB"), atomCount: t.atoms.count).value(x)[0]
        XCTAssertEqual(chi * 180 / .pi, 122, accuracy: 1e-9)
        // Every bond at its equilibrium length.
        for b in t.bonds {
            let r0 = try system.parameters.bond(t.atoms[b.i].type, t.atoms[b.j].type).r0
            let d = DistanceCV(b.i, b.j, atomCount: t.atoms.count).value(x)[0]
            XCTAssertEqual(d, r0, accuracy: 1e-9)
        }
        // An α-helix rises 1.5 Å per residue: CA1–CA10 ≈ 13.5 Å.
        let end = DistanceCV(atom(1, "CA"), atom(10, "CA"), atomCount: t.atoms.count).value(x)[0]
        XCTAssertEqual(end, 13.5, accuracy: 0.7)
    }

    func testButane() throws {
        let system = try BuiltInMolecules.butane()
        let t = system.topology
        XCTAssertEqual(t.atoms.count, 14)
        XCTAssertEqual(t.bonds.count, 13)
        XCTAssertEqual(t.angles.count, 24)
        XCTAssertEqual(t.dihedrals.count, 27)
        XCTAssertEqual(t.atoms.map(\.type).filter { $0.hasPrefix("C") }, ["CT3", "CT2", "CT2", "CT3"])
        let cccc = DihedralCV(0, 4, 7, 10, atomCount: 14)
        XCTAssertEqual(cccc.value(system.positions)[0] * 180 / .pi, 180, accuracy: 1e-9)
        let gauche = try BuiltInMolecules.butane(dihedral: 60)
        XCTAssertEqual(cccc.value(gauche.positions)[0] * 180 / .pi, 60, accuracy: 1e-9)
    }
}
