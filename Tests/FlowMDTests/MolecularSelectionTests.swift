import XCTest
@testable import FlowMD

/// Atom selectors, frame ranges, built-in molecule options and time-step limits: the small
/// pieces workflows and `flow export`/`flow energy` parse user input with.
final class MolecularSelectionTests: XCTestCase {
    func testAtomSelectorsResolveByNameAndIndex() throws {
        let topology = try BuiltInMolecules.decaAlanine().topology
        let ca1 = try AtomSelector(parsing: "BH:1:CA").resolve(in: topology)
        XCTAssertEqual(topology.atoms[ca1].name, "CA")
        XCTAssertEqual(topology.atoms[ca1].residueID, "1")
        XCTAssertEqual(try AtomSelector(parsing: "10:CA").resolve(in: topology), BuiltInMolecules.alphaCarbon(topology, residue: 10))
        XCTAssertEqual(try AtomSelector(parsing: "7").resolve(in: topology), 7)
        XCTAssertThrowsError(try AtomSelector(parsing: "BH::CA")) { XCTAssertTrue("\($0)".contains("segment:residue:name"), "\($0)") }
        XCTAssertThrowsError(try AtomSelector(parsing: "BH:11:CA").resolve(in: topology)) {
            XCTAssertTrue("\($0)".contains("no residue 11 in segment BH") && "\($0)".contains("residues 1-10"), "\($0)")
        }
        XCTAssertThrowsError(try AtomSelector(parsing: "BH:3:CX").resolve(in: topology)) {
            XCTAssertTrue("\($0)".contains("residue 3 has no atom CX; its atoms: N HN CA"), "\($0)")
        }
        XCTAssertThrowsError(try AtomSelector(parsing: "104").resolve(in: topology)) {
            XCTAssertTrue("\($0)".contains("the molecule has 104 atoms"), "\($0)")
        }
    }

    func testFrameSelectionsFollowPythonSlices() throws {
        XCTAssertEqual(try FrameSelection(parsing: ":").indices(count: 4), [0, 1, 2, 3])
        XCTAssertEqual(try FrameSelection(parsing: "1:3").indices(count: 10), [1, 2])
        XCTAssertEqual(try FrameSelection(parsing: "::4").indices(count: 10), [0, 4, 8])
        XCTAssertEqual(try FrameSelection(parsing: "-3:").indices(count: 10), [7, 8, 9])
        XCTAssertEqual(try FrameSelection(parsing: "-1").indices(count: 10), [9])
        XCTAssertEqual(try FrameSelection(parsing: "2").indices(count: 10), [2])
        XCTAssertEqual(try FrameSelection(parsing: "5:50").indices(count: 7), [5, 6])
        XCTAssertThrowsError(try FrameSelection(parsing: "1:2:0"))
        XCTAssertThrowsError(try FrameSelection(parsing: "a:b"))
    }

    func testBuilderOptionsBelongToTheirMolecule() throws {
        XCTAssertThrowsError(try MoleculeSource.builtIn(.decaAlanine, dihedral: 60).load())
        XCTAssertThrowsError(try MoleculeSource.builtIn(.butane, backbone: .alphaHelix).load())
        let gauche = try MoleculeSource.builtIn(.butane, dihedral: 60).load()
        let phi = DihedralCV(0, 4, 7, 10, atomCount: 14).value(gauche.positions)[0] * 180 / .pi
        XCTAssertEqual(phi, 60, accuracy: 1e-6)
    }

    /// The fastest butane bond is C–H of a methyl group: K = 322 kcal/mol/Å² (CHARMM convention,
    /// no ½), masses 12.011 and 1.008: ω = sqrt(2K · 418.4 · (1/1.008 + 1/12.011)) = 538.28 ps⁻¹,
    /// period 11.673 fs (hand calculation). The methyl's three C–H stretches share the carbon, so
    /// the stiffest mode of the whole molecule is a little stiffer than that bond alone.
    func testTimeStepLimitsComeFromTheStiffestVibration() throws {
        let butane = try BuiltInMolecules.butane()
        let free = try XCTUnwrap(try TimeStepLimit(system: butane))
        XCTAssertLessThanOrEqual(free.period * 1000, 11.673)
        XCTAssertGreaterThan(free.period * 1000, 10.5, "a C–H stretch, not something stiffer")
        XCTAssertTrue(free.label.hasPrefix("a mode mostly on H"), "methyl C–H stretches move the hydrogens most: \(free.label)")
        XCTAssertLessThanOrEqual(free.brownianLimit(friction: 1), 0.5 / (538.28 * 538.28))
        let constrained = try XCTUnwrap(try TimeStepLimit(system: butane, constrained: try butane.hydrogenBondConstraints().pairs))
        XCTAssertTrue(constrained.label.hasPrefix("a mode mostly on H"), "H bends: \(constrained.label)")
        XCTAssertGreaterThan(constrained.inertialLimit, 0.002, "2 fs with H-bond constraints")

        let deca = try BuiltInMolecules.decaAlanine()
        let peptide = try XCTUnwrap(try TimeStepLimit(system: deca))
        XCTAssertGreaterThanOrEqual(peptide.inertialLimit, 0.001, "1 fs without constraints")
        XCTAssertLessThan(peptide.inertialLimit, 0.002, "but not 2 fs")
        let rigid = try XCTUnwrap(try TimeStepLimit(system: deca, constrained: try deca.hydrogenBondConstraints().pairs))
        XCTAssertGreaterThanOrEqual(rigid.inertialLimit, 0.002, "2 fs with H-bond constraints")
    }
}
